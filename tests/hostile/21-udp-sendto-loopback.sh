#!/bin/bash
# Attack: a service sends from its held UDP socket, which lives in
# jitsud's network namespace, to any address there: a listener on
# 127.0.0.1 and jitsud's own DNS port, whose query starts another
# tenant's service. Before the fix both arrived, under sandbox = default
# and strict alike. Now, under default, the cgroup BPF guard lets a held
# UDP socket send only to addresses that sent to it (the reply to the
# client still works); under strict, sendto with an address kills the
# process (SIGSYS).
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
PROBE=$T_BUILD/tests/apps/netprobe
TPORT=9998
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service udpd]
dns = udpd.example.test
address = 127.77.0.2
image = $PROBE
args = udp $TPORT 53
ports = udp:5300
sandbox = default
idle = 0
[service udp6]
dns = udp6.example.test
address = ::1
image = $PROBE
args = udp $TPORT 53
ports = udp:5301
sandbox = default
idle = 0
[service udps]
dns = udps.example.test
address = 127.77.0.3
image = $PROBE
args = udp $TPORT 53
ports = udp:5300
sandbox = strict
idle = 0
[service victim]
dns = victim.example.test
address = 127.77.0.9
image = $PROBE
args = family
ports = tcp:80
CONF
# The target: a UDP listener in jitsud's namespace, a line per datagram.
cat >"$T_TMP/udp.py" <<'PY'
import socket, sys
if sys.argv[1] == "sink":	# on 127.0.0.1 and ::1
	import select
	ss = [socket.socket(f, socket.SOCK_DGRAM) for f in
	    (socket.AF_INET, socket.AF_INET6)]
	ss[0].bind(("127.0.0.1", int(sys.argv[2])))
	ss[1].bind(("::1", int(sys.argv[2])))
	print("listening", flush=True)
	while True:
		for s in select.select(ss, [], [])[0]:
			d, a = s.recvfrom(512)
			print("datagram", a[0], d.decode(errors="replace").strip(), flush=True)
else:	# ask ADDR PORT: one datagram, the reply (or nothing)
	s = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else
	    socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(60)
	s.sendto(b"ping", (sys.argv[2], int(sys.argv[3])))
	try:
		print(s.recv(512).decode().strip())
	except OSError as e:
		print("no reply:", e)
PY
PY=/usr/bin/python3
TGT=$T_TMP/target.out
t_bg TP t_in $PY "$T_TMP/udp.py" sink $TPORT >"$TGT"
wait_for 20 grep -q listening "$TGT" || { fail setup "target did not listen"; exit 1; }
LOG=$T_TMP/log
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" >"$LOG" 2>&1
wait_for 20 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; cat "$LOG"; exit 1; }
has() { grep -q "$1" "$LOG"; }

# 1. sandbox = default: the attack fails, the reply to the client works.
r=$(t_in $PY "$T_TMP/udp.py" ask 127.77.0.2 5300)
grep "udpd: " "$LOG" | head -8 | sed "s/^/# /"
check "default: sendto 127.0.0.1:$TPORT from the held socket fails (EPERM)" has "udpd: netprobe: udp-sendto=EPERM"
check "default: sendto jitsud's DNS port fails (EPERM)" has "udpd: netprobe: udp-dns=EPERM"
check "default: the reply to the client arrives" test "$r" = pong

# 1b. The same from an IPv6 socket (its IPv4 sendto goes through the
#     IPv4 hook, its reply through the IPv6 one).
r=$(t_in $PY "$T_TMP/udp.py" ask ::1 5301)
grep "udp6: netprobe" "$LOG" | sed "s/^/# /"
check "default, IPv6: sendto [::1]:$TPORT fails (EPERM)" has "udp6: netprobe: udp-sendto=EPERM"
check "default, IPv6: the reply to the client arrives" test "$r" = pong

# 2. sandbox = strict: the process dies at the attack.
t_in $PY "$T_TMP/udp.py" ask 127.77.0.3 5300 >/dev/null &
ASK=$!
wait_for 60 has "udps: .*killed by seccomp" ||
	fail strict "the strict probe did not die at its first sendto"
kill "$ASK" 2>/dev/null; wait "$ASK" 2>/dev/null
grep "udps: " "$LOG" | head -5 | sed 's/^/# /'
check "strict: sendto with an address kills the process (SIGSYS)" has "udps: .*killed by seccomp"
check "strict: no sendto reported success" bash -c "! grep -q 'udps: netprobe: udp-sendto=ok' '$LOG'"

n=$(grep -c '^datagram' "$TGT")
grep '^datagram' "$TGT" | sort | uniq -c | sed 's/^/# /'
echo "# the listener in jitsud's network namespace got $n datagram(s)"
check "nothing reached 127.0.0.1 or [::1]:$TPORT ($n datagrams)" test "$n" -eq 0
check "no query from a tenant started the victim" bash -c "! grep -q 'victim: .*-> starting' '$LOG'"
check "jitsud is still running" kill -0 "$J"
exit 0
