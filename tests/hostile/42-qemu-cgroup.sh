#!/bin/bash
# Attack: a VM's QEMU is a process on the host like any other; before
# the fix it ran in jitsud's own cgroup with no limit at all (memory
# limit "max"), so a guest that broke into QEMU, or QEMU itself, could
# take the host's memory. Now each QEMU runs in a cgroup of its own
# (OWN/cgroup =/SERVICE), with a memory limit of the guest's RAM plus
# QEMU's measured overhead (64M) and a task limit, entered before QEMU
# runs; the cgroup goes with QEMU.
. "$(dirname "$0")/../lib/lib.sh"
command -v qemu-system-x86_64 >/dev/null ||
	{ skip all "qemu-system-x86_64 not installed (Debian: qemu-system-x86)"; exit 0; }
[ -c /dev/net/tun ] || { skip all "no /dev/net/tun"; exit 0; }
VM=$T_BUILD/uk/hello.vm
C=$T_BUILD/jitsuctl
[ -f "$VM" ] || { fail build "$VM missing (make)"; exit 1; }
t_tmpdir
t_netns
GROUP=jitsu-t$$
cat >"$T_TMP/j.conf" <<CONF
[jitsud]
$(t_private)
dns = 127.0.0.1:53
zone = example.test
[service vm]
dns = vm.example.test
address = 10.77.0.2
backend = qemu
image = $VM
accel = tcg
memory = 48M
idle = 0
CONF
t_bg J t_in "$T_JITSUD" -c "$T_TMP/j.conf" 2>"$T_TMP/log"
wait_for 30 t_in kdig @127.0.0.1 +timeout=1 +retry=0 example.test SOA ||
	{ fail start "jitsud did not answer"; exit 1; }
t_in kdig @127.0.0.1 +timeout=2 +retry=0 vm.example.test A >/dev/null
st() { "$C" -s "$T_TMP/jitsud.sock" status vm; }
wait_for 120 bash -c "'$C' -s '$T_TMP/jitsud.sock' status vm | grep -q '^state  *running'" ||
	{ fail start "the VM did not come up"; exit 1; }
Q=$(st | awk '$1 == "pid" { print $2 }')
echo "# QEMU pid $Q: $(grep -E '(^0::|memory|pids)' /proc/"$Q"/cgroup | tr '\n' ' ')"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	rel=$(awk -F: '$1 == "0" { print $3 }' /proc/"$Q"/cgroup)
	MEM=/sys/fs/cgroup$rel PIDS=$MEM
	limit=$(cat "$MEM/memory.max")
	tasks=$(cat "$PIDS/pids.max")
else
	rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/"$Q"/cgroup)
	MEM=/sys/fs/cgroup/memory$rel
	PIDS=/sys/fs/cgroup/pids$(awk -F: '$2 ~ /(^|,)pids(,|$)/ { print $3 }' /proc/"$Q"/cgroup)
	limit=$(cat "$MEM/memory.limit_in_bytes")
	tasks=$(cat "$PIDS/pids.max" 2>/dev/null)
fi
echo "# memory limit $limit, tasks $tasks"
check "QEMU runs in a cgroup of its own ($rel)" \
	test "${rel%/$GROUP/vm}" != "$rel"
check "its memory limit is the guest's 48M + 64M ($limit)" \
	test "$limit" = $(( (48 + 64) << 20 ))
check "its tasks are limited ($tasks)" test "$tasks" = 128
check "no other process in it" test "$(cat "$MEM/cgroup.procs")" = "$Q"
"$C" -s "$T_TMP/jitsud.sock" stop vm >/dev/null
wait_for 60 test ! -d "$MEM"
check "the cgroup is removed with QEMU" test ! -d "$MEM"
exit 0
