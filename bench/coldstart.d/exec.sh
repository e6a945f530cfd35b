#!/bin/bash
# bench/coldstart.d/exec.sh - `backend = exec`: hello.unix summoned by
# jitsud in its sandbox, DNS query -> first HTTP byte, next to the floor
# (plain fork+exec with the socket inherited) and bubblewrap; then the
# same start among 1,000 running instances. Run by bench/coldstart.
#
# Environment (defaults in brackets):
#   BENCH_N        samples of each kind [50]
#   BENCH_ROUNDS   the kinds take turns, N/ROUNDS samples each, so a
#                  burst of load from elsewhere spreads over all of them [5]
#   BENCH_IDLE_MS  the services' idle; a sample waits for the stop [200]
#   BENCH_GAP_MS   pause after the stop (and between floor samples) [50]
#   BENCH_SCALE    instances for the scale part; 0 skips it [1000]
#   BENCH_SCALE_N  probe samples at 0 and at SCALE running [30]
#   BENCH_SCALE_ROUNDS rounds of the scale part, a fresh jitsud each [3]
#   BENCH_WHERE    1: measure where a start's time goes (cgroup attach) [1]
#   BENCH_NOFILE   jitsud's soft RLIMIT_NOFILE in the scale part (hard
#                  limit unchanged), a usual default; empty: inherit [1024]
#   JITSUD         the binary to measure [build/jitsud]
set -u -o pipefail
. "$(dirname "$0")/../lib.sh"

N=${BENCH_N:-50}
ROUNDS=${BENCH_ROUNDS:-5}
IDLE=${BENCH_IDLE_MS:-200}
GAP=${BENCH_GAP_MS:-50}
SCALE=${BENCH_SCALE:-1000}
SCALE_N=${BENCH_SCALE_N:-30}
SROUNDS=${BENCH_SCALE_ROUNDS:-3}
NOFILE=${BENCH_NOFILE-1024}
JITSUD=${JITSUD:-$T_BUILD/jitsud}
HELLO=$T_BUILD/uk/hello.unix
FB=$T_BUILD/bench/firstbyte
CGA=$T_BUILD/bench/cgattach
ZONE=example.test
# Sandbox cgroups and root folders are named after services and are
# host-wide: a prefix of our own keeps clear of other jitsuds running.
P=cs$$
T_P50=5 T_P99=20 T_RESUME=1 T_SCALE=1.5

[ "$(id -u)" -eq 0 ] || b_die "needs root"
for f in "$JITSUD" "$HELLO" "$FB" "$CGA"; do
	[ -x "$f" ] || b_die "$f not built (make)"
done
command -v kdig >/dev/null || b_die "kdig missing (apt-get install knot-dnsutils)"
HAVE_BWRAP=1
command -v bwrap >/dev/null || { HAVE_BWRAP=0; echo "note: bwrap missing (apt-get install bubblewrap): skipped"; }
[ $((N % ROUNDS)) -eq 0 ] || b_die "BENCH_N ($N) must be a multiple of BENCH_ROUNDS ($ROUNDS)"
PER=$((N / ROUNDS))

busy=$(b_cpu_busy 1)
echo "machine: $(nproc) cpus, ${busy}% busy before the run, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
t_tmpdir
t_netns
W=$T_TMP

# One sample against jitsud: "DNS_MS FIRSTBYTE_MS CPU_MS" appended to
# FILE. CPU_MS (when CPUOF, jitsud's pid, is set) is the CPU time jitsud
# and its instances used during the sample (schedstat): jitsud's share
# of the start plus the new instance's jail, exec and answer. Less
# disturbed by other load than the wall-clock figures.
CPUOF=
probe() {
	local c0= c1= c=0 r
	[ -n "$CPUOF" ] && c0=$(b_cpu_snap "$CPUOF")
	r=$(t_in "$FB" dns 127.0.0.1 "$1.$ZONE") || return 1
	[ -n "$CPUOF" ] && c1=$(b_cpu_snap "$CPUOF") && c=$(b_cpu_delta "$c0" "$c1")
	awk -v r="$r" -v c="$c" -v on="$CPUOF" 'BEGIN { split(r, x)
		printf "%.3f %.3f %s\n", x[1] / 1000, x[2] / 1000, on != "" ? sprintf("%.3f", c / 1e6) : "-" }' >>"$2"
}

