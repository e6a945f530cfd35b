#!/bin/bash
# tests/run.sh - run every built test and print "N passed, N failed".
#   unit tests          build/tests/test_*
#   ASan+UBSan          build/asan/tests/test_*
#   fuzz corpora        build/fuzz/fuzz_NAME over tests/fuzz/corpus/NAME/
#   integration         tests/integration/*.sh (root; own netns)
#   hostile             tests/hostile/*.sh: one attack each, which must fail
# A binary or script that dies without reporting, runs past its timeout,
# or leaves a sanitizer report counts as a failure; a failure prints the
# end of the test's log (the whole log is kept in build/test-logs/).
usage() {
	cat <<'USAGE'
usage: tests/run.sh [-h] [WORD...]
  Runs the built tests (unit, asan, fuzz-replay, integration, hostile)
  whose kind or file name contains one of the WORDs (all when none is
  given).
  A WORD that matches no test is an error (exit 2).
environment:
  T_TIMEOUT=SECS   a test's time limit (default 600); a script can set
                   its own with a line "# timeout: SECS"
  T_RUN_ROOT=DIR   run the tests of another tree (build/ and tests/ in DIR)
  T_GUARD_STATE, T_GUARD_SOCK   the host paths no test may touch
                   (default /run/jitsu/state and /run/jitsu/jitsud.sock)
  T_GUARD=0|1      whether a change there fails the test that ran
                   (default: 1 for the whole suite, 0 for a selection,
                   which only warns)
USAGE
}
case ${1-} in
-h|--help) usage; exit 0 ;;
-*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
esac

cd "${T_RUN_ROOT:-$(dirname "$0")/..}" || exit 2
T_TIMEOUT=${T_TIMEOUT:-600}
GUARD_STATE=${T_GUARD_STATE:-/run/jitsu/state}
GUARD_SOCK=${T_GUARD_SOCK:-/run/jitsu/jitsud.sock}
# The guard fails the whole suite; a selection (what one edits and
# reruns while other runs may share the host) only warns unless asked.
if [ $# -eq 0 ]; then GUARD=${T_GUARD:-1}; else GUARD=${T_GUARD:-0}; fi
pass=0 failn=0 skipn=0 ran=0
work=$(mktemp -d /tmp/jitsu-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
logdir=build/test-logs
rm -rf "$logdir" && mkdir -p "$logdir" || exit 2
log=$work/log

# Sanitizers write their reports into $work/san (one file per process,
# also for a jitsud a test runs in the background, whose stderr nobody
# reads); a report there fails the test that was running. The caller's
# options win, except where the reports go.
mkdir -m 0777 "$work/san"
chmod 0711 "$work"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:print_legend=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}:log_path=$work/san/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}:log_path=$work/san/ubsan"
[ -f tests/lsan.supp ] &&
	export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# The list of tests: "LABEL<TAB>TIMEOUT<TAB>KIND<TAB>PATH" lines.
tests=()
add() { tests+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }
script_timeout() {	# the "# timeout: N" line of a script, or the default
	local t
	t=$(sed -n 's/^# timeout: *\([0-9][0-9]*\) *$/\1/p' "$1" | head -n 1)
	echo "${t:-$T_TIMEOUT}"
}
for t in build/tests/test_*; do
	[ -x "$t" ] && add "unit $(basename "$t")" "$T_TIMEOUT" bin "$t"
done
for t in build/asan/tests/test_*; do
	[ -x "$t" ] && add "asan $(basename "$t")" "$T_TIMEOUT" bin "$t"
done
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f"); n=${n#fuzz_}
	[ -d "tests/fuzz/corpus/$n" ] && add "fuzz-replay $n" "$T_TIMEOUT" fuzz "$f"
