# tests/lib/lib.sh - helpers for integration tests (bash). Source it.
# Each check prints "ok NAME" or "FAIL NAME: why"; tests/run.sh counts them.
# Every test runs in network namespaces it creates and removes itself.

T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T_BUILD=${T_BUILD:-$T_ROOT/build}
T_FAILS=0

ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: ${2:-}"; T_FAILS=$((T_FAILS + 1)); }
# check NAME CMD...: ok when CMD succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "$*"; fi; }
skip() { echo "skip $1: $2"; }

# t_tmpdir: a private scratch folder removed at exit
t_tmpdir() {
	T_TMP=$(mktemp -d /tmp/jitsu-test.XXXXXX)
	T_CLEANUP+=("rm -rf $T_TMP")
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
