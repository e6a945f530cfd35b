#!/bin/bash
# Attack: a process running as one service's host uid stops another
# tenant's service. Before the fix the exec backend gave uids in start
# order from 100000 and the qemu backend 100000 + the config index: a
# QEMU (config index 0) and the first exec sandbox both ran as uid
# 100000, and as that uid `kill -STOP` froze the other tenant's sandbox.
# Now one allocator (backend/uid.h) hands every service its own uid in
# uid_base/uid_range. The attacker here is setpriv with QEMU's uid, the
# stand-in for a guest that took over its QEMU.
. "$(dirname "$0")/../lib/lib.sh"
command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed"; exit 0; }
[ -c /dev/net/tun ] || { skip all "no /dev/net/tun"; exit 0; }
VM=$T_BUILD/uk/hello.vm
HELLO=$T_BUILD/uk/hello.unix
for f in "$VM" "$HELLO"; do
	[ -f "$f" ] || { fail build "$f missing (make)"; exit 1; }
done
t_tmpdir
t_netns
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service vm]
dns = vm.example.test
address = 10.77.0.2
backend = qemu
image = $VM
accel = tcg
idle = 0
[service web]
dns = web.example.test
address = 127.77.0.3
image = $HELLO
ports = tcp:80
idle = 0
CONF
LOG=$T_TMP/log
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" >"$LOG" 2>&1
wait_for 20 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }
t_in kdig @127.0.0.1 +timeout=2 +retry=0 vm.example.test A >/dev/null
check "the exec service answers" grep -q hello <<<"$(t_in curl -s -m 30 http://127.77.0.3/)"
qpid() { pgrep -P "$J" -f "x86_64 -name vm -M"; }
wpid() { for p in $(pgrep -P "$J"); do
	[ "$(cat /proc/$p/comm 2>/dev/null)" = hello.unix ] && echo "$p"; done; }
wait_for 60 qpid || { fail start "no QEMU"; tail "$LOG"; exit 1; }
wait_for 60 wpid || { fail start "no exec instance"; tail "$LOG"; exit 1; }
Q=$(qpid); W=$(wpid)
uidof() { awk '/^Uid:/ { print $2 }' /proc/"$1"/status; }
# QEMU drops to its uid after its set-up: wait for that
wait_for 60 bash -c "test \"\$(awk '/^Uid:/ { print \$2 }' /proc/$Q/status)\" != 0"
qu=$(uidof "$Q"); wu=$(uidof "$W")
echo "# QEMU of vm runs as uid $qu, the sandbox of web as uid $wu"
check "QEMU dropped root" test "$qu" -ne 0
check "the two tenants have different uids" test "$qu" -ne "$wu"
# The attack: SIGSTOP to the other tenant's process, as QEMU's uid.
if setpriv --reuid="$qu" --regid="$qu" --clear-groups kill -STOP "$W" 2>/dev/null; then
	echo "# SIGSTOP as uid $qu reached pid $W: state $(awk '/^State:/ { print $2 }' /proc/$W/status)"
	kill -CONT "$W"
	fail "QEMU's uid cannot signal the other tenant's sandbox"
else
	ok "QEMU's uid cannot signal the other tenant's sandbox"
fi
check "the exec service still answers" grep -q hello <<<"$(t_in curl -s -m 30 http://127.77.0.3/)"
check "jitsud is still running" kill -0 "$J"
exit 0
