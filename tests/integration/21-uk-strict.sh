#!/bin/bash
# The unix target's declared seccomp allowlist (uk/unix/syscalls.h) is
# complete: hello.unix and memhog.unix, socket-activated, run their whole
# life under exactly that list with every other call killing the process
# (tests/helpers/uk_strict_exec), and a call off the list does kill.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns

H=$T_BUILD/uk/hello.unix
M=$T_BUILD/uk/memhog.unix
S=$T_BUILD/tests/helpers/uk_strict_exec
for f in "$H" "$M" "$S"; do
	[ -x "$f" ] || { fail build "$f missing (make uk tests)"; exit 1; }
done
command -v systemd-socket-activate >/dev/null ||
	{ skip all "systemd-socket-activate not installed (Debian: systemd)"; exit 0; }

LINE=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.
C() { t_in curl -s --max-time 60 "$@"; }
has() { grep -q -- "$1" <<<"$2"; }

t_bg SPID t_in systemd-socket-activate -l 127.0.0.1:80 -l '[::1]:80' \
	"$S" "$H" 2>"$T_TMP/hello.err"
wait_for 60 t_in bash -c 'exec 3<>/dev/tcp/127.0.0.1/80' ||
	{ fail start "nothing listening on port 80"; exit 1; }

check "strict: GET -> hello" has "hello" "$(C http://127.0.0.1/)"
o=$(C -v http://127.0.0.1/a 'http://127.0.0.1/b' 2>&1)
check "strict: keep-alive" has "Re-using existing connection" "$o"
want=$(yes "$LINE" | head -c 1048576 | sha256sum)
check "strict: 1 MiB body" test "$want" = "$(C http://127.0.0.1/bytes/1048576 | sha256sum)"
o=$(t_in timeout 60 bash -c 'exec 3<>/dev/tcp/127.0.0.1/80 || exit 1
	printf "GET / HTTP/1.1\r\nBad header\r\n\r\n" >&3; cat <&3')
check "strict: 400" has "HTTP/1.1 400" "$o"
t_bg CPID t_in curl -s --limit-rate 1M -o "$T_TMP/partial" http://127.0.0.1/bytes/1073741824
wait_for 60 test -s "$T_TMP/partial"
kill -9 "$CPID"; wait "$CPID" 2>/dev/null
pids=()
for i in $(seq 10); do C -o /dev/null "http://127.0.0.1/$i" & pids+=($!); done
wait "${pids[@]}"
check "strict: still answering after all that" has "hello" "$(C -g 'http://[::1]/')"
check "strict: hello never killed" kill -0 "$SPID"

# memhog: start-up, socket activation, heap growth by brk and by mmap,
# the hold loop, and exit.
t_bg MPID t_in systemd-socket-activate -l 127.0.0.1:81 \
	"$S" "$M" port=81 limit=24M step=4M hold 2>"$T_TMP/memhog.err"
wait_for 60 t_in bash -c 'exec 3<>/dev/tcp/127.0.0.1/81'
check "strict: memhog reaches its limit" wait_for 60 grep -q "reached 24576 KiB" "$T_TMP/memhog.err"
t_in timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/81; cat <&3' >/dev/null
check "strict: memhog holding, alive" kill -0 "$MPID"
t_in "$S" "$M" limit=300K step=100K >/dev/null 2>&1
check "strict: memhog small steps exit 0" test $? = 0

# The filter bites: run by hand, hello binds its own socket, and socket()
# is not on the list.
t_in "$S" "$H" port=8080 2>/dev/null
rc=$?
check "strict: off-list call (socket) kills with SIGSYS ($rc)" test "$rc" = $((128 + 31))

exit $((T_FAILS > 0))
