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
