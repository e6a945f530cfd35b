#!/bin/bash
# Two libvirt hosts: host a is a libvirtd beside jitsud (unix socket),
# host b a libvirtd in a network namespace of its own (a second machine),
# reached over qemu+tcp across a veth, routing its guests' network.
# Placement puts each start on the reachable host with the most free
# memory; guests on b are reached through jitsud's relay. libvirtd b is
# killed mid-test: new starts go to a, b's services are unknown but still
# answer, a start with no room fails at once, nothing hangs; b comes back
# and the destroy queued for it runs.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/7x-libvirt.bash"

lv_have || { skip all "libvirtd/virsh not installed (Debian: libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)"; exit 0; }
J=$T_JITSUD
CTL=$T_BUILD/jitsuctl
VM=${HELLO_VM:-$T_BUILD/uk/hello.vm}
for f in "$J" "$CTL" "$VM"; do
	[ -f "$f" ] || { fail build "$f missing (make)"; exit 1; }
done
grep -qa "libvirt.so.0" "$J" ||
	{ skip all "jitsud built without libvirt (libvirt-dev)"; exit 0; }
t_tmpdir
t_netns
# Host b: its own namespace, a veth to jitsud's, forwarding for its
# guests (10.98.0.0/16); jitsud's side routes that network to it.
NSB=${T_NS}b
ip netns add "$NSB" || { fail setup "ip netns add"; exit 1; }
T_CLEANUP+=("ip netns del $NSB")
ip -n "$NSB" link set lo up
ip -n "$T_NS" link add jf0 type veth peer name jb0 netns "$NSB"
ip -n "$T_NS" addr add 10.99.0.1/24 dev jf0
ip -n "$NSB" addr add 10.99.0.2/24 dev jb0
ip -n "$T_NS" link set jf0 up
ip -n "$NSB" link set jb0 up
ip -n "$T_NS" route add 10.98.0.0/16 via 10.99.0.2
ip netns exec "$NSB" sysctl -qw net.ipv4.ip_forward=1

lv_daemon a "$T_NS" || { fail libvirtd "a did not start"; exit 1; }
lv_daemon b "$NSB" tcp || { fail libvirtd "b did not start"; exit 1; }

svc() {	# svc NAME N: a 64 MiB service on either host
	cat <<-EOF

	[service $1]
	dns = $1.example.test
	address = 10.77.0.$2
	backend = libvirt
	image = $VM
	ports = tcp:80
	memory = 64M
	hosts = a, b
	idle = 0
	EOF
}
{
	cat <<-EOF
	[jitsud]
	dns = 127.0.0.1:53
	zone = example.test
	ttl = 1
	backoff = 30s
	$(t_private)

	[host a]
	uri = qemu:///system?socket=$LV_SOCK_a
	memory = 128M

	[host b]
	uri = qemu+tcp://10.99.0.2/system
	memory = 256M
	network = 10.98.0.0/16
	EOF
	for i in 1 2 3 4 5; do svc s$i $((i + 1)); done
} >"$T_TMP/j.conf"
cfg_ok() { "$J" -n -c "$T_TMP/j.conf" >/dev/null; }
check "config ok" cfg_ok

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 60 grep -q "jitsud ready" "$LOG" ||
	{ fail start "jitsud did not start"; cat "$LOG"; exit 1; }
check "host a connects" wait_for 120 grep -q "libvirt: host a up" "$LOG"
check "host b connects" wait_for 120 grep -q "libvirt: host b up" "$LOG"

dig1() { t_in kdig @127.0.0.1 +timeout=2 +retry=0 +short "$1" A; }
# A summons waits for a boot: the limits are a safety net only.
get() { t_in timeout 90 curl -s -m 60 "$@"; }
ctl() { timeout 10 "$CTL" -s "$T_TMP/jitsud.sock" "$@" >/dev/null; }
status_is() { timeout 10 "$CTL" -s "$T_TMP/jitsud.sock" status "$1" | grep -qE "^$2 +$3\$"; }
state_is() { grep "service $1: .* -> " "$LOG" | tail -1 | grep -q -- "-> $2 "; }
on() { lv_running "$1" | grep -qx "jitsu-$2"; }
placed() { grep -q "service $1: domain jitsu-$1 on host $2," "$LOG"; }

