# bench/lib.sh - helpers for benchmark scripts (bash). Source it.
#
# The plumbing (scratch folder, private network namespace, daemons
# stopped by pid, cleanup at exit) is the integration tests' own
# tests/lib/lib.sh, so a benchmark sets up exactly like a test does; this
# file only adds what measuring needs: medians, ratios, a look at how busy
# the machine already is, and dnsperf's report.

. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/lib.sh"
B_ROOT=$T_ROOT

# The EXIT trap of tests/lib/lib.sh does the cleanup; make ^C and kill
# go through it too, so no daemon or namespace is left behind.
trap 'exit 130' INT
trap 'exit 143' TERM

b_die() { echo "bench: $*" >&2; exit 2; }

# b_bg VAR CMD...: run CMD inside the namespace in the background and
# stop it by pid at exit (t_bg execs it, so the pid is the daemon's own).
b_bg() {
	local var=$1; shift
	t_bg "$var" t_in "$@"
}

# b_stop PID: stop one daemon now (the exit cleanup then finds it gone).
b_stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }

# b_median: the median of the numbers on stdin, one per line.
b_median() {
	sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) exit 1
		  if (NR % 2) print v[(NR + 1) / 2]
		  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# b_ratio A B: A/B with two decimals (empty if B is 0 or missing).
b_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }

# b_ge A B: true when A >= B (decimals).
b_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# b_cpu_busy SECS: percent of all CPUs busy during SECS, i.e. the load
# other people put on a shared machine before we start; a benchmark
# sharing its 2 cores with a build gives lower and noisier figures.
b_cpu_busy() {
	local a b
	a=$(head -1 /proc/stat)
	sleep "$1"
	b=$(head -1 /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x); split(b, y)
		for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d
			if (i == 5 || i == 6) idle += d }
		printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}

# b_field FILE LABEL: the first number after "LABEL:" in a dnsperf report.
b_field() {
	awk -v k="$2:" 'index($0, k) { s = substr($0, index($0, k) + length(k))
		if (match(s, /[0-9.]+/)) { print substr(s, RSTART, RLENGTH); exit } }' "$1"
}

# b_percentiles FILE: "p50 p90 p99" in ms of the latencies in a
# `dnsperf -v` log (lines "> RCODE NAME TYPE SECONDS").
b_percentiles() {
	awk '$1 == ">" { print $NF }' "$1" | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) { print "- - -"; exit }
		  split("50 90 99", p)
		  for (i = 1; i <= 3; i++) { k = int(NR * p[i] / 100 + 0.5)
			if (k < 1) k = 1
			printf "%.3f%s", v[k] * 1000, i < 3 ? " " : "\n" } }'
}

