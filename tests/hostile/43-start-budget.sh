#!/bin/bash
# Attack: one client asks for every service's name, so that every
# service on the host starts (each a process or a VM). Before the fix
# all 40 of 40 started. Now each client has a start budget (a token
# bucket: source_start_budget, one more every source_start_refill): here
# 5, and no refill within the test, so exactly 5 start; the other
# queries are answered as usual but start nothing. Another client's own
# budget and the operator's jitsuctl start are untouched.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
C=$T_BUILD/jitsuctl
N=40
{
	cat <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
source_start_budget = 5
source_start_refill = 1h
CONF
	for i in $(seq $N); do
		printf '[service s%d]\ndns = s%d.example.test\naddress = 127.77.1.%d\nidle = 0\n' \
		    "$i" "$i" "$i"
	done
} >"$T_TMP/j.conf"
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$T_TMP/log"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
ctl() { "$C" -s "$T_TMP/jitsud.sock" "$@"; }
running() { ctl list | grep -c " running"; }

# The attacker (127.0.0.1) asks for every name.
answered=0
for i in $(seq $N); do
	o=$(t_in kdig @127.0.0.1 +timeout=10 +retry=2 +short "s$i.example.test" A)
	[ "$o" = "127.77.1.$i" ] && answered=$((answered + 1))
done
# The budget's 5 starts come up (backend = none: at once, so the list,
# answered after every query was handled, shows every start there is).
five() { test "$(running)" -ge 5; }
wait_for 60 five
echo "# started by one client: $(running) of $N"
check "every query was answered ($answered of $N)" test "$answered" -eq $N
check "one client started only its budget ($(running) of $N)" test "$(running)" -eq 5
check "the denials are logged, naming the client" \
	grep -q "not started for 127.0.0.1 (dns query): its start budget is spent" "$T_TMP/log"
# Another client has a budget of its own.
t_in kdig @127.0.0.1 -b 127.0.0.2 +timeout=2 +retry=0 s$N.example.test A >/dev/null
wait_for 60 bash -c "'$C' -s '$T_TMP/jitsud.sock' status s$N | grep -q '^state  *running'"
check "another client starts a service" \
	bash -c "'$C' -s '$T_TMP/jitsud.sock' status s$N | grep -q '^state  *running'"
# The operator is exempt.
ctl start s$((N - 1)) >/dev/null
check "jitsuctl start is not budgeted" \
	bash -c "'$C' -s '$T_TMP/jitsud.sock' status s$((N - 1)) | grep -q '^state  *running'"
check "7 running in all ($(running))" test "$(running)" -eq 7
exit 0
