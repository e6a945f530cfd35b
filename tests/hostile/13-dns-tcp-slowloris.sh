#!/bin/bash
# Attack: hold jitsud's DNS-over-TCP slots with slow clients. Before the
# fix, 1,024 clients sending one byte every 6 s held every slot for more
# than 24 s: the idle timer restarted on every byte. Now
#  1. a message has a deadline from its first byte (tcp_message_timeout):
#     trickling clients are closed although they never stop sending;
#  2. one address holds at most tcp_per_address connections;
#  3. when every slot (tcp_clients) is taken, a new client evicts the one
#     that has gone longest without a whole message: a client that asks
#     is served while the holders stay connected.
# Caps and deadlines are small here so that nothing depends on timing.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
A="/usr/bin/python3 $T_ROOT/tests/helpers/dns_attack.py"
cat >"$T_TMP/a.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
tcp_idle = 300s
tcp_message_timeout = 1s
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
cat >"$T_TMP/b.conf" <<CONF
[jitsud]
control = $T_TMP/b.sock
state = $T_TMP/bstate
run = $T_TMP/brun
cgroup = jitsu-b$$
dns = 127.0.0.1:5300
zone = example.test
tcp_idle = 300s
tcp_message_timeout = 300s
tcp_clients = 8
tcp_per_address = 4
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
mkdir -m 0700 "$T_TMP/bstate"; mkdir -m 0711 "$T_TMP/brun"
t_bg J t_in "$T_JITSUD" -c "$T_TMP/a.conf"
t_bg JB t_in "$T_JITSUD" -c "$T_TMP/b.conf"
wait_for 10 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
wait_for 10 t_in kdig @127.0.0.1 -p 5300 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud b did not answer"; exit 1; }

# 1. Eight clients trickle one byte every 0.2 s (the idle timeout is
#    300 s, so only the message deadline can close them); the attacker
#    gives up after 40 s, a safety net.
o=$(t_in $A slowloris 127.0.0.1 53 8 --every 0.2 --secs 40)
echo "# trickling: $o"
check "every trickling client was closed by the message deadline" test "$o" = "closed=8 of 8"

# 2 and 3. Three attacker addresses try to hold 8 connections each.
estab() { t_in ss -Htn state established "( sport = :5300 )" | grep -c " $1:" ; }
t_bg H1 t_in $A hold 127.0.0.1 5300 8 --src 127.0.0.2 >"$T_TMP/h1"
wait_for 20 grep -q open= "$T_TMP/h1"
at_most() { test "$(estab "$1")" -le "$2"; }
wait_for 20 at_most 127.0.0.2 4
check "one address holds at most tcp_per_address ($(estab 127.0.0.2) of 8 kept)" at_most 127.0.0.2 4
t_bg H2 t_in $A hold 127.0.0.1 5300 8 --src 127.0.0.3 >"$T_TMP/h2"
t_bg H3 t_in $A hold 127.0.0.1 5300 8 --src 127.0.0.4 >"$T_TMP/h3"
wait_for 20 grep -q open= "$T_TMP/h2"
wait_for 20 grep -q open= "$T_TMP/h3"
held() { echo $(($(estab 127.0.0.2) + $(estab 127.0.0.3) + $(estab 127.0.0.4))); }
o=$(t_in kdig @127.0.0.1 -p 5300 +tcp +timeout=5 +retry=0 www.example.test A 2>&1)
check "a client that asks is served while the slots are held" grep -q "127.77.0.2" <<<"$o"
check "the holders are still connected ($(held))" test "$(held)" -ge 4
exit 0
