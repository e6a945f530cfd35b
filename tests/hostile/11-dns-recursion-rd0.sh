#!/bin/bash
# Attack: ask an authoritative server that forwards for a foreign name
# with RD clear (no recursion wanted), and read RA to learn whether it
# recurses. Before the fix jitsud forwarded the RD=0 query and passed the
# upstream's RA through. Now (RFC 1034 4.3.1, RFC 5358): REFUSED, RA
# clear, nothing sent upstream; RA is set only on replies it forwarded
# for a client it offers recursion to, whatever the upstream said.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
A="/usr/bin/python3 $T_ROOT/tests/helpers/dns_attack.py"
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
forward = 127.0.0.53:53
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
: >"$T_TMP/count"
t_bg UP t_in $A upstream 127.0.0.53 53 holdq "$T_TMP/count" >/dev/null
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf"
wait_for 10 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }

o=$(t_in $A query 127.0.0.1 far.away --rd 0)
echo "# RD=0 foreign: $o"
check "RD=0 for a foreign name: REFUSED" test "$(field rcode "$o")" = 5
check "RD=0 for a foreign name: RA clear" test "$(field ra "$o")" = 0
check "RD=0 query not sent upstream" test "$(wc -l <"$T_TMP/count")" -eq 0
o=$(t_in $A query 127.0.0.1 www.example.test --rd 0)
check "RD=0 in-zone: answered" test "$(field rcode "$o")" = 0
check "in-zone answer: AA, no RA" test "$(field aa "$o")$(field ra "$o")" = 10
o=$(t_in $A query 127.0.0.1 www.example.test)
check "RD=1 in-zone answer: no RA" test "$(field ra "$o")" = 0
o=$(t_in $A query 127.0.0.1 far.away)
echo "# RD=1 foreign: $o"
check "RD=1 foreign name from an allowed client: forwarded" test "$(field rcode "$o")" = 0
check "forwarded reply: RA set" test "$(field ra "$o")" = 1
exit 0
