#!/bin/bash
# seccomp: strict kills the process at the first call outside the uk list
# (and only it: the driver goes on to report SIGSYS); default fails the
# dangerous calls with EPERM and lets the process live; none filters
# nothing (the jail still holds without it).
. "$(dirname "$0")/../lib/lib.sh"
. "$T_ROOT/tests/helpers/sandbox_lib.sh"
sbx_setup

sbx -n strict -f strict -- "$SBX_PROBE" say before ptrace say after
check strict-kills-with-sigsys out_has "exit seccomp 31: killed by seccomp (SIGSYS): a system call outside the strict filter"
check strict-ran-until-the-call log_has "before"
check strict-nothing-after bash -c "! grep -q '^after' '$SBX_LOG'"
# the driver (jitsud's side) is not under the filter: it lives to reap
# the child, report it, clean up and exit 0
check driver-survives test "$SBX_RC" = 0

sbx -n strictok -f strict -- "$SBX_PROBE" say fine exit 7
check strict-allows-the-list log_has "fine"
check strict-exit-status out_has "exit exited 7: exited with status 7"

sbx -n strictsock -f strict -- "$SBX_PROBE" connect 127.0.0.1:80
check strict-no-socket-call grep -q '^exit seccomp 31' <<<"$SBX_OUT"

sbx -n deflt -- "$SBX_PROBE" ptrace mount unshare say alive
check default-ptrace-eperm log_has "ptrace=EPERM"
check default-mount-eperm log_has "mount=EPERM"
check default-unshare-eperm log_has "unshare=EPERM"
check default-process-lives log_has "alive"
check default-exits-0 out_has "exit exited 0: exited with status 0"

sbx -n nofilter -f none -- "$SBX_PROBE" ptrace unshare
check none-allows-ptrace log_has "ptrace=ok"
# no filter, yet no nested user namespace: the kernel refuses one inside
# a chroot, and the capabilities for anything else are gone
check chroot-blocks-userns log_has "unshare=EPERM"

sbx -n strictdyn -f strict -- "$SBX_PROBE_DYN" id
check strict-refuses-dynamic-image grep -q "^error: .*strict filter needs a static image" <<<"$SBX_OUT"
check cgroups-removed sbx_cgroups_gone
exit 0
