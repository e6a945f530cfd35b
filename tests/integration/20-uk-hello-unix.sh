#!/bin/bash
# hello.unix, the uk HTTP app on the unix target: socket-activated the
# systemd way (one listener over an IPv4 and an IPv6 socket, plus a socket
# for another port it must leave alone), then run by hand. Checks GET,
# HEAD, keep-alive, pipelining, a 1 MiB body byte for byte, errors, 20
# concurrent clients, the connection table's limit, and clients that
# vanish mid-request or mid-transfer.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns

H=$T_BUILD/uk/hello.unix
[ -x "$H" ] || { fail build "$H missing (make uk)"; exit 1; }
command -v systemd-socket-activate >/dev/null ||
	{ skip all "systemd-socket-activate not installed (Debian: systemd)"; exit 0; }

LINE=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.
C() { t_in curl -s --max-time 60 "$@"; }
has() { grep -q -- "$1" <<<"$2"; }
count() { grep -c -- "$1" <<<"$2"; }
# raw PORT BYTES: send BYTES on one connection, print everything read back
# until the server closes it (bash's /dev/tcp: no extra tools).
raw() {
	t_in timeout 60 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$1 || exit 1
		printf "%b" "$2" >&3; cat <&3' _ "$1" "$2"
}

# systemd-socket-activate binds, then execs hello in its own process on
# the first connection (so LISTEN_PID holds): the pid t_bg records is
# hello's. Its stderr is kept to check the console lines.
t_bg SPID t_in systemd-socket-activate -l 127.0.0.1:80 -l '[::1]:80' \
	-l 127.0.0.1:8080 "$H" 2>"$T_TMP/hello.err"
wait_for 60 t_in bash -c 'exec 3<>/dev/tcp/127.0.0.1/80' ||
	{ fail start "nothing listening on port 80"; exit 1; }

o=$(C -i http://127.0.0.1/)
check "GET -> 200" has "HTTP/1.1 200 OK" "$o"
check "GET body has hello" has "hello" "$o"
check "GET over IPv6 (second socket of the listener)" \
	has "hello" "$(C -g 'http://[::1]/')"
check "console: uk: ready" grep -q "^uk: ready$" "$T_TMP/hello.err"

o=$(C -I http://127.0.0.1/x)
check "HEAD -> 200 with the GET's length" has "Content-Length: 14" "$o"

o=$(C -v http://127.0.0.1/a http://127.0.0.1/b 2>&1)
check "keep-alive: two GETs on one connection" \
	has "Re-using existing connection" "$o"
[ "$(count "hello from uk" "$o")" = 2 ] && ok "keep-alive: both answered" ||
	fail "keep-alive: both answered" "$o"

want=$(yes "$LINE" | head -c 1048576 | sha256sum)
got=$(C http://127.0.0.1/bytes/1048576 | sha256sum)
check "1 MiB /bytes body intact" test "$want" = "$got"
got=$(C http://127.0.0.1/big | sha256sum)
check "/big is the same 1 MiB" test "$want" = "$got"

o=$(C -o /dev/null -w '%{http_code}' -X POST -d a=b http://127.0.0.1/)
check "POST -> 405" test "$o" = 405
o=$(C -o /dev/null -w '%{http_code}' -X BREW http://127.0.0.1/)
check "unknown method -> 501" test "$o" = 501
o=$(raw 80 'this is not http\r\n\r\n')
check "malformed request -> 400 and close" has "HTTP/1.1 400 Bad Request" "$o"
o=$(raw 80 'GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n')
check "malformed header -> 400" has "HTTP/1.1 400" "$o"
# One 9 KB send (curl's), so it has all arrived when hello answers and
# closes: the answer is not lost to a reset.
o=$(C -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" http://127.0.0.1/)
check "oversized head -> 431" test "$o" = 431

# Three requests in one write, the last asking to close.
o=$(raw 80 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\nConnection: close\r\n\r\n')
[ "$(count "^HTTP/1.1 200 OK" "$o")" = 3 ] && ok "pipelined: three answers" ||
	fail "pipelined: three answers" "$o"
[ "$(count "hello from uk" "$o")" = 2 ] && ok "pipelined: HEAD has no body" ||
	fail "pipelined: HEAD has no body" "$o"

for i in $(seq 20); do
	C -o /dev/null -w '%{http_code}\n' "http://127.0.0.1/c$i" >"$T_TMP/par.$i" &
done
wait_for 60 bash -c "[ \$(cat $T_TMP/par.* 2>/dev/null | wc -l) -eq 20 ]"
n=$(cat "$T_TMP"/par.* | grep -c '^200$')
check "20 concurrent clients all get 200 ($n)" test "$n" = 20

# Vanishing clients: one killed in the middle of a 1 GiB body (rate
# limited so it is surely mid-way), one gone after half a request head.
t_bg CPID t_in curl -s --limit-rate 2M -o "$T_TMP/partial" http://127.0.0.1/bytes/1073741824
wait_for 60 test -s "$T_TMP/partial"
kill -9 $CPID; wait $CPID 2>/dev/null
t_in timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HT" >&3'
check "client killed mid-transfer: still serving" \
	has "hello" "$(C http://127.0.0.1/)"
check "still the same process" kill -0 "$SPID"

# 64 connections are served; beyond that requests get 503 until slots
# free up, and nothing else breaks.
t_bg HOG t_in bash -c 'for i in $(seq 64); do exec {fd}<>/dev/tcp/127.0.0.1/80 || exit 1; done; exec sleep 30'
# Ask only once all 64 are connected: a request racing them could take a
# slot one of them then misses, leaving the table not quite full.
wait_for 60 bash -c "[ \$(ss -N $T_NS -Htn state established '( dport = :80 )' | wc -l) -ge 64 ]"
code_is() { [ "$(C -o /dev/null -w '%{http_code}' http://127.0.0.1/)" = "$1" ]; }
check "table full -> 503" wait_for 60 code_is 503
kill $HOG; wait $HOG 2>/dev/null
check "slots freed -> 200 again" wait_for 60 code_is 200

# Run by hand: no LISTEN_FDS, it binds 127.0.0.1 itself (or UK_LISTEN_ADDR).
t_bg HPID t_in "$H" port=8081 idle=1 2>/dev/null
wait_for 60 t_in curl -s -o /dev/null http://127.0.0.1:8081/
check "by hand: GET on 127.0.0.1:8081" has "hello" "$(C http://127.0.0.1:8081/)"
# A client that connects and says nothing is closed after idle= seconds
# (cat sees end of stream; the 10 s timeout is only a backstop).
t_in timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8081; cat <&3'
check "by hand: idle=1 closes a silent connection" test $? = 0
t_bg HPID6 env UK_LISTEN_ADDR=::1 nsenter --net=/run/netns/"$T_NS" "$H" port=8082 2>/dev/null
wait_for 60 t_in curl -s -o /dev/null -g 'http://[::1]:8082/'
check "by hand: UK_LISTEN_ADDR=::1" has "hello" "$(C -g 'http://[::1]:8082/')"

exit $((T_FAILS > 0))
