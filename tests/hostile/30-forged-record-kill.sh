#!/bin/bash
# Attack: a forged STATE/<svc>.instance record names a root process (its
# pid and start time are public in /proc). Before the fix jitsud found
# the "instance" alive, saw that it did not fit, and SIGKILLed it. Now a
# record's pid is acted on only if every uid of the process is one an
# instance runs as: the record is refused with a warning, the process
# lives, and the service is served by an instance of its own.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service www]
dns = www.example.test
address = 127.77.30.1
image = $T_BUILD/uk/hello.unix
ports = tcp:80
CONF
LOG=$T_TMP/log
# The root process the record points at.
t_bg VICTIM sleep 600
wait_for 10 test -r "/proc/$VICTIM/stat"
st=$(sed 's/.*) //' "/proc/$VICTIM/stat" | awk '{ print $20 }')
# A root folder of the form jitsud makes, so only the pid can be wrong.
printf 'version=1\nbackend=exec\nshape=0000000000000000\npid=%s\nstarttime=%s\nsockets=1\nroot=%s\n' \
    "$VICTIM" "$st" "$T_TMP/run/sandbox/1/www" >"$T_TMP/state/www.instance"

t_bg J t_in "$T_JITSUD" -d -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 grep -q "service www: \(instance record\|not adopted\)" "$LOG" ||
	fail setup "jitsud never looked at the record"
alive() { [ -n "$(ps -o stat= -p "$VICTIM" 2>/dev/null | grep -v Z)" ]; }
check "the root process named by a forged record lives" alive
check "the record is refused, with a warning" \
    grep -q "service www: instance record in .* refused: pid $VICTIM runs as uid 0" "$LOG"
check "the refused record is removed" test ! -e "$T_TMP/state/www.instance"
check "the service is served by an instance of its own" \
    grep -q hello <<<"$(t_in curl -s -m 20 http://127.77.30.1/)"
check "jitsud is still running" kill -0 "$J"
[ "$T_FAILS" -gt 0 ] && sed 's/^/  log: /' "$LOG" | tail -n 20
true
