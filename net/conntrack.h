/*
 * net/conntrack.h - established TCP connections to a VM guest, counted
 * from the kernel's connection tracking table, for the idle rule.
 *
 * A guest's connections are not sockets of jitsud's netns (sock_diag
 * cannot see them): they are flows routed through its tap, and conntrack
 * sees each one. A quiet open connection is still one established flow,
 * where counting the tap's frames would call it idle.
 */
#ifndef JITSU_NET_CONNTRACK_H
#define JITSU_NET_CONNTRACK_H

#include <netinet/in.h>

/* Make conntrack track the flows of jitsud's network namespace. The
 * kernel tracks a namespace's flows only while some ruleset there needs
 * it; this loads one (an nf_tables table owned by jitsud's netlink
 * socket, gone when jitsud is) that does. Call before the flows to count
 * begin: a flow already open when tracking starts is seen only at its
 * next packet. Idempotent; 0 or a negative errno (the first one, again). */
int	net_ct_track(void);

/* The established TCP flows whose original destination is addr: the
 * connections to a guest. One dump of the table serves every call made
 * within 200 ms. A negative errno when the table cannot be read. */
int	net_ct_established(const struct in_addr *addr);

#endif
