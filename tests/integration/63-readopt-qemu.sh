#!/bin/bash
# Re-adoption of QEMU microVMs: jitsud is killed with SIGKILL and started
# again, three times in a row, while a client loop keeps fetching from
# two VMs. QEMU outlives the dead jitsud and the next one adopts it (same
# pid, same tap, QMP and console reconnected): no connection fails. A
# paused VM is adopted paused, an adopted VM still goes idle, a record
# whose QEMU died or whose service changed is dropped, and a clean stop
# leaves no QEMU behind.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/7x-vm.bash"

command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 0; }
[ -c /dev/net/tun ] || { skip all "no /dev/net/tun"; exit 0; }
J=$T_JITSUD
C=$T_BUILD/jitsuctl
VM=${HELLO_VM:-$T_BUILD/uk/hello.vm}
HANG=$T_BUILD/tests/vm/hang.vm
for f in "$J" "$C" "$VM" "$HANG"; do
	[ -f "$f" ] || { fail build "$f missing (make)"; exit 1; }
done
t_tmpdir
t_netns
# A connection must be made by its first SYN: one lost across a restart
# fails instead of being rescued by a retransmission.
t_first_syn_only
SOCK=$T_TMP/jitsud.sock
PRIV=$(t_private)
LOG=$T_TMP/log
: >"$LOG"

conf() {	# conf WWW_MEMORY
	cat >"$T_TMP/j.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = example.test
$PRIV

[service www]
dns = www.example.test
address = 10.77.6.2
backend = qemu
image = $VM
accel = tcg
memory = $1
idle = 0

[service cold]
dns = cold.example.test
address = 10.77.6.3
backend = qemu
image = $VM
accel = tcg
idle = 2s

[service frozen]
dns = frozen.example.test
address = 10.77.6.4
backend = qemu
image = $VM
accel = tcg
idle = 0
stop = suspend

[service hang]
dns = hang.example.test
address = 10.77.6.5
backend = qemu
image = $HANG
accel = tcg
boot_timeout = 60s
CONF
}
conf 64M
ctl() { "$C" -s "$SOCK" "$@"; }
field() { ctl status "$1" 2>/dev/null | awk -v k="$2" '$1 == k {print $2}'; }
# A summons waits for a boot: the limit is a safety net only.
get() { t_in curl -s -m 60 "$@"; }
# alive PID: a process that runs (an adopted QEMU, once killed, waits as
# a zombie for init to reap it; a zombie runs nothing)
alive() { [ -n "$1" ] && [ "$1" != 0 ] && ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; }
dead() { ! alive "$1"; }
# connected PATH: QEMU has accepted a connection on the socket at PATH
connected() { t_in ss -xHnp state connected | grep -F "$1 " | grep -q qemu; }
ifindex() { t_in cat "/sys/class/net/$1/ifindex" 2>/dev/null; }
readies() { grep -c "jitsud ready" "$LOG"; }
start_jitsud() {
	local n
	n=$(readies)
	rm -f "$SOCK"
	t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>>"$LOG"
	wait_for 60 eval '[ "$(readies)" -gt '"$n"' ]'
}
crash() { kill -9 "$JPID"; wait "$JPID" 2>/dev/null; }
start_jitsud

check "www up" grep -q hello <<<"$(get http://10.77.6.2/)"
check "cold up" grep -q hello <<<"$(get http://10.77.6.3/)"
check "frozen up" grep -q hello <<<"$(get http://10.77.6.4/)"
pw=$(field www pid); pc=$(field cold pid); pf=$(field frozen pid)
check "three QEMUs" eval "alive $pw && alive $pc && alive $pf"
check "instances recorded" test -s "$T_TMP/state/www.instance" -a -s "$T_TMP/state/frozen.instance"
run=$(awk -F= '$1 == "run" {print $2}' "$T_TMP/state/www.instance")
check "QMP and console sockets in the instance's folder ($run)" test -S "$run/qmp" -a -S "$run/console"
tap0=$(ifindex jv0a4d0602)

syn0=$(synretrans)

# Clients throughout: requests to www and cold, one line each in
# $T_TMP/clients ("ok" or "fail"), until $T_TMP/stop appears. Each round
# waits for requests made while jitsud is dead and after it is back.
: >"$T_TMP/clients"
(
	while [ ! -e "$T_TMP/stop" ]; do
		for a in 10.77.6.2 10.77.6.3; do
			if get "http://$a/" | grep -q hello; then r=ok; else r=fail; fi
			echo "$r" >>"$T_TMP/clients"
		done
	done
) &
CLIENTS=$!
T_CLEANUP+=("touch $T_TMP/stop; wait $CLIENTS 2>/dev/null")
requests() { wc -l <"$T_TMP/clients"; }
# more_requests N: at least 4 more requests than N (both VMs twice)
more_requests() { [ "$(requests)" -ge $(($1 + 4)) ]; }

