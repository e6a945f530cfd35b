# tests/lib/lib.sh - helpers for integration tests (bash). Source it.
# Each check prints "ok NAME" or "FAIL NAME: why"; tests/run.sh counts them.
# Every test runs in network namespaces it creates and removes itself.

T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T_BUILD=${T_BUILD:-$T_ROOT/build}
# The jitsud under test: scripts/run-tests points this at the ASan+UBSan
# build (build/asan/jitsud) for the integration tests.
T_JITSUD=${T_JITSUD:-$T_BUILD/jitsud}
T_FAILS=0

ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: ${2:-}"; T_FAILS=$((T_FAILS + 1)); }
# check NAME CMD...: ok when CMD succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "$*"; fi; }
skip() { echo "skip $1: $2"; }

# t_tmpdir: a private scratch folder removed at exit
t_tmpdir() {
	T_TMP=$(mktemp -d /tmp/jitsu-test.XXXXXX)
	T_CLEANUP+=("rm -rf $T_TMP" "t_cgroups_rm")
}

# t_cgroups: the cgroup folders of this run's jitsuds (t_private's names).
# t_cgroups_rm removes the empty ones, deepest first: a test that kills
# jitsud with SIGKILL leaves its instances' folders behind, and the run
# must not leave anything in the host's hierarchy.
t_cgroups() {
	find /sys/fs/cgroup -maxdepth 8 -depth -type d \( -name "jitsu-t$$" \
	    -o -name "jitsu-t$$-*" -o -path "*/jitsu-t$$/*" \
	    -o -path "*/jitsu-t$$-*/*" \) 2>/dev/null
}
t_cgroups_rm() {
	local d
	t_cgroups | while read -r d; do rmdir "$d" 2>/dev/null; done
	return 0
}

# t_private [NAME]: print the [jitsud] lines that keep a test's jitsud
# off the host's own paths: a control socket, state and run folders of
# its own under T_TMP, and a cgroup name no other run uses. Call t_tmpdir
# first; put the output in the config's [jitsud] section. A test with a
# second jitsud gives it a NAME: its paths go under T_TMP/NAME (socket
# T_TMP/NAME/jitsud.sock) and its cgroup gets NAME appended.
t_private() {
	local d=$T_TMP cg=jitsu-t$$
	# The sandbox's uids walk the run folder's path into their roots:
	# searchable (0711), not listable or writable.
	chmod 0711 "$T_TMP"
	if [ -n "${1:-}" ]; then
		d=$T_TMP/$1 cg=$cg-$1
		mkdir -p -m 0711 "$d"
	fi
	mkdir -p -m 0700 "$d/state"
	mkdir -p -m 0711 "$d/run"
	printf 'control = %s\nstate = %s\nrun = %s\ncgroup = %s\n' \
	    "$d/jitsud.sock" "$d/state" "$d/run" "$cg"
}

# t_first_syn_only: in T_NS, drop every retransmitted SYN (the same
# 4-tuple's second SYN and later), so a connection can only be made by
# its first SYN. A held first connection then proves it was held and
# delivered, whatever the boot takes; one whose first SYN was lost fails
# instead of being rescued by a retransmission. t_syn_dropped prints how
# many retransmissions the rule dropped (a figure, not a verdict).
t_first_syn_only() {
	t_in iptables -w -A OUTPUT -p tcp --syn -m hashlimit \
	    --hashlimit-above 1/hour --hashlimit-burst 1 \
	    --hashlimit-mode srcip,srcport,dstip,dstport \
	    --hashlimit-name jitsu-first-syn -j DROP
}
t_syn_dropped() {
	t_in iptables -w -L OUTPUT -v -n -x | awk '/jitsu-first-syn|srcip-srcport-dstip-dstport/ { print $1; exit }'
}

# t_netns: create a fresh network namespace with loopback up; sets T_NS.
# Everything run through `t_in` happens inside it.
t_netns() {
	T_NS=jitsu-t$$-$RANDOM
	ip netns add "$T_NS" || { echo "FAIL setup: ip netns add"; exit 1; }
	ip -n "$T_NS" link set lo up
	T_CLEANUP+=("ip netns del $T_NS")
}
# nsenter, not `ip netns exec`: the latter remounts /sys for the
# namespace, which hides /sys/fs/cgroup from jitsud's sandbox.
t_in() { nsenter --net=/run/netns/"$T_NS" "$@"; }

