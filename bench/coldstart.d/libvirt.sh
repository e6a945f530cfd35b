#!/bin/bash
# bench/coldstart.d/libvirt.sh - `backend = libvirt`: hello.vm summoned as
# a transient libvirt domain, DNS query -> first HTTP byte, against the
# qemu backend (QEMU run by jitsud itself) in the same run, and libvirt's
# start path before and after the domain XML tuning (check='none' on the
# guest CPU; JITSU_LIBVIRT_UNTUNED=1 gives libvirt's defaults), and with
# precreate = yes (a paused domain made ahead; the start resumes it). Run
# by bench/coldstart.
#
# One private libvirtd (tests/integration/7x-libvirt.bash: its own mount
# namespace and socket) serves two jitsuds, tuned and untuned; a third
# jitsud runs the qemu backend. The three kinds take turns.
#
# Environment (defaults in brackets):
#   BENCH_N        samples of each kind [20]
#   BENCH_ROUNDS   rounds the kinds take turns in [4]
#   BENCH_IDLE_MS  the services' idle; a sample waits for the stop [300]
#   BENCH_GAP_MS   pause after the stop [100]
#   BENCH_ACCEL    accel = of the services: tcg (the machines DESIGN.md
#                  targets, and where the tuning matters), kvm, auto [tcg]
#   JITSUD         the binary to measure [build/jitsud]
set -u -o pipefail
. "$(dirname "$0")/../lib.sh"
. "$B_ROOT/tests/integration/7x-libvirt.bash"

N=${BENCH_N:-20}
ROUNDS=${BENCH_ROUNDS:-4}
IDLE=${BENCH_IDLE_MS:-300}
GAP=${BENCH_GAP_MS:-100}
ACCEL=${BENCH_ACCEL:-tcg}
JITSUD=${JITSUD:-$T_BUILD/jitsud}
VM=$T_BUILD/uk/hello.vm
FB=$T_BUILD/bench/firstbyte
ZONE=example.test
T_P50=150	# microVM cold start under TCG (DESIGN.md)

[ "$(id -u)" -eq 0 ] || b_die "needs root"
for f in "$JITSUD" "$VM" "$FB"; do
	[ -x "$f" ] || b_die "$f not built (make)"
