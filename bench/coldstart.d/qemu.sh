#!/bin/bash
# bench/coldstart.d/qemu.sh - `backend = qemu`: hello.vm summoned by
# jitsud as a QEMU microvm, DNS query -> first HTTP byte, cold (stop =
# destroy) and resumed (stop = suspend), next to the floor measured in
# the same run: QEMU with the same machine booting a kernel that writes
# one byte to its serial port and exits (tests/vm/floor.vm). The SYN
# retransmissions of the run's namespace are printed as a figure: every
# first connection is held in the VM's tap while it boots and its first
# SYN is the one answered, but a boot longer than the client's SYN timer
# (1 s) retransmits meanwhile (tests/integration/50-qemu-summon.sh checks
# the hold itself).
# Run by bench/coldstart.
#
# Environment (defaults in brackets):
#   BENCH_N        samples of each kind [30]
#   BENCH_ROUNDS   the kinds take turns, N/ROUNDS samples each [3]
#   BENCH_IDLE_MS  the services' idle; a sample waits for the stop [300]
#   BENCH_GAP_MS   pause after the stop (and between floor runs) [100]
#   BENCH_ACCEL    tcg | kvm | auto, the services' accel = [tcg]
#   HELLO_VM       the guest [build/uk/hello.vm]
#   JITSUD         the binary to measure [build/jitsud]
set -u -o pipefail
. "$(dirname "$0")/../lib.sh"

N=${BENCH_N:-30}
ROUNDS=${BENCH_ROUNDS:-3}
IDLE=${BENCH_IDLE_MS:-300}
GAP=${BENCH_GAP_MS:-100}
ACCEL=${BENCH_ACCEL:-tcg}
JITSUD=${JITSUD:-$T_BUILD/jitsud}
VM=${HELLO_VM:-$T_BUILD/uk/hello.vm}
FLOOR=$T_BUILD/tests/vm/floor.vm
FB=$T_BUILD/bench/firstbyte
FO=$T_BUILD/bench/firstout
ZONE=example.test
# Service names and taps are host-visible only inside our namespace, but
# QEMU processes are not: a prefix of our own names them apart.
P=qs$$
T_P50=150 T_RESUME=5

[ "$(id -u)" -eq 0 ] || b_die "needs root"
command -v qemu-system-x86_64 >/dev/null || b_die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
command -v kdig >/dev/null || b_die "kdig missing (apt-get install knot-dnsutils)"
for f in "$JITSUD" "$VM" "$FLOOR" "$FB" "$FO"; do
	[ -e "$f" ] || b_die "$f not built (make)"
done
[ $((N % ROUNDS)) -eq 0 ] || b_die "BENCH_N ($N) must be a multiple of BENCH_ROUNDS ($ROUNDS)"
PER=$((N / ROUNDS))
QACCEL=$ACCEL
[ "$QACCEL" = auto ] && { QACCEL=tcg; [ -r /dev/kvm ] && [ -w /dev/kvm ] && QACCEL=kvm; }

busy=$(b_cpu_busy 1)
echo "machine: $(nproc) cpus, ${busy}% busy before the run, load $(cut -d' ' -f1-3 /proc/loadavg)," \
	"kernel $(uname -r), $(qemu-system-x86_64 --version | head -1)"
t_tmpdir
t_netns
W=$T_TMP


# One sample: "DNS_MS FIRSTBYTE_MS" of a query for $1 appended to $2.
probe() {
	local r
	r=$(t_in "$FB" dns 127.0.0.1 "$1.$ZONE") || return 1
	awk -v r="$r" 'BEGIN { split(r, x); printf "%.3f %.3f\n", x[1] / 1000, x[2] / 1000 }' >>"$2"
}

row() {
	local s
	s=$(col "$2" "$3" | b_stats)
	printf "  %-46s %8s %8s %8s %8s %5s\n" "$1" $s
}
p50() { col "$1" "$2" | b_stats | cut -d' ' -f1; }
p99() { col "$1" "$2" | b_stats | cut -d' ' -f2; }

# The floor: QEMU as jitsud runs it (machine, accel, memory), without
# the tap and QMP, booting a kernel that writes one byte and exits.
FLOOR_CMD=(qemu-system-x86_64 -M microvm,x-option-roms=off,isa-serial=on,rtc=off,pit=off,pic=off,acpi=off
	-accel "$QACCEL" -nodefaults -no-user-config -display none -no-reboot -m 64M
	-kernel "$FLOOR" -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04)

C=${P}c R=${P}r
cat >"$W/vm.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = $ZONE
ttl = 1
; a sample is a start every few hundred ms, past the default start_limit
start_limit = 0

[service $C]
dns = $C.$ZONE
address = 10.77.0.2
backend = qemu
image = $VM
accel = $ACCEL
idle = ${IDLE}ms
stop = destroy
memory = 64M