# 1. Placement: b has the most room (256M), then 192 vs a's 128: b again;
#    then 128 each: the first listed, a.
check "s1 answers" grep -q hello <<<"$(get http://10.77.0.2/)"
check "s1 placed on b (most free)" placed s1 b
check "s1 runs on b" on b s1
check "s1's guest in b's network" grep -q "service s1: domain jitsu-s1 on host b, guest 10.98.0.2" "$LOG"
check "s2 answers" grep -q hello <<<"$(get http://10.77.0.3/)"
check "s2 placed on b" placed s2 b
check "s3 answers" grep -q hello <<<"$(get http://10.77.0.4/)"
check "s3 placed on a (tie: first listed)" placed s3 a
check "s3 runs on a" on a s3
check "status: s1 on host b" status_is s1 host b
check "status: s3 on host a" status_is s3 host a
o=$(for i in 1 2 3 4 5 6; do get http://10.77.0.2/n$i; done)
check "relay to host b, repeated" test "$(grep -c hello <<<"$o")" -eq 6

# 2. libvirtd b dies: b is down, its domains run on (unknown), and new
#    starts go to a.
kill -9 "$LV_PID_b"
check "b down noticed" wait_for 60 grep -q "libvirt: host b down" "$LOG"
check "s1 unknown, not lost" grep -q "service s1: domain jitsu-s1 on host b: state unknown" "$LOG"
check "s1 still running" state_is s1 running
check "status: s1 unknown" status_is s1 instance unknown
check "s1 still answers through the relay" grep -q hello <<<"$(get http://10.77.0.2/after)"
check "s4 answers" grep -q hello <<<"$(get http://10.77.0.5/)"
check "s4 placed on a (b down)" placed s4 a
check "s4 runs on a" on a s4
# a is full (128M: s3 + s4) and b is down: s5 fails at once.
get http://10.77.0.6/ >/dev/null; rc=$?
check "no room: s5 failed" wait_for 60 state_is s5 failed
check "no room: said why" grep -q "service s5: failed: no host" "$LOG"
# curl's 7 or 56 is a reset; its own time limit would be 28.
check "no room: the held connection reset, no hang (curl rc $rc)" test $rc -eq 7 -o $rc -eq 56
check "jitsuctl answers" ctl list
# Stopping a service on the unreachable host does not wait for it.
check "stop s1 (host down)" ctl stop s1
check "s1 stopped at once" wait_for 60 state_is s1 stopped
check "destroy queued" grep -q "service s1: .*host unreachable; destroy queued" "$LOG"

# 3. libvirtd b comes back: jitsud reconnects, runs the queued destroy,
#    finds s2 still running; b takes starts again.
t_bg LVB nsenter --net=/run/netns/"$NSB" --mount=/proc/"$LV_WRAP_b"/ns/mnt \
	libvirtd -f "$LV_DIR_b/libvirtd.conf" -p "$LV_DIR_b/libvirtd2.pid" --listen \
	>>"$LV_DIR_b/log" 2>&1
check "b up again" wait_for 120 bash -c "[ \$(grep -c 'libvirt: host b up' '$LOG') -ge 2 ]"
check "queued destroy ran on b" wait_for 60 bash -c "! virsh -q -c 'qemu:///system?socket=$LV_SOCK_b' list --name | grep -qx jitsu-s1"
check "s2 found running" wait_for 60 grep -q "service s2: domain jitsu-s2 still running on host b" "$LOG"
check "s1 again, on b" grep -q hello <<<"$(get http://10.77.0.2/back)"
check "s1 placed on b again" bash -c "[ \$(grep -c 'service s1: domain jitsu-s1 on host b,' '$LOG') -ge 2 ]"

# 4. jitsud killed with domains on both hosts: they run on; the next
#    jitsud adopts them where they are, relays to them again, and gives
#    a new guest none of their addresses.
guest_of() { timeout 10 "$CTL" -s "$T_TMP/jitsud.sock" status "$1" | awk '$1 == "guest" { print $2 }'; }
g1=$(guest_of s1); g2=$(guest_of s2)
kill -9 "$JPID"; wait "$JPID" 2>/dev/null
LOG=$T_TMP/jitsud2.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
check "second jitsud up" wait_for 60 grep -q "jitsud ready" "$LOG"
check "s1 adopted on b" grep -q "service s1: stopped -> running .*adopted domain jitsu-s1 on host b" "$LOG"
check "s3 adopted on a" grep -q "service s3: stopped -> running .*adopted domain jitsu-s3 on host a" "$LOG"
check "s1 found running on b" wait_for 120 grep -q "service s1: domain jitsu-s1 still running on host b" "$LOG"
check "s3 found running on a" wait_for 120 grep -q "service s3: domain jitsu-s3 still running on host a" "$LOG"
check "adopted s1 answers through the relay" grep -q hello <<<"$(get http://10.77.0.2/adopted)"
check "adopted s3 answers" grep -q hello <<<"$(get http://10.77.0.4/adopted)"
check "s1 keeps its guest" test "$(guest_of s1)" = "$g1"
check "s5 answers" grep -q hello <<<"$(get http://10.77.0.6/)"
check "s5 placed on b" placed s5 b
g5=$(guest_of s5)
check "s5's guest is none of the adopted ones ($g5; $g1 $g2)" test -n "$g5" -a "$g5" != "$g1" -a "$g5" != "$g2"

kill "$JPID"
wait "$JPID" 2>/dev/null
check "exit destroys domains on a" wait_for 60 bash -c "! virsh -q -c 'qemu:///system?socket=$LV_SOCK_a' list --name | grep -q jitsu-"
check "exit destroys domains on b" wait_for 60 bash -c "! virsh -q -c 'qemu:///system?socket=$LV_SOCK_b' list --name | grep -q jitsu-"

[ "$T_FAILS" -eq 0 ] || { echo "--- jitsud log"; tail -n 60 "$LOG"; }
exit 0
