#!/bin/bash
# jitsud's DNS front end, asked by a real client (kdig) over UDP and TCP,
# IPv4 and IPv6, inside a private network namespace.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
dns = [::1]:53
zone = example.test
zone = other.test
ttl = 7
tcp_idle = 2s

[service www]
dns = www.example.test
dns = deep.name.example.test
address = 127.77.0.2
address = fd00:77::2

[service v4only]
dns = four.example.test
address = 127.77.0.4
CONF

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }

# kdig's output with runs of blanks folded to one space
q() { t_in kdig +timeout=2 +retry=0 "$@" 2>&1 | tr -s ' \t' '  '; }
has() { grep -qF -- "$1" <<<"$2"; }

for proto in "" "+tcp"; do
	tag=${proto:-+udp}
	o=$(q @127.0.0.1 $proto www.example.test A)
	check "A answer $tag" has "www.example.test. 7 IN A 127.77.0.2" "$o"
	check "AA flag $tag" has "Flags: qr aa" "$o"
	o=$(q @127.0.0.1 $proto www.example.test AAAA)
	check "AAAA answer $tag" has "IN AAAA fd00:77::2" "$o"
	# kdig lower-cases what it sends; dig sends the name as typed.
	o=$(t_in dig +time=2 +tries=1 @::1 ${proto:+$proto} WwW.ExAmPlE.TeSt A 2>&1 | tr -s ' \t' '  ')
	check "case kept, IPv6 transport $tag" has "WwW.ExAmPlE.TeSt. 7 IN A 127.77.0.2" "$o"
	o=$(q @127.0.0.1 $proto four.example.test AAAA)
	check "NODATA $tag" has "status: NOERROR" "$o"
	check "NODATA has SOA $tag" has "example.test. 7 IN SOA" "$o"
	check "NODATA no answer $tag" has "ANSWER: 0" "$o"
	o=$(q @127.0.0.1 $proto nope.example.test A)
	check "NXDOMAIN $tag" has "status: NXDOMAIN" "$o"
	check "NXDOMAIN SOA $tag" has "IN SOA ns.example.test. hostmaster.example.test." "$o"
	o=$(q @127.0.0.1 $proto name.example.test A)
	check "empty non-terminal is NODATA $tag" has "status: NOERROR" "$o"
	o=$(q @127.0.0.1 $proto example.test SOA)
	check "SOA at apex $tag" has "example.test. 7 IN SOA ns.example.test." "$o"
	o=$(q @127.0.0.1 $proto other.test NS)
	check "NS at apex $tag" has "other.test. 7 IN NS ns.other.test." "$o"
	o=$(q @127.0.0.1 $proto www.google.com A)
	check "outside zones REFUSED $tag" has "status: REFUSED" "$o"
	o=$(q @127.0.0.1 $proto +edns=1 www.example.test A)
	check "EDNS version 1 BADVERS $tag" has "status: BADVERS" "$o"
	o=$(q @127.0.0.1 $proto -c CH www.example.test A)
	check "class CH REFUSED $tag" has "status: REFUSED" "$o"
done

o=$(q @127.0.0.1 +bufsize=4096 www.example.test A)
check "EDNS OPT answered with 1232" has "Version: 0; flags: ; UDP size: 1232 B" "$o"

# Several queries on one TCP connection (kdig sends them in turn over
# one connection with +keepopen).
o=$(q @127.0.0.1 +tcp +keepopen www.example.test A four.example.test A nope.example.test A)
n=$(grep -c "status: " <<<"$o")
check "3 queries on one TCP connection" test "$n" -eq 3

# Serial grows on SIGHUP reload (even within a second); a bad config
# keeps the old one. Each step waits for jitsud's word that the reload
# was done, not for a time.
serial() { q @127.0.0.1 +short example.test SOA | awk '{print $3}'; }
# reloaded N: jitsud has logged N reload outcomes (done or refused)
reloaded() { [ "$(grep -c -e 'configuration reloaded' -e 'reload failed' "$LOG")" -ge "$1" ]; }
# Three reloads in a row (most within one second): it grows each time.
s1=$(serial) grew=1 seen=$s1
for n in 1 2 3; do
	kill -HUP "$JPID"
	wait_for 30 reloaded $n || fail "reload $n" "not logged"
	s2=$(serial)
	[ -n "$s2" ] && [ "$s2" -gt "${s1:-0}" ] || grew=0
	s1=$s2 seen="$seen $s2"
done
check "serial grows on each reload ($seen)" test $grew -eq 1
cp "$T_TMP/j.conf" "$T_TMP/good.conf"
echo "bogus = 1" >>"$T_TMP/j.conf"
kill -HUP "$JPID"
wait_for 30 reloaded 4 || fail "reload 4" "not logged"
check "bad reload is refused" grep -q "reload failed: keeping the old configuration" "$LOG"
o=$(q @127.0.0.1 www.example.test A)
check "bad reload keeps old config" has "IN A 127.77.0.2" "$o"
cp "$T_TMP/good.conf" "$T_TMP/j.conf"
sed -i 's/127.77.0.4/127.77.0.44/' "$T_TMP/j.conf"
kill -HUP "$JPID"
wait_for 30 reloaded 5 || fail "reload 5" "not logged"
o=$(q @127.0.0.1 four.example.test A)
check "good reload applies" has "IN A 127.77.0.44" "$o"

# SPEC arguments on the command line add services like sections.
cat >"$T_TMP/spec.conf" <<CONF
[jitsud]
$(t_private spec)
dns = 127.0.0.2:53
zone = spec.test
CONF
t_bg J3 t_in "$T_JITSUD" -c "$T_TMP/spec.conf" "name=web,dns=web.spec.test,address=127.0.0.9"
wait_for 30 t_in kdig @127.0.0.2 +timeout=1 +retry=0 spec.test SOA
o=$(q @127.0.0.2 web.spec.test A)
check "SPEC service answers" has "IN A 127.0.0.9" "$o"

check "jitsud still running" kill -0 "$JPID"
