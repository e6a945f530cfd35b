#!/bin/bash
# backend = libvirt on one real libvirtd, reached as qemu:///system (its
# socket given with ?socket=, since the daemon is the test's own): a query
# summons hello.vm as a transient domain and curl gets 200 from the guest
# directly (the host's only libvirtd: the guest has the service's
# address; the first connection waits in jitsud's hold tap and moves to
# the guest's own tap, which libvirt opened by name: with retransmitted
# SYNs dropped it is still served and gets no reset, so its first SYN was
# held and delivered, however long the boot took); a connection alone
# wakes a service; idle stop, suspend/resume
# (operator and by a connection) and stop = shutdown go through libvirt;
# ready = tcp; domain = starts a defined domain; libvirtd killed with a
# domain running: the service is unknown, not lost, still answers, and
# is found running when libvirtd is back; jitsud's exit destroys its
# domains.
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/7x-libvirt.bash"
. "$(dirname "$0")/7x-vm.bash"

lv_have || { skip all "libvirtd/virsh not installed (Debian: libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)"; exit 0; }
J=$T_JITSUD
CTL=$T_BUILD/jitsuctl
VM=${HELLO_VM:-$T_BUILD/uk/hello.vm}
for f in "$J" "$CTL" "$VM"; do
	[ -f "$f" ] || { fail build "$f missing (make)"; exit 1; }
done
grep -qa "libvirt.so.0" "$J" ||
	{ skip all "jitsud built without libvirt (libvirt-dev)"; exit 0; }
t_tmpdir
t_netns
t_first_syn_only
lv_daemon A "$T_NS" || { fail libvirtd "did not start"; exit 1; }
URI="qemu:///system?socket=$LV_SOCK_A"

# A defined domain for domain =, with its own network (not relayed).
cat >"$T_TMP/defined.xml" <<XML
<domain type='qemu'>
  <name>t-defined</name>
  <memory unit='KiB'>32768</memory>
  <os><type arch='x86_64' machine='microvm'>hvm</type>
    <kernel>$VM</kernel><cmdline>ip=169.254.200.2/24 gw=169.254.200.1</cmdline></os>
  <cpu mode='custom' check='none'><model fallback='allow'>qemu64</model></cpu>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot>
  <devices>
    <controller type='usb' model='none'/><memballoon model='none'/>
    <interface type='ethernet'><mac address='02:6a:a9:fe:c8:02'/>
      <source><ip address='169.254.200.1' prefix='32' peer='169.254.200.2'/></source>
      <model type='virtio'/><address type='virtio-mmio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
XML

cat >"$T_TMP/j.conf" <<CONF
[jitsud]
dns = 127.0.0.1:53
zone = example.test
ttl = 1
backoff = 30s
$(t_private)

[service www]
dns = www.example.test
address = 10.77.0.2
backend = libvirt
uri = $URI
image = $VM
ports = tcp:80
idle = 0

[service cold]
dns = cold.example.test
address = 10.77.0.3
backend = libvirt
uri = $URI
image = $VM
ports = tcp:80
memory = 32M
idle = 1s

[service frozen]
dns = frozen.example.test
address = 10.77.0.4
backend = libvirt
uri = $URI
image = $VM
ports = tcp:80
idle = 0
stop = suspend

[service probe]
dns = probe.example.test
address = 10.77.0.5
backend = libvirt
uri = $URI
image = $VM
ports = tcp:80
ready = tcp
idle = 0

[service soft]
dns = soft.example.test
address = 10.77.0.6
backend = libvirt
uri = $URI
image = $VM
ports = tcp:80
idle = 0
stop = shutdown
grace = 300ms

[service warm]
dns = warm.example.test
address = 10.77.0.7
backend = libvirt
uri = $URI
image = $VM
ports = tcp:80
idle = 0
precreate = yes

[service defined]
dns = defined.example.test
address = 169.254.200.2
backend = libvirt
uri = $URI
domain = t-defined
idle = 0
CONF

