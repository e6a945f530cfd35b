#!/bin/bash
# Attack: a service (sandbox = default) reaches out of its empty network
# namespace through the TCP sockets jitsud hands it: connect(AF_UNSPEC)
# on an accepted connection and then connect() to 127.0.0.1:PORT, the
# same on the held listener, a MSG_FASTOPEN sendto, the SIOCGSKNS ioctl.
# Before the fix the accepted socket and the listener both connected to a
# listener in jitsud's own network namespace. Now every step fails with
# EPERM and the listener there is never reached.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
PROBE=$T_BUILD/tests/apps/netprobe
TPORT=9999
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service probe]
dns = probe.example.test
address = 127.77.0.2
image = $PROBE
args = tcp $TPORT
ports = tcp:80
sandbox = default
[service lprobe]
dns = lprobe.example.test
address = 127.77.0.3
image = $PROBE
args = listener $TPORT
ports = tcp:80
sandbox = default
CONF
# The target: a listener in jitsud's network namespace that writes a
# line per connection it accepts, and what each sent.
cat >"$T_TMP/target.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
print("listening", flush=True)
while True:
	c, a = s.accept()
	c.settimeout(5)
	try:
		d = c.recv(64)
	except OSError:
		d = b""
	print("connection", a[0], d.decode(errors="replace").strip(), flush=True)
	c.close()
PY
TGT=$T_TMP/target.out
t_bg TP t_in /usr/bin/python3 "$T_TMP/target.py" $TPORT >"$TGT"
wait_for 20 grep -q listening "$TGT" || { fail setup "target did not listen"; exit 1; }
LOG=$T_TMP/log
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" >"$LOG" 2>&1
wait_for 20 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }

# 1. From an accepted connection (its report goes to jitsud's log: once
#    AF_UNSPEC works, the client's connection is gone).
t_in timeout 60 bash -c 'exec 3<>/dev/tcp/127.77.0.2/80; cat <&3' >/dev/null 2>&1
wait_for 60 grep -q "netprobe: accepted-skns=" "$LOG" ||
	fail accepted "the probe did not run"
grep "netprobe: accepted-" "$LOG" | sed 's/^/# /'
has() { grep -q "netprobe: $1" "$LOG"; }
check "connect(AF_UNSPEC) on an accepted socket fails (EPERM)" has accepted-unspec=EPERM
check "connect() out of an accepted socket fails (EPERM)" has accepted-connect=EPERM
check "MSG_FASTOPEN sendto fails (EPERM)" has accepted-fastopen=EPERM
check "SIOCGSKNS on a held socket fails (EPERM)" has accepted-skns=EPERM

# 2. From the held listener itself.
t_in timeout 10 bash -c 'exec 3<>/dev/tcp/127.77.0.3/80' || true
wait_for 60 grep -q "netprobe: listener-skns=" "$LOG" ||
	fail listener "the listener probe did not run"
grep "netprobe: listener-" "$LOG" | sed 's/^/# /'
check "connect(AF_UNSPEC) on the held listener fails (EPERM)" has listener-unspec=EPERM
check "connect() out of the held listener fails (EPERM)" has listener-connect=EPERM

n=$(grep -c '^connection' "$TGT")
echo "# the target in jitsud's network namespace saw $n connection(s)"
grep '^connection' "$TGT" | sed 's/^/# /'
check "nothing reached jitsud's network namespace ($n connections)" test "$n" -eq 0
check "jitsud is still running" kill -0 "$J"
exit 0
