#!/bin/bash
# Attack: the record of a real, running instance is edited while jitsud
# is down, its root= pointed at some folder. Before the fix the next
# jitsud adopted the instance with that root, and `jitsuctl stop`
# removed the folder with everything in it. Now root= must be exactly
# RUN/sandbox/PID/NAME: the record is refused (the instance, verified
# as jitsud's, is ended), and nothing outside RUN is removed.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
C=$T_BUILD/jitsuctl
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service www]
dns = www.example.test
address = 127.77.32.1
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0
CONF
LOG=$T_TMP/log
SOCK=$T_TMP/jitsud.sock
rec=$T_TMP/state/www.instance
start_jitsud() {
	rm -f "$SOCK"
	t_bg J t_in "$T_JITSUD" -d -c "$T_TMP/j.conf"
	wait_for 20 test -S "$SOCK" || fail setup "jitsud did not start"
}
start_jitsud 2>>"$LOG"
check "the service answers" grep -q hello <<<"$(t_in curl -s -m 20 http://127.77.32.1/)"
wait_for 20 grep -q '^root=' "$rec" || fail setup "no record"
kill -9 "$J"; wait "$J" 2>/dev/null

mkdir -p "$T_TMP/victim/sub"
echo precious >"$T_TMP/victim/sub/file"
sed -i "s|^root=.*|root=$T_TMP/victim|" "$rec"
start_jitsud 2>>"$LOG"
"$C" -s "$SOCK" stop www >/dev/null 2>&1
stopped() { "$C" -s "$SOCK" status www 2>/dev/null | grep -q '^state *stopped'; }
wait_for 30 stopped
check "the folder named by the record is not removed" \
    test "$(cat "$T_TMP/victim/sub/file" 2>/dev/null)" = precious
check "the record is refused, with a warning" \
    grep -q "service www: instance record in .* refused: .*is not .*/sandbox/PID/www" "$LOG"
check "the service is served again afterwards" \
    grep -q hello <<<"$(t_in curl -s -m 20 http://127.77.32.1/)"
[ "$T_FAILS" -gt 0 ] && sed 's/^/  log: /' "$LOG" | tail -n 20
true
