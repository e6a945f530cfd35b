#!/bin/bash
# The cgroup v2 path (most users' hosts). Here, on a hybrid host, it runs
# on the unified hierarchy, which has no limit controllers: placement by
# clone3 CLONE_INTO_CGROUP, cgroup.freeze, cgroup.kill, and a clear refusal
# of limits the hierarchy cannot enforce. Where controllers are delegated,
# the limits themselves are checked.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup
grep -q ' - cgroup2 ' /proc/self/mountinfo || { skip cgroup2 "no cgroup2 mount"; exit 0; }

SBX_LOG=$T_TMP/tick.log
sbx_interactive -2 -n v2 -- "$SBX_PROBE" tick
sbx_await "exec ok" || { fail v2-start "$(cat "$SBX_OUTF")"; exit 1; }
dir=$(sbx_cgroup freezer)
pid=$(awk '$1 == "pid" { print $2 }' "$SBX_OUTF")
check v2-folder test -f "$dir/cgroup.events"
check placed-by-clone3 grep -qx "$pid" "$dir/cgroup.procs"
check proc-cgroup-v2 grep -qE "^0::.*/$SBX_GROUP/v2\$" /proc/$pid/cgroup
wait_for 60 grep -q '^tick 2' "$SBX_LOG" || fail ticking "no ticks"
check v2-freeze sbx_freeze
check v2-events-frozen grep -qx "frozen 1" "$dir/cgroup.events"
n1=$(ticks); sleep 0.3; n2=$(ticks)
check v2-no-progress-while-frozen test "$n1" = "$n2"
check v2-thaw test "$(sbx_ask thaw)" = thawed
check v2-events-thawed grep -qx "frozen 0" "$dir/cgroup.events"
check v2-progress-after-thaw wait_for 60 ticks_above "$n2"
check v2-kill test "$(sbx_ask 'kill 9')" = killed
check v2-dies sbx_await "exit signaled 9: killed by signal 9 (KILL)"
sbx_quit

parent=$(dirname "$dir")
if grep -qw memory "$parent/cgroup.subtree_control" 2>/dev/null; then
	sbx_bg -2 -n v2lim -m 48M -p 16 -c 250 -- "$SBX_PROBE" sleep 30 ||
		fail v2-limits-start "$(cat "$SBX_OUTF")"
	d=$(sbx_cgroup memory)
	check v2-memory-max grep -qx 50331648 "$d/memory.max"
	check v2-pids-max grep -qx 16 "$d/pids.max"
	check v2-cpu-max grep -qx "25000 100000" "$d/cpu.max"
	kill "$SBX_DRIVER"; wait "$SBX_DRIVER" 2>/dev/null
	sbx -2 -n v2oom -m 32M -- "$SBX_PROBE" alloc 200
	check v2-oom-killed grep -q '^exit oom 9' <<<"$SBX_OUT"
else
	sbx -2 -n v2lim -m 32M -- "$SBX_PROBE" id
	check v2-limit-refused grep -q "^error: memory limit: .*memory.max" <<<"$SBX_OUT"
	check v2-refused-nothing-ran test ! -s "$SBX_LOG"
fi
check cgroups-removed sbx_cgroups_gone
exit 0
