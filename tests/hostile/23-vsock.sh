#!/bin/bash
# Attack: a service (sandbox = default) opens sockets of families a
# network service has no use for. vsock ports are not per network
# namespace: a bound vsock port is the host's, reachable from every VM.
# Before the fix socket(AF_VSOCK) worked (and so did netlink and packet
# sockets). Now every family but UNIX, INET and INET6 fails with
# EAFNOSUPPORT; INET still works.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service fam]
dns = fam.example.test
address = 127.77.0.2
image = $T_BUILD/tests/apps/netprobe
args = family
ports = tcp:80
sandbox = default
CONF
LOG=$T_TMP/log
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" >"$LOG" 2>&1
wait_for 20 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }
out=$(t_in timeout 60 bash -c 'exec 3<>/dev/tcp/127.77.0.2/80; cat <&3')
echo "$out" | sed 's/^/# /'
check "the probe ran" grep -q "^inet-socket=" <<<"$out"
check "socket(AF_VSOCK) fails (EAFNOSUPPORT)" grep -qx "vsock-socket=EAFNOSUPPORT" <<<"$out"
check "no vsock port was bound" bash -c "! grep -q '^vsock-bind=ok' <<<'$out'"
check "socket(AF_NETLINK) fails (EAFNOSUPPORT)" grep -qx "netlink-socket=EAFNOSUPPORT" <<<"$out"
check "socket(AF_PACKET) fails (EAFNOSUPPORT)" grep -qx "packet-socket=EAFNOSUPPORT" <<<"$out"
check "socket(AF_INET) still works" grep -qx "inet-socket=ok" <<<"$out"
check "jitsud is still running" kill -0 "$J"
exit 0
