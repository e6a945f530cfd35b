#!/bin/bash
# Attack: fill the forwarder's slots with queries the upstream never
# answers, so every other client's forwards fail. Before the fix 200
# unanswered forwards from one client took all 64 slots (forward_max)
# and a second client got SERVFAIL at once. Now forward_per_client caps
# what one client holds; the other client is forwarded and answered
# while the attacker's queries are still in flight.
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
forward_max = 64
forward_timeout = 300s
forward_rate = 0
forward_per_client = 8
CONF
: >"$T_TMP/count"
t_bg UP t_in $A upstream 127.0.0.53 53 holdq "$T_TMP/count" >/dev/null
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf"
wait_for 10 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }

# The attacker (127.0.0.2): 200 forwards the upstream never answers.
t_bg FL t_in $A flood 127.0.0.1 away 200 --src 127.0.0.2 >"$T_TMP/flood"
upstream_saw() { test "$(wc -l <"$T_TMP/count")" -ge "$1"; }
wait_for 20 upstream_saw 8 || fail setup "the attacker's queries did not reach the upstream"
o=$(t_in $A query 127.0.0.1 legit.away --src 127.0.0.3)
echo "# other client during the attack: $o; upstream saw $(wc -l <"$T_TMP/count") (attacker's held: all but this)"
check "another client is forwarded and answered during the attack" test "$(field rcode "$o")" = 0
check "the attacker held at most forward_per_client slots" test "$(grep -c . "$T_TMP/count")" -le 9
exit 0