# cold_sample S LOG OUT [FROZEN]: query -> first byte of S, stopped.
cold_sample() {
	settle "$2" "$1" "${4:-}"
	probe "$1" "$3" || broke "cold sample of $1 failed (log $2)"
}

# resume_sample S LOG OUT OTHER: the same of S, suspended (OTHER, the
# cold service, stopped meanwhile).
resume_sample() {
	settle "$2" "$4" "$1"
	probe "$1" "$3" || broke "resume sample of $1 failed (log $2)"
}

# spawn_samples OUT ADDR [-P PID] CMD...: floor-style samples.
spawn_samples() {
	local out=$1 addr=$2; shift 2
	local pidopt=()
	[ "$1" = -P ] && { pidopt=(-P "$2"); shift 2; }
	t_in "$FB" spawn -n "$PER" -g $((IDLE + GAP)) "${pidopt[@]}" "$addr" "$@" |
		awk '{ printf "%.3f %.3f\n", $1 / 1000, $2 / 1000 }' >>"$out" ||
		broke "spawn samples failed: $*"
}


# row LABEL FILE K: one line of the report.
row() {
	local s
	s=$(col "$2" "$3" | b_stats)
	printf "  %-44s %8s %8s %8s %8s %5s\n" "$1" $s
}
p50() { col "$1" "$2" | b_stats | cut -d' ' -f1; }
p99() { col "$1" "$2" | b_stats | cut -d' ' -f2; }


# --- part 1: cold, resume, floor, bwrap ---

C=${P}c R=${P}r
cat >"$W/one.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = $ZONE
ttl = 1
; a sample is a start every few hundred ms, past the default start_limit
start_limit = 0

[service $C]
dns = $C.$ZONE
address = 127.77.0.2
image = $HELLO
ports = tcp:80
idle = ${IDLE}ms
stop = destroy
memory = 64M

[service $R]
dns = $R.$ZONE
address = 127.77.0.3
image = $HELLO
ports = tcp:80
idle = ${IDLE}ms
stop = suspend
memory = 64M
CONF
LOG1=$W/jitsud-one.log
b_jitsud JP1 "$LOG1" "$JITSUD" -c "$W/one.conf"
CPUOF=$JP1

BWRAP=(bwrap --unshare-all --die-with-parent --as-pid-1 --new-session
	--cap-drop ALL --ro-bind "$HELLO" /app/hello.unix
	--dev-bind /dev/null /dev/null --tmpfs /tmp --chdir / /app/hello.unix)

# Warm-up, not counted: the first start of each reads the image, the
# first suspension needs a first start.
for i in 1 2; do cold_sample "$C" "$LOG1" "$W/warm" "$R"; done
probe "$R" "$W/warm"
t_in "$FB" spawn -n 2 -g 0 127.77.1.1:80 "$HELLO" >/dev/null 2>&1
[ $HAVE_BWRAP = 1 ] && t_in "$FB" spawn -n 2 -g 0 -P 1 127.77.1.2:80 "${BWRAP[@]}" >/dev/null 2>&1

echo "exec: hello.unix, $N samples of each kind in $ROUNDS rounds; idle ${IDLE} ms + ${GAP} ms before each"
for ((r = 0; r < ROUNDS; r++)); do
	for ((i = 0; i < PER; i++)); do cold_sample "$C" "$LOG1" "$W/cold" "$R"; done
	for ((i = 0; i < PER; i++)); do resume_sample "$R" "$LOG1" "$W/resume" "$C"; done
	settle "$LOG1" "$C" "$R"
	spawn_samples "$W/floor" 127.77.1.1:80 "$HELLO" 2>/dev/null
	[ $HAVE_BWRAP = 1 ] && spawn_samples "$W/bwrap" 127.77.1.2:80 -P 1 "${BWRAP[@]}" 2>/dev/null
