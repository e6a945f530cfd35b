#!/bin/bash
# Attack: a service's output goes for the operator's terminal and floods
# jitsud's log. Before the fix, ESC sequences (clear the screen, retitle
# the terminal), CR (overwrite a line with a forged one) and BEL reached
# the log and `jitsuctl status` raw, and every one of a flood's 100,000
# lines went into the log. Now
#  1. control bytes and backslash are escaped (\xhh, \\) in both;
#  2. a service logs at most log_burst lines at once and log_rate a
#     second; a "suppressed N lines" note counts the rest, and status
#     still shows the latest lines.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
NOISY=$T_BUILD/tests/apps/noisy
C=$T_BUILD/jitsuctl
[ -x "$NOISY" ] || { fail build "$NOISY missing (make tests)"; exit 1; }
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
log_rate = 5
log_burst = 20
[service evil]
dns = evil.example.test
address = 127.77.0.2
image = $NOISY
args = 0
ports = tcp:80
idle = 0
[service flood]
dns = flood.example.test
address = 127.77.0.3
image = $NOISY
args = 100000
ports = tcp:80
idle = 0
CONF
LOG=$T_TMP/log
t0=$SECONDS
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
st() { "$C" -s "$T_TMP/jitsud.sock" status "$1"; }
done_in() { st "$1" | grep -q "noisy: done"; }

# 1. Escaping.
t_in kdig @127.0.0.1 +timeout=2 +retry=0 evil.example.test A >/dev/null
wait_for 60 done_in evil
o=$(st evil)
raw() { LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' || true; }
check "status: no raw control byte ($(raw <<<"$o") lines)" test "$(raw <<<"$o")" -eq 0
check "status: ESC shown escaped" grep -qF 'noisy: \x1b[2J\x1b]0;owned\x07clear' <<<"$o"
check "status: CR shown, the forged line stays on its line" \
	grep -qF 'noisy: all is well\x0dnoisy: FAKE jitsud line' <<<"$o"
check "status: backslash escaped" grep -qF 'backslash \\x1b' <<<"$o"
wait_for 60 grep -q "evil: noisy: done" "$LOG"
check "log: no raw control byte ($(raw <"$LOG") lines)" test "$(raw <"$LOG")" -eq 0
check "log: ESC, BEL escaped" grep -qF 'evil: noisy: \x1b[2J\x1b]0;owned\x07clear' "$LOG"
check "log: CR escaped" grep -qF 'evil: noisy: all is well\x0dnoisy: FAKE' "$LOG"

# 2. The flood.
t_in kdig @127.0.0.1 +timeout=2 +retry=0 flood.example.test A >/dev/null
wait_for 120 done_in flood
wait_for 60 grep -q "flood: suppressed" "$LOG"
secs=$((SECONDS - t0 + 1))
logged=$(grep -c "flood: noisy: flood" "$LOG")
bound=$((20 + 5 * secs))
echo "# flood: $logged of 100000 lines logged in ${secs} s (bound $bound)"
check "flood: log lines bounded by log_burst + log_rate x time ($logged <= $bound)" \
	test "$logged" -le "$bound"
check "flood: a suppressed-lines note" \
	grep -qE "flood: suppressed [0-9]+ lines \(over log_rate\)" "$LOG"
# The last note may follow the exit: the pipe drains after it.
noted() {
	local n
	n=$(grep -oE "flood: suppressed [0-9]+" "$LOG" | awk '{ s += $3 } END { print s + 0 }')
	test $((n + $(grep -c "flood: noisy: flood" "$LOG"))) -ge 100000
}
wait_for 60 noted
check "flood: the notes count every line not logged" noted
o=$(st flood)
check "flood: status still shows the latest lines" grep -q "noisy: done" <<<"$o"
check "flood: status counts the suppressed lines" \
	grep -qE "^log_suppressed +[1-9]" <<<"$o"
exit 0
