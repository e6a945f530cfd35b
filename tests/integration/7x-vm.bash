# tests/integration/7x-vm.bash - checks shared by the VM backend tests
# (qemu: 30, 31, 50, 63, 70; libvirt: 71, 72). Sourced after
# tests/lib/lib.sh; not a test itself (run.sh runs *.sh only).
#
# A connection that reaches a stopped VM waits while it boots. What that
# promises holds whatever the boot takes: the connection is served, it
# gets no reset, and its first SYN is the one delivered. With
# t_first_syn_only the namespace drops every retransmitted SYN, so a
# served connection proves the first SYN was held and delivered; a boot
# longer than the client's SYN timer (1 s) still retransmits, and that
# count is a figure (vm_figure), not a verdict.

# vm_rst_watch ADDR: count, in T_NS, the TCP resets that come from ADDR.
vm_rst_watch() {
	t_in iptables -w -I INPUT -p tcp -s "$1" --tcp-flags RST RST \
	    -m comment --comment "jitsu-rst-$1"
}
# vm_rsts ADDR: how many resets ADDR has sent since vm_rst_watch.
vm_rsts() {
	t_in iptables -w -L INPUT -v -n -x |
	    awk -v c="/* jitsu-rst-$1 */" 'index($0, c) { print $1; exit }'
}
# vm_no_rst ADDR: none.
vm_no_rst() { [ "$(vm_rsts "$1")" = 0 ]; }

# vm_figure WHAT: print the SYN retransmissions so far (a figure for the
# log and bench/, never asserted) and how many t_first_syn_only dropped.
vm_figure() {
	echo "figure $1: $(synretrans) SYN retransmitted, $(t_syn_dropped) dropped"
}

# unread ADDR: a connection from ADDR has bytes its reader has not taken.
unread() { t_in ss -tnH state established dst "$1" | awk '$1 > 0 { f = 1 } END { exit !f }'; }
# no_conns ADDR: no TCP connection to ADDR is established.
no_conns() { [ -z "$(t_in ss -tnH state established dst "$1")" ]; }

# vm_cpu_share PID: PID's CPU time while a busy loop of ours burns 5 s of
# CPU, in hundredths of a percent of the loop's. The loop is the clock:
# on a loaded machine both get less, and the ratio holds.
vm_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
vm_cpu_share() {
	local pid=$1 busy a la b lb want
	want=$((5 * $(getconf CLK_TCK)))
	( while :; do :; done ) &
	busy=$!
	a=$(vm_ticks "$pid"); la=$(vm_ticks "$busy")
	wait_for 300 eval "[ \$((\$(vm_ticks $busy) - $la)) -ge $want ]"
	b=$(vm_ticks "$pid"); lb=$(vm_ticks "$busy")
	kill "$busy"; wait "$busy" 2>/dev/null
	echo $(((b - a) * 10000 / (lb - la)))
}
