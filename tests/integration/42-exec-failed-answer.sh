#!/bin/bash
# failed_answer = address: a failed service keeps answering its address
# (the default, servfail, answers SERVFAIL), whether it failed when the
# configuration loaded (image missing) or after a start (a forbidden
# system call); held connections are still reset; a reload keeps each
# answer as configured.
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
backoff = 600s

[service addr]
dns = addr.example.test
address = 127.77.9.1
image = $BAD
sandbox = strict
ports = tcp:80
failed_answer = address

[service sfail]
dns = sfail.example.test
address = 127.77.9.2
image = $BAD
sandbox = strict
ports = tcp:80

[service gone]
dns = gone.example.test
address = 127.77.9.3
image = $T_TMP/no-such-image
ports = tcp:80
failed_answer = address
CONF

LOG=$T_TMP/jitsud.log
t_jitsud "$LOG"
q() { t_in kdig @127.0.0.1 +timeout=5 +retry=0 "$@"; }
rcode() { q "$1" "${2:-A}" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
answer() { q +short "$1" "${2:-A}"; }
failed() { test "$(t_field "$1" state)" = failed; }

# 1. Failed at load (its image is missing): answers its address.
check "gone: failed at load" failed gone
check "gone: answers NOERROR" test "$(rcode gone.example.test)" = NOERROR
check "gone: answers its address" test "$(answer gone.example.test)" = 127.77.9.3

# 2. Failed after a start: the first query starts each; both fail.
answer addr.example.test >/dev/null
answer sfail.example.test >/dev/null
check "addr: fails (forbidden call)" wait_for 60 failed addr
check "sfail: fails (forbidden call)" wait_for 60 failed sfail
check "addr: failed, still answers its address" test "$(answer addr.example.test)" = 127.77.9.1
o=$(q addr.example.test A)
check "addr: NOERROR, authoritative" grep -q "status: NOERROR" <<<"$o"
check "addr: authoritative" grep -q "Flags: qr aa" <<<"$o"
check "addr: AAAA is NODATA (no IPv6 address)" \
    test "$(rcode addr.example.test AAAA)" = NOERROR -a -z "$(answer addr.example.test AAAA)"
check "sfail: failed, answers SERVFAIL (the default)" test "$(rcode sfail.example.test)" = SERVFAIL
# still failed: the query during the back-off did not start it again
check "addr: the answer did not restart it" test "$(grep -c 'service addr: .*-> starting' "$LOG")" = 1

# 3. Its held connections are reset like any failed service's.
t_in curl -s -m 60 http://127.77.9.1/ >/dev/null
check "addr: held connection reset" wait_for 60 grep -q "service addr: reset 1 held connection" "$LOG"

# 4. A reload (nothing changed) keeps both answers.
kill -HUP "$JPID"
wait_for 60 grep -q "configuration reloaded" "$LOG" || fail reload "no reload line"
check "after reload: addr still failed" failed addr
check "after reload: addr answers its address" test "$(answer addr.example.test)" = 127.77.9.1
check "after reload: sfail still SERVFAIL" test "$(rcode sfail.example.test)" = SERVFAIL
check "jitsud alive" kill -0 "$JPID"
[ "$T_FAILS" -gt 0 ] && sed 's/^/  log: /' "$LOG" | tail -n 40
exit 0
