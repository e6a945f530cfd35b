#!/bin/bash
# Pid reuse in re-adoption. While jitsud is down, service a's instance
# dies and its pid is taken by another process: here by service b's
# instance (an instance uid, so only the start time in a's record tells
# them apart) and by an unrelated process. The restarted jitsud must not
# adopt that process as a, nor kill it: b is adopted as itself, the
# other process lives, a's record goes and a starts afresh on demand.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
HELLO=$T_BUILD/uk/hello.unix

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test

[service a]
dns = a.example.test
address = 127.77.11.1
image = $HELLO
ports = tcp:80
idle = 0

[service b]
dns = b.example.test
address = 127.77.11.2
image = $HELLO
ports = tcp:80
idle = 0
CONF
LOG=$T_TMP/log
alive() { [ -n "$(ps -o stat= -p "$1" 2>/dev/null | grep -v Z)" ]; }
gone() { ! alive "$1"; }
rec_get() { sed -n "s/^$2=//p" "$T_TMP/state/$1.instance"; }
# rec_set NAME KEY VALUE: edit the record the dead jitsud left
rec_set() { sed -i "s/^$2=.*/$2=$3/" "$T_TMP/state/$1.instance"; }
starttime() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $20 }'; }

# 1. a's pid reused by b's instance.
t_jitsud "$LOG"
t_in curl -s -m 60 http://127.77.11.1/ >/dev/null
t_in curl -s -m 60 http://127.77.11.2/ >/dev/null
pa=$(t_field a pid); pb=$(t_field b pid)
check "a and b running" test -n "$pa" -a -n "$pb" -a "$pa" != 0 -a "$pb" != 0
check "records written" test -s "$T_TMP/state/a.instance" -a -s "$T_TMP/state/b.instance"
kill -9 "$JPID"; wait "$JPID" 2>/dev/null
kill -9 "$pa"
wait_for 60 gone "$pa"
check "a's record keeps its own start time, not b's" \
    test "$(rec_get a starttime)" != "$(starttime "$pb")"
rec_set a pid "$pb"
t_jitsud "$LOG"
check "b adopted as itself" test "$(t_field b pid)" = "$pb" -a "$(t_field b state)" = running
check "a not adopted (b's process is not a's instance)" test "$(t_field a state)" = stopped
check "b's process not killed" alive "$pb"
check "a's record removed" wait_for 60 test ! -e "$T_TMP/state/a.instance"
check "b still serves" grep -q hello <<<"$(t_in curl -s -m 60 http://127.77.11.2/)"
check "a starts afresh on demand" grep -q hello <<<"$(t_in curl -s -m 60 http://127.77.11.1/)"
pa=$(t_field a pid)
check "a's new instance is a process of its own" test -n "$pa" -a "$pa" != 0 -a "$pa" != "$pb"

# 2. a's pid reused by an unrelated process (root, not an instance).
kill -9 "$JPID"; wait "$JPID" 2>/dev/null
kill -9 "$pa"
wait_for 60 gone "$pa"
t_bg OTHER sleep 600
wait_for 60 test -r "/proc/$OTHER/stat"
rec_set a pid "$OTHER"
t_jitsud "$LOG"
check "unrelated: a not adopted" test "$(t_field a state)" = stopped
check "unrelated: the process lives" alive "$OTHER"
check "unrelated: b adopted again" test "$(t_field b pid)" = "$pb"
check "unrelated: a's record removed" wait_for 60 test ! -e "$T_TMP/state/a.instance"
check "jitsud alive" kill -0 "$JPID"
[ "$T_FAILS" -gt 0 ] && sed 's/^/  log: /' "$LOG" | tail -n 30
exit 0
