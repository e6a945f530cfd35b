#!/bin/bash
# The network a sandboxed process has: an empty namespace (lo down, no
# route anywhere) and the listening sockets it was handed, systemd-style.
# All traffic stays on the test namespace's loopback.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

# -f none: the default filter denies connect and netlink sockets (hostile
# 20 and 23); here the namespace itself is under test.
sbx -n net -f none -- "$SBX_PROBE" ifaces connect 127.0.0.1:80 connect 192.0.2.1:80 \
    connect 10.0.0.1:80
check only-lo-down log_has "ifaces=lo:down"
check no-loopback-route log_has "connect 127.0.0.1:80=ENETUNREACH"
check no-route-out log_has "connect 192.0.2.1:80=ENETUNREACH"
check no-route-private log_has "connect 10.0.0.1:80=ENETUNREACH"

sbx -n netpriv -N -f none -- "$SBX_PROBE" ifaces connect 127.0.0.1:80
check private-netns-empty log_has "ifaces=lo:down"
check private-netns-no-route log_has "connect 127.0.0.1:80=ENETUNREACH"

# a handed socket: fd 3, LISTEN_* set; a client connecting before the
# child accepts waits in the backlog and is served
port=$((20000 + $$ % 20000))
sbx_bg -n served -l 127.0.0.1:$port -l 127.0.0.1:$((port + 1)) -- \
    "$SBX_PROBE" env fds sleep 1 serve ||
	{ fail served-start "$(cat "$SBX_OUTF")"; exit 1; }
reply=$(t_net timeout 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat <&3")
check served-through-handed-socket test "$reply" = "hello from pid 1 uid 0"
wait "$SBX_DRIVER" 2>/dev/null
check listen-fds log_has "LISTEN_FDS=2"
check listen-pid log_has "LISTEN_PID=1"
check listen-fdnames log_has "LISTEN_FDNAMES=l0:l1"
check fds-3-and-4 log_has "fds=0,1,2,3,4"
check serve-ok log_has "serve=ok"

# hello.unix under the strict filter answers HTTP through the socket
if [ -x "$T_BUILD/uk/hello.unix" ]; then
	sbx_bg -n hello -f strict -l 127.0.0.1:80 -- "$T_BUILD/uk/hello.unix" ||
		fail hello-start "$(cat "$SBX_OUTF")"
	body=$(t_net curl -s -m 60 http://127.0.0.1/)
	check hello-strict-http-200 grep -q hello <<<"$body"
	kill "$SBX_DRIVER"; wait "$SBX_DRIVER" 2>/dev/null
else
	skip hello-strict-http-200 "build/uk/hello.unix not built"
fi
check cgroups-removed sbx_cgroups_gone
exit 0