# t_bg NAME CMD...: start CMD in the background, remember its pid so the
# cleanup stops it by pid.
t_bg() {
	local var=$1; shift
	# Run "t_in CMD" as `nsenter ... CMD` directly (it execs, so $!
	# is the daemon's own pid, not a subshell's that a signal would kill).
	if [ "$1" = t_in ]; then shift; set -- nsenter --net=/run/netns/"$T_NS" "$@"; fi
	"$@" &
	local pid=$!
	printf -v "$var" '%s' "$pid"
	T_CLEANUP+=("kill $pid 2>/dev/null; wait $pid 2>/dev/null")
}

t_cleanup() {
	local i
	for ((i=${#T_CLEANUP[@]}-1; i>=0; i--)); do eval "${T_CLEANUP[$i]}" || true; done
	T_CLEANUP=()
}
T_CLEANUP=()
trap t_cleanup EXIT

# wait_for SECS CMD...: poll CMD every 20 ms until it succeeds
wait_for() {
	local secs=$1; shift
	local end=$((SECONDS + secs))
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.02
	done
}

# synretrans: the namespace's count of retransmitted SYNs (a first
# connection that was not held would show here).
synretrans() { t_in nstat -az TcpExtTCPSynRetrans | awk '/TcpExtTCPSynRetrans/ { print $2 }'; }

# t_clients VAR SECS OUT ADDR...: in the background, GET http://ADDR/
# from inside the namespace, each ADDR in turn every 20 ms for SECS,
# counting answers without "hello"; writes "REQUESTS FAILURES" to OUT
# at the end. VAR gets the loop's pid, to wait for.
t_clients() {
	local var=$1 secs=$2 out=$3; shift 3
	(
		fails=0 n=0
		end=$((SECONDS + secs))
		while [ $SECONDS -lt $end ]; do
			for a in "$@"; do
				n=$((n + 1))
				nsenter --net=/run/netns/"$T_NS" curl -s -m 3 "http://$a/" |
				    grep -q hello || fails=$((fails + 1))
			done
			sleep 0.02
		done
		echo "$n $fails" >"$out"
	) &
	printf -v "$var" '%s' "$!"
}

# t_clients_until VAR STOP OUT ADDR...: like t_clients, but runs until the
# file STOP exists, and keeps "REQUESTS FAILURES" in OUT up to date after
# every request, so a test can wait for progress (t_clients_past OUT N)
# instead of sleeping. VAR gets the loop's pid.
t_clients_until() {
	local var=$1 stop=$2 out=$3; shift 3
	echo "0 0" >"$out"
	(
		fails=0 n=0
		while [ ! -e "$stop" ]; do
			for a in "$@"; do
				n=$((n + 1))
				nsenter --net=/run/netns/"$T_NS" curl -s -m 10 "http://$a/" |
				    grep -q hello || fails=$((fails + 1))
				echo "$n $fails" >"$out.new" && mv "$out.new" "$out"
			done
			sleep 0.02
		done
	) &
	printf -v "$var" '%s' "$!"
	T_CLEANUP+=("touch $stop; wait $! 2>/dev/null")
}
# t_clients_past OUT N: the client loop writing OUT has made more than N
# requests (re-read on every call, so wait_for can poll it)
t_clients_past() { local n; read -r n _ <"$1" && [ "$n" -gt "$2" ]; }

# t_jitsud LOG: start $T_JITSUD on $T_TMP/j.conf (whose [jitsud] has the
# t_private lines) in T_NS, its log in LOG, its pid in JPID; waits until
# it answers the control socket (60 s: a safety net). t_ctl runs jitsuctl
# on that socket; t_field NAME KEY prints one field of `status NAME`.
t_jitsud() {
	rm -f "$T_TMP/jitsud.sock"
	t_bg JPID t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>>"$1"
	wait_for 60 t_ctl list ||
		{ fail start "jitsud did not come up"; tail -n 20 "$1"; exit 1; }
}
t_ctl() { "$T_BUILD/jitsuctl" -s "$T_TMP/jitsud.sock" -w 120 "$@"; }
t_field() { t_ctl status "$1" 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }'; }
