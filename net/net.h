/*
 * net/net.h - the host-side networking jitsud manages for services:
 * listening sockets held for socket activation, the dummy interface that
 * carries non-loopback service addresses, and counting a service's
 * established connections (sock_diag) for the idle rule; for VMs, a tap
 * per service with its route and neighbour entry, and the frames jitsud
 * itself looks at or makes on it.
 *
 * All functions return a descriptor or 0 on success and a negative errno
 * on failure; nothing here logs.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* The dummy interface that carries service addresses outside 127/8. */
#define NET_DUMMY_IF	"jitsu0"

/* A listening socket on addr:port (TCP) or a bound one (UDP), blocking,
 * close-on-exec, SO_REUSEADDR; backlog for TCP. */
int	net_listen(const struct cfg_addr *, uint16_t port, int proto,
	    int backlog);
/* True if fd is still what net_listen made for addr:port: the right
 * type, bound to addr:port, connected to no peer, not shut down, and
 * (TCP) listening.
 * A service can break the socket it shares with jitsud (connect() with
 * AF_UNSPEC or shutdown() stops a listener; connect() ties a UDP socket
 * to one peer; shutdown(SHUT_RD) leaves it hung up). */
bool	net_held_ok(int fd, const struct cfg_addr *, uint16_t port, int proto);
/* True if the address needs no set-up: loopback (127/8, ::1). */
bool	net_addr_is_loopback(const struct cfg_addr *);
/* Make sure the address is local: create NET_DUMMY_IF if needed (up) and
 * add addr as a /32 or /128 to it (to lo when the kernel has no dummy
 * driver). Idempotent (-EEXIST is success). */
int	net_addr_ensure(const struct cfg_addr *);
/* Add addr (a /32 or /128) to the interface; an existing one is fine. */
int	net_ifaddr_add(const struct cfg_addr *, int ifindex);
/* Remove an address added by net_addr_ensure; ignores a missing one. */
int	net_addr_remove(const struct cfg_addr *);
/*
 * Count established TCP connections whose local end is addr:port, and
 * add them to *count. Uses NETLINK_SOCK_DIAG in jitsud's namespace,
 * where the held sockets (and so the connections accepted from them by
 * the unikernel) live.
 */
int	net_count_established(const struct cfg_addr *, uint16_t port,
	    int *count);
/* Accept and reset (SO_LINGER 0) every connection waiting on a listening
 * socket. Returns how many were reset. Never blocks. */
int	net_reset_pending(int lfd);

/*
 * rtnetlink: send one request (NLM_F_ACK is added) and run cb, if not
 * NULL, over each reply message until the ack. cb has libmnl's mnl_cb_t
 * type. 0 or -errno (the kernel's answer).
 */
struct nlmsghdr;
int	net_rtnl_talk(struct nlmsghdr *,
	    int (*cb)(const struct nlmsghdr *, void *), void *data);
/* A link request (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK) for ifindex
 * put in buf, which must have room for the attributes the caller adds. */
struct nlmsghdr *net_link_msg(void *buf, int type, int ifindex);
int	net_link_up(int ifindex);

/* --- a VM's tap (net/tap.c) --- */

/*
 * The host end of a VM's link, made when the service is prepared: a tap
 * (IFF_TAP | IFF_NO_PI, no vnet header, IPv6 off so the host sends no
 * chatter), the gateway address on it, up, the guest's address routed to
 * it as a /32 and a permanent neighbour entry for the guest's MAC (the
 * host never ARPs). Not persistent: it lives as long as a descriptor
 * holds it, so the route and neighbour go with the last close: a crashed
 * jitsud leaves nothing behind but the taps of the VMs still running,
 * which QEMU holds and the next jitsud adopts. While jitsud holds fd,
 * frames for the guest queue in it even when no QEMU reads them.
 */
struct net_tap {
	char		 name[16];
	int		 ifindex;
	int		 fd;	/* the queue: QEMU's -netdev fd, held by jitsud */
	int		 pfd;	/* packet socket on it: wake-ups, injection */
	bool		 watching;
	uint8_t		 mac[6];	/* the host side's */
	uint8_t		 guest_mac[6];
	struct in_addr	 gateway, guest;
};
int	net_tap_open(struct net_tap *, const char *name,
	    const struct in_addr *gateway, const struct in_addr *guest,
	    const uint8_t guest_mac[6]);
/* Take over the tap name whose queue fd is (a copy of the descriptor
 * an adopted QEMU holds, so the same queue): fd must be that tap; the
 * gateway address, the route and the neighbour entry are made again
 * where missing. fd is the net_tap's from then on, closed on failure. */
int	net_tap_adopt(struct net_tap *, int fd, const char *name,
	    const struct in_addr *gateway, const struct in_addr *guest,
	    const uint8_t guest_mac[6]);
