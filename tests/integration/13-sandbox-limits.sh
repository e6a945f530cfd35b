#!/bin/bash
# cgroup limits: memory (the OOM kill is reported as such), pids, cpu.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

sbx -n mem -m 32M -- "$SBX_PROBE" alloc 200
check oom-killed out_has "exit oom 9: killed by the OOM killer (memory limit 32768 KiB)"
check oom-before-200M bash -c "! grep -q '^alloc=200' '$SBX_LOG'"

sbx -n memok -m 64M -- "$SBX_PROBE" alloc 16
check within-limit-runs log_has "alloc=16"
check within-limit-exits out_has "exit exited 0: exited with status 0"

sbx -n pids -p 8 -- "$SBX_PROBE" fork 20
check pids-limit log_has "forked=7 err=EAGAIN"

# the limits as the kernel holds them, read while it runs
sbx_bg -n lims -m 48M -p 16 -c 250 -- "$SBX_PROBE" sleep 30 ||
	{ fail limits-start "$(cat "$SBX_OUTF")"; exit 1; }
mem=$(sbx_cgroup memory); pids=$(sbx_cgroup pids); cpu=$(sbx_cgroup cpu)
if [ -f "$mem/memory.limit_in_bytes" ]; then
	check memory-limit-v1 grep -qx 50331648 "$mem/memory.limit_in_bytes"
	check cpu-quota-v1 grep -qx 25000 "$cpu/cpu.cfs_quota_us"
	check cpu-period-v1 grep -qx 100000 "$cpu/cpu.cfs_period_us"
else
	check memory-limit-v2 grep -qx 50331648 "$mem/memory.max"
	check cpu-max-v2 grep -qx "25000 100000" "$cpu/cpu.max"
fi
check pids-max grep -qx 16 "$pids/pids.max"
check pid-in-memory-cgroup grep -qx "$SBX_PID" "$mem/cgroup.procs"
kill "$SBX_DRIVER"; wait "$SBX_DRIVER" 2>/dev/null
check cgroups-removed sbx_cgroups_gone
exit 0
