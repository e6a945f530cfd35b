#!/bin/bash
# stop = shutdown on the exec backend: SIGTERM first, SIGKILL only once
# `grace` has passed. An image that obeys SIGTERM (tests/apps/termprobe
# obey=MS) is given the time it needs and exits on its own; one that
# ignores it is killed after the grace; stop = destroy sends SIGKILL at
# once. The same holds when idle, not the operator, stops it.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
P=$T_BUILD/tests/apps/termprobe
[ -x "$P" ] || { fail build "$P missing (make tests)"; exit 1; }

svc() {	# svc NAME LAST-OCTET ARGS STOP GRACE IDLE
	printf '[service %s]\ndns = %s.example.test\naddress = 127.77.8.%s\nimage = %s\nargs = %s\nports = tcp:80\nstop = %s\ngrace = %s\nidle = %s\n\n' \
	    "$1" "$1" "$2" "$P" "$3" "$4" "$5" "$6"
}
{
	printf '[jitsud]\n%s\ndns = 127.0.0.1:53\nzone = example.test\n\n' "$(t_private)"
	# obeys, needs 200 ms, given 60 s: must exit by itself
	svc obey 1 obey=200 shutdown 60s 0
	# ignores SIGTERM: killed after 300 ms
	svc deaf 2 ignore shutdown 300ms 0
	# obeys, but stop = destroy: SIGKILL, it never sees SIGTERM
	svc destroy 3 obey=0 destroy 60s 0
	# stopped by idle, not by the operator: the same grace
	svc idler 4 obey=100 shutdown 60s 1s
} >"$T_TMP/j.conf"

LOG=$T_TMP/jitsud.log
t_jitsud "$LOG"
up() {	# up NAME: start it and wait until its image said it is up
	t_ctl start "$1" >/dev/null
	wait_for 60 grep -q "^.* $1: termprobe: up" "$LOG"
}
# ms_between NAME PATTERN1 PATTERN2: milliseconds between the first log
# lines matching each (jitsud's own stamps, HH:MM:SS.mmm)
ms_of() { grep -m1 -- "$1" "$LOG" | awk '{ split($1, t, ":"); printf "%.0f\n", (t[1] * 3600 + t[2] * 60 + t[3]) * 1000 }'; }
ms_between() { echo $(( $(ms_of "$2") - $(ms_of "$1") )); }

# 1. Obeys SIGTERM: it gets it, finishes in its own time, exits 0; no
#    SIGKILL.
up obey || fail obey-up "obey never came up"
pid=$(t_field obey pid)
t_ctl stop obey >/dev/null
check "obey: got SIGTERM" wait_for 60 grep -q "obey: termprobe: got SIGTERM" "$LOG"
check "obey: finished on its own" wait_for 60 grep -q "obey: termprobe: exiting after the grace it needed" "$LOG"
check "obey: stopped by its own exit, status 0" \
    grep -q "service obey: stopping -> stopped .*exited with status 0" "$LOG"
check "obey: no SIGKILL" bash -c "! grep -q 'service obey: still running after' '$LOG'"
check "obey: the process is gone" bash -c "! kill -0 $pid 2>/dev/null"

# 2. Ignores SIGTERM: killed once the grace is over, not before (jitsud's
#    own stamps: from the stop to the kill at least 300 ms, 299 with the
#    stamps' millisecond rounding; a slow machine only makes it longer).
up deaf || fail deaf-up "deaf never came up"
pid=$(t_field deaf pid)
t_ctl stop deaf >/dev/null
check "deaf: killed after the grace" \
    grep -q "service deaf: still running after 300 ms grace: killing" "$LOG"
check "deaf: ended by SIGKILL" \
    grep -q "service deaf: stopping -> stopped .*signal 9" "$LOG"
gap=$(ms_between "service deaf: running -> stopping" "service deaf: still running after")
check "deaf: the kill waited for the grace ($gap ms >= 300)" test "$gap" -ge 299
check "deaf: the process is gone" bash -c "! kill -0 $pid 2>/dev/null"

# 3. stop = destroy: SIGKILL at once, SIGTERM never sent.
up destroy || fail destroy-up "destroy never came up"
t_ctl stop destroy >/dev/null
check "destroy: stopped" test "$(t_field destroy state)" = stopped
check "destroy: ended by SIGKILL" \
    grep -q "service destroy: stopping -> stopped .*signal 9" "$LOG"
check "destroy: never saw SIGTERM" bash -c "! grep -q 'destroy: termprobe: got SIGTERM' '$LOG'"

# 4. Idle stops with the same grace.
up idler || fail idler-up "idler never came up"
check "idle: stops it" wait_for 60 grep -q "service idler: stopping -> stopped" "$LOG"
check "idle: SIGTERM first" wait_for 60 grep -q "idler: termprobe: got SIGTERM" "$LOG"
check "idle: exited on its own" \
    grep -q "service idler: stopping -> stopped .*exited with status 0" "$LOG"
check "jitsud alive" kill -0 "$JPID"
[ "$T_FAILS" -gt 0 ] && sed 's/^/  log: /' "$LOG" | tail -n 40
exit 0