void	net_tap_close(struct net_tap *);
/* On: pfd becomes readable for each wake-up frame (NET_FRAME_WAKE) the
 * host sends into the tap, without taking it from the queue. Off: pfd
 * hears nothing and costs the data path nothing. */
int	net_tap_watch(struct net_tap *, bool on);
/* Read and discard what the watch saw; returns how many frames. */
int	net_tap_watch_drain(struct net_tap *);
/* Frames the host has sent into the tap plus those the guest sent,
 * for the idle rule. */
int	net_tap_packets(const struct net_tap *, uint64_t *packets);
/* The idle rule for a VM: 1 if the counters moved since *last (which
 * takes the new count), 0 if not. A VM's connections are not the host's
 * sockets, but all their frames cross its tap. */
int	net_tap_moved(const struct net_tap *, uint64_t *last);

/*
 * Connection holding on a tap. QEMU drops the first frame it reads
 * before the guest's driver is up, so a sacrificial frame must always
 * sit at the head of a stopped VM's queue (uk-vm-facts 7.1). Frames can
 * only be added at the tail, so this takes every queued frame out and
 * then, per mode: KEEP puts the frames back in order; RESET answers
 * each TCP segment with a reset from the guest's side and drops the
 * rest. With fresh (only when no QEMU reads the tap), the queue then
 * starts again as a boot wants it: the sacrificial frame, then an ARP
 * request from the gateway for the guest, so the guest knows the
 * gateway's MAC before its first answer and never has to ask (saving a
 * round trip, and the answers a guest drops while it waits to resolve).
 * Counts in *wake the wake-up frames it saw and in *resets the resets
 * it sent.
 */
enum net_hold { NET_HOLD_KEEP, NET_HOLD_RESET };
int	net_tap_requeue(struct net_tap *, enum net_hold, bool fresh, int *wake,
	    int *resets);
/* The head a boot wants (the fresh queue above): the sacrificial frame
 * and the gateway's ARP request, sent into t's queue. */
void	net_tap_prime(struct net_tap *);
/* Take the frames queued in from (held: from->fd) and send them, in
 * order, into to's queue; *moved says how many. */
int	net_tap_move(struct net_tap *from, struct net_tap *to, int *moved);

/*
 * A tap for a guest whose tap someone else opens by name (libvirt's
 * <interface type='ethernet'><target dev=NAME managed='no'/>: libvirt
 * 9.0 opens the device itself and cannot be handed jitsud's descriptor).
 * Persistent, since nobody holds it while the guest is away; the gateway
 * address, up, IPv6 off, the guest's neighbour entry, a packet socket,
 * but no route: net_tap_route points the guest's /32 at whichever tap
 * should have its frames. fd stays -1. net_tap_remove deletes it.
 */
int	net_tap_make_named(struct net_tap *, const char *name,
	    const struct in_addr *gateway, const struct in_addr *guest,
	    const uint8_t guest_mac[6]);
/* Give the host side another MAC (a hold tap's, so that the guest sees
 * one gateway whichever tap its frames come through). */
int	net_tap_set_mac(struct net_tap *, const uint8_t mac[6]);
/* Route the guest's /32 to t (replacing where it went). */
int	net_tap_route(const struct net_tap *);
/* net_tap_close, then delete the interface. */
void	net_tap_remove(struct net_tap *);

/* --- frames (net/frame.c), pure --- */

#define NET_JUNK_ETHERTYPE	0x88b5	/* IEEE 802 local experimental */
#define NET_JUNK_LEN		60
enum net_frame_kind {
	NET_FRAME_OTHER,
	NET_FRAME_WAKE,		/* IPv4 UDP, or a TCP SYN without ACK */
	NET_FRAME_JUNK,		/* a sacrificial frame of ours */
};
enum net_frame_kind net_frame_kind(const uint8_t *frame, size_t len);
/* A sacrificial frame to dst; returns its length, 0 if cap is short. */
size_t	net_frame_junk(uint8_t *frame, size_t cap, const uint8_t dst[6]);
/* An ARP request from sha/spa for tpa, sent to dst (RFC 826). Returns
 * its length, 0 if cap is short. */
size_t	net_frame_arp_request(uint8_t *frame, size_t cap, const uint8_t sha[6],
	    const struct in_addr *spa, const uint8_t dst[6],
	    const struct in_addr *tpa);
/* The reset a closed port answers to the IPv4 TCP segment in frame
 * (RFC 9293 3.10.7.1), sent back from where it went: Ethernet and IP
 * addresses and ports swapped. Returns its length, or 0 when the frame
 * gets none (not IPv4 TCP, a reset itself, malformed, cap short). */
size_t	net_frame_tcp_reset(const uint8_t *frame, size_t len, uint8_t *out,
	    size_t cap);
/* The classic BPF program accepting exactly the outgoing frames
 * net_frame_kind calls NET_FRAME_WAKE (on well-formed frames). Returns
 * its length or -ENOSPC. */
struct sock_filter;
int	net_frame_wake_filter(struct sock_filter *, int max);

#endif