done
# What jitsud saw: from the want to the exec done ("up X ms after it was
# wanted"), for the counted starts only.
grep -E "service $C: up [0-9.]+ ms after" "$LOG1" | tail -n "$N" |
	sed -E 's/.* up ([0-9.]+) ms after.*/\1/' >"$W/jitsud-up"
cold_starts=$(b_count "$LOG1" "service $C: stopped -> starting")
resumes=$(b_count "$LOG1" "service $R: suspended -> running")
r_starts=$(b_count "$LOG1" "service $R: stopped -> starting")

printf "  %-44s %8s %8s %8s %8s %5s\n" "ms" p50 p99 min max n
row "jitsu cold: query -> DNS answer" "$W/cold" 1
row "jitsu cold: query -> first HTTP byte" "$W/cold" 2
row "  (jitsud log: wanted -> exec done)" "$W/jitsud-up" 1
row "jitsu resume: query -> DNS answer" "$W/resume" 1
row "jitsu resume: query -> first HTTP byte" "$W/resume" 2
row "floor: fork+exec, inherited socket -> byte" "$W/floor" 1
[ $HAVE_BWRAP = 1 ] && row "bwrap --unshare-all -> first HTTP byte" "$W/bwrap" 1
echo "  CPU time used (schedstat, ms; steadier than the times above on a busy machine):"
row "jitsu cold: jitsud + the new instance" "$W/cold" 3
row "jitsu resume: jitsud + the thawed instance" "$W/resume" 3
row "floor: the child, fork to first byte" "$W/floor" 2
[ $HAVE_BWRAP = 1 ] && row "bwrap: its process tree, fork to first byte" "$W/bwrap" 2
echo "  cold starts in the log: $cold_starts stopped -> starting for $((N + 2)) cold queries" \
	"(2 warm-up); resumes: $resumes suspended -> running for $N queries, $r_starts start(s)"
[ "$cold_starts" -eq $((N + 2)) ] || echo "  WARNING: not every cold sample was a cold start"
[ "$resumes" -eq "$N" ] && [ "$r_starts" -eq 1 ] || echo "  WARNING: not every resume sample was a resume"

cp50=$(p50 "$W/cold" 2) cp99=$(p99 "$W/cold" 2)
cp50_dns=$(p50 "$W/cold" 1)
rp50=$(p50 "$W/resume" 2) rp99=$(p99 "$W/resume" 2)
fp50=$(p50 "$W/floor" 1) fp99=$(p99 "$W/floor" 1)
line="ratios: jitsu/floor p50 $(b_ratio "$cp50" "$fp50")x p99 $(b_ratio "$cp99" "$fp99")x"
if [ $HAVE_BWRAP = 1 ]; then
	bp50=$(p50 "$W/bwrap" 1) bp99=$(p99 "$W/bwrap" 1)
	line="$line; jitsu/bwrap p50 $(b_ratio "$cp50" "$bp50")x p99 $(b_ratio "$cp99" "$bp99")x"
fi
echo "$line"
line="CPU ratios (p50): jitsu/floor $(b_ratio "$(p50 "$W/cold" 3)" "$(p50 "$W/floor" 2)")x"
[ $HAVE_BWRAP = 1 ] && line="$line; jitsu/bwrap $(b_ratio "$(p50 "$W/cold" 3)" "$(p50 "$W/bwrap" 2)")x"
echo "$line"
echo "target cold p50 <= $T_P50 ms: $cp50 ms: $(verdict "$cp50" $T_P50)"
echo "target cold p99 <= $T_P99 ms: $cp99 ms: $(verdict "$cp99" $T_P99)"
echo "target resume p50 <= $T_RESUME ms: $rp50 ms: $(verdict "$rp50" $T_RESUME)"
b_stop "$JP1"
CPUOF=

