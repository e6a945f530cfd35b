/*
 * tcp_output.c - building and sending segments.
 *
 * Segments are built in n->frame at OFF_L4, payload copied straight from
 * the send ring; ipv4_output adds the IP header and ARP the Ethernet one.
 * If the device is full the segment is simply not sent and snd_nxt does
 * not move: the next tcp_output (every net_poll) tries again.
 */
#include "uk/include/uk.h"
#include "uk/net/ring.h"
#include "uk/net/tcp.h"
#include "uk/net/wire.h"

#define OPT_MSS_LEN	4

uint32_t
tcp_rcv_window(const struct net_tcb *t)
{
	uint32_t	 w = NET_RCVBUF - t->rb_len;

	return w > 65535 ? 65535 : w;
}

/* One segment; LEN payload bytes from T's send ring at offset OFF from
 * snd_una (T may be NULL when LEN is 0). */
static int
emit(struct net *n, uint32_t raddr, uint16_t lport, uint16_t rport,
    uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, bool mss,
    const struct net_tcb *t, uint32_t off, uint32_t len)
{
	uint8_t		*th = n->frame + OFF_L4;
	size_t		 hlen = TCP_HLEN + (mss ? OPT_MSS_LEN : 0);
	uint32_t	 sum;
	int		 r;

	put16(th, lport);
	put16(th + 2, rport);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = (uint8_t)(hlen / 4 << 4);
	th[13] = flags;
	put16(th + 14, wnd);
	put16(th + 16, 0);
	put16(th + 18, 0);
	if (mss) {
		th[20] = 2;			/* kind MSS, length 4 */
		th[21] = OPT_MSS_LEN;
		put16(th + 22, TCP_MSS_MAX);
	}
	if (len > 0)
		ring_get(t->sbuf, NET_SNDBUF, t->sb_head + off, th + hlen, len);
	sum = net_csum_pseudo(n->cfg.addr, raddr, IPPROTO_TCP_, hlen + len);
	sum = net_csum_add(sum, th, hlen + len);
	put16(th + 16, net_csum_fold(sum));
	r = ipv4_output(n, raddr, IPPROTO_TCP_, hlen + len);
	return r;
}

int
tcp_send_ctl(struct net *n, uint32_t raddr, uint16_t lport, uint16_t rport,
    uint32_t seq, uint32_t ack, uint8_t flags)
{
	return emit(n, raddr, lport, rport, seq, ack, flags,
	    (flags & TH_RST) ? 0 : NET_RCVBUF, false, NULL, 0, 0);
}

void
tcp_send_rst_for(struct net *n, const struct tcp_seg *s)
{
	uint32_t	 seglen;

	if (s->flags & TH_RST)
		return;
	n->stats.tcp_rst_sent++;
	if (s->flags & TH_ACK) {
		(void)tcp_send_ctl(n, s->raddr, s->lport, s->rport, s->ack, 0,
		    TH_RST);
		return;
	}
	seglen = s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
	(void)tcp_send_ctl(n, s->raddr, s->lport, s->rport, 0,
	    s->seq + seglen, TH_RST | TH_ACK);
}

/* A segment on connection T at sequence SEQ with LEN bytes from the ring. */
static int
send_seg(struct net *n, struct net_tcb *t, uint32_t seq, uint8_t flags,
    uint32_t len)
{
	uint32_t	 wnd = tcp_rcv_window(t);
	int		 r;

	r = emit(n, t->raddr, t->lport, t->rport, seq, t->rcv_nxt,
	    flags | TH_ACK, (uint16_t)wnd, false, t, seq - t->snd_una, len);
	if (r < 0)
		return r;
	t->rcv_adv = t->rcv_nxt + wnd;
	t->ack_now = 0;
	return 0;
}

int
tcp_send_synack(struct net *n, struct net_tcb *t)
{
	uint32_t	 wnd = tcp_rcv_window(t);
	int		 r;

	r = emit(n, t->raddr, t->lport, t->rport, t->iss, t->rcv_nxt,
	    TH_SYN | TH_ACK, (uint16_t)wnd, true, NULL, 0, 0);
	t->rcv_adv = t->rcv_nxt + wnd;
	t->ack_now = 0;
	return r;
}

static bool
may_send_data(const struct net_tcb *t)
{
	switch (t->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return true;
	}
	return false;
}

/* PROBE: the window is zero and nothing is in flight; send one byte
 * anyway (RFC 9293 3.8.6.1, zero-window probing). */
static void
output(struct net *n, struct net_tcb *t, bool probe)
{
	uint32_t	 off, unsent, inflight, wnd, avail, len;
	uint8_t		 flags;
	bool		 fin;

	if (t->state == TCP_SYN_RCVD) {
		if (t->ack_now)
			(void)tcp_send_synack(n, t);
		return;
	}
	while (may_send_data(t)) {
		off = t->snd_nxt - t->snd_una;
		if (off > t->sb_len)
			break;			/* the FIN is out */
		unsent = t->sb_len - off;
		inflight = off;
		wnd = t->snd_wnd < t->cwnd ? t->snd_wnd : t->cwnd;
		avail = wnd > inflight ? wnd - inflight : 0;
		if (probe && avail == 0 && inflight == 0 && unsent > 0)
			avail = 1;
		probe = false;
		len = unsent < t->mss ? unsent : t->mss;
		if (len > avail)
			len = avail;
		fin = t->closed && len == unsent;
		if (len == 0 && !fin) {
			/* Zero window: probe later (the persist timer). */
			if (unsent > 0 && inflight == 0 && t->timer == 0)
				t->timer = n->now + t->rto;
			break;
		}
		/* Sender silly-window avoidance: no small segment while
		 * ACKs are due to open the window further. */
		if (len < t->mss && len < unsent && inflight > 0)
			break;
		flags = (fin ? TH_FIN : 0) | (len > 0 && len == unsent ?
		    TH_PSH : 0);
		if (send_seg(n, t, t->snd_nxt, flags, len) < 0)
			break;
		if (!t->rtt_on && t->snd_nxt == t->snd_max) {
			t->rtt_on = 1;
			t->rtt_seq = t->snd_nxt;
			t->rtt_start = n->now;
		}
		t->snd_nxt += len + fin;
		if (SEQ_GT(t->snd_nxt, t->snd_max))
			t->snd_max = t->snd_nxt;
		if (t->timer == 0)
			t->timer = n->now + t->rto;
		if (fin)
			break;
	}
	if (t->ack_now && t->state > TCP_SYN_RCVD)
		(void)send_seg(n, t, t->snd_nxt, 0, 0);
}

void
tcp_output(struct net *n, struct net_tcb *t)
{
	output(n, t, false);
}

void
tcp_probe(struct net *n, struct net_tcb *t)
{
	output(n, t, true);
}

void
tcp_retransmit_first(struct net *n, struct net_tcb *t)
{
	uint32_t	 len = t->sb_len < t->mss ? t->sb_len : t->mss;
	bool		 fin;

	/* The FIN goes along if it was sent and fits behind the data. */
	fin = t->closed && len == t->sb_len &&
	    SEQ_GT(t->snd_max, t->snd_una + t->sb_len);
	if (len == 0 && !fin)
		return;
	if (send_seg(n, t, t->snd_una, fin ? TH_FIN : 0, len) == 0)
		n->stats.tcp_rexmit++;
	if (t->rtt_on)
		t->rtt_on = 0;			/* Karn: no sample from it */
}
