#!/bin/bash
# hello.vm on the other paths of the vm target: modern (Version 2)
# virtio-mmio, the ACPI microvm (no virtio_mmio.device= words: slot scan,
# second IOAPIC), 8 MiB of RAM, app words on the kernel command line, exit
# statuses through isa-debug-exit, boot failures, and KVM when the host
# has /dev/kvm (kvmclock, KVM's in-kernel APIC), whatever its speed.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/7x-vm.bash"

command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 0; }
VM=$T_BUILD/uk/hello.vm
[ -f "$VM" ] || { fail build "$VM missing (make uk)"; exit 1; }
t_tmpdir
t_netns

IP=10.0.2.15
FAST=microvm,x-option-roms=off,isa-serial=on,rtc=off,pit=off,pic=off,acpi=off
t_in ip tuntap add tap0 mode tap
t_in ip link set tap0 up
t_in ip addr add 10.0.2.1/24 dev tap0
t_in sysctl -qw net.ipv6.conf.tap0.disable_ipv6=1 2>/dev/null

has() { grep -q -- "$1" <<<"$2"; }
pings() { t_in ping -c 2 -i 0.2 -W 2 -q "$1" >/dev/null; }

# qemu_cmd ACCEL MACHINE APPEND [ARGS...]: sets Q, the common command line
qemu_cmd() {
	local accel=$1 machine=$2 append=$3; shift 3
	Q=(qemu-system-x86_64 -accel "$accel" -M "$machine" -m 64M -nodefaults
	    -no-user-config -display none -serial "file:$T_TMP/console"
	    -kernel "$VM" -append "$append"
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@")
}

# boot NAME SECS ACCEL MACHINE APPEND [ARGS...]: start hello.vm on tap0
# and wait for "uk: ready"; sets VPID. Returns 1 (after a FAIL) if it
# never gets ready.
boot() {
	local name=$1 secs=$2; shift 2
	: >"$T_TMP/console"
	qemu_cmd "$@" -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	    -device virtio-net-device,netdev=n0
	t_bg VPID t_in "${Q[@]}" 2>>"$T_TMP/qemu.err"
	wait_for "$secs" grep -q '^uk: ready$' "$T_TMP/console" && return 0
	fail "$name: uk: ready" "$(cat "$T_TMP/console")"
	return 1
}

# halt: stop the running VM and wait until the tap is free again
halt() {
	kill "$VPID" 2>/dev/null
	wait "$VPID" 2>/dev/null
}

if boot modern 20 tcg "$FAST" "ip=$IP/24 gw=10.0.2.1 port=8080" \
    -global virtio-mmio.force-legacy=false; then
	# The boot log follows "uk: ready": wait for it.
	check "modern: the driver saw Version 2" \
	    wait_for 10 grep -q "virtio-mmio v2" "$T_TMP/console"
	check "modern: app word port=8080 served" has hello \
	    "$(t_in curl -s --max-time 10 http://$IP:8080/)"
	check "modern: ping" pings $IP
	halt
fi

# ACPI on: QEMU names no devices on the command line; the transport is
# found by scanning (slot 23) and its line is GSI 47 on the 2nd IOAPIC.
# Interrupt delivery matters: an idle guest only wakes on it.
if boot acpi 20 tcg microvm "ip=$IP/24 gw=10.0.2.1"; then
	check "acpi: found by scanning, GSI 47" \
	    wait_for 10 grep -q "at 0xfeb02e00 irq 47" "$T_TMP/console"
	check "acpi: GET" has hello "$(t_in curl -s --max-time 10 http://$IP/)"
	halt
fi

if boot small 20 tcg "$FAST" "ip=$IP/24 gw=10.0.2.1" -m 8M; then
	LINE=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.
	want=$(yes "$LINE" | head -c 1048576 | sha256sum)
	got=$(t_in curl -s --max-time 10 http://$IP/bytes/1048576 | sha256sum)
	check "8 MiB of RAM: 1 MiB body intact" test "$want" = "$got"
	halt
fi

# Exit statuses: isa-debug-exit makes QEMU exit (STATUS << 1) | 1.
# status WORDS [ARGS...]: QEMU's exit status for a guest booted with WORDS
status() {
	local words=$1; shift
	: >"$T_TMP/console"
	qemu_cmd tcg "$FAST" "$words" "$@"
	timeout 60 "${Q[@]}" 2>/dev/null
	echo $?
}
check "bad app word: hello returns 2, QEMU exits 5" \
	test "$(status "ip=$IP/24 port=0")" = 5
check "exit status on the console" grep -q '^uk: exit 2$' "$T_TMP/console"
check "no ip=: network off, listen fails, QEMU exits 3" \
	test "$(status "")" = 3
check "no ip=: said so" grep -q "network off" "$T_TMP/console"
check "bad ip= word: boot stops (125), QEMU exits 251" \
	test "$(status "ip=$IP")" = 251
check "bad ip= word: named" grep -q "bad kernel word 'ip=$IP'" "$T_TMP/console"

# The heap: memhog allocates and touches memory in steps.
HOG=$T_BUILD/uk/memhog.vm
if [ -f "$HOG" ]; then
	VM=$HOG
	check "heap: 8 MiB in 64 MiB of RAM, exit 0 (QEMU 1)" \
	    test "$(status "limit=8M step=256K")" = 1
	check "heap: memhog reached its limit" \
	    grep -q "memhog: 8192 KiB" "$T_TMP/console"
	check "heap: 64 MiB in 16 MiB of RAM fails cleanly (QEMU 3)" \
	    test "$(status "limit=64M" -m 16M)" = 3
	check "heap: the failure is an allocation, after 8-16 MiB" \
	    grep -qE "memhog: allocation failed at ([89]|1[0-5])[0-9]{3} KiB" \
	    "$T_TMP/console"
	VM=$T_BUILD/uk/hello.vm
else
	skip heap "$HOG not built"
fi

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	if boot kvm 60 kvm "$FAST" "ip=$IP/24 gw=10.0.2.1"; then
		check "kvm: kvmclock" \
		    wait_for 30 grep -q "kvmclock clock" "$T_TMP/console"
		check "kvm: GET" has hello \
		    "$(t_in curl -s --max-time 60 http://$IP/)"
		check "kvm: no connection left" wait_for 60 no_conns $IP
		check "kvm: idle guest uses < 2% of a busy loop's CPU" \
		    test "$(vm_cpu_share "$VPID")" -lt 200
		halt
	fi
else
	skip kvm "no usable /dev/kvm"
fi
exit 0