# --- where a cold start's time goes ---

# Per sample: the first byte after jitsud saw the exec (the app's own
# start, its accept and answer, plus the query's way to jitsud).
paste -d' ' "$W/cold" "$W/jitsud-up" | awk '{ printf "%.3f\n", $2 - $3 }' >"$W/after-exec"
echo "where the time goes (p50 of the cold starts above):"
echo "  query -> DNS answer $cp50_dns ms (the answer leaves before the start: wants act from a" \
	"zero-delay timer after the DNS batch)"
echo "  want -> exec done $(p50 "$W/jitsud-up" 1) ms (jitsud log); exec done -> first byte $(p50 "$W/after-exec" 1) ms" \
	"(the app's start, accept, answer)"

# The cgroup attach of a start, alone: on v1 (and hybrid) hosts the
# sandbox writes the new pid to cgroup.procs; the kernel takes the global
# cgroup_threadgroup_rwsem for writing, which waits for an RCU grace
# period unless another writer passed within the last one. v2 hosts
# clone straight into the cgroup (CLONE_INTO_CGROUP) and skip it.
if [ "${BENCH_WHERE:-1}" = 1 ]; then
	own() { awk -F: -v c="$1" '$2 == c { print $3 }' /proc/self/cgroup; }
	v1=/sys/fs/cgroup/memory$(own memory)/$P-cga
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		v1= v2=/sys/fs/cgroup$(own "")/$P-cga
	elif [ -d /sys/fs/cgroup/unified ]; then
		v2=/sys/fs/cgroup/unified$(own "")/$P-cga
	else
		v2=
	fi
	[ -d "${v1%/*}" ] || v1=
	[ -d "${v2%/*}" ] || v2=
	for d in $v1 $v2; do mkdir -p "$d" && T_CLEANUP+=("rmdir $d"); done
	echo "  the cgroup attach alone (bench/tools/cgattach.c, 20 each; us):"
	printf "  %-44s %8s %8s %8s %8s %5s\n" "us" p50 p99 min max n
	if [ -n "$v1" ]; then
		"$CGA" write -n 20 -g $((IDLE + GAP)) "$v1" >"$W/cga-v1"
		"$CGA" write -n 20 -g 0 "$v1" >"$W/cga-v1-warm"
		row "v1 cgroup.procs write, $((IDLE + GAP)) ms after the last" "$W/cga-v1" 1
		row "v1 cgroup.procs write, back to back" "$W/cga-v1-warm" 1
	fi
	if [ -n "$v2" ]; then
		"$CGA" clone -n 20 -g $((IDLE + GAP)) "$v2" >"$W/cga-v2"
		row "v2 clone3(CLONE_INTO_CGROUP)" "$W/cga-v2" 1
	fi
	"$CGA" fork -n 20 -g 50 >"$W/cga-fork"
	row "plain fork, for scale" "$W/cga-fork" 1
	if [ -n "$v1" ]; then
		g=$(p50 "$W/cga-v1" 1)
		if b_ge "$g" 1000; then
			echo "  => each v1 start waits ~$(awk -v g="$g" 'BEGIN { printf "%.1f", g / 1000 }') ms for an RCU grace" \
				"period in its first cgroup.procs write, with jitsud's event loop blocked (DNS too)."
			echo "     Avoided by: cgroup v2 (CLONE_INTO_CGROUP); favordynmods (cgroup mount option or" \
				"cgroup_favordynmods=1 at boot); or attaching a parked child before the start."
		else
			echo "  => no grace-period wait in cgroup.procs writes on this host (favordynmods, or the" \
				"kernel's per-threadgroup rwsem switched on since boot): v1 starts are as fast as v2."
		fi
	fi
fi

# --- part 2: SCALE instances running ---

