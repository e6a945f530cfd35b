#!/bin/bash
# Re-adoption: jitsud is killed with SIGKILL and restarted, three times in
# a row, while clients keep connecting to the running services. The
# unikernels keep running and are adopted (same pids, nothing started
# twice), no connection fails, stopped services can still be summoned,
# and a clean stop at the end leaves nothing behind.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_JITSUD
C=$T_BUILD/jitsuctl
SOCK=$T_TMP/jitsud.sock

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test

[service a]
dns = a.example.test
address = 127.77.4.1
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0

[service b]
dns = b.example.test
address = 127.77.4.2
image = $T_BUILD/uk/hello.unix
ports = tcp:80
idle = 0
stop = suspend

[service c]
dns = c.example.test
address = 127.77.4.3
image = $T_BUILD/uk/hello.unix
ports = tcp:80
CONF
ctl() { "$C" -s "$SOCK" "$@"; }
field() { ctl status "$1" 2>/dev/null | awk -v k="$2" '$1 == k {print $2}'; }
start_jitsud() {
	rm -f "$SOCK"
	t_bg JPID t_in "$J" -c "$T_TMP/j.conf"
	wait_for 60 test -S "$SOCK"
}
start_jitsud 2>>"$T_TMP/log"
t_in curl -s -m 60 http://127.77.4.1/ >/dev/null
t_in curl -s -m 60 http://127.77.4.2/ >/dev/null
pa=$(field a pid); pb=$(field b pid)
check "a and b running" test -n "$pa" -a -n "$pb" -a "$pa" != 0 -a "$pb" != 0
check "instances recorded" test -s "$T_TMP/state/a.instance" -a -s "$T_TMP/state/b.instance"

# Clients throughout: one request after another to a or b, until the
# restarts are over; each round waits for more requests to have been made
# before it kills jitsud, so every restart happens under traffic.
t_clients_until CLIENTS "$T_TMP/clients.stop" "$T_TMP/clients" 127.77.4.1 127.77.4.2
for round in 1 2 3; do
	read -r n0 _ <"$T_TMP/clients"
	check "round $round: clients made requests before the kill" \
	    wait_for 60 t_clients_past "$T_TMP/clients" $((n0 + 10))
	kill -9 "$JPID"
	wait "$JPID" 2>/dev/null
	start_jitsud 2>>"$T_TMP/log"
	check "round $round: a adopted, same pid" test "$(field a pid)" = "$pa" -a "$(field a state)" = running
	check "round $round: b adopted, same pid" test "$(field b pid)" = "$pb"
done
read -r n0 _ <"$T_TMP/clients"
check "clients served after the last restart" \
    wait_for 60 t_clients_past "$T_TMP/clients" $((n0 + 10))
touch "$T_TMP/clients.stop"
wait "$CLIENTS"
read -r n fails <"$T_TMP/clients"
check "no failed connection across 3 restarts ($fails of $n)" test "$fails" -eq 0
check "adoption logged" grep -q "service a: stopped -> running .*adopted pid $pa" "$T_TMP/log"
check "no second instance of a" test "$(grep -c 'service a: stopped -> starting' "$T_TMP/log")" -eq 1
check "one listening socket per address" test "$(t_in ss -Hltn 'sport = :80' | wc -l)" -eq 3

# A suspended instance is adopted as suspended.
ctl suspend b >/dev/null
kill -9 "$JPID"; wait "$JPID" 2>/dev/null
start_jitsud 2>>"$T_TMP/log"
check "suspended instance adopted suspended" test "$(field b state)" = suspended
check "a connection alone resumes the adopted instance" grep -q hello <<<"$(t_in curl -s -m 60 http://127.77.4.2/)"
check "resumed, same pid" test "$(field b state)" = running -a "$(field b pid)" = "$pb"
ctl suspend b >/dev/null
check "query resumes it too" test "$(t_in kdig @127.0.0.1 +short +timeout=2 +retry=0 b.example.test A)" = 127.77.4.2
check "resumed by the query" wait_for 60 bash -c "'$C' -s '$SOCK' status b | grep -q 'state *running'"

# A stopped service is still summoned after the restarts.
check "stopped service summoned" grep -q hello <<<"$(t_in curl -s -m 60 http://127.77.4.3/)"

# A record whose process is gone is not adopted (pid reuse is checked).
kill -9 "$JPID"; wait "$JPID" 2>/dev/null
kill -9 "$pa"
# (no longer jitsud's child: the host's init reaps it)
wait_for 60 bash -c "[ -z \"\$(ps -o stat= -p $pa | grep -v Z)\" ]"
start_jitsud 2>>"$T_TMP/log"
check "dead instance not adopted" test "$(field a state)" = stopped
check "its record removed" test ! -e "$T_TMP/state/a.instance"
check "and it starts afresh on demand" grep -q hello <<<"$(t_in curl -s -m 60 http://127.77.4.1/)"

# A clean stop ends every instance and removes the records.
kids="$(field a pid) $(field b pid) $(field c pid)"
kill "$JPID"; wait "$JPID" 2>/dev/null
# (an adopted instance is not jitsud's child: once killed it waits as a
# zombie for the host's init to reap it; a zombie runs nothing)
none_running() {
	local k
	for k in $kids; do
		[ "$k" != 0 ] && [ -n "$(ps -o stat= -p "$k" 2>/dev/null | grep -v Z)" ] &&
		    return 1
	done
	return 0
}
check "no unikernel outlives a clean stop" wait_for 60 none_running
check "records removed on a clean stop" test -z "$(ls "$T_TMP/state")"
# Adopted instances are not jitsud's children: their cgroups can only be
# removed once they have really ended.
check "no cgroup left after a clean stop" test -z "$(t_cgroups)"
[ "$T_FAILS" -gt 0 ] && tail -n 40 "$T_TMP/log" | sed 's/^/  log: /'
true
