/*
 * tcp.h - TCP internals shared by tcp_*.c and socket.c (RFC 793/9293
 * server side, RFC 6298 timers, RFC 5681 congestion control, RFC 5961
 * checks against blind resets).
 */
#ifndef UK_NET_TCP_H
#define UK_NET_TCP_H

#include "uk/net/ipv4.h"
#include "uk/net/wire.h"

/* States of struct net_tcb. TIME_WAIT lives in the smaller net_tw table:
 * it needs no buffers, and a busy server has many. */
enum {
	TCP_FREE = 0,
	TCP_CLOSED,		/* reset or timed out; the app still holds it */
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
};

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10

#define TCP_MSS_MAX	(NET_MTU - IPV4_HLEN - TCP_HLEN)
#define TCP_MSS_DEFAULT	536		/* RFC 9293: peer sent no MSS */
#define TCP_RTO_INIT	(1000ULL * 1000000ULL)
#define TCP_RTO_MIN	(200ULL * 1000000ULL)	/* Linux's; RFC 6298 says 1 s */
#define TCP_RTO_MAX	(60ULL * 1000000000ULL)
#define TCP_SYN_TRIES	5		/* SYN-ACK retransmissions */
#define TCP_REXMT_MAX	10		/* ~2 min at the minimum RTO */
#define TCP_FIN2_NS	(60ULL * 1000000000ULL)	/* orphaned FIN_WAIT_2 */
#define TCP_TW_NS	(30ULL * 1000000000ULL)	/* 2 MSL, MSL = 15 s */

#define SEQ_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b)	((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)	((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)

/* A parsed, checksum-verified segment. */
struct tcp_seg {
	uint32_t	 raddr;
	uint16_t	 rport, lport;
	uint32_t	 seq, ack;
	uint8_t		 flags;
	uint16_t	 wnd;
	uint16_t	 mss;		/* option value, 0 if absent */
	const uint8_t	*data;
	uint32_t	 len;		/* data bytes */
};

/* tcp_input.c */
void		 tcp_input(struct net *n, const struct ipv4_pkt *p);

/* tcp_output.c */
/* Sends what window and buffers allow, and an ACK if one is owed. */
void		 tcp_output(struct net *n, struct net_tcb *t);
/* The same, sending one byte past a zero window (persist timer). */
void		 tcp_probe(struct net *n, struct net_tcb *t);
/* Resends the first unacknowledged segment (fast retransmit). */
void		 tcp_retransmit_first(struct net *n, struct net_tcb *t);
int		 tcp_send_synack(struct net *n, struct net_tcb *t);
/* A bare segment on no connection: RSTs and TIME_WAIT ACKs. */
int		 tcp_send_ctl(struct net *n, uint32_t raddr, uint16_t lport,
		    uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags);
/* The RST answering segment S (RFC 9293 "reset generation"). */
void		 tcp_send_rst_for(struct net *n, const struct tcp_seg *s);
uint32_t	 tcp_rcv_window(const struct net_tcb *t);

/* tcp_conn.c */
struct net_tcb	*tcp_lookup(struct net *n, uint32_t raddr, uint16_t rport,
		    uint16_t lport);
struct net_tcb	*tcp_alloc(struct net *n);
int		 tcp_handle(const struct net *n, const struct net_tcb *t);
struct net_tcb	*tcp_from_handle(struct net *n, int h);
/* The connection is over for the stack: free it, or keep it CLOSED with
 * ERR until the app closes its handle. */
void		 tcp_finish(struct net *n, struct net_tcb *t, int err);
/* Sends a RST and finishes with ERR. */
void		 tcp_abort(struct net *n, struct net_tcb *t, int err);
/* Our FIN is acked and theirs received: move to the TIME_WAIT table. */
void		 tcp_time_wait(struct net *n, struct net_tcb *t);
uint32_t	 tcp_iss(const struct net *n, uint32_t raddr, uint16_t rport,
		    uint16_t lport);

/* tcp_tw.c */
struct net_tw	*tcp_tw_lookup(struct net *n, uint32_t raddr, uint16_t rport,
		    uint16_t lport);
void		 tcp_tw_add(struct net *n, uint32_t raddr, uint16_t rport,
		    uint16_t lport, uint32_t snd_nxt, uint32_t rcv_nxt);
/* Handles S for a TIME_WAIT entry; returns true if S is a new SYN that
 * may open a connection (the entry is then gone). */
bool		 tcp_tw_input(struct net *n, struct net_tw *tw,
		    const struct tcp_seg *s);

/* tcp_timer.c */
uint64_t	 tcp_poll(struct net *n);
void		 tcp_rtt_sample(struct net_tcb *t, uint64_t rtt);
void		 tcp_timer_rearm(struct net *n, struct net_tcb *t);

#endif
