#!/bin/bash
# The back-off of a failing service doubles from `backoff` with each
# failure in a row, up to 64 times it. Read from what jitsud records (each
# failure's "next try in N ms" and the failures counter), not from the
# clock: queries come every 20 ms throughout, so each retry happens at the
# first query after its back-off. Two ways to fail: an image that is
# missing (never starts) and one killed by its seccomp filter right after
# it is up (a crash loop must back off too, not retry every `backoff`).
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
BAD=$T_BUILD/tests/apps/badcall
[ -x "$BAD" ] || { fail build "$BAD missing (make tests)"; exit 1; }

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
backoff = 20ms
; a crash right after start is "in a row", however slow the machine
min_uptime = 600s

[service miss]
dns = miss.example.test
address = 127.77.10.1
image = $T_TMP/no-such-image
ports = tcp:80

[service crash]
dns = crash.example.test
address = 127.77.10.2
image = $BAD
sandbox = strict
ports = tcp:80
CONF

LOG=$T_TMP/jitsud.log
t_jitsud "$LOG"
nfail() { grep -c "service $1: failed: .*next try in" "$LOG"; }
atleast() { [ "$(nfail "$1")" -ge "$2" ]; }
# backoffs NAME: the first 9 back-offs recorded, in order
backoffs() { sed -n "s/.*service $1: failed: .*next try in \([0-9]*\) ms.*/\1/p" "$LOG" | head -9 | tr '\n' ' '; }
# gaps_ok NAME: every retry came no sooner than the back-off before it
# (jitsud's own stamps; 1 ms for their rounding). Lower bounds only: a
# slow machine makes the gaps longer, never shorter.
gaps_ok() {
	grep "service $1: failed: .*next try in" "$LOG" | head -9 | awk '
	{ split($1, t, ":"); ms = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000
	  match($0, /next try in [0-9]+/); b = substr($0, RSTART + 12, RLENGTH - 12)
	  if (NR > 1 && ms - last < prev - 1) { print "gap " ms - last " < " prev; bad = 1 }
	  last = ms; prev = b }
	END { exit bad }'
}

# Queries for both names every 20 ms until the end.
t_bg QPID t_in bash -c 'while [ ! -e "$1" ]; do
	kdig @127.0.0.1 +timeout=1 +retry=0 miss.example.test A >/dev/null
	kdig @127.0.0.1 +timeout=1 +retry=0 crash.example.test A >/dev/null
	sleep 0.02; done' _ "$T_TMP/queries.stop"
want="20 40 80 160 320 640 1280 1280 1280 "
for s in miss crash; do
	check "$s: 9 failures in a row" wait_for 120 atleast "$s" 9
	check "$s: back-off doubles up to 64x (got: $(backoffs $s))" test "$(backoffs $s)" = "$want"
	check "$s: no retry before its back-off" gaps_ok "$s"
done
touch "$T_TMP/queries.stop"; wait "$QPID" 2>/dev/null
# (polled: a start the last query asked for may still be on its way)
counted() { test "$(t_field "$1" failures)" = "$(nfail "$1")"; }
check "miss: the failures counter" wait_for 60 counted miss
check "crash: the failures counter" wait_for 60 counted crash
check "crash: each failure is the forbidden call" \
    test "$(grep -c 'service crash: failed: killed by seccomp' "$LOG")" = "$(nfail crash)"

# An operator start does not wait for the back-off.
n=$(nfail miss)
t_ctl -w 60 start miss >/dev/null 2>&1
check "operator start tries at once" test "$(nfail miss)" -gt "$n"
check "jitsud alive" kill -0 "$JPID"
[ "$T_FAILS" -gt 0 ] && grep "failed:" "$LOG" | sed 's/^/  log: /' | tail -n 40
exit 0