cfg_ok() { "$J" -n -c "$T_TMP/j.conf" >/dev/null; }
check "config ok" cfg_ok
check "define a domain" lv_virsh A define "$T_TMP/defined.xml"

LOG=$T_TMP/jitsud.log
t_bg JPID t_in "$J" -v -c "$T_TMP/j.conf" 2>"$LOG"
wait_for 120 grep -q "jitsud ready" "$LOG" ||
	{ fail start "jitsud did not start"; cat "$LOG"; exit 1; }
# The first connection to a fresh libvirtd probes QEMU: seconds.
check "host connects" wait_for 120 grep -q "libvirt: host .* up" "$LOG"

dig1() { t_in kdig @127.0.0.1 +timeout=2 +retry=0 +short "$1" A; }
# A summons waits for a boot: the limit is a safety net only.
get() { t_in curl -s -m 60 "$@"; }
ctl() { timeout 10 "$CTL" -s "$T_TMP/jitsud.sock" "$@" >/dev/null; }
state_is() { grep "service $1: .* -> " "$LOG" | tail -1 | grep -q -- "-> $2 "; }
domstate() { lv_virsh A domstate "$1" 2>/dev/null | head -1; }
domstate_is() { [ "$(domstate "$1")" = "$2" ]; }
running() { lv_running A | grep -qx "$1"; }
gone() { ! running "$1"; }
no_jitsu_domains() { ! lv_running A | grep -q '^jitsu-'; }
# status_is NAME KEY VALUE: a line of `jitsuctl status NAME`.
status_is() { timeout 10 "$CTL" -s "$T_TMP/jitsud.sock" status "$1" | grep -qE "^$2 +$3\$"; }
host_ups() { [ "$(grep -c 'libvirt: host .* up' "$LOG")" -ge "$1" ]; }

check "no domain before a want" test -z "$(lv_running A | grep -v jitsu-warm)"
route_dev() { t_in ip -o route show "$1/32" | grep -o 'dev [a-z0-9]*' | cut -d' ' -f2; }
# Config load made both taps of a direct service: the hold tap (jh) has
# the route, the guest's tap (jl, persistent: nobody holds it yet) waits.
check "hold tap has the route" test "$(route_dev 10.77.0.2)" = jh0a4d0002
check "guest's tap made, persistent" t_in bash -c "ip -d link show jl0a4d0002 | grep -q 'persist on'"
mac_of() { t_in ip -o link show "$1" | grep -o 'link/ether [0-9a-f:]*'; }
check "same gateway MAC on both" test -n "$(mac_of jh0a4d0002)" -a "$(mac_of jh0a4d0002)" = "$(mac_of jl0a4d0002)"
check "status: path direct" status_is www path 'direct, taps jh0a4d0002 jl0a4d0002'
check "the front address is not local" bash -c "! nsenter --net=/run/netns/$T_NS ip -o addr | grep -q '10\.77\.0\.2/'"
vm_rst_watch 10.77.0.2

