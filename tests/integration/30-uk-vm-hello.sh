#!/bin/bash
# hello.vm, the uk HTTP app as a microVM: QEMU microvm boots the PVH image
# with a tap in a private network namespace. Checks "uk: ready", ping,
# GET, 100 sequential and 20 concurrent requests, a 1 MiB body byte for
# byte, clients that vanish mid-transfer (killed, or stopped with a full
# window), and that an idle guest halts instead of polling (QEMU's CPU
# time under 2% of what a busy loop of ours gets over the same window:
# the loop is the clock, so a loaded machine stretches both alike).
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/7x-vm.bash"

command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 0; }
VM=$T_BUILD/uk/hello.vm
[ -f "$VM" ] || { fail build "$VM missing (make uk)"; exit 1; }
t_tmpdir
t_netns

# KVM when the host has hardware virtualization, else TCG; UK_VM_ACCEL
# overrides. kvm_pvm (PVM, KVM without VT-x/AMD-V) runs this guest ~200x
# slower than TCG: it emulates its instructions (31-uk-vm-variants.sh
# still boots it there).
ACCEL=${UK_VM_ACCEL:-tcg}
[ -z "$UK_VM_ACCEL" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
	[ ! -d /sys/module/kvm_pvm ] && ACCEL=kvm
IP=10.0.2.15
LINE=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.
CON=$T_TMP/console

t_in ip tuntap add tap0 mode tap
t_in ip link set tap0 up
t_in ip addr add 10.0.2.1/24 dev tap0
# A fresh tap's IPv6 chatter is noise to the guest (it drops it anyway).
t_in sysctl -qw net.ipv6.conf.tap0.disable_ipv6=1 2>/dev/null

t_bg QPID t_in qemu-system-x86_64 -accel "$ACCEL" \
	-M microvm,x-option-roms=off,isa-serial=on,rtc=off,pit=off,pic=off,acpi=off \
	-m 64M -nodefaults -no-user-config -display none \
	-serial "file:$CON" -kernel "$VM" -append "ip=$IP/24 gw=10.0.2.1" \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-device,netdev=n0 \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 2>"$T_TMP/qemu.err"
if ! wait_for 20 grep -q '^uk: ready$' "$CON"; then
	fail "console: uk: ready" "$(cat "$CON" 2>/dev/null)"
	exit 1
fi
ok "console: uk: ready ($ACCEL)"

C() { t_in curl -s --max-time 10 "$@"; }
has() { grep -q -- "$1" <<<"$2"; }
pings() { t_in ping -c 3 -i 0.2 -W 2 -q "$1" >/dev/null; }

check "ping answers" pings $IP

o=$(C -i http://$IP/)
check "GET -> 200" has "HTTP/1.1 200 OK" "$o"
check "GET body has hello" has "hello" "$o"

n=0
for i in $(seq 100); do
	has hello "$(C http://$IP/n$i)" && n=$((n + 1))
done
check "100 sequential requests" test "$n" = 100

pids=
for i in $(seq 20); do
	C -o "$T_TMP/par$i" http://$IP/p$i &
	pids="$pids $!"
done
wait $pids
n=$(cat "$T_TMP"/par* 2>/dev/null | grep -c hello)
check "20 concurrent requests" test "$n" = 20

want=$(yes "$LINE" | head -c 1048576 | sha256sum)
got=$(C http://$IP/bytes/1048576 | sha256sum)
check "1 MiB body intact" test "$want" = "$got"

# A client killed mid-transfer (its kernel resets the connection), and
# one that stops reading (the guest's send window closes and it probes):
# neither may stop the unikernel serving others. Not through t_in: a
# backgrounded function is a subshell, and $! would name it, not curl.
ip netns exec "$T_NS" curl -s --max-time 60 -o "$T_TMP/killed" \
	http://$IP/bytes/1000000000 &
killer=$!
# mid-transfer: bytes have come
wait_for 60 test -s "$T_TMP/killed"
{ kill -9 $killer; wait $killer; } 2>/dev/null
check "serves after a client was killed mid-transfer" \
	has hello "$(C http://$IP/)"
ip netns exec "$T_NS" curl -s --max-time 120 -o "$T_TMP/stopped" \
	http://$IP/bytes/1000000000 &
stopped=$!
wait_for 60 test -s "$T_TMP/stopped"
kill -STOP $stopped
# unread bytes pile up in the stopped reader's socket
check "the stopped reader's window fills" wait_for 60 unread $IP
got=$(C http://$IP/bytes/1048576 | sha256sum)
check "serves 1 MiB while a reader is stopped mid-transfer" \
	test "$want" = "$got"
{ kill -9 $stopped; wait $stopped; } 2>/dev/null
check "serves after the stopped reader vanished" has hello "$(C http://$IP/)"

# Idle: utime + stime of the QEMU process against a busy loop's. A
# polling guest would burn about what the loop does; a halted one about
# nothing. Once no connection to it is left.
check "no connection left" wait_for 60 no_conns $IP
pct=$(vm_cpu_share "$QPID")	# hundredths of a percent
check "idle guest uses < 2% of a busy loop's CPU ($((pct / 100)).$(printf %02d $((pct % 100)))%)" \
	test "$pct" -lt 200
check "QEMU still running" kill -0 "$QPID"
exit 0
