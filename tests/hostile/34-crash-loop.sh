#!/bin/bash
# Attack: an image that exits with status 1 at once, and a client that
# keeps a connection waiting for it. Before the fix every exit was an
# ordinary stop, the waiting connection a new want: ~200 starts a
# second, on after the client left. Now an exit within min_uptime of the
# start is a failure (back-off, held connections reset), so is one that
# leaves connections it never accepted, and starts per service are
# limited (start_limit per start_window). Asserted on counts
# of starts, which a slower machine only lowers.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
LOG=$T_TMP/log
# attack SECS: keep a connection waiting on 127.77.34.1:80 for SECS:
# when it is reset or answered, make the next one at once.
attack() {
	t_in python3 - "$1" <<'PY'
import socket, sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.77.34.1", 80))
        s.recv(1)
    except OSError:
        time.sleep(0.01)
    s.close()
PY
}
# run NAME LIMIT_LINES...: jitsud with those [jitsud] lines, attacked for
# 8 s; prints the number of starts and the seconds the attack took.
# ARGS: the image's args (crashnow MS lives MS before it exits).
run() {
	local name=$1; shift
	{
		echo "[jitsud]"; t_private; printf '%s\n' "$@"
		cat <<CONF
dns = 127.0.0.1:53
zone = example.test
[service crash]
dns = crash.example.test
address = 127.77.34.1
image = $T_BUILD/tests/apps/crashnow
${ARGS:+args = $ARGS}
ports = tcp:80
CONF
	} >"$T_TMP/$name.conf"
	t_bg J t_in "$T_JITSUD" -d -c "$T_TMP/$name.conf" 2>"$LOG.$name"
	wait_for 20 test -S "$T_TMP/jitsud.sock" || fail setup "jitsud did not start"
	local t0=$SECONDS
	attack 8
	echo "$(grep -c 'service crash: .* -> starting' "$LOG.$name") $((SECONDS - t0))"
	kill "$J"; wait "$J" 2>/dev/null
	rm -f "$T_TMP/jitsud.sock"
}

# 1. Back-off alone (start_limit = 0): 50 ms doubling up to 64x (3.2 s),
#    so at most 7 starts plus one per 3.2 s after the first 6.35 s.
read -r n secs < <(run backoff "backoff = 50ms" "start_limit = 0")
echo "# back-off alone: $n starts in ${secs}s of attack"
bound=$((8 + secs * 10 / 32 + 1))
check "back-off bounds the restarts ($n <= $bound)" test "$n" -le "$bound"
check "the early exit is a failure" \
    grep -q "service crash: running -> failed .*min_uptime" "$LOG.backoff"
check "and it backs off" grep -q "service crash: failed: .*next try in" "$LOG.backoff"

# 2. Rate limit: 3 starts per hour, back-off 10 ms (cap 640 ms).
read -r n secs < <(run limit "backoff = 10ms" "start_limit = 3" "start_window = 1h")
echo "# start_limit 3: $n starts in ${secs}s of attack"
check "start_limit bounds the starts ($n <= 3)" test "$n" -le 3
check "the refusal is logged" grep -q "service crash: start refused: more than 3 starts" "$LOG.limit"

# 3. Living past min_uptime (100 ms) without ever accepting: an image
#    that exits after 300 ms, leaving the attacker's connection queued,
#    has failed as well (back-off 50 ms, up to 3.2 s; no start_limit).
read -r n secs < <(ARGS=300 run unserved "backoff = 50ms" "min_uptime = 100ms" "start_limit = 0")
echo "# exits leaving a connection unaccepted: $n starts in ${secs}s of attack"
check "an exit that leaves connections unaccepted is a failure" \
    grep -q "service crash: running -> failed .*leaving [0-9]* connections\? unaccepted" "$LOG.unserved"
bound=$((8 + secs * 10 / 32 + 1))
check "and backs off ($n <= $bound)" test "$n" -le "$bound"
true