# 1. A query summons hello.vm; the first connection waits in the hold
#    tap while the domain boots, then goes to the guest's tap. Only its
#    first SYN can make it (t_first_syn_only).
check "query answers at once" test "$(dig1 www.example.test)" = 10.77.0.2
o=$(get -i http://10.77.0.2/)
check "curl after query gets 200" grep -q "HTTP/1.1 200" <<<"$o"
check "body says hello" grep -q hello <<<"$o"
check "transient domain runs" running jitsu-www
check "console line in the log" grep -q "www: uk: ready" "$LOG"
check "start timings logged" grep -q "domain jitsu-www started: create" "$LOG"
check "on the guest's own tap" grep -q "domain jitsu-www on host .*, guest 10.77.0.2 on tap jl0a4d0002" "$LOG"
check "route moved to the guest's tap" test "$(route_dev 10.77.0.2)" = jl0a4d0002
check "the first connection was held" grep -Eq "service www: tap jl0a4d0002 has the guest, [1-9][0-9]* held frame" "$LOG"
check "the held connection got no reset" vm_no_rst 10.77.0.2
vm_figure "libvirt www first connection"
check "status: domain" status_is www domain jitsu-www
check "status: guest has the service's address" status_is www guest '10\.77\.0\.2'
check "not persistent" test -z "$(lv_virsh A list --persistent --name | grep jitsu-www)"
o=$(for i in 1 2 3 4 5; do get http://10.77.0.2/x$i; done)
check "later connections served" test "$(grep -c hello <<<"$o")" -eq 5

# 2. A connection alone, no query, wakes a stopped service.
o=$(get http://10.77.0.3/)
check "connection alone summons" grep -q hello <<<"$o"

# 3. Idle stop through libvirt: the domain is destroyed; the next query
#    starts it again.
check "idle stops" wait_for 60 state_is cold stopped
check "idle destroyed the domain" wait_for 60 gone jitsu-cold
check "route back on the hold tap" test "$(route_dev 10.77.0.3)" = jh0a4d0003
check "started again" grep -q hello <<<"$(get http://10.77.0.3/again)"

# 4. Suspend and resume through libvirt.
check "frozen up" grep -q hello <<<"$(get http://10.77.0.4/)"
check "suspend ok" ctl suspend frozen
check "domain paused" wait_for 60 domstate_is jitsu-frozen paused
check "resume ok" ctl resume frozen
check "domain running again" wait_for 60 domstate_is jitsu-frozen running
check "answers after resume" grep -q hello <<<"$(get http://10.77.0.4/r)"
ctl suspend frozen >/dev/null
wait_for 60 domstate_is jitsu-frozen paused
o=$(get http://10.77.0.4/wake)
check "a connection resumes a suspended domain" grep -q hello <<<"$o"
check "running after the wake-up" domstate_is jitsu-frozen running

# 5. ready = tcp: a connection to the guest, not the console.
check "ready = tcp" grep -q hello <<<"$(get http://10.77.0.5/)"
check "probe service running" state_is probe running

# 6. stop = shutdown: the guest ignores the power button (no ACPI), so
#    the grace ends it with a destroy.
check "soft up" grep -q hello <<<"$(get http://10.77.0.6/)"
check "stop soft" ctl stop soft
check "shutdown then destroy after grace" wait_for 60 state_is soft stopped
check "grace logged" grep -q "soft: domain still running after 300 ms grace" "$LOG"

# 7. domain = : a defined domain, started as it is.
check "defined answers its address" test "$(dig1 defined.example.test)" = 169.254.200.2
check "defined runs" wait_for 60 state_is defined running
check "defined serves" grep -q hello <<<"$(get http://169.254.200.2/)"
check "stop defined" ctl stop defined
check "defined stopped" wait_for 60 state_is defined stopped
check "defined domain kept" domstate_is t-defined "shut off"

# 8. precreate = yes: a paused domain waits while the service is
#    stopped; a start resumes it; after a stop the next one is made.
check "pre-created, paused" wait_for 60 domstate_is jitsu-warm paused
check "service still stopped" test "$(grep -c 'service warm: .* -> ' "$LOG")" -eq 0
check "status: pre-created" status_is warm instance pre-created
# A resume takes milliseconds, well under the SYN timer: a
# retransmission here is a defect.
syn0=$(synretrans)
check "pre-created answers" grep -q hello <<<"$(get http://10.77.0.7/)"
check "no SYN retransmitted by a pre-created start" test "$(synretrans)" = "$syn0"
check "started by a resume" grep -q "service warm: resuming pre-created domain jitsu-warm" "$LOG"
check "warm running" domstate_is jitsu-warm running
check "stop warm" ctl stop warm
check "warm stopped" wait_for 60 state_is warm stopped
check "made again, paused" wait_for 60 bash -c "[ \$(grep -c 'service warm: domain jitsu-warm pre-created' '$LOG') -ge 2 ]"
check "paused again" wait_for 60 domstate_is jitsu-warm paused
check "answers again" grep -q hello <<<"$(get http://10.77.0.7/again)"

# 8b. A reload that moves a direct service: its taps go, new ones come,
#     the others are left as they were.
sed -i 's/^address = 10.77.0.3$/address = 10.77.0.9/' "$T_TMP/j.conf"
check "reload" ctl reload
check "old taps removed" test -z "$(t_in ip -o link show | grep -E ' j[hl]0a4d0003')"
check "new hold tap has the route" test "$(route_dev 10.77.0.9)" = jh0a4d0009
check "moved service answers at its new address" grep -q hello <<<"$(get http://10.77.0.9/)"
check "www kept running across the reload" state_is www running

# 9. libvirtd killed with www running: the host is down, www is unknown,
#    not lost, and its relay still works (the QEMU outlives libvirtd).
kill -9 "$LV_PID_A"
check "host down noticed" wait_for 60 grep -q "libvirt: host .* down" "$LOG"
check "www unknown" wait_for 60 grep -q "service www: domain jitsu-www on host .*: state unknown" "$LOG"
check "www still running" state_is www running
check "status: instance unknown" status_is www instance unknown
check "www still answers" grep -q hello <<<"$(get http://10.77.0.2/unknown)"
check "operator commands do not hang" ctl list
# libvirtd comes back (same state folders): jitsud reconnects and finds
# the domain.
t_bg LV2 nsenter --net=/run/netns/"$T_NS" --mount=/proc/"$LV_WRAP_A"/ns/mnt \
	libvirtd -f "$LV_DIR_A/libvirtd.conf" -p "$LV_DIR_A/libvirtd2.pid" \
	>>"$LV_DIR_A/log" 2>&1
check "host up again" wait_for 120 host_ups 2
check "www found running" wait_for 60 grep -q "service www: domain jitsu-www still running" "$LOG"
check "status: instance known again" status_is www instance known
check "www stop after reconnect" ctl stop www
check "www destroyed" wait_for 60 gone jitsu-www

# 10. jitsud killed with www running: the domain outlives it under
#     libvirtd and, direct, keeps serving with nobody in between; the
#     next jitsud adopts it (the same domain, no new boot) and can stop it.
check "www up again" grep -q hello <<<"$(get http://10.77.0.2/before)"
uuid0=$(lv_virsh A domuuid jitsu-www)
kill -9 "$JPID"; wait "$JPID" 2>/dev/null
check "serves with jitsud dead" grep -q hello <<<"$(get http://10.77.0.2/orphan)"
LOG=$T_TMP/jitsud2.log
t_bg JPID t_in "$J" -c "$T_TMP/j.conf" 2>"$LOG"
check "second jitsud up" wait_for 60 grep -q "jitsud ready" "$LOG"
check "www adopted" grep -q "service www: stopped -> running .*adopted domain jitsu-www" "$LOG"
check "found running when the host answers" wait_for 120 grep -q "service www: domain jitsu-www still running" "$LOG"
check "the same domain" test "$(lv_virsh A domuuid jitsu-www)" = "$uuid0"
check "no new domain made for www" bash -c "! grep -q 'service www: domain jitsu-www started' '$LOG'"
check "adopted www serves" grep -q hello <<<"$(get http://10.77.0.2/adopted)"
check "route on the guest's tap" test "$(route_dev 10.77.0.2)" = jl0a4d0002
check "adopted www stops" ctl stop www
check "adopted domain destroyed" wait_for 60 gone jitsu-www
check "and summoned again" grep -q hello <<<"$(get http://10.77.0.2/again)"
vm_figure "libvirt summons, whole test"

# 11. jitsud's exit destroys the domains it started.
kill "$JPID"
wait "$JPID" 2>/dev/null
check "exit destroys domains" wait_for 60 no_jitsu_domains
check "exit removes the taps" test -z "$(t_in ip -o link show | grep -E ' j[hl]0a4d')"
check "no errors logged" bash -c "! grep -E 'out of memory|internal error' '$LOG'"

[ "$T_FAILS" -eq 0 ] || { echo "--- jitsud log"; tail -n 60 "$LOG"; }
exit 0
