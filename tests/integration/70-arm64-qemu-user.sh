#!/bin/bash
# The arm64 build (make arm64: Debian's aarch64 cross compiler and :arm64
# multiarch libraries) run under qemu-user: jitsud checks a config and
# answers kdig (x86) for a `backend = none` service, jitsuctl talks to it
# over its control socket, hello.unix, bound by hand, answers curl, and
# the unit tests pass.
# Skips only when the cross toolchain is not installed
# (scripts/deps-arm64.sh installs it).
. "$(dirname "$0")/../lib/lib.sh"

for c in aarch64-linux-gnu-gcc qemu-aarch64; do
	command -v $c >/dev/null ||
		{ skip all "$c not installed (scripts/deps-arm64.sh)"; exit 0; }
done
A=$T_BUILD/arm64
for b in jitsud jitsuctl uk/hello.unix; do
	[ -x "$A/$b" ] || { fail build "$A/$b missing (make arm64)"; exit 1; }
	check "$b is ARM aarch64" grep -q "ARM aarch64" <<<"$(file -b "$A/$b")"
done

t_tmpdir
t_netns
# jitsud and jitsuctl are dynamic: their loader and libraries are the
# :arm64 packages' (/lib/ld-linux-aarch64.so.1, /lib/aarch64-linux-gnu),
# found by qemu at the same paths as on an arm64 Debian host.
Q=qemu-aarch64

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = example.test
ttl = 7
$(t_private)

[service www]
backend = none
dns = www.example.test
address = 127.77.0.2
CONF

o=$($Q "$A/jitsud" -n -c "$T_TMP/j.conf" 2>&1)
check "jitsud -n: configuration OK" test "$o" = "configuration OK"

LOG=$T_TMP/jitsud.log
t_bg JPID t_in $Q "$A/jitsud" -c "$T_TMP/j.conf" 2>"$LOG"
# qemu translates every instruction once: the first answer is slower.
wait_for 20 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "arm64 jitsud did not answer"; cat "$LOG"; exit 1; }

q() { t_in kdig +timeout=5 +retry=0 "$@" 2>&1 | tr -s ' \t' '  '; }
has() { grep -qF -- "$1" <<<"$2"; }
for proto in "" "+tcp"; do
	tag=${proto:-+udp}
	o=$(q @127.0.0.1 $proto www.example.test A)
	check "A answer $tag" has "www.example.test. 7 IN A 127.77.0.2" "$o"
	check "AA flag $tag" has "Flags: qr aa" "$o"
	o=$(q @127.0.0.1 $proto example.test SOA)
	check "SOA at apex $tag" has \
		"example.test. 7 IN SOA ns.example.test. hostmaster.example.test." "$o"
	o=$(q @127.0.0.1 $proto nope.example.test A)
	check "NXDOMAIN $tag" has "status: NXDOMAIN" "$o"
done

o=$($Q "$A/jitsuctl" -s "$T_TMP/jitsud.sock" list 2>&1)
check "jitsuctl list over the control socket" grep -qE '^www +running +none' <<<"$o"

kill "$JPID"; wait "$JPID" 2>/dev/null; rc=$?
# The stop completed: the process ended, and cleanly (a signal's death
# would be 128+N).
check "jitsud stopped by SIGTERM, exit 0 (rc $rc)" test $rc -eq 0
check "the stop was the signal's" grep -q "signal 15: stopping" "$LOG"

# hello.unix is static: no loader. With no LISTEN_FDS it binds
# 127.0.0.1:PORT itself.
t_bg HPID t_in $Q "$A/uk/hello.unix" port=8080 2>"$T_TMP/hello.err"
wait_for 20 t_in bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' ||
	{ fail hello "hello.unix not listening"; cat "$T_TMP/hello.err"; exit 1; }
o=$(t_in curl -s --max-time 10 -i http://127.0.0.1:8080/)
check "hello.unix GET -> 200" has "HTTP/1.1 200 OK" "$o"
check "hello.unix body has hello" has "hello" "$o"
check "hello.unix console: uk: ready" grep -q "^uk: ready$" "$T_TMP/hello.err"

# The unit tests, built for arm64: another ABI (unsigned char, alignment,
# syscall table) under the same assertions. qemu-user 7.2 answers
# seccomp(2) with ENOSYS, so libseccomp refuses to build the sandbox's
# filters under it: test_sandbox itself reports those as skips, on ENOSYS
# only; any other failure stays a FAIL.
ls "$A"/tests/test_* >/dev/null 2>&1 ||
	fail unit "no $A/tests/test_* (make arm64)"
for t in "$A"/tests/test_*; do
	[ -x "$t" ] || continue
	n=arm64-$(basename "$t")
	o=$($Q "$t" 2>&1); rc=$?
	grep -E '^(ok|FAIL|skip) ' <<<"$o" | sed -E "s/^(ok|FAIL|skip) /\1 $n /"
	grep -qE '^(FAIL|skip) ' <<<"$o" || [ $rc -eq 0 ] ||
		fail "$n" "exit status $rc: $(tail -n 3 <<<"$o")"
done

exit $((T_FAILS > 0))
