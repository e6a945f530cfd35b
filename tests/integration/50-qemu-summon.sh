#!/bin/bash
# The summon loop with the qemu backend, end to end: real kdig and curl,
# real QEMU microvms booting hello.vm, in a private network namespace.
# First connections are held in each VM's tap while it boots: with
# retransmitted SYNs dropped (t_first_syn_only) each is still served and
# gets no reset, whatever the boot takes. The SYN retransmissions a boot
# longer than the client's SYN timer causes are printed as a figure.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/7x-vm.bash"

command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 0; }
[ -c /dev/net/tun ] || { skip all "no /dev/net/tun"; exit 0; }
J=$T_JITSUD
VM=${HELLO_VM:-$T_BUILD/uk/hello.vm}
HANG=$T_BUILD/tests/vm/hang.vm
for f in "$J" "$VM" "$HANG"; do
	[ -f "$f" ] || { fail build "$f missing (make)"; exit 1; }
done
t_tmpdir
t_netns
t_first_syn_only

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = example.test
ttl = 1
backoff = 30s
$(t_private)

[service www]
dns = www.example.test
address = 10.77.0.2
backend = qemu
image = $VM
accel = tcg
idle = 0

[service cold]
dns = cold.example.test
address = 10.77.0.3
backend = qemu
image = $VM
accel = tcg
memory = 32M
idle = 1s

[service frozen]
dns = frozen.example.test
address = 10.77.0.4
backend = qemu
image = $VM
accel = tcg
idle = 1s
stop = suspend

[service hang]
dns = hang.example.test
address = 10.77.0.5
backend = qemu
image = $HANG
accel = tcg
boot_timeout = 800ms

[service probe]
dns = probe.example.test
address = 10.77.0.6
backend = qemu
image = $VM
accel = tcg
ready = tcp
ports = tcp:80
idle = 0

[service soft]
dns = soft.example.test
address = 10.77.0.7
backend = qemu
image = $VM
accel = tcg
idle = 1s
stop = shutdown
grace = 500ms
CONF

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 grep -q "jitsud ready" "$LOG" ||
	{ fail start "jitsud did not start"; cat "$LOG"; exit 1; }

dig1() { t_in kdig @127.0.0.1 +timeout=2 +retry=0 +short "$1" A; }
# A summons waits for a boot: the limit is a safety net only.
get() { t_in curl -s -m 60 "$@"; }
starts() { grep -c "service $1: \(stopped\|failed\) -> starting" "$LOG"; }
state_is() { grep "service $1: .* -> " "$LOG" | tail -1 | grep -q -- "-> $2 "; }
# QEMU processes jitsud runs for a service (its children, by -name).
qemus() { pgrep -c -P "$JPID" -f "x86_64 -name $1 -M" || true; }
qemu_pid() { pgrep -P "$JPID" -f "x86_64 -name $1 -M"; }

for a in 10.77.0.2 10.77.0.3 10.77.0.4 10.77.0.5; do vm_rst_watch $a; done

# 1. Config load made the links: tap, /32 route, permanent neighbour.
check "tap per service" t_in bash -c "ip link show jv0a4d0002 >/dev/null"
check "route to the guest" t_in bash -c "ip route show 10.77.0.2 | grep -q 'dev jv0a4d0002'"
check "permanent neighbour" t_in bash -c "ip neigh show 10.77.0.2 | grep -q 'lladdr 02:6a:0a:4d:00:02 PERMANENT'"
check "no QEMU before a want" test "$(qemus www)" -eq 0

