/*
 * net.h - uk/net, a small TCP/IPv4 stack for uk unikernels.
 *
 * What it does: Ethernet II; ARP (answers for our address, resolves next
 * hops, holds one frame per unresolved address); IPv4 without fragments
 * or options; ICMP echo replies; TCP, server side only: passive open, MSS
 * option, flow control by window, in-order delivery (out-of-order
 * segments are dropped and re-ACKed), retransmission with an RFC 6298
 * timeout and exponential back-off, Reno-style congestion control with
 * fast retransmit, FIN/RST handling, TIME_WAIT, several connections.
 *
 * It is portable C with no dependency on a target: frames come in through
 * net_input(), go out through the net_tx_fn the caller supplies, and time
 * is passed in (nanoseconds, monotonic). Nothing blocks and nothing
 * allocates: the caller provides the struct net (about 1.3 MiB with the
 * default sizes, mostly connection buffers). The same code runs in the vm
 * kernel and in host unit tests and the fuzzer.
 *
 * Handles: listeners are 0..NET_MAX_LISTEN-1, connections
 * NET_MAX_LISTEN..NET_MAX_LISTEN+NET_MAX_CONN-1. Errors are negative
 * errno values, the UK_E* numbers of uk.h; events are UK_EV_* bits.
 */
#ifndef UK_NET_NET_H
#define UK_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ETH_HLEN	14
#define NET_MTU		1500
#define NET_FRAME_MAX	(NET_ETH_HLEN + NET_MTU)	/* no FCS */

#define NET_MAX_LISTEN	4
#define NET_MAX_CONN	32		/* connections with buffers */
#define NET_MAX_TW	64		/* connections in TIME_WAIT */
#define NET_ARP_SIZE	16
#define NET_SNDBUF	32768		/* power of two */
#define NET_RCVBUF	8192		/* power of two, < 64 KiB: no window scaling */

/* Sends one Ethernet frame; returns 0, or <0 when the device has no room
 * (the stack keeps the data and tries again on a later call). */
typedef int net_tx_fn(void *arg, const void *frame, size_t len);

struct net_config {
	uint8_t		mac[6];
	uint32_t	addr;		/* host byte order */
	uint32_t	netmask;
	uint32_t	gateway;	/* 0: no route beyond the subnet */
	uint64_t	secret;		/* keys initial sequence numbers */
	/* Skip verifying checksums of received packets: for devices that
	 * checked them already, and for fuzzing. */
	bool		rx_csum_trusted;
};

struct net_stats {
	uint64_t	rx_frames, rx_dropped, tx_frames, tx_failed;
	uint64_t	tcp_rexmit, tcp_rst_sent, tcp_aborted;
	uint64_t	arp_requests_sent;
};

/* ---- Internal state; apps and targets use only the functions below. */

struct net_arp {
	uint32_t	ip;			/* 0: free slot */
	uint8_t		mac[6];
	uint8_t		resolved;
	uint8_t		tries;
	uint64_t	expire;		/* resolved: stale after; else: retry at */
	uint16_t	held_len;	/* one frame waiting for the address */
	uint8_t		held[NET_FRAME_MAX];
};

struct net_tcb {
	uint8_t		state;		/* TCP_* in tcp.h; 0 = free */
	uint8_t		app;		/* the app holds a handle on it */
	uint8_t		closed;		/* the app closed it: FIN after data */
	uint8_t		accepted;
	uint8_t		fin_rcvd;
	uint8_t		ack_now;
	uint8_t		rtt_on;		/* a segment is being timed */
	uint8_t		dupacks;
	int8_t		listener;
	int		err;		/* UK_ECONNRESET once reset */
	uint64_t	order;		/* establishment order, for accept */

	uint32_t	raddr;
	uint16_t	rport, lport;

	uint32_t	iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1,
			snd_wl2;
	uint32_t	mss, cwnd, ssthresh, recover;
	uint32_t	irs, rcv_nxt, rcv_adv;

	uint64_t	timer;		/* retransmit/persist/FIN_WAIT_2; 0 off */
	uint64_t	rto, srtt, rttvar;	/* ns */
	uint64_t	rtt_start;
	uint32_t	rtt_seq;
	uint32_t	nrexmt;

	uint32_t	sb_len, sb_head;	/* unacked + unsent bytes */
	uint32_t	rb_len, rb_head;	/* received, not yet read */
	uint8_t		sbuf[NET_SNDBUF];
	uint8_t		rbuf[NET_RCVBUF];
};

struct net_tw {
	uint32_t	raddr;
	uint16_t	rport, lport;	/* lport 0: free slot */
	uint32_t	snd_nxt, rcv_nxt;
	uint64_t	expire;
};

struct net {
	struct net_config	 cfg;
	net_tx_fn		*tx;
	void			*tx_arg;
	uint64_t		 now;
	uint64_t		 order;
	uint16_t		 ip_id;
	uint16_t		 listen_port[NET_MAX_LISTEN];	/* 0: free */
	struct net_stats	 stats;
	struct net_arp		 arp[NET_ARP_SIZE];
	struct net_tw		 tw[NET_MAX_TW];
	struct net_tcb		 tcb[NET_MAX_CONN];
	uint8_t			 frame[NET_FRAME_MAX];	/* output scratch */
};

/* ---- The interface. NOW is monotonic nanoseconds. */

void	net_init(struct net *n, const struct net_config *cfg, net_tx_fn *tx,
	    void *tx_arg);
/* One received Ethernet frame (no FCS). */
void	net_input(struct net *n, const void *frame, size_t len, uint64_t now);
/* Runs due timers and pending output; returns when it next needs to run
 * (UINT64_MAX: only when something arrives or the app acts). */
uint64_t net_poll(struct net *n, uint64_t now);

int	net_listen(struct net *n, uint16_t port);
int	net_accept(struct net *n, int listener, uint64_t now);
long	net_read(struct net *n, int conn, void *buf, size_t len, uint64_t now);
long	net_write(struct net *n, int conn, const void *buf, size_t len,
	    uint64_t now);
int	net_close(struct net *n, int handle, uint64_t now);
bool	net_handle_valid(struct net *n, int handle);
/* The UK_EV_* conditions that hold now for HANDLE (level-triggered). */
unsigned net_events(struct net *n, int handle);

/* "a.b.c.d" at S into *ADDR (host order); *END past it. 0 or UK_EINVAL. */
int	net_parse_ipv4(const char *s, uint32_t *addr, const char **end);

#endif
