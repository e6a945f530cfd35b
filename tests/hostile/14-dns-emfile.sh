#!/bin/bash
# Attack: exhaust jitsud's descriptors with TCP connections to its DNS
# port. Before the fix, at the limit the listener stayed readable, every
# accept failed with EMFILE and jitsud spun writing ~190,000 log lines a
# second. Now it pauses accepting for a second and logs once per pause;
# UDP keeps being answered.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
A="/usr/bin/python3 $T_ROOT/tests/helpers/dns_attack.py"
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
tcp_clients = 1000
tcp_per_address = 1000
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
LOG=$T_TMP/log
# 40 descriptors: a few for jitsud itself, the rest for the attacker
t_bg J t_in prlimit --nofile=40:40 "$T_JITSUD" -c "$T_TMP/j.conf" >"$LOG" 2>&1
wait_for 10 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }
n0=$(wc -l <"$LOG")

t_bg H t_in $A hold 127.0.0.1 53 200 --src 127.0.0.2 >"$T_TMP/h"
wait_for 20 grep -q open= "$T_TMP/h" || fail setup "the attacker could not connect"
pauses() { test "$(grep -c 'TCP accepts paused' "$LOG")" -ge "$1"; }
wait_for 20 pauses 1
check "at the descriptor limit accepting pauses, and says so" pauses 1
o=$(t_in kdig @127.0.0.1 +timeout=3 +retry=0 www.example.test A)
check "UDP is answered at the descriptor limit" grep -q "127.77.0.2" <<<"$o"
# Three pauses (three intervals at the limit) later, the log is small.
wait_for 30 pauses 3
lines=$(( $(wc -l <"$LOG") - n0 ))
echo "# $lines log lines over $(grep -c 'TCP accepts paused' "$LOG") pauses"
check "the log stays small at the descriptor limit ($lines lines)" test "$lines" -le 20
check "jitsud is still running" kill -0 "$J"
exit 0