# 2. A query summons hello.vm; the first connection, sent while it
#    boots, is held in the tap and answered.
check "query answers at once" test "$(dig1 www.example.test)" = 10.77.0.2
o=$(get -i http://10.77.0.2/)
if ! grep -q "HTTP/1.1 200" <<<"$o"; then
	# Everything below needs a guest that answers. The guest has
	# ip=ADDR/32 and an off-link gw=: it must accept its gateway's
	# ARP (uk/net/arp.c) to send any answer at all.
	fail "curl after query gets 200" "no answer from hello.vm (does the guest learn its off-link gw=?); log:"
	tail -n 20 "$LOG"
	exit 1
fi
ok "curl after query gets 200"
check "body says hello" grep -q hello <<<"$o"
check "the held connection got no reset" vm_no_rst 10.77.0.2
vm_figure "qemu www first connection"
check "console line in the log" grep -q "www: uk: ready" "$LOG"
check "one QEMU" test "$(qemus www)" -eq 1
uid=$(awk '/^Uid:/ { print $3 }' /proc/"$(qemu_pid www)"/status)
check "QEMU dropped root (uid $uid)" test "$uid" -ge 100000
check "QEMU under its seccomp filter" grep -q "^Seccomp:.*2" /proc/"$(qemu_pid www)"/status

# 3. A SYN alone, no query, wakes a stopped VM.
o=$(get http://10.77.0.3/)
check "connection alone summons" grep -q hello <<<"$o"
check "no reset for it" vm_no_rst 10.77.0.3

# 4. Idle with stop = destroy: QEMU goes, the tap stays; the next query
#    boots it again. Twenty concurrent queries start one QEMU.
check "idle destroys" wait_for 60 state_is cold stopped
check "QEMU gone" test "$(qemus cold)" -eq 0
check "tap kept" t_in bash -c "ip link show jv0a4d0003 >/dev/null"
n0=$(starts cold)
pids=()
for i in $(seq 20); do dig1 cold.example.test >/dev/null & pids+=($!); done
wait "${pids[@]}"
# Every query has its answer, so every want has been acted on: count once
# the one start has reached running.
check "booted after 20 queries" wait_for 60 state_is cold running
check "20 concurrent queries, one start" test $(( $(starts cold) - n0 )) -eq 1
check "20 concurrent queries, one QEMU" test "$(qemus cold)" -eq 1
check "booted again answers" grep -q hello <<<"$(get http://10.77.0.3/)"

# Several first connections at once, sent to a stopped VM: each is held
# and answered (the guest must not lose any while it learns the
# gateway's address).
check "idle again" wait_for 60 state_is cold stopped
pids=()
for i in $(seq 8); do get -o "$T_TMP/par$i" http://10.77.0.3/p$i & pids+=($!); done
wait "${pids[@]}"
check "8 concurrent first connections answered" \
	test "$(cat "$T_TMP"/par* 2>/dev/null | grep -c hello)" -eq 8
check "none of them reset" vm_no_rst 10.77.0.3
vm_figure "qemu 8 first connections at once"

# 5. Idle with stop = suspend: paused (same QEMU), resumed by a query,
#    then by a connection alone.
check "frozen up" grep -q hello <<<"$(get http://10.77.0.4/)"
p1=$(qemu_pid frozen)
check "idle suspends" wait_for 60 state_is frozen suspended
check "paused QEMU kept" test "$(qemu_pid frozen)" = "$p1"
check "query answers for a suspended VM" test "$(dig1 frozen.example.test)" = 10.77.0.4
# The query alone, before any connection, resumes it.
check "query resumes" wait_for 60 state_is frozen running
check "resumed answers" grep -q hello <<<"$(get http://10.77.0.4/)"
check "log shows suspended -> running" grep -q "service frozen: suspended -> running" "$LOG"
check "idle suspends again" wait_for 60 state_is frozen suspended
o=$(get http://10.77.0.4/)
check "connection alone resumes" grep -q hello <<<"$o"
check "same QEMU throughout" test "$(qemu_pid frozen)" = "$p1"
check "no reset on resume" vm_no_rst 10.77.0.4

# 6. A kernel that never becomes ready: failed after boot_timeout, and
#    the connection held for it is reset rather than left hanging
#    (curl's 7 or 56 is a reset; its own time limit would be 28).
get http://10.77.0.5/ >/dev/null; rc=$?
check "held connection to a never-ready VM reset (curl rc $rc)" test $rc -eq 7 -o $rc -eq 56
check "the reset came from the VM's address" test "$(vm_rsts 10.77.0.5)" -ge 1
check "failed on boot_timeout" grep -q "service hang: starting -> failed .*boot_timeout" "$LOG"
check "held connection reset logged" grep -q "service hang: reset [0-9]* held connection" "$LOG"
check "its console reached the log" grep -q "hang: tiny: hanging" "$LOG"
check "never-ready QEMU killed" wait_for 60 eval '[ "$(qemus hang)" -eq 0 ]'
get http://10.77.0.5/ >/dev/null; rc=$?
check "in back-off, a connection is reset at once (rc $rc)" test $rc -eq 7 -o $rc -eq 56

# 7. ready = tcp: readiness by a connection to the service.
check "ready = tcp boots" grep -q hello <<<"$(get http://10.77.0.6/)"
check "probe service running" state_is probe running

# 8. stop = shutdown: powerdown, then killed after the grace period.
check "soft up" grep -q hello <<<"$(get http://10.77.0.7/)"
check "shutdown ends in stopped" wait_for 60 state_is soft stopped
check "killed after grace" grep -q "service soft: QEMU still running after 500 ms grace" "$LOG"

# 9. QEMU killed from outside: noticed at once, stopped; the next query
#    boots it again.
p=$(qemu_pid www)
kill -9 "$p"
check "kill from outside -> stopped" wait_for 60 state_is www stopped
check "reason is the signal" grep -q "service www: running -> stopped .*signal 9" "$LOG"
dig1 www.example.test >/dev/null
check "next query boots again" grep -q hello <<<"$(get http://10.77.0.2/)"
check "a new QEMU" test "$(qemu_pid www)" != "$p"

# 10. A reload that changes a VM service replaces its QEMU and its tap.
sed -i 's/^address = 10.77.0.6$/address = 10.77.0.8/' "$T_TMP/j.conf"
kill -HUP "$JPID"
check "reloaded" wait_for 60 grep -q "configuration reloaded" "$LOG"
check "old tap removed" test -z "$(t_in ip -o link show | grep jv0a4d0006)"
check "new tap made" t_in bash -c "ip link show jv0a4d0008 >/dev/null"
check "the changed service answers" test "$(dig1 probe.example.test)" = 10.77.0.8
check "at its new address" grep -q hello <<<"$(get http://10.77.0.8/)"
check "unchanged services kept running" state_is www running

vm_figure "qemu summons, whole test"

# jitsud exiting takes every QEMU and every tap with it.
all=$(pgrep -P "$JPID" | tr '\n' ' ')
kill "$JPID"; wait "$JPID" 2>/dev/null
# running: the QEMUs that still run (a zombie waits for init's reap)
running() {
	local p n=0
	for p in $all; do [ -d /proc/$p ] && [ "$(awk '{print $3}' /proc/$p/stat)" != Z ] && n=$((n + 1)); done
	echo $n
}
check "no QEMU outlives jitsud" wait_for 60 eval '[ "$(running)" -eq 0 ]'
check "taps removed" test -z "$(t_in ip -o link show | grep jv0a4d)"
check "routes removed" test -z "$(t_in ip route show | grep 10.77.0)"