[service $R]
dns = $R.$ZONE
address = 10.77.0.3
backend = qemu
image = $VM
accel = $ACCEL
idle = ${IDLE}ms
stop = suspend
memory = 64M
CONF
LOG=$W/jitsud.log
b_jitsud JP "$LOG" "$JITSUD" -c "$W/vm.conf"

# Warm-up, not counted: page cache for QEMU, its libraries and the
# image; the resumed service's one boot.
for i in 1 2; do settle "$LOG" "$C" "$R"; probe "$C" "$W/warm" || broke "warm-up failed (log $LOG)"; done
probe "$R" "$W/warm" || broke "warm-up failed (log $LOG)"
"$FO" -n 2 -g 0 "${FLOOR_CMD[@]}" >/dev/null || broke "the floor kernel did not run"
syn0=$(synretrans)

echo "qemu ($QACCEL): hello.vm, $N samples of each kind in $ROUNDS rounds; idle ${IDLE} ms + ${GAP} ms before each"
for ((r = 0; r < ROUNDS; r++)); do
	for ((i = 0; i < PER; i++)); do
		settle "$LOG" "$C" "$R"
		probe "$C" "$W/cold" || broke "cold sample failed (log $LOG)"
	done
	for ((i = 0; i < PER; i++)); do
		settle "$LOG" "$C" "$R"
		probe "$R" "$W/resume" || broke "resume sample failed (log $LOG)"
	done
	settle "$LOG" "$C" "$R"
	"$FO" -n "$PER" -g "$GAP" "${FLOOR_CMD[@]}" |
		awk '{ printf "%.3f %.3f\n", $1 / 1000, $2 / 1000 }' >>"$W/floor" || broke "floor runs failed"
done
syn1=$(synretrans)
grep -E "service $C: up [0-9.]+ ms after" "$LOG" | tail -n "$N" |
	sed -E 's/.* up ([0-9.]+) ms after.*/\1/' >"$W/jitsud-up"
cold_starts=$(b_count "$LOG" "service $C: stopped -> starting")
resumes=$(b_count "$LOG" "service $R: suspended -> running")
r_starts=$(b_count "$LOG" "service $R: stopped -> starting")

printf "  %-46s %8s %8s %8s %8s %5s\n" "ms" p50 p99 min max n
row "jitsu cold: query -> DNS answer" "$W/cold" 1
row "jitsu cold: query -> first HTTP byte" "$W/cold" 2
row "  (jitsud log: wanted -> ready line)" "$W/jitsud-up" 1
row "jitsu resume: query -> DNS answer" "$W/resume" 1
row "jitsu resume: query -> first HTTP byte" "$W/resume" 2
row "floor: QEMU + 1-byte kernel -> first byte" "$W/floor" 1
row "floor: QEMU + 1-byte kernel -> QEMU exited" "$W/floor" 2
echo "  cold starts in the log: $cold_starts stopped -> starting for $((N + 2)) cold queries" \
	"(2 warm-up); resumes: $resumes suspended -> running for $N queries, $r_starts start(s)"
[ "$cold_starts" -eq $((N + 2)) ] || echo "  WARNING: not every cold sample was a cold start"
[ "$resumes" -eq "$N" ] && [ "$r_starts" -eq 1 ] || echo "  WARNING: not every resume sample was a resume"

cp50=$(p50 "$W/cold" 2) cp99=$(p99 "$W/cold" 2)
rp50=$(p50 "$W/resume" 2)
fp50=$(p50 "$W/floor" 1)
paste -d' ' "$W/cold" "$W/jitsud-up" | awk '{ printf "%.3f\n", $2 - $3 }' >"$W/after-ready"
echo "where the time goes (p50): QEMU start to its first guest byte (the floor) $fp50 ms;" \
	"want -> 'uk: ready' $(p50 "$W/jitsud-up" 1) ms; ready -> first byte $(p50 "$W/after-ready" 1) ms"
echo "ratios: jitsu cold / floor p50 $(b_ratio "$cp50" "$fp50")x"
echo "SYN retransmissions during the samples (a figure): $((syn1 - syn0)) for $((2 * N)) first connections"
echo "target cold p50 <= $T_P50 ms ($QACCEL): $cp50 ms: $(verdict "$cp50" $T_P50)"
echo "  (cold p99: $cp99 ms)"
echo "target resume p50 <= $T_RESUME ms: $rp50 ms: $(verdict "$rp50" $T_RESUME)"
b_stop "$JP"

# A Linux guest is not measured: Debian 12's kernels (linux-image-cloud-amd64
# 6.1) build virtio-mmio as a module without CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES,
# so on the acpi=off microvm jitsud runs (the fastest) the guest finds no
# NIC; an ACPI machine and a PVH vmlinux extracted from the bzImage (the
# bzImage itself needs the option ROMs that are off) would be needed.
exit 0
