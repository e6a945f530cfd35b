#!/bin/bash
# Forwarding names outside the zones to `forward =`, with a second jitsud
# as the upstream; timeouts become SERVFAIL; TCP idle timeout; TC.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
J=$T_JITSUD

cat >"$T_TMP/up.conf" <<CONF
[jitsud]
$(t_private up)
dns = 127.0.0.2:53
zone = upstream.test
[service far]
dns = far.upstream.test
address = 192.0.2.7
CONF
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
forward = 127.0.0.2:53
; a safety net for the live upstream; the dead one below times out
forward_timeout = 20s
tcp_idle = 1s
[service big]
dns = big.example.test
$(for i in $(seq 1 40); do echo "address = fd00::$i"; done)
CONF
cat >"$T_TMP/dead.conf" <<CONF
[jitsud]
$(t_private dead)
dns = 127.0.0.3:53
zone = example.test
forward = 127.0.0.99:53
forward_timeout = 300ms
CONF
t_bg UP t_in "$J" -c "$T_TMP/up.conf"
t_bg JP t_in "$J" -c "$T_TMP/j.conf"
t_bg DEAD t_in "$J" -c "$T_TMP/dead.conf"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
wait_for 30 t_in kdig @127.0.0.2 +timeout=1 +retry=0 upstream.test SOA ||
	{ fail start "upstream jitsud did not answer"; exit 1; }
wait_for 30 t_in kdig @127.0.0.3 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "dead-upstream jitsud did not answer"; exit 1; }

# kdig waits up to 30 s: longer than any forward_timeout here, so a
# SERVFAIL comes from jitsud's timer, never from a slow machine.
q() { t_in kdig +timeout=30 +retry=0 "$@" 2>&1 | tr -s ' \t' '  '; }
o=$(q @127.0.0.1 far.upstream.test A)
check "forwarded answer over UDP" grep -qF "far.upstream.test. 1 IN A 192.0.2.7" <<<"$o"
o=$(q @127.0.0.1 +tcp far.upstream.test A)
check "forwarded answer for a TCP client" grep -qF "IN A 192.0.2.7" <<<"$o"
o=$(q @127.0.0.1 nothing.upstream.test A)
check "upstream NXDOMAIN passed through" grep -q "status: NXDOMAIN" <<<"$o"
o=$(q @127.0.0.3 far.upstream.test A)
check "dead upstream -> SERVFAIL" grep -q "status: SERVFAIL" <<<"$o"
o=$(q @127.0.0.1 www.example.test A)
check "in-zone names not forwarded" grep -q "status: NXDOMAIN" <<<"$o"

# 40 AAAA records do not fit in 512 bytes: TC without EDNS, whole over TCP.
o=$(q @127.0.0.1 +noedns +ignore big.example.test AAAA)
check "TC set when the answer does not fit" grep -q "Flags: qr aa tc" <<<"$o"
o=$(q @127.0.0.1 +tcp big.example.test AAAA)
check "TCP carries the whole answer" test "$(grep -c '^big.example.test. 1 IN AAAA' <<<"$o")" -eq 40

# An idle TCP client is closed after tcp_idle: the server's EOF ends the
# read (timeout is only a safety net; it would exit 124).
t_in timeout 120 bash -c 'exec 3<>/dev/tcp/127.0.0.1/53; cat <&3 >/dev/null'; rc=$?
check "idle TCP connection closed by the server (rc $rc)" test $rc -eq 0