[ "$SCALE" -gt 0 ] || { echo "scale part skipped (BENCH_SCALE=0)"; exit 0; }
PR=${P}p
{
	printf "[jitsud]\ndns = 127.0.0.1:53\nzone = %s\nttl = 1\nstart_limit = 0\n\n" "$ZONE"
	printf "[service %s]\ndns = %s.%s\naddress = 127.78.0.1\nimage = %s\n" \
		"$PR" "$PR" "$ZONE" "$HELLO"
	printf "ports = tcp:80\nidle = %sms\nmemory = 64M\n\n" "$IDLE"
	for ((i = 0; i < SCALE; i++)); do
		printf "[service %s%05d]\ndns = %s%05d.%s\naddress = 127.77.%d.%d\n" \
			"$P" "$i" "$P" "$i" "$ZONE" $((1 + i / 250)) $((1 + i % 250))
		printf "image = %s\nports = tcp:80\nidle = 0\nmemory = 64M\n\n" "$HELLO"
	done
} >"$W/scale.conf"
lim=()
[ -n "$NOFILE" ] && lim=(prlimit --nofile="$NOFILE":"$(ulimit -Hn)")
names=()
for ((i = 0; i < SCALE; i++)); do names+=("$P$(printf %05d $i).$ZONE"); done
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# Memory. Instances are jitsud's children. smaps_rollup: Rss counts the
# pages each maps (the static image's text counts in every one), Pss
# shares them out; the memory cgroup (v1 memory.usage_in_bytes, or v2
# memory.current) also holds kernel memory charged to the instance.
memory_report() {
	local jp=$1 mem0=$2 rss_idle=$3 pids ninst rss_all mem1 rss pss anon cg f cgmem=0 ncg=0
	pids=$(pgrep -P "$jp")
	ninst=$(wc -w <<<"$pids")
	rss_all=$(b_vmrss_kb "$jp")
	mem1=$(b_meminfo)
	read -r rss pss anon <<<"$(for p in $pids; do cat /proc/"$p"/smaps_rollup 2>/dev/null; done |
		awk '/^Rss:/ { r += $2 } /^Pss:/ { p += $2 } /^Anonymous:/ { a += $2 }
		     END { print r + 0, p + 0, a + 0 }')"
	for p in $pids; do
		cg=$(awk -F: '$2 == "memory" { print $3 }' /proc/"$p"/cgroup 2>/dev/null)
		f=/sys/fs/cgroup/memory$cg/memory.usage_in_bytes
		if [ -z "$cg" ] || [ ! -r "$f" ]; then
			cg=$(awk -F: '$1 == "0" { print $3 }' /proc/"$p"/cgroup 2>/dev/null)
			f=/sys/fs/cgroup$cg/memory.current
			[ -r "$f" ] || f=/sys/fs/cgroup/unified$cg/memory.current
		fi
		[ -r "$f" ] && { cgmem=$((cgmem + $(cat "$f"))); ncg=$((ncg + 1)); }
	done
	echo "  instances found (jitsud's children): $ninst; jitsud: RSS $rss_all kB with them running" \
		"($rss_idle kB before), $(ls /proc/"$jp"/fd | wc -l) fds"
	awk -v n="$ninst" -v r="$rss" -v p="$pss" -v a="$anon" -v c="$cgmem" -v nc="$ncg" \
	    -v m0="$mem0" -v m1="$mem1" 'BEGIN { if (n == 0) exit
		split(m0, x); split(m1, y)
		printf "  per instance: RSS %.0f kB, PSS %.0f kB, anonymous %.0f kB (smaps_rollup);", r / n, p / n, a / n
		if (nc > 0) printf " memory cgroup %.0f kB;", c / 1024 / nc
		printf "\n  host /proc/meminfo per instance (whole machine, so noisy when shared): MemAvailable %+.0f kB;" \
		    " AnonPages %+.0f, Slab %+.0f, PageTables %+.0f, KernelStack %+.0f kB\n",
		    (y[1] - x[1]) / n, (y[2] - x[2]) / n, (y[3] - x[3]) / n, (y[4] - x[4]) / n, (y[5] - x[5]) / n }'
}

