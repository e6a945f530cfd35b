#!/bin/bash
# DNS answers an external checker flags (issue 10), asked with real kdig:
# a failed service's missing family is NODATA, a name with nothing is
# NXDOMAIN (RFC 8020), DS at a nested apex comes from the parent side
# (RFC 4035 3.1.4.1), class ANY gets no AA, and the NS set and SOA timers
# come from [jitsud] (ns =, soa_*), with glue for in-zone name servers.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
zone = inner.example.test
ns = ns1.example.test 127.0.0.1
ns = ns2.example.test 127.0.0.2 fd00::53
ns = ns.provider.net
soa_refresh = 2h
soa_retry = 10m
soa_expire = 14d
soa_minimum = 30s

[service www]
dns = www.example.test
address = 127.77.0.2

[service missing]
dns = missing.example.test
address = 127.77.0.5
backend = exec
image = $T_TMP/no-such-image
ports = tcp:80
CONF
# A wildcard listener: its NS needs ns = (checked below without it).
cat >"$T_TMP/w.conf" <<CONF
[jitsud]
$(t_private w)
zone = example.test
dns = 0.0.0.0:5353
ns = ns1.example.test 127.0.0.1
CONF
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf"
t_bg W t_in "$T_JITSUD" -c "$T_TMP/w.conf"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
wait_for 30 t_in kdig @127.0.0.1 -p 5353 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "wildcard jitsud did not answer"; exit 1; }

q() { t_in kdig @127.0.0.1 +timeout=3 +retry=0 "$@" 2>&1 | tr -s ' \t' '  '; }

# A failed service (its image is missing) with only an IPv4 address.
o=$(q missing.example.test A)
check "failed service: A is SERVFAIL" grep -q "status: SERVFAIL" <<<"$o"
o=$(q missing.example.test AAAA)
check "failed service without IPv6: AAAA is NODATA" \
    grep -q "status: NOERROR.*ANSWER: 0" <<<"$(tr '\n' ' ' <<<"$o")"
check "failed service's NODATA carries the SOA" \
    grep -q "^example.test. [0-9]* IN SOA" <<<"$o"

# NS set and glue from ns =.
o=$(q example.test NS)
check "NS set has the three ns = names" test "$(grep -c ' IN NS ' <<<"$o")" -eq 3
check "NS ns1" grep -q "^example.test. [0-9]* IN NS ns1.example.test." <<<"$o"
check "NS out of zone" grep -q "IN NS ns.provider.net." <<<"$o"
check "glue A for ns1" grep -q "^ns1.example.test. [0-9]* IN A 127.0.0.1" <<<"$o"
check "glue AAAA for ns2" grep -q "^ns2.example.test. [0-9]* IN AAAA fd00::53" <<<"$o"
o=$(q inner.example.test NS)
check "nested zone has the same NS set" test "$(grep -c ' IN NS ' <<<"$o")" -eq 3
o=$(q ns2.example.test A)
check "in-zone name server answers its address" \
    grep -q "^ns2.example.test. [0-9]* IN A 127.0.0.2" <<<"$o"
o=$(q ns.example.test A)
check "no generated ns.<zone> beside ns =: NXDOMAIN" grep -q "status: NXDOMAIN" <<<"$o"

# SOA timers from soa_*; MNAME is the first ns.
o=$(q example.test SOA)
check "SOA MNAME and timers from [jitsud]" grep -qE \
    "IN SOA ns1.example.test. hostmaster.example.test. [0-9]+ 7200 600 1209600 30$" <<<"$o"

# DS at the nested apex: the parent's NODATA, not the child's.
o=$(q inner.example.test DS)
check "DS at a nested apex: NOERROR" grep -q "status: NOERROR" <<<"$o"
check "DS at a nested apex: the parent's SOA" \
    grep -q "^example.test. [0-9]* IN SOA" <<<"$o"
check "DS at a nested apex: not the child's SOA" \
    sh -c '! grep -q "^inner.example.test. [0-9]* IN SOA" "$1"' _ <(echo "$o")

# Class ANY: the records, without AA; class IN keeps AA.
o=$(q -c ANY www.example.test A)
check "class ANY answered" grep -q "IN A 127.77.0.2" <<<"$o"
check "class ANY has no AA" sh -c '! grep -q "Flags:.* aa" "$1"' _ <(echo "$o")
o=$(q www.example.test A)
check "class IN has AA" grep -q "Flags: qr aa" <<<"$o"

# A wildcard listen address: ns.<zone> has nothing -> NXDOMAIN; and
# without ns = the config is refused, naming the line.
o=$(q -p 5353 ns.example.test A)
check "wildcard listener: ns.<zone> is NXDOMAIN" grep -q "status: NXDOMAIN" <<<"$o"
o=$(q -p 5353 example.test NS)
check "wildcard listener: NS points at ns =" grep -q "IN NS ns1.example.test." <<<"$o"
sed '/^ns = /d' "$T_TMP/w.conf" >"$T_TMP/w2.conf"
o=$("$T_JITSUD" -n -c "$T_TMP/w2.conf" 2>&1); rc=$?
check "wildcard without ns = refused (rc $rc)" test $rc -eq 1
check "error names FILE:LINE of dns =" grep -q "^$T_TMP/w2.conf:7: dns = 0.0.0.0:5353.* wildcard.*ns = NAME ADDRESS" <<<"$o"
printf '[jitsud]\nzone = example.test\nns = ns1.example.test\n' >"$T_TMP/n.conf"
o=$("$T_JITSUD" -n -c "$T_TMP/n.conf" 2>&1)
check "in-zone ns = without address refused" grep -q "n.conf:3: ns ns1.example.test is inside a zone" <<<"$o"
exit 0