done
lv_have || b_die "libvirtd/virsh missing (apt-get install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)"
grep -qa "libvirt.so.0" "$JITSUD" || b_die "jitsud built without libvirt (apt-get install libvirt-dev; make)"
command -v qemu-system-x86_64 >/dev/null || b_die "qemu-system-x86_64 missing"
[ $((N % ROUNDS)) -eq 0 ] || b_die "BENCH_N ($N) must be a multiple of BENCH_ROUNDS ($ROUNDS)"
PER=$((N / ROUNDS))
# A broken run keeps its jitsud logs for a look.
broke() {
	echo "bench: $*" >&2
	mkdir -p /tmp/jitsu-bench-libvirt && cp "$W"/*.log /tmp/jitsu-bench-libvirt/ 2>/dev/null &&
		echo "bench: logs kept in /tmp/jitsu-bench-libvirt" >&2
	exit 1
}

busy=$(b_cpu_busy 1)
echo "machine: $(nproc) cpus, ${busy}% busy before the run, load $(cut -d' ' -f1-3 /proc/loadavg)," \
	"kernel $(uname -r), accel = $ACCEL (/dev/kvm $([ -e /dev/kvm ] && echo present || echo absent))"
t_tmpdir
t_netns
W=$T_TMP
lv_daemon h "$T_NS" || b_die "libvirtd did not start"
URI="qemu:///system?socket=$LV_SOCK_h"

# conf KIND DNSADDR: one jitsud's config with one service of that kind.
conf() {
	local k=$1 dns=$2
	printf "[jitsud]\ndns = %s:53\nzone = %s\nttl = 1\nstart_limit = 0\ncontrol = %s/%s.sock\nstate = %s/%s.state\n\n" \
		"$dns" "$ZONE" "$W" "$k" "$W" "$k"
	case $k in
	q)	printf "[service q]\ndns = q.%s\naddress = 10.77.0.2\nbackend = qemu\n" "$ZONE" ;;
	t|u|w)	# each jitsud its own guest network on the shared libvirtd
		local n=$(case $k in t) echo 0;; u) echo 1;; w) echo 2;; esac)
		printf "[host h]\nuri = %s\nnetwork = 169.254.%d.0/24\n\n" "$URI" $((90 + n))
		printf "[service %s]\ndns = %s.%s\naddress = 10.77.0.%d\nbackend = libvirt\nhosts = h\nports = tcp:80\n" \
			"$k" "$k" "$ZONE" $((3 + n))
		[ "$k" = w ] && printf "precreate = yes\n" ;;
	esac
	printf "image = %s\nidle = %sms\nstop = destroy\nmemory = 64M\naccel = %s\n" \
		"$VM" "$IDLE" "$ACCEL"
}
conf q 127.0.0.1 >"$W/q.conf"
conf t 127.0.0.2 >"$W/t.conf"
conf u 127.0.0.3 >"$W/u.conf"
conf w 127.0.0.4 >"$W/w.conf"
b_jitsud JQ "$W/q.log" "$JITSUD" -c "$W/q.conf"
b_jitsud JT "$W/t.log" "$JITSUD" -c "$W/t.conf"
t_bg JU nsenter --net=/run/netns/"$T_NS" env JITSU_LIBVIRT_UNTUNED=1 \
	"$JITSUD" -c "$W/u.conf" 2>"$W/u.log"
t_bg JW nsenter --net=/run/netns/"$T_NS" "$JITSUD" -c "$W/w.conf" 2>"$W/w.log"
for k in t u w; do
	wait_for 30 grep -q "libvirt: host h up" "$W/$k.log" || b_die "jitsud $k: libvirtd not reached (log $W/$k.log)"
done

declare -A DNS=([q]=127.0.0.1 [t]=127.0.0.2 [u]=127.0.0.3 [w]=127.0.0.4)
KINDS="q t u w"

# settle: every service stopped (no instance comes or goes during a
# sample, and the three never boot at once), then GAP ms.
settle() {
	local k n
	for k in $KINDS; do
		n=$(b_count "$W/$k.log" "service $k: (stopped|failed) -> starting")
		b_wait_count 60 "$W/$k.log" "service $k: [a-z]+ -> (stopped|failed) \(" "$n" ||
			broke "$k did not stop (log $W/$k.log)"
		# w: its next paused domain is made (not measured: it is
		# made while nobody waits).
		[ "$k" = w ] && { b_wait_count 60 "$W/w.log" "service w: domain jitsu-w pre-created" $((n + 1)) ||
			broke "w: no pre-created domain (log $W/w.log)"; }
	done
	sleep "$(awk -v g="$GAP" 'BEGIN { print g / 1000 }')"
}

# sample K OUT: "DNS_MS FIRSTBYTE_MS" of a cold start of K. A start
# slower than firstbyte's 5 s (a TCG boot on a machine others load) is
# counted in OUT.slow, not in the figures, and said in the report.
# The SYN retransmissions of each sample go to OUT.syn: a figure (a boot
# longer than the client's 1 s SYN timer retransmits; the held SYN is
# still the one answered, tests/integration/71-libvirt-summon.sh).
sample() {
	local r s0
	settle
	s0=$(synretrans)
	if ! r=$(t_in "$FB" dns "${DNS[$1]}" "$1.$ZONE" 2>>"$W/fb.err"); then
		echo x >>"$2.slow"
		return 0
	fi
	echo $(($(synretrans) - s0)) >>"$2.syn"
	awk -v r="$r" 'BEGIN { split(r, x); printf "%.3f %.3f\n", x[1] / 1000, x[2] / 1000 }' >>"$2"
}

# Warm-up, not counted: the first start reads the image and, for
# libvirt, fills its caches. The qemu backend is another engineer's and
# may be broken in a tree under work: then libvirt is measured alone.
settle
if ! t_in "$FB" dns 127.0.0.1 q.$ZONE >/dev/null 2>&1; then
	echo "note: the qemu backend did not answer (log $W/q.log): not measured in this run"
	KINDS="t u w"
	b_stop "$JQ"
fi
for k in $KINDS; do sample $k "$W/warm"; sample $k "$W/warm"; done

echo "libvirt vs qemu: hello.vm, $N cold samples of each kind in $ROUNDS rounds; idle $IDLE ms + $GAP ms before each"
for ((r = 0; r < ROUNDS; r++)); do
	for k in $KINDS; do
		for ((i = 0; i < PER; i++)); do sample $k "$W/$k.cold"; done
	done
done
settle

row() {
	local s
	s=$(col "$2" "$3" | b_stats)
	printf "  %-52s %8s %8s %8s %8s %5s\n" "$1" $s
}
p50() { col "$1" "$2" | b_stats | cut -d' ' -f1; }
p99() { col "$1" "$2" | b_stats | cut -d' ' -f2; }
# logged K PATTERN: the number after PATTERN in K's log, last N.
logged() {
	grep -oE "service $1: .*$2 [0-9.]+" "$W/$1.log" | tail -n "$N" | awk '{ print $NF }'
}

touch "$W/q.cold"
printf "  %-52s %8s %8s %8s %8s %5s\n" "ms" p50 p99 min max n
row "qemu backend: query -> first HTTP byte" "$W/q.cold" 2
row "libvirt, tuned XML: query -> first HTTP byte" "$W/t.cold" 2
row "libvirt, libvirt's defaults: query -> first HTTP byte" "$W/u.cold" 2
row "libvirt, precreate = yes: query -> first HTTP byte" "$W/w.cold" 2
row "qemu backend: query -> DNS answer" "$W/q.cold" 1
row "libvirt, tuned: query -> DNS answer" "$W/t.cold" 1
echo "  where a libvirt start goes (jitsud's log, last $N starts each):"
for k in t u; do
	lbl=$([ $k = t ] && echo "tuned" || echo "defaults")
	logged $k "started: create" >"$W/$k.create"
	logged $k "console" >"$W/$k.console"
	logged $k "resume" >"$W/$k.resume"
	logged $k "up" >"$W/$k.up"
	row "$lbl: virDomainCreateXML (paused)" "$W/$k.create" 1
	row "$lbl: virDomainOpenConsole" "$W/$k.console" 1
	row "$lbl: virDomainResume" "$W/$k.resume" 1
	row "$lbl: wanted -> ready line (jitsud)" "$W/$k.up" 1
done
logged w "up" >"$W/w.up"
row "precreate: wanted -> ready line (jitsud)" "$W/w.up" 1
logged q "up" >"$W/q.up"
row "qemu backend: wanted -> ready line (jitsud)" "$W/q.up" 1
echo "ratios (query -> first byte): libvirt tuned / qemu p50 $(b_ratio "$(p50 "$W/t.cold" 2)" "$(p50 "$W/q.cold" 2)")x" \
	"p99 $(b_ratio "$(p99 "$W/t.cold" 2)" "$(p99 "$W/q.cold" 2)")x;" \
	"tuned / defaults p50 $(b_ratio "$(p50 "$W/t.cold" 2)" "$(p50 "$W/u.cold" 2)")x" \
	"p99 $(b_ratio "$(p99 "$W/t.cold" 2)" "$(p99 "$W/u.cold" 2)")x;" \
	"precreate / qemu p50 $(b_ratio "$(p50 "$W/w.cold" 2)" "$(p50 "$W/q.cold" 2)")x"
touch "$W/w.cold"
for k in t w; do
	p=$(p50 "$W/$k.cold" 2)
	if b_le "$p" $T_P50; then v=PASS; else v="BELOW TARGET"; fi
	echo "target microVM cold p50 <= $T_P50 ms (set for the qemu backend): libvirt $([ $k = t ] && echo tuned || echo precreate) $p ms: $v"
done
for k in $KINDS; do
	[ -s "$W/$k.cold.syn" ] && echo "  SYN retransmissions (a figure): $k: $(awk '{ t += $1; if ($1 > 0) n++ } END { printf "%d in %d of %d samples", t, n, NR }' "$W/$k.cold.syn")"
done
for k in $KINDS; do
	[ -s "$W/$k.cold.slow" ] && echo "  WARNING: $k: $(wc -l <"$W/$k.cold.slow") of $N samples got no first byte within 5 s (not in the figures)"
	s=$(b_count "$W/$k.log" "service $k: (stopped|failed) -> starting")
	e=$((N + 2)); [ "$k" = q ] && e=$((e + 1))
	[ "$s" -eq "$e" ] || echo "  WARNING: $k: $s starts for $((N + 2)) samples"
	f=$(b_count "$W/$k.log" "service $k: starting -> failed")
	[ "$f" -eq 0 ] || echo "  WARNING: $k: $f failed starts: $(grep -m1 "service $k: failed:" "$W/$k.log")"
done
[ -s "$W/fb.err" ] && echo "  firstbyte said: $(sort "$W/fb.err" | uniq -c | sort -rn | head -3 | paste -sd';')"
[ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp "$W"/*.log "$BENCH_KEEP"/ && echo "  logs kept in $BENCH_KEEP"
exit 0