for round in 1 2 3; do
	check "round $round: clients at work" wait_for 60 more_requests "$(requests)"
	crash
	check "round $round: QEMU outlives a killed jitsud" alive "$pw"
	check "round $round: served with jitsud dead" wait_for 60 more_requests "$(requests)"
	start_jitsud
	check "round $round: www adopted, same QEMU" test "$(field www pid)" = "$pw" -a "$(field www state)" = running
	check "round $round: cold adopted, same QEMU" test "$(field cold pid)" = "$pc"
done
check "clients served after the last restart" wait_for 60 more_requests "$(requests)"
touch "$T_TMP/stop"
wait "$CLIENTS"
n=$(requests); fails=$(grep -c fail "$T_TMP/clients")
check "no failed connection across 3 restarts ($fails of $n)" test "$fails" -eq 0
# Running VMs answer in milliseconds, far under the SYN timer: nothing
# but a lost SYN can make a retransmission here.
check "no SYN retransmitted meanwhile" test "$(synretrans)" -eq "$syn0"
check "adoption logged" grep -q "service www: stopped -> running .*adopted QEMU pid $pw" "$LOG"
check "no second QEMU for www" test "$(grep -c 'service www: stopped -> starting' "$LOG")" -eq 1
check "the same tap throughout" test "$(ifindex jv0a4d0602)" = "$tap0"
check "route kept" t_in bash -c "ip route show 10.77.6.2 | grep -q 'dev jv0a4d0602'"
check "neighbour kept" t_in bash -c "ip neigh show 10.77.6.2 | grep -q PERMANENT"
check "console connected again" wait_for 60 connected "$run/console"
check "QMP connected again" connected "$run/qmp"

# The next idle still stops an adopted VM.
state_is() { [ "$(field "$1" state)" = "$2" ]; }
check "adopted VM stopped on idle" wait_for 60 state_is cold stopped
check "its QEMU gone" wait_for 60 dead "$pc"
check "its record removed" test ! -e "$T_TMP/state/cold.instance"

# A paused VM is adopted paused, and a query resumes it.
ctl suspend frozen >/dev/null
check "frozen suspended" test "$(field frozen state)" = suspended
crash
start_jitsud
check "paused VM adopted suspended" test "$(field frozen state)" = suspended -a "$(field frozen pid)" = "$pf"
check "adopted as paused (QMP query-status)" grep -q "adopted QEMU pid $pf (paused)" "$LOG"
check "a connection resumes it" grep -q hello <<<"$(get http://10.77.6.4/)"
check "resumed, same QEMU" test "$(field frozen state)" = running -a "$(field frozen pid)" = "$pf"

# A record whose QEMU is gone is dropped; the service boots anew.
crash
kill -9 "$pf"
wait_for 60 dead "$pf"
start_jitsud
check "dead QEMU not adopted" test "$(field frozen state)" = stopped
check "its record removed" test ! -e "$T_TMP/state/frozen.instance"
check "and it boots afresh on demand" grep -q hello <<<"$(get http://10.77.6.4/)"

# A changed service: the old QEMU is ended, not adopted.
crash
conf 32M
start_jitsud
check "changed service not adopted" test "$(field www state)" = stopped
check "its old QEMU ended" wait_for 60 dead "$pw"
check "not adopted: logged" grep -q "service www: not adopted: the configuration changed: ended QEMU pid $pw" "$LOG"
check "the changed service boots" grep -q hello <<<"$(get http://10.77.6.2/)"

# A QEMU still booting when jitsud dies has no record: the next jitsud
# finds it by its instance folder when the tap is busy, and ends it.
t_in kdig @127.0.0.1 +short +timeout=2 +retry=0 hang.example.test A >/dev/null
check "hang starting" wait_for 60 state_is hang starting
ph=$(field hang pid)
check "a QEMU booting" alive "$ph"
crash
check "not recorded" test ! -e "$T_TMP/state/hang.instance"
start_jitsud
check "the unrecorded QEMU ended" wait_for 60 dead "$ph"
check "ending it logged" grep -q "service hang: ending QEMU pid $ph, left booting" "$LOG"
check "the service is usable, not failed" test "$(field hang state)" = stopped
t_in kdig @127.0.0.1 +short +timeout=2 +retry=0 hang.example.test A >/dev/null
check "starting again" wait_for 60 state_is hang starting
check "and boots again" alive "$(field hang pid)"

# A clean stop ends every QEMU, adopted or not, and leaves nothing.
pw=$(field www pid); pf=$(field frozen pid); ph=$(field hang pid)
runs=$(awk -F= '$1 == "run" {print $2}' "$T_TMP"/state/*.instance)
kill "$JPID"; wait "$JPID" 2>/dev/null
check "no QEMU outlives a clean stop" wait_for 60 eval "dead $pw && dead $pf && dead $ph"
check "records removed" test -z "$(ls "$T_TMP/state")"
left=0
for r in $runs; do [ -e "$r" ] && left=$((left + 1)); done
check "instance folders removed" test "$left" -eq 0
check "taps gone with jitsud" test ! -e /run/netns/"$T_NS" -o -z "$(t_in ip -o link show type tun 2>/dev/null)"
[ "$T_FAILS" -gt 0 ] && tail -n 40 "$LOG" | sed 's/^/  log: /'
true
