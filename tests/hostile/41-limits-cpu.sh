#!/bin/bash
# Attack: a service that writes no cpu = spins on every core. Before the
# fix, 4 spinning threads (no cpu =) got all the CPU the host would give
# (6 CPU-seconds in 5 s in the issue's report). Now every exec service
# without its own cpu = gets [jitsud] default_cpu (one CPU unless set;
# 10% here, so that even a busy or one-core host gives the spinner more
# than its quota): its cgroup has that quota, the kernel throttles it,
# and the CPU time it takes over a window of the test's own measuring
# stays under 12.5% of one CPU (a slower host only lowers it).
. "$(dirname "$0")/../lib/lib.sh"
t_tmpdir
t_netns
SPIN=$T_BUILD/tests/apps/spin
C=$T_BUILD/jitsuctl
[ -x "$SPIN" ] || { fail build "$SPIN missing (make tests)"; exit 1; }
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
default_cpu = 10
[service spin]
dns = spin.example.test
address = 127.77.0.2
image = $SPIN
args = 4
ports = tcp:80
idle = 0
CONF
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$T_TMP/log"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
t_in kdig @127.0.0.1 +timeout=2 +retry=0 spin.example.test A >/dev/null
spid() { "$C" -s "$T_TMP/jitsud.sock" status spin | awk '$1 == "pid" { print $2 }'; }
busy() { p=$(spid); [ -n "$p" ] && [ "$p" != 0 ] && [ "$(ls /proc/"$p"/task | wc -l)" -ge 4 ]; }
wait_for 60 busy || { fail start "spin did not start its threads"; exit 1; }
P=$(spid)
# The spinner's cgroup (the cpu hierarchy on v1, the one tree on v2).
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	CG=/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' /proc/"$P"/cgroup)
	quota=$(awk '{ print $1 }' "$CG/cpu.max" 2>/dev/null)
else
	CG=/sys/fs/cgroup/cpu$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' /proc/"$P"/cgroup)
	quota=$(cat "$CG/cpu.cfs_quota_us" 2>/dev/null)
fi
echo "# cgroup $CG quota ${quota:-none}"
check "the service's cgroup has default_cpu's quota, 10% (${quota:-none} of 100000)" \
	test "${quota:-x}" = 10000

# CPU time of the process (all its threads), in clock ticks, against
# the host's uptime, over a window of at least 3 s.
ticks() { awk '{ print $14 + $15 }' /proc/"$P"/stat; }
up() { awk '{ print int($1 * 100) }' /proc/uptime; }
hz=$(getconf CLK_TCK)
c0=$(ticks); u0=$(up)
window() { test $(( $(up) - u0 )) -ge 300; }
wait_for 60 window
c1=$(ticks); u1=$(up)
used=$(( (c1 - c0) * 100 / hz ))	# centiseconds of CPU
wall=$(( u1 - u0 ))			# centiseconds
echo "# spin used $used cs of CPU in $wall cs: $(( used * 100 / wall ))% of one CPU"
check "CPU use bounded by the default quota ($(( used * 100 / wall ))% <= 12.5%)" \
	test $(( used * 1000 )) -le $(( wall * 125 ))
thr=$(awk '$1 == "nr_throttled" { print $2 }' "$CG/cpu.stat" 2>/dev/null)
check "the kernel throttled it (nr_throttled ${thr:-none})" test "${thr:-0}" -gt 0
exit 0
