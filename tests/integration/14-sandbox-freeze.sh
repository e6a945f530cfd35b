#!/bin/bash
# Freezing a sandboxed process (cgroup freezer): it stops making progress
# and the freezer says FROZEN; thawed, it goes on; killed while frozen, it
# dies (a v1-frozen task cannot act on SIGKILL until thawed: the library
# thaws it).
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

SBX_LOG=$T_TMP/tick.log
sbx_interactive -n freeze -- "$SBX_PROBE" tick
sbx_await "exec ok" || { fail freeze-start "no exec"; exit 1; }
wait_for 60 grep -q '^tick 2' "$SBX_LOG" || fail ticking "no ticks"
check freeze-completes sbx_freeze
check freezer-state-frozen test "$(frozen_state)" = FROZEN
n1=$(ticks); sleep 0.3; n2=$(ticks)
check no-progress-while-frozen test "$n1" = "$n2"
check thaw test "$(sbx_ask thaw)" = thawed
check freezer-state-thawed test "$(frozen_state)" = THAWED
check progress-after-thaw wait_for 60 ticks_above "$n2"
check refreeze sbx_freeze
check kill-while-frozen test "$(sbx_ask 'kill 9')" = killed
check dies-while-frozen sbx_await "exit signaled 9: killed by signal 9 (KILL)"
sbx_quit
check cgroups-removed sbx_cgroups_gone
exit 0
