#!/bin/bash
# Freezing a sandboxed process (cgroup freezer): it stops making progress
# and the freezer says FROZEN; thawed, it goes on; killed while frozen, it
# dies.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

ticks() { grep -c '^tick' "$SBX_LOG"; }
frozen_state() {
	local f
	f=$(sbx_cgroup freezer)
	if [ -f "$f/freezer.state" ]; then cat "$f/freezer.state"
	else sed -n 's/^frozen 1$/FROZEN/p; s/^frozen 0$/THAWED/p' "$f/cgroup.events"; fi
}

# the driver, reading commands from us
run_freeze() {
	coproc SBXI { exec nsenter --net=/run/netns/"$T_NS" "$SBX_RUN" -i \
	    -t 60 -g "$SBX_GROUP" -r "$SBX_ROOTS" -u "$SBX_UID" \
	    -o "$SBX_LOG" -- "$SBX_PROBE" tick; }
	T_CLEANUP+=("kill $SBXI_PID 2>/dev/null; wait $SBXI_PID 2>/dev/null")
	SBX_OUTF=$T_TMP/driver.freeze
	: >"$SBX_OUTF"
}
# ask CMD: sends a command, returns its answer line
ask() {
	local line
	echo "$1" >&"${SBXI[1]}"
	while read -r -t 10 line <&"${SBXI[0]}"; do
		echo "$line" >>"$SBX_OUTF"
		case $line in pid*|cgroup*|exec*) continue;; esac
		echo "$line"
		return 0
	done
	return 1
}
# read the driver's lines until one matches PATTERN
await() {
	local line
	while read -r -t 10 line <&"${SBXI[0]}"; do
		echo "$line" >>"$SBX_OUTF"
		[[ $line == $1 ]] && return 0
	done
	return 1
}

SBX_LOG=$T_TMP/tick.log
run_freeze
await "exec ok" || { fail freeze-start "no exec"; exit 1; }
wait_for 10 grep -q '^tick 2' "$SBX_LOG" || fail ticking "no ticks"
a=$(ask freeze)
for i in $(seq 50); do [ "$a" = frozen ] || [ "$a" = "frozen 1" ] && break; sleep 0.02; a=$(ask frozen); done
check freeze-completes test "$a" = frozen -o "$a" = "frozen 1"
check freezer-state-frozen test "$(frozen_state)" = FROZEN
n1=$(ticks); sleep 0.3; n2=$(ticks)
check no-progress-while-frozen test "$n1" = "$n2"
check thaw test "$(ask thaw)" = thawed
check freezer-state-thawed test "$(frozen_state)" = THAWED
check progress-after-thaw wait_for 10 test "$(ticks)" -gt "$n2"
a=$(ask freeze)
for i in $(seq 50); do [ "$(ask frozen)" = "frozen 1" ] && break; sleep 0.02; done
check kill-while-frozen test "$(ask 'kill 9')" = killed
check dies-while-frozen await "exit signaled 9: killed by signal 9 (KILL)"
echo quit >&"${SBXI[1]}"
wait "$SBXI_PID" 2>/dev/null
check cgroups-removed sbx_cgroups_gone
exit 0
