#!/bin/bash
# Idle for a VM guest means what it means for a process: no query and no
# established connection. A silent open connection to a qemu guest (not
# one frame through its tap) outlives `idle` and keeps the guest up; once
# it closes, the guest is stopped. The connections are counted from
# conntrack (net/conntrack.c), which jitsud makes track its namespace.
#
# No clock in the test: a second guest, summoned after the first one's
# connection was open and with the same idle, is the witness. When it
# has been stopped for idle, the first one's idle time has passed too.
. "$(dirname "$0")/../lib/lib.sh"

command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 0; }
[ -c /dev/net/tun ] || { skip all "no /dev/net/tun"; exit 0; }
J=$T_JITSUD
VM=${HELLO_VM:-$T_BUILD/uk/hello.vm}
for f in "$J" "$VM"; do
	[ -f "$f" ] || { fail build "$f missing (make)"; exit 1; }
done
t_tmpdir
t_netns

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = example.test
$(t_private)

[service quiet]
dns = quiet.example.test
address = 10.77.3.2
backend = qemu
image = $VM
accel = tcg
idle = 2s

[service witness]
dns = witness.example.test
address = 10.77.3.3
backend = qemu
image = $VM
accel = tcg
idle = 2s
CONF

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 grep -q "jitsud ready" "$LOG" ||
	{ fail start "jitsud did not start"; cat "$LOG"; exit 1; }

get() { t_in curl -s -m 60 "$@"; }
state_is() { grep "service $1: .* -> " "$LOG" | tail -1 | grep -q -- "-> $2 "; }
established() { [ "$(t_in ss -tnH state established dst "$1" | wc -l)" -ge 1 ]; }

check "conntrack tracks jitsud's namespace" bash -c "! grep -q 'conntrack: cannot track' '$LOG'"
# One connection that says nothing: it summons quiet by itself (its SYN),
# then sends no request; the guest has nothing to answer, no frame moves.
t_bg HOLDER t_in python3 -c '
import socket, sys, time
s = socket.create_connection(("10.77.3.2", 80), timeout=60)
print("open", flush=True)
time.sleep(100000)
' >"$T_TMP/holder.out"
check "silent connection open" wait_for 60 established 10.77.3.2
check "it summoned quiet" state_is quiet running

check "witness up" grep -q hello <<<"$(get http://10.77.3.3/)"
check "witness stopped for idle" wait_for 120 state_is witness stopped
# quiet's idle time (its last query, before the witness's) has passed.
check "quiet still running: an open connection is not idle" state_is quiet running
check "the connection is still open" established 10.77.3.2
check "no idle stop of quiet logged" bash -c "! grep -q 'service quiet: running -> stopping' '$LOG'"

# The connection closes: nothing keeps the guest up any longer.
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
check "stopped once the connection closed" wait_for 120 state_is quiet stopped
check "stopped for idle" grep -q "service quiet: running -> stopping .*idle" "$LOG"

[ "$T_FAILS" -eq 0 ] || { echo "--- jitsud log"; tail -n 40 "$LOG"; }
exit 0
