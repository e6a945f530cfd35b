#!/bin/bash
# The summon loop with the exec backend, end to end: real kdig, real
# curl, real sandboxed hello.unix, in a private network namespace.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_JITSUD
HELLO=$T_BUILD/uk/hello.unix
MEMHOG=$T_BUILD/uk/memhog.unix
BAD=$T_BUILD/tests/apps/badcall

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
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

[service held]
dns = held.example.test
address = 127.77.0.9
image = $HELLO
ports = tcp:80
idle = 0
CONF

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 60 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }

dig1() { t_in kdig @127.0.0.1 +timeout=2 +retry=0 +short "$1" A; }
get() { t_in curl -s -m 60 "$@"; }
starts() { grep -c "service $1: stopped -> starting" "$LOG"; }
state_is() { grep "service $1: .* -> " "$LOG" | tail -1 | grep -q -- "-> $2"; }

# 1. A query summons hello; the client's first connection is answered.
check "query answers at once" test "$(dig1 www.example.test)" = 127.77.0.2
o=$(get http://127.77.0.2/)
check "curl after query gets hello" grep -q hello <<<"$o"
check "log shows starting -> running" grep -q "service www: starting -> running" "$LOG"

# 2. A connection to a stopped service, with no query, starts it.
o=$(get http://127.77.0.3/)
check "connection alone summons" grep -q hello <<<"$o"

# 3. Twenty concurrent queries for a stopped service: one start.
wait_for 60 state_is cold stopped
n0=$(starts cold)
pids=()
for i in $(seq 20); do dig1 cold.example.test >/dev/null & pids+=($!); done
wait "${pids[@]}"
# Every query has been answered, so every want has been taken; once the
# one start is up, nothing is left that could start a second.
wait_for 60 state_is cold running
check "20 concurrent queries, one start" test $(( $(starts cold) - n0 )) -eq 1
# jitsud's children are its unikernels: www and at most one cold (idle
# may already have stopped it).
check "20 concurrent queries, one process" test "$(pgrep -c -P "$JPID")" -le 2

# 4. Idle: the process goes, the socket stays held, the next query
#    starts it again.
wait_for 60 state_is cold stopped
check "idle stops the service" state_is cold stopped
check "held socket still listening" t_in bash -c "ss -ltn | grep -q '127.77.0.3:80'"
o=$(get http://127.77.0.3/)
check "next connection after idle answered" grep -q hello <<<"$o"

# 5. Suspend on idle; a query thaws it.
dig1 frozen.example.test >/dev/null
check "frozen service up" grep -q hello <<<"$(get http://127.77.0.4/)"
wait_for 60 state_is frozen suspended
check "idle suspends" state_is frozen suspended
# The query alone must resume it: no connection is made until the log
# says so (a connection would resume it too, and hide a query that
# does not).
check "query answered while suspended" test "$(dig1 frozen.example.test)" = 127.77.0.4
check "query resumes (before any connection)" \
    wait_for 60 grep -q "service frozen: suspended -> running" "$LOG"
check "resumed service answers" grep -q hello <<<"$(get http://127.77.0.4/)"

# 6. A missing image: failed, a clear log line, SERVFAIL, connections
#    reset rather than left hanging.
t_in kdig @127.0.0.1 +timeout=2 +retry=0 missing.example.test A >/dev/null
wait_for 60 grep -q "service missing: .*-> failed" "$LOG"
check "missing image -> failed" grep -q "service missing: .*-> failed" "$LOG"
check "failure names the image" grep -q "service missing: failed: .*no-such-image" "$LOG"
o=$(t_in kdig @127.0.0.1 +timeout=2 +retry=0 missing.example.test A)
check "failed service answers SERVFAIL" grep -q "status: SERVFAIL" <<<"$o"
# Its image check failed when the configuration loaded, before any
# socket was held for it: a connection is refused at once (curl 7), not
# left to time out (28), and jitsud has no connection of it to reset.
get http://127.77.0.5/ >/dev/null; rc=$?
check "connection to an unprepared failed service refused (curl rc $rc)" test $rc -eq 7
check "nothing held to reset" bash -c "! grep -q 'service missing: reset' '$LOG'"

# 7. Memory limit: the hog is killed at 16M and the service fails.
dig1 hog.example.test >/dev/null
wait_for 60 grep -q "service hog: .*-> failed" "$LOG"
check "memory hog -> failed" grep -q "service hog: .*-> failed" "$LOG"
check "failure says out of memory" grep -qi "service hog: failed: .*\(memory\|oom\)" "$LOG"

# 8. A seccomp-denied call kills only the unikernel.
dig1 bad.example.test >/dev/null
wait_for 60 grep -q "service bad: .*-> failed" "$LOG"
check "seccomp violation -> failed" grep -q "service bad: .*-> failed" "$LOG"
check "failure says seccomp" grep -qi "service bad: failed: .*\(seccomp\|SIGSYS\|system call\)" "$LOG"
# Its sockets are held: during the back-off a connection is made and
# jitsud resets it (it says so), rather than leaving it to time out (curl
# 28). curl reports the reset as 56, 55 or, when the RST comes before it
# looks at its connect, 7.
get http://127.77.0.7/ >/dev/null; rc=$?
check "connection to failed service not hung (curl rc $rc)" test $rc -eq 56 -o $rc -eq 55 -o $rc -eq 7
check "connection to failed service reset by jitsud" wait_for 60 grep -q "service bad: reset 1 held connection" "$LOG"
check "jitsud survives" kill -0 "$JPID"
check "others still served" grep -q hello <<<"$(get http://127.77.0.2/)"

# 9. A non-loopback address lives on jitsu0 inside our namespace.
check "far address made local" t_in bash -c "ip -4 addr | grep -q 10.77.0.8/32"
check "far service answers" grep -q hello <<<"$(get http://10.77.0.8/)"

# 10. A connection made before the instance exists is held and served.
#     The held socket answers the SYN itself (it listens all along), so
#     no SYN can need a retransmission here; what can break is the
#     holding: the connection must wait in the backlog, not be refused or
#     reset, and the instance must accept it. Retransmitted SYNs are
#     dropped, so only the first SYN can make it.
t_first_syn_only
check "held: stopped before the connection" \
    test "$("$T_BUILD/jitsuctl" -s "$T_TMP/jitsud.sock" status held | awk '$1 == "state" { print $2 }')" = stopped
o=$(t_in timeout 60 bash -c 'exec 3<>/dev/tcp/127.77.0.9/80 || exit 7
	printf "GET / HTTP/1.0\r\n\r\n" >&3; cat <&3'); rc=$?
check "held: the connection that summoned it is served (rc $rc)" grep -q "hello" <<<"$o"
check "held: the instance started after the connection" grep -q "service held: stopped -> starting" "$LOG"
check "held: no reset of a held connection" bash -c "! grep -q 'service held: reset' '$LOG'"
echo "# retransmitted SYNs dropped: $(t_syn_dropped)"

# Stopping jitsud stops every unikernel.
kids=$(pgrep -P "$JPID")
check "unikernels running before the stop" test -n "$kids"
kill "$JPID"; wait "$JPID" 2>/dev/null
# jitsud kills and reaps its unikernels before it exits
alive=0
for k in $kids; do kill -0 "$k" 2>/dev/null && alive=$((alive + 1)); done
check "no unikernel outlives jitsud" test "$alive" -eq 0
