#!/bin/bash
# The summon loop with the exec backend, end to end: real kdig, real
# curl, real sandboxed hello.unix, in a private network namespace.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_BUILD/jitsud
HELLO=$T_BUILD/uk/hello.unix
MEMHOG=$T_BUILD/uk/memhog.unix
BAD=$T_BUILD/tests/apps/badcall

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
control = $T_TMP/ctl1.sock
dns = 127.0.0.1:53
zone = example.test
ttl = 1
backoff = 30s

[service www]
dns = www.example.test
address = 127.77.0.2
image = $HELLO
ports = tcp:80
idle = 0

[service cold]
dns = cold.example.test
address = 127.77.0.3
image = $HELLO
ports = tcp:80
idle = 1s

[service frozen]
dns = frozen.example.test
address = 127.77.0.4
image = $HELLO
ports = tcp:80
idle = 1s
stop = suspend

[service missing]
dns = missing.example.test
address = 127.77.0.5
image = $T_TMP/no-such-image
ports = tcp:80

[service hog]
dns = hog.example.test
address = 127.77.0.6
image = $MEMHOG
args = limit=256M
ports = tcp:80
memory = 16M

[service bad]
dns = bad.example.test
address = 127.77.0.7
image = $BAD
ports = tcp:80
sandbox = strict

[service far]
dns = far.example.test
address = 10.77.0.8
image = $HELLO
ports = tcp:80
CONF

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 5 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }

dig1() { t_in kdig @127.0.0.1 +timeout=2 +retry=0 +short "$1" A; }
get() { t_in curl -s -m 5 "$@"; }
starts() { grep -c "service $1: stopped -> starting" "$LOG"; }
state_is() { tail -n 200 "$LOG" | grep "service $1: " | tail -1 | grep -q -- "-> $2"; }

syn0=$(synretrans)

# 1. A query summons hello; the client's first connection is answered.
check "query answers at once" test "$(dig1 www.example.test)" = 127.77.0.2
o=$(get http://127.77.0.2/)
check "curl after query gets hello" grep -q hello <<<"$o"
check "log shows starting -> running" grep -q "service www: starting -> running" "$LOG"

# 2. A connection to a stopped service, with no query, starts it.
o=$(get http://127.77.0.3/)
check "connection alone summons" grep -q hello <<<"$o"

# 3. Twenty concurrent queries for a stopped service: one start.
wait_for 10 state_is cold stopped
n0=$(starts cold)
pids=()
for i in $(seq 20); do dig1 cold.example.test >/dev/null & pids+=($!); done
wait "${pids[@]}"
sleep 0.3
check "20 concurrent queries, one start" test $(( $(starts cold) - n0 )) -eq 1
# jitsud's children are its unikernels: www and cold, one each.
check "20 concurrent queries, one process" test "$(pgrep -c -P "$JPID")" -eq 2

# 4. Idle: the process goes, the socket stays held, the next query
#    starts it again.
wait_for 10 state_is cold stopped
check "idle stops the service" state_is cold stopped
check "held socket still listening" t_in bash -c "ss -ltn | grep -q '127.77.0.3:80'"
o=$(get http://127.77.0.3/)
check "next connection after idle answered" grep -q hello <<<"$o"

# 5. Suspend on idle; a query thaws it.
dig1 frozen.example.test >/dev/null
check "frozen service up" grep -q hello <<<"$(get http://127.77.0.4/)"
wait_for 10 state_is frozen suspended
check "idle suspends" state_is frozen suspended
check "query resumes" test "$(dig1 frozen.example.test)" = 127.77.0.4
check "resumed service answers" grep -q hello <<<"$(get http://127.77.0.4/)"
check "log shows suspended -> running" grep -q "service frozen: suspended -> running" "$LOG"

# 6. A missing image: failed, a clear log line, SERVFAIL, connections
#    reset rather than left hanging.
t_in kdig @127.0.0.1 +timeout=2 +retry=0 missing.example.test A >/dev/null
wait_for 5 grep -q "service missing: .*-> failed" "$LOG"
check "missing image -> failed" grep -q "service missing: .*-> failed" "$LOG"
check "failure names the image" grep -q "service missing: failed: .*no-such-image" "$LOG"
o=$(t_in kdig @127.0.0.1 +timeout=2 +retry=0 missing.example.test A)
check "failed service answers SERVFAIL" grep -q "status: SERVFAIL" <<<"$o"
t0=$SECONDS
get http://127.77.0.5/ >/dev/null; rc=$?
check "connection to failed service reset, not hung (curl rc $rc)" test $rc -eq 7 -o $rc -eq 56 -o $rc -eq 52
check "reset came quickly" test $((SECONDS - t0)) -lt 4

# 7. Memory limit: the hog is killed at 16M and the service fails.
dig1 hog.example.test >/dev/null
wait_for 10 grep -q "service hog: .*-> failed" "$LOG"
check "memory hog -> failed" grep -q "service hog: .*-> failed" "$LOG"
check "failure says out of memory" grep -qi "service hog: failed: .*\(memory\|oom\)" "$LOG"

# 8. A seccomp-denied call kills only the unikernel.
dig1 bad.example.test >/dev/null
wait_for 10 grep -q "service bad: .*-> failed" "$LOG"
check "seccomp violation -> failed" grep -q "service bad: .*-> failed" "$LOG"
check "failure says seccomp" grep -qi "service bad: failed: .*\(seccomp\|SIGSYS\|system call\)" "$LOG"
check "jitsud survives" kill -0 "$JPID"
check "others still served" grep -q hello <<<"$(get http://127.77.0.2/)"

# 9. A non-loopback address lives on jitsu0 inside our namespace.
check "far address made local" t_in bash -c "ip -4 addr | grep -q 10.77.0.8/32"
check "far service answers" grep -q hello <<<"$(get http://10.77.0.8/)"

# 10. No first connection was lost: no SYN was retransmitted.
syn1=$(synretrans)
check "no SYN retransmissions ($syn0 -> $syn1)" test "$syn1" = "$syn0"

# Stopping jitsud stops every unikernel.
kids=$(pgrep -P "$JPID")
check "unikernels running before the stop" test -n "$kids"
kill "$JPID"; wait "$JPID" 2>/dev/null
sleep 0.2
alive=0
for k in $kids; do kill -0 "$k" 2>/dev/null && alive=$((alive + 1)); done
check "no unikernel outlives jitsud" test "$alive" -eq 0