# Rounds, each with a fresh jitsud: probe samples at 0 running, all
# started, probe samples at SCALE running, stop. Load from elsewhere
# then lands on both sides of the ratio alike.
[ $((SCALE_N % SROUNDS)) -eq 0 ] || b_die "BENCH_SCALE_N ($SCALE_N) must be a multiple of BENCH_SCALE_ROUNDS ($SROUNDS)"
SPER=$((SCALE_N / SROUNDS))
echo "scale: $SCALE instances of hello.unix (idle = 0) + 1 probe service; $SCALE_N probe samples at 0 and" \
	"at $SCALE running, in $SROUNDS rounds (a fresh jitsud each)"
efiles=0
for ((r = 1; r <= SROUNDS; r++)); do
	LOG2=$W/jitsud-scale-$r.log
	mem0=$(b_meminfo)
	t0=$(date +%s.%N)
	B_JITSUD_WAIT=120 b_jitsud JP2 "$LOG2" "${lim[@]}" "$JITSUD" -c "$W/scale.conf"
	load=$(since "$t0")
	CPUOF=$JP2
	rss_idle=$(b_vmrss_kb "$JP2")
	if [ $r -eq 1 ]; then
		echo "  jitsud RLIMIT_NOFILE soft/hard $(awk '/^Max open files/ { print $4 "/" $5 }' /proc/"$JP2"/limits)" \
			"(started at ${NOFILE:-the inherited limit}); config with $((SCALE + 1)) services loaded" \
			"and answering in $load s; jitsud RSS $rss_idle kB, $(ls /proc/"$JP2"/fd | wc -l) fds"
	fi
	cold_sample "$PR" "$LOG2" "$W/warm2"
	for ((i = 0; i < SPER; i++)); do cold_sample "$PR" "$LOG2" "$W/at0"; done
	t0=$(date +%s.%N)
	q=$(t_in "$FB" query 127.0.0.1 "${names[@]}")
	b_wait_count 300 "$LOG2" "service $P[0-9]+: starting -> running" "$SCALE" ||
		echo "  WARNING: only $(b_count "$LOG2" "service $P[0-9]+: starting -> running") of $SCALE running after 300 s"
	upt=$(since "$t0")
	up=$(b_count "$LOG2" "service $P[0-9]+: starting -> running")
	failed=$(b_count "$LOG2" "service $P[0-9]+: .* -> failed")
	echo "  round $r: $q; $up of $SCALE running $upt s after the first query; $failed failed"
	if [ $r -eq 1 ]; then
		sleep 1
		memory_report "$JP2" "$mem0" "$rss_idle"
	fi
	for ((i = 0; i < SPER; i++)); do cold_sample "$PR" "$LOG2" "$W/atN"; done
	grep -qiE "too many open files|EMFILE" "$LOG2" && efiles=1
	t0=$(date +%s.%N)
	b_stop "$JP2"
	CPUOF=
	[ $r -eq 1 ] && echo "  jitsud and its $up instances stopped in $(since "$t0") s"
done
printf "  %-44s %8s %8s %8s %8s %5s\n" "ms" p50 p99 min max n
row "probe cold, 0 others running" "$W/at0" 2
row "probe cold, $SCALE others running" "$W/atN" 2
row "  CPU (jitsud + the probe), 0 running" "$W/at0" 3
row "  CPU (jitsud + the probe), $SCALE running" "$W/atN" 3
a0=$(p50 "$W/at0" 2) aN=$(p50 "$W/atN" 2)
ratio=$(b_ratio "$aN" "$a0")
echo "CPU ratio (p50) at $SCALE running / at 0: $(b_ratio "$(p50 "$W/atN" 3)" "$(p50 "$W/at0" 3)")x"
echo "target cold p50 at $SCALE running <= $T_SCALE x at 0: ${ratio}x: $(verdict "$ratio" $T_SCALE)"
[ $efiles = 1 ] && echo "  WARNING: jitsud ran out of file descriptors (see the logs)"
exit 0
