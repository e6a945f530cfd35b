#!/bin/bash
# Attack: use jitsud's forwarder as an open resolver and amplifier. A
# client outside forward_clients asks for a foreign name whose upstream
# answer is ~3.8 KB (before the fix: passed through whole, 124x the
# 31-byte query). Now: REFUSED, no bigger than the query; an allowed
# client without EDNS gets at most 512 bytes with TC; one with EDNS 1232
# at most 1232; a client over forward_rate is refused.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
A="/usr/bin/python3 $T_ROOT/tests/helpers/dns_attack.py"
# an "outside" address for the attacker, beside 127.0.0.0/8 (on lo:
# the namespace has no other link)
t_in ip addr add 10.9.0.1/32 dev lo
t_in ip addr add 10.9.0.2/32 dev lo

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
dns = 10.9.0.1:53
zone = example.test
forward = 127.0.0.53:53
forward_rate = 5
[service www]
dns = www.example.test
address = 127.77.0.2
CONF
: >"$T_TMP/count"
t_bg UP t_in $A upstream 127.0.0.53 53 big "$T_TMP/count" >/dev/null
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf"
wait_for 10 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }

field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }

# 1. The outsider (10.9.0.2), no EDNS, a foreign name.
o=$(t_in $A query 10.9.0.1 far.away --src 10.9.0.2)
echo "# outsider: $o"
check "outsider gets REFUSED" test "$(field rcode "$o")" = 5
check "outsider's reply is no bigger than its query ($(field rlen "$o") <= $(field qlen "$o"))" \
    test "$(field rlen "$o")" -le "$(field qlen "$o")"
check "outsider's reply offers no recursion (RA clear)" test "$(field ra "$o")" = 0
check "nothing reached the upstream for the outsider" test "$(wc -l <"$T_TMP/count")" -eq 0

# 2. Allowed (loopback) clients: the big answer is cut to their size.
o=$(t_in $A query 127.0.0.1 far.away)
echo "# loopback, no EDNS: $o"
check "forwarded reply fits 512 without EDNS" test "$(field rlen "$o")" -le 512
check "and says TC" test "$(field tc "$o")" = 1
check "forwarded reply has RA (recursion offered here)" test "$(field ra "$o")" = 1
o=$(t_in $A query 127.0.0.1 far.away --edns 1232)
echo "# loopback, EDNS 1232: $o"
check "forwarded reply fits the EDNS size" test "$(field rlen "$o")" -le 1232
check "and says TC" test "$(field tc "$o")" = 1
o=$(t_in $A query 127.0.0.1 far.away --tcp)
check "over TCP the whole answer comes" test "$(field rlen "$o")" -gt 3000
o=$(t_in kdig @127.0.0.1 +timeout=3 +retry=0 www.example.test A)
check "authoritative answers are unchanged" grep -q "127.77.0.2" <<<"$o"

# 3. Rate: 100 foreign queries at once from one client, forward_rate = 5
#    (a burst of 5): most are refused and never reach the upstream.
: >"$T_TMP/count"
o=$(t_in $A flood 127.0.0.1 far.away 100)
up=$(wc -l <"$T_TMP/count")
echo "# flood: $o; upstream saw $up"
check "flood over forward_rate is refused" test "$(field refused "$o")" -ge 50
check "the upstream saw at most a fraction ($up of 100)" test "$up" -le 50
exit 0