done
for t in tests/integration/*.sh tests/hostile/*.sh; do
	[ -f "$t" ] && add "$(basename "$t" .sh)" "$(script_timeout "$t")" script "$t"
done

# Selection: a WORD picks the tests whose label or path contains it
# ("unit", "asan", "fuzz", "integration", "hostile", "dns", "60-");
# every WORD must pick one, so a typo is an error, never a green
# "0 passed".
sel=()
for w in "$@"; do
	hit=0
	for e in "${tests[@]}"; do
		IFS=$'\t' read -r l _ _ p <<<"$e"
		[[ "$l $p" == *"$w"* ]] && hit=1 && break
	done
	[ $hit -eq 1 ] || { echo "run.sh: no test matches \"$w\"" >&2; usage >&2; exit 2; }
done
for e in "${tests[@]}"; do
	IFS=$'\t' read -r l _ _ p <<<"$e"
	if [ $# -eq 0 ]; then sel+=("$e"); continue; fi
	for w in "$@"; do [[ "$l $p" == *"$w"* ]] && { sel+=("$e"); break; }; done
done
if [ ${#sel[@]} -eq 0 ]; then
	echo "run.sh: no built tests in $PWD (run make all first)" >&2
	exit 2
fi

# guard_sig: what a test may not change on the host: the names in the
# state folder and its mtime (a file made and removed again moves it),
# and the default control socket (a new one has a new ctime).
guard_sig() {
	if [ -d "$GUARD_STATE" ]; then
		echo "state $(stat -c '%i %y' "$GUARD_STATE") $(ls -A "$GUARD_STATE" | tr '\n' ' ')"
	else
		echo "state absent"
	fi
	if [ -e "$GUARD_SOCK" ]; then
		# inode and ctime: a new socket can reuse the old inode number
		echo "socket $(stat -c '%i %z' "$GUARD_SOCK")"
	else
		echo "socket absent"
	fi
}

# watchdog PID SECS: SIGTERM to the test's shell after SECS, and only to
# it: its EXIT trap then stops the daemons it started by pid (a second
# signal during that trap would cut the cleanup short). Its whole group
# gets SIGKILL 20 s later. A session of its own, so that when the test
# ends first the watchdog and its sleep go together (unwatchdog).
watchdog() {
	setsid bash -c 'sleep "$2" || exit 0; : >"$3"; kill -TERM "$1" || exit 0
	    sleep 20; kill -KILL -- "-$1"' _ "$1" "$2" "$work/timedout" \
	    </dev/null >/dev/null 2>&1 &
	WD=$!
}
unwatchdog() {	# before its setsid the group does not exist yet
	kill -KILL -- "-$WD" 2>/dev/null || kill -KILL "$WD" 2>/dev/null
	wait "$WD" 2>/dev/null
}

run_one() {	# run_one LABEL TIMEOUT CMD...
	local label=$1 secs=$2; shift 2
	local t0=$SECONDS rc p f s g0 g1 why=
	g0=$(guard_sig)
	rm -f "$work"/san/*
	rm -f "$work/timedout"
	# A session of its own, so what the test leaves behind can be found.
	setsid "$@" >"$log" 2>&1 </dev/null &
	local pid=$!
	watchdog "$pid" "$secs"
	wait "$pid"
	rc=$?
	unwatchdog
	# Whatever is left in its group (a foreground command its shell
	# did not wait for after a timeout) goes too.
	kill -KILL -- "-$pid" 2>/dev/null
	g1=$(guard_sig)
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	s=$(grep -c '^skip ' "$log")
	grep -E '^(FAIL|skip) ' "$log" | sed "s|^|  $label: |"
	if [ -e "$work/timedout" ]; then
		why="timed out after $secs s"
	elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exit status $rc without a failed check"
	fi
	local san=
	if [ -n "$(ls -A "$work/san")" ]; then
		why="${why:+$why; }sanitizer report"
		san=$(for r in "$work"/san/*; do echo "--- $(basename "$r")"; cat "$r"; done)
		rm -f "$work"/san/*
	fi
	if [ "$g0" != "$g1" ]; then
		local msg="the host's $GUARD_STATE or $GUARD_SOCK changed while it ran"
		printf -- '--- host paths changed\nbefore: %s\nafter:  %s\n' "$g0" "$g1" >>"$log"
		if [ "$GUARD" = 1 ]; then
			why="${why:+$why; }$msg"
		else
			echo "  $label: warning: $msg (a failure with T_GUARD=1)"
		fi
	fi
	if [ -n "$why" ]; then
		echo "  $label: FAIL $why"
		f=$((f + 1))
	fi
	if [ "$f" -gt 0 ]; then
		local keep
		keep=$logdir/$(tr ' /' '__' <<<"$label").log
		echo "  $label: last lines of $keep:"
		tail -n 25 "$log" | sed 's/^/    /'
		if [ -n "$san" ]; then
			echo "  $label: sanitizer reports (whole in $keep):"
			head -n 30 <<<"$san" | sed 's/^/    /'
			printf '%s\n' "$san" >>"$log"
		fi
		cp "$log" "$keep"
	fi
	pass=$((pass + p)); failn=$((failn + f)); skipn=$((skipn + s))
	ran=$((ran + 1))
	printf '%-48s %3d ok %3d failed %3ds\n' "$label" "$p" "$f" $((SECONDS - t0))
}

for e in "${sel[@]}"; do
	IFS=$'\t' read -r label secs kind p <<<"$e"
	case $kind in
	bin)	run_one "$label" "$secs" "$p" ;;
	fuzz)	n=${label#fuzz-replay }
		d=tests/fuzz/corpus/$n
		# -runs=0 replays each input once; a crash's report and
		# its reproducer stay in the log (the artifact in $work).
		run_one "$label" "$secs" bash -c '"$1" -runs=0 -artifact_prefix="$2/" "$3" &&
		    echo "ok replay-$4 ($(ls "$3" | wc -l) inputs)"' _ "$p" "$work" "$d" "$n" ;;
	script)	run_one "$label" "$secs" bash "$p" ;;
	esac
done
echo
echo "$pass passed, $failn failed, $skipn skipped ($ran tests)"
[ "$failn" -eq 0 ]
