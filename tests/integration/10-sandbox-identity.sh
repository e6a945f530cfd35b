#!/bin/bash
# The sandboxed process's identity: uid 0 and pid 1 inside, an
# unprivileged uid outside, no capabilities, no_new_privs, a seccomp
# filter, its own hostname, a clean environment and only its own fds; it
# sits in its own cgroups, which are gone once it has exited.
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

sbx_bg -n ident -- "$SBX_PROBE" id caps host env fds sleep 30 ||
	{ fail identity-start "$(cat "$SBX_OUTF")"; exit 1; }
wait_for 60 grep -q '^fds=' "$SBX_LOG"
st=/proc/$SBX_PID/status
check inside-uid-0-pid-1 log_has "uid=0 gid=0 pid=1 ppid=0 groups=0"
check outside-uid grep -qP "^Uid:\t$SBX_UID\t$SBX_UID\t$SBX_UID\t$SBX_UID$" "$st"
check outside-gid grep -qP "^Gid:\t$SBX_UID\t$SBX_UID\t$SBX_UID\t$SBX_UID$" "$st"
check outside-no-groups grep -qP "^Groups:\t?\s*$" "$st"
check no-capabilities-inside log_has "capeff=000000000 capprm=000000000 capbnd=0"
check no-capabilities-outside grep -qP "^CapEff:\t0000000000000000$" "$st"
check empty-bounding-set grep -qP "^CapBnd:\t0000000000000000$" "$st"
check no-new-privs grep -qP "^NoNewPrivs:\t1$" "$st"
check seccomp-filter grep -qP "^Seccomp:\t2$" "$st"
check nspid-1 grep -qP "^NSpid:\t$SBX_PID\t1$" "$st"
check hostname log_has "hostname=ident"
check clean-env log_has "nenv=1"
check no-listen-env log_has "LISTEN_FDS=(unset)"
check only-std-fds log_has "fds=0,1,2"
for ns in user pid mnt uts ipc net cgroup; do
	check "own-$ns-namespace" test "$(readlink /proc/$SBX_PID/ns/$ns)" != \
	    "$(readlink /proc/self/ns/$ns)"
done
# the memory cgroup path ends in GROUP/NAME, in whatever hierarchy layout
check in-service-cgroup grep -qE "/$SBX_GROUP/ident\$" /proc/$SBX_PID/cgroup
kill "$SBX_DRIVER"; wait "$SBX_DRIVER" 2>/dev/null
check process-gone test ! -e "/proc/$SBX_PID"
check cgroups-removed sbx_cgroups_gone
check root-folder-removed test ! -e "$SBX_ROOTS/ident"

# host-picked uids: one per prepared sandbox, the lowest free one, taken
# back at release; and one live sandbox per name
SBX_OUT=$(t_net "$SBX_RUN" -g "$SBX_GROUP" -r "$SBX_ROOTS" -o /dev/null -x 3 \
    -n picked -- "$SBX_PROBE" id 2>&1)
u1=$(awk '$1 == "uid" && $2 == "x1" { print $3 }' <<<"$SBX_OUT")
u2=$(awk '$1 == "uid" && $2 == "x2" { print $3 }' <<<"$SBX_OUT")
u3=$(awk '$1 == "uid" && $2 == "x3" { print $3 }' <<<"$SBX_OUT")
um=$(awk '$1 == "uid" && $2 == "picked" { print $3 }' <<<"$SBX_OUT")
check uids-distinct test -n "$u1" -a "$u1" != "$u2" -a "$u2" != "$u3" -a "$u1" != "$u3"
check uids-unprivileged test "${u1:-0}" -ge 100000 -a "${u2:-0}" -ge 100000
check uid-reused-after-release test "$um" = "$u1"
check one-sandbox-per-name grep -q '^dup: picked: already prepared' <<<"$SBX_OUT"
check picked-runs grep -q '^exit exited 0' <<<"$SBX_OUT"

# its own view of its cgroups starts at its own (cgroup namespace)
sbx -n cgns -P -- "$SBX_PROBE" cat /proc/self/cgroup
check cgroup-ns-root bash -c "grep -q '^cat 0::/\$' '$SBX_LOG' && ! grep -q '$SBX_GROUP' '$SBX_LOG'"
exit 0