# b_cpu_ns PID...: CPU time in ns used so far by these processes, their
# descendants and all their threads (schedstat: exact, where /proc/PID/stat
# counts 10 ms ticks). NSD answers from a grandchild, jitsud from itself.
b_cpu_ns() {
	local p all=("$@") i=0
	while [ $i -lt ${#all[@]} ]; do
		all+=($(pgrep -P "${all[i]}"))
		i=$((i + 1))
	done
	for p in "${all[@]}"; do cat /proc/"$p"/task/*/schedstat 2>/dev/null; done |
		awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# --- latency samples and jitsud runs (bench/coldstart) ---

# b_stats: "p50 p99 min max n" of the numbers on stdin, one per line,
# with one decimal; p50 and p99 by nearest rank (p99 of 50 samples is
# the largest but one: with few samples it is close to the max).
b_stats() {
	sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) { print "- - - - 0"; exit }
		  k50 = int(NR * 0.50 + 0.999); k99 = int(NR * 0.99 + 0.999)
		  printf "%.1f %.1f %.1f %.1f %d\n", v[k50], v[k99], v[1], v[NR], NR }'
}

# b_le A B: true when A <= B (decimals).
b_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# b_count FILE PATTERN: lines of FILE matching the extended regex.
b_count() { grep -cE -- "$2" "$1" 2>/dev/null || true; }

# b_wait_count SECS FILE PATTERN N: wait until at least N lines of FILE
# match PATTERN (a jitsud log, say); polls every 10 ms.
b_wait_count() {
	local end=$((SECONDS + $1))
	while [ "$(b_count "$2" "$3")" -lt "$4" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.01
	done
}

# b_jitsud VAR LOG CMD...: start CMD (jitsud and its arguments, maybe
# behind prlimit, which execs) inside the namespace with nsenter (which
# keeps /sys/fs/cgroup visible, unlike `ip netns exec`), its stderr into
# LOG; VAR gets the daemon's own pid, stopped at exit. Waits up to
# B_JITSUD_WAIT seconds (30) for its "jitsud ready" line, then checks
# that it answers DNS on 127.0.0.1:53.
b_jitsud() {
	local var=$1 log=$2 pid; shift 2
	t_bg "$var" nsenter --net=/run/netns/"$T_NS" "$@" 2>"$log"
	pid=${!var}
	wait_for "${B_JITSUD_WAIT:-30}" grep -q "jitsud ready" "$log" &&
	    t_in kdig @127.0.0.1 +timeout=2 +retry=0 . SOA >/dev/null ||
		{ tail -5 "$log" >&2; b_die "jitsud did not come up (log $log)"; }
	kill -0 "$pid" 2>/dev/null || { tail -5 "$log" >&2; b_die "jitsud exited"; }
}

# b_meminfo: "MemAvailable AnonPages Slab PageTables KernelStack" in kB.
b_meminfo() {
	awk '{ v[$1] = $2 } END { print v["MemAvailable:"], v["AnonPages:"],
		v["Slab:"], v["PageTables:"], v["KernelStack:"] }' /proc/meminfo
}

# b_vmrss_kb PID: resident set of a process in kB.
b_vmrss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status 2>/dev/null; }

# b_cpu_snap PID: "pid ns" lines, the CPU time so far (schedstat) of PID
# and of each of its children (one awk over all their files: cheap with
# a thousand children). b_cpu_delta BEFORE AFTER: the ns used between
# two snapshots, counting in full a child that appeared meanwhile and
# nothing of one that went.
b_cpu_snap() {
	# shellcheck disable=SC2046
	awk 'BEGIN { for (i = 1; i < ARGC; i++) {	# one gone meanwhile is skipped
		f = "/proc/" ARGV[i] "/schedstat"
		if ((getline l < f) > 0) { split(l, v); print ARGV[i], v[1] }
		close(f) } }' "$1" $(pgrep -P "$1")
}
b_cpu_delta() {
	awk 'NR == FNR { b[$1] = $2; next } { s += $2 - ($1 in b ? b[$1] : 0) }
	     END { printf "%.0f\n", s }' <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

# --- shared by the bench/coldstart.d scripts ---

# broke MSG: a failure in the middle of a run: the benchmark broke
# (exit 1), as opposed to b_die's usage or set-up errors (exit 2).
# A script may define its own (libvirt.sh adds its logs).
broke() { echo "bench: $*" >&2; exit 1; }

# col FILE K: column K of FILE.
col() { awk -v k="$2" '{ print $k }' "$1"; }

# verdict VALUE TARGET: PASS when VALUE <= TARGET.
verdict() { if b_le "$1" "$2"; then echo PASS; else echo "BELOW TARGET"; fi; }

# settle LOG STOPPED [FROZEN]: wait until service STOPPED has no
# instance (every start has its stop in the log) and FROZEN, if given
# and started, is suspended (every start and resume has its
# suspension); then $GAP ms (the caller's GAP). Each sample then meets a quiet jitsud, and
# no instance comes or goes during it.
settle() {
	local log=$1 c=$2 f=${3:-} n
	n=$(b_count "$log" "service $c: stopped -> starting")
	b_wait_count 20 "$log" "service $c: [a-z]+ -> stopped \(" "$n" ||
		broke "$c did not stop (log $log)"
	if [ -n "$f" ]; then
		n=$(( $(b_count "$log" "service $f: suspended -> running") +
		    $(b_count "$log" "service $f: stopped -> starting") ))
		b_wait_count 20 "$log" "service $f: running -> suspended" "$n" ||
			broke "$f was not suspended (log $log)"
	fi
	sleep "$(awk -v g="$GAP" 'BEGIN { print g / 1000 }')"
}

