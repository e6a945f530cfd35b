#!/bin/bash
# The sandbox of a process jitsud itself started (tests 10-17 drive the
# sandbox library through tests/helpers/sandbox_run; this is the real
# exec backend). tests/apps/sbxreport, run as an exec service, reports
# what it sees inside; the test looks at the same process from outside:
# uids, namespaces, seccomp mode, no_new_privs, capabilities, cgroup and
# its limits, mounts, environment and descriptors. A `sandbox = none`
# service shows the seccomp checks can tell a filter from none.
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
R=$T_BUILD/tests/apps/sbxreport
[ -x "$R" ] || { fail build "$R missing (make tests)"; exit 1; }
GROUP=jitsu-t$$		# the cgroup name t_private gives

svc() {	# svc NAME LAST-OCTET EXTRA-LINES
	printf '[service %s]\ndns = %s.example.test\naddress = 127.77.12.%s\nimage = %s\nports = tcp:80\nidle = 0\n%s\n\n' \
	    "$1" "$1" "$2" "$R" "$3"
}
{
	printf '[jitsud]\n%s\ndns = 127.0.0.1:53\nzone = example.test\n\n' "$(t_private)"
	svc rep 1 'memory = 48M
pids = 16
cpu = 25'
	svc rep2 2 ''
	svc repnone 3 'sandbox = none'
} >"$T_TMP/j.conf"
LOG=$T_TMP/jitsud.log
t_jitsud "$LOG"
for s in rep rep2 repnone; do
	t_ctl start "$s" >/dev/null
	wait_for 60 grep -q "^.* $s: report done" "$LOG" ||
		{ fail "$s-report" "no report"; sed 's/^/  log: /' "$LOG" | tail -n 20; exit 1; }
done
# said NAME LINE: the service printed exactly LINE
said() { grep -q "^[0-9:.]* $1: $2\$" "$LOG"; }
st() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
pid=$(t_field rep pid); pid2=$(t_field rep2 pid); pidn=$(t_field repnone pid)
check "running, with pids" test -n "$pid" -a "$pid" != 0 -a -n "$pid2" -a "$pid2" != 0

# Inside.
check "inside: uid 0, pid 1, no parent" said rep "uid=0 gid=0 pid=1 ppid=0"
check "inside: no_new_privs" said rep "no_new_privs=1"
check "inside: seccomp filter" said rep "seccomp=2"
check "inside: no capabilities" said rep "capeff=0000000000000000 capprm=0000000000000000"
check "inside: empty bounding set" said rep "capbnd=0"
check "inside: its own hostname" said rep "hostname=rep"
check "inside: only LISTEN_* and PATH in the environment" said rep "env=LISTEN_FDS,LISTEN_PID,LISTEN_FDNAMES,PATH listen_fds=1"
check "inside: fds 0-2 and the one held socket" said rep "fds=0,1,2,3"
check "inside: root holds only the image, dev and tmp" said rep "root=app,dev,tmp"
check "none: no seccomp filter inside" said repnone "seccomp=0"

# Outside: the same process as the host sees it.
u=$(st "$pid" Uid | awk '{ print $1 }')
check "outside: one unprivileged uid, all four" test "$(st "$pid" Uid)" = "$(printf '%s\t%s\t%s\t%s' "$u" "$u" "$u" "$u")"
check "outside: uid in the default range" test "$u" -ge 1879048192 -a "$u" -lt $((1879048192 + 65536))
check "outside: gid the same" test "$(st "$pid" Gid)" = "$(printf '%s\t%s\t%s\t%s' "$u" "$u" "$u" "$u")"
check "outside: no supplementary groups" test -z "$(st "$pid" Groups)"
check "outside: another service, another uid" test "$(st "$pid2" Uid | awk '{ print $1 }')" != "$u"
check "outside: CapEff 0" test "$(st "$pid" CapEff)" = 0000000000000000
check "outside: CapBnd 0" test "$(st "$pid" CapBnd)" = 0000000000000000
check "outside: NoNewPrivs" test "$(st "$pid" NoNewPrivs)" = 1
check "outside: Seccomp filter" test "$(st "$pid" Seccomp)" = 2
check "outside: none has no filter" test "$(st "$pidn" Seccomp)" = 0
check "outside: pid 1 of its own pid namespace" test "$(st "$pid" NSpid)" = "$(printf '%s\t1' "$pid")"
for ns in user pid mnt uts ipc net cgroup; do
	check "outside: own $ns namespace" test "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/$JPID/ns/$ns")"
done
check "outside: not in the test's network namespace either" \
    test "$(readlink "/proc/$pid/ns/net")" != "$(readlink "/proc/$JPID/ns/net")"

# Its cgroup: GROUP/NAME in every hierarchy it is in, limits as set.
# cg_dir CTRL: the folder of rep's cgroup for controller CTRL
cg_dir() {
	local path mnt
	path=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	if [ -n "$path" ]; then
		mnt=$(awk -v c="$1" '/ - cgroup / { n = split($NF, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $5; exit } }' /proc/self/mountinfo)
	else
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		mnt=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	fi
	echo "$mnt$path"
}

# (the controllers it limits or freezes with; v2: the unified one)
for c in memory pids cpu freezer; do
	check "cgroup: $c folder is GROUP/rep" bash -c "grep -qE '^[0-9]+:([^:]*,)?$c(,[^:]*)?:.*/$GROUP/rep\$|^0::.*/$GROUP/rep\$' /proc/$pid/cgroup"
done
mem=$(cg_dir memory); pids=$(cg_dir pids); cpu=$(cg_dir cpu)
if [ -f "$mem/memory.limit_in_bytes" ]; then
	check "cgroup: memory limit (v1)" grep -qx 50331648 "$mem/memory.limit_in_bytes"
	check "cgroup: cpu quota (v1)" grep -qx 25000 "$cpu/cpu.cfs_quota_us"
else
	check "cgroup: memory.max (v2)" grep -qx 50331648 "$mem/memory.max"
	check "cgroup: cpu.max (v2)" grep -qx "25000 100000" "$cpu/cpu.max"
fi
check "cgroup: pids limit" grep -qx 16 "$pids/pids.max"
check "cgroup: the process is in it" grep -qx "$pid" "$mem/cgroup.procs"

# Mounts, as its own mount namespace holds them: nothing of the host's.
points=$(awk '{ print $5 }' "/proc/$pid/mountinfo" | sort | tr '\n' ' ')
check "mounts: only the sandbox's ($points)" \
    test "$points" = "/ /app/sbxreport /dev/full /dev/null /dev/random /dev/urandom /dev/zero /tmp "
check "mounts: root read-only" \
    bash -c "awk '\$5 == \"/\" { print \$6 }' /proc/$pid/mountinfo | grep -q '^ro'"
check "mounts: image read-only" \
    bash -c "awk '\$5 == \"/app/sbxreport\" { print \$6 }' /proc/$pid/mountinfo | grep -q '^ro'"

# A clean stop: the process and its cgroup folders go.
kill "$JPID"; wait "$JPID" 2>/dev/null
check "stop: the process is gone" bash -c "! kill -0 $pid 2>/dev/null"
check "stop: its cgroup folders are gone" test ! -d "$mem" -a ! -d "$pids"
[ "$T_FAILS" -gt 0 ] && grep " rep: " "$LOG" | sed "s/^/  log: /"
exit 0
