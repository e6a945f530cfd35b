#!/bin/bash
# Attack: two tenants' exec services talk through an abstract unix
# socket name (which belongs to a network namespace, not to the file
# system). Before the fix every exec service shared one empty network
# namespace: tenant B's sendto(@name) reached the socket tenant A bound.
# Now each service has a network namespace of its own: the name A bound
# does not exist for B.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
PROBE=$T_BUILD/tests/apps/netprobe
NAME=jitsu-probe-$$
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service tenanta]
dns = a.example.test
address = 127.77.0.2
image = $PROBE
args = abstract-listen $NAME
ports = tcp:80
idle = 0
[service tenantb]
dns = b.example.test
address = 127.77.0.3
image = $PROBE
args = abstract-send $NAME
ports = tcp:80
idle = 0
CONF
LOG=$T_TMP/log
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" >"$LOG" 2>&1
wait_for 20 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }
ask() { t_in timeout 60 bash -c "exec 3<>/dev/tcp/$1/80; cat <&3"; }
a=$(ask 127.77.0.2)
check "tenant A bound @$NAME" grep -q "abstract-bind=ok" "$LOG"
check "tenant A answers" grep -q "^received=0" <<<"$a"
b=$(ask 127.77.0.3)
echo "# tenant B: $b"
check "tenant B's sendto(@$NAME) finds no such socket" grep -qx "abstract-sendto=ECONNREFUSED" <<<"$b"
a=$(ask 127.77.0.2)
echo "# tenant A: $a"
check "tenant A received nothing from tenant B" grep -qx "received=0" <<<"$a"
check "jitsud is still running" kill -0 "$J"
exit 0
