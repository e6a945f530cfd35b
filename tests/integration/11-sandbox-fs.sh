#!/bin/bash
# The file system a sandboxed process sees: only the image and device
# nodes (plus the host's libraries for a dynamic image), all read-only; a
# private /tmp; /proc of its own pid namespace when asked for.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

sbx -n fs -- "$SBX_PROBE" ls / ls /app ls /dev ls /tmp write /x write /app/x \
    write /dev/x write /tmp/x ls /tmp
check static-root-is-minimal log_has "ls /=app,dev,tmp"
check image-only-in-app log_has "ls /app=sandbox_probe"
check dev-nodes log_has "ls /dev=full,null,random,urandom,zero"
check root-read-only log_has "write /x=EROFS"
check image-read-only log_has "write /app/x=EROFS"
check dev-read-only log_has "write /dev/x=EROFS"
check tmp-starts-empty log_has "ls /tmp="
check tmp-writable log_has "write /tmp/x=ok"
check tmp-holds-file log_has "ls /tmp=x"
check exit-status out_has "exit exited 0: exited with status 0"

# the root holds: ".." of it is itself, and the mount table shows only the
# sandbox's own mounts, none of the host's
sbx -n fsesc -P -- "$SBX_PROBE" ls /.. ls /app/.. ls /dev/../.. cat /proc/self/mountinfo
check dotdot-is-root log_has "ls /..=app,dev,proc,tmp"
check dotdot-from-bind-is-root log_has "ls /app/..=app,dev,proc,tmp"
check dotdot-twice-is-root log_has "ls /dev/../..=app,dev,proc,tmp"
points=$(awk '$1 == "cat" { print $6 }' "$SBX_LOG" | sort | tr '\n' ' ')
check only-own-mounts test "$points" = "/ /app/sandbox_probe /dev/full /dev/null /dev/random /dev/urandom /dev/zero /proc /tmp "

# a second start gets a fresh /tmp
sbx -n fs -- "$SBX_PROBE" ls /tmp
check tmp-private-per-start log_has "ls /tmp="

sbx -n fsproc -P -- "$SBX_PROBE" ls / ls /proc/1 write /proc/x id
check proc-mounted log_has "ls /=app,dev,proc,tmp"
check proc-shows-own-pid-ns bash -c "grep '^ls /proc/1=' '$SBX_LOG' | grep -q cmdline"
sbx -n fsproc -P -- "$SBX_PROBE" ls /proc
check proc-only-pid-1 bash -c "sed -n 's/^ls \\/proc=//p' '$SBX_LOG' | tr , '\\n' | grep '^[0-9]*\$' | tr -d '\\n' | grep -qx 1"

# a dynamically linked image gets the host's libraries, read-only
sbx -n fsdyn -- "$SBX_PROBE_DYN" ls / write /usr/x id
check dynamic-image-runs log_has "uid=0 gid=0 pid=1 ppid=0 groups=0"
check dynamic-root-has-libs bash -c "grep '^ls /=' '$SBX_LOG' | grep -q usr"
check libs-read-only log_has "write /usr/x=EROFS"
# skeletons on a tmpfs private to the driver's own mount namespace
sbx_bg -n fstmpfs -M -- "$SBX_PROBE" ls / sleep 30 ||
	fail tmpfs-rundir-start "$(cat "$SBX_OUTF")"
wait_for 60 grep -q '^ls /=' "$SBX_LOG"
check tmpfs-rundir-works log_has "ls /=app,dev,tmp"
check tmpfs-rundir-private bash -c "! grep -q ' $SBX_ROOTS ' /proc/self/mountinfo"
check tmpfs-rundir-in-driver grep -q " $SBX_ROOTS .* - tmpfs " /proc/$SBX_DRIVER/mountinfo
kill "$SBX_DRIVER"; wait "$SBX_DRIVER" 2>/dev/null
check cgroups-removed sbx_cgroups_gone
exit 0
