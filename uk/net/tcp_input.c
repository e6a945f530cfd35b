/*
 * tcp_input.c - segment arrival (RFC 9293 3.10.7), server side.
 *
 * Simplifications, each deliberate:
 * - Out-of-order data is dropped and answered with a duplicate ACK; the
 *   peer's fast retransmit fills the hole. On a tap link reordering is
 *   rare and a reassembly queue is code and memory for nothing.
 * - Data that arrives after the app closed its handle resets the
 *   connection (as Linux does): nobody would ever read it.
 * - RSTs and SYNs in a synchronized state follow RFC 5961: an exact RST
 *   resets, an in-window one or a SYN gets a challenge ACK.
 */
#include "uk/include/uk.h"
#include "uk/net/ring.h"
#include "uk/net/tcp.h"
#include "uk/net/wire.h"

#define OPT_END		0
#define OPT_NOP		1
#define OPT_MSS		2

static int
parse(struct net *n, const struct ipv4_pkt *p, struct tcp_seg *s)
{
	const uint8_t	*th = p->data, *o;
	size_t		 hlen, i;

	if (p->len < TCP_HLEN)
		return -1;
	hlen = (size_t)(th[12] >> 4) * 4;
	if (hlen < TCP_HLEN || hlen > p->len)
		return -1;
	if (!n->cfg.rx_csum_trusted && net_csum_fold(net_csum_add(
	    net_csum_pseudo(p->src, p->dst, IPPROTO_TCP_, p->len), th,
	    p->len)) != 0)
		return -1;
	s->raddr = p->src;
	s->rport = get16(th);
	s->lport = get16(th + 2);
	s->seq = get32(th + 4);
	s->ack = get32(th + 8);
	s->flags = th[13];
	s->wnd = get16(th + 14);
	s->mss = 0;
	s->data = th + hlen;
	s->len = (uint32_t)(p->len - hlen);
	if (s->rport == 0 || s->lport == 0)
		return -1;
	o = th + TCP_HLEN;
	for (i = 0; i < hlen - TCP_HLEN;) {
		if (o[i] == OPT_END)
			break;
		if (o[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen - TCP_HLEN || o[i + 1] < 2 ||
		    i + o[i + 1] > hlen - TCP_HLEN)
			break;			/* malformed: ignore the rest */
		if (o[i] == OPT_MSS && o[i + 1] == 4)
			s->mss = get16(o + i + 2);
		i += o[i + 1];
	}
	return 0;
}

static int
find_listener(const struct net *n, uint16_t port)
{
	int	 i;

	for (i = 0; i < NET_MAX_LISTEN; i++)
		if (n->listen_port[i] == port)
			return i;
	return -1;
}

/* With every block taken, a SYN may replace a half-open connection
 * whose SYN-ACK already went unanswered (as a flood of spoofed SYNs
 * leaves them): the most retried one. Otherwise the SYN is dropped and
 * the client retries a second later. */
static struct net_tcb *
evict_half_open(struct net *n)
{
	struct net_tcb	*t, *victim = NULL;
	int		 i;

	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &n->tcb[i];
		if (t->state == TCP_SYN_RCVD && t->nrexmt > 0 &&
		    (victim == NULL || t->nrexmt > victim->nrexmt))
			victim = t;
	}
	if (victim == NULL)
		return NULL;
	tcp_finish(n, victim, 0);
	return tcp_alloc(n);
}

/* A SYN for listener L: a new connection in SYN_RCVD, SYN-ACK sent. */
static void
passive_open(struct net *n, int l, const struct tcp_seg *s)
{
	struct net_tcb	*t;
	uint32_t	 mss;

	if ((t = tcp_alloc(n)) == NULL && (t = evict_half_open(n)) == NULL) {
		n->stats.rx_dropped++;
		return;
	}
	t->state = TCP_SYN_RCVD;
	t->listener = (int8_t)l;
	t->raddr = s->raddr;
	t->rport = s->rport;
	t->lport = s->lport;
	t->irs = s->seq;
	t->rcv_nxt = s->seq + 1;
	t->iss = tcp_iss(n, s->raddr, s->rport, s->lport);
	t->snd_una = t->iss;
	t->snd_nxt = t->iss + 1;
	t->snd_max = t->snd_nxt;
	t->snd_wnd = s->wnd;
	t->snd_wl1 = s->seq;
	t->snd_wl2 = t->iss;
	mss = s->mss != 0 ? s->mss : TCP_MSS_DEFAULT;
	if (mss > TCP_MSS_MAX)
		mss = TCP_MSS_MAX;
	if (mss < 64)
		mss = 64;			/* absurd values: a floor */
	t->mss = mss;
	/* RFC 6928 initial window, RFC 5681 "infinite" ssthresh. */
	t->cwnd = 10 * mss < 14600 ? 10 * mss : (2 * mss > 14600 ? 2 * mss :
	    14600);
	t->ssthresh = 0xffffffff;
	t->rto = TCP_RTO_INIT;
	t->rtt_on = 1;
	t->rtt_seq = t->iss;
	t->rtt_start = n->now;
	t->timer = n->now + t->rto;
	(void)tcp_send_synack(n, t);
}

static void
listen_input(struct net *n, int l, const struct tcp_seg *s)
{
	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		tcp_send_rst_for(n, s);
		return;
	}
	if (s->flags & TH_SYN)
		passive_open(n, l, s);
}

/* RFC 9293 3.10.7.4 first check: is any of the segment in the window? */
static bool
acceptable(const struct net_tcb *t, const struct tcp_seg *s, uint32_t seglen)
{
	uint32_t	 wnd = tcp_rcv_window(t);

	if (seglen == 0)
		return wnd == 0 ? s->seq == t->rcv_nxt :
		    SEQ_LEQ(t->rcv_nxt, s->seq) &&
		    SEQ_LT(s->seq, t->rcv_nxt + wnd);
	if (wnd == 0)
		return false;
	return (SEQ_LEQ(t->rcv_nxt, s->seq) &&
	    SEQ_LT(s->seq, t->rcv_nxt + wnd)) ||
	    (SEQ_LEQ(t->rcv_nxt, s->seq + seglen - 1) &&
	    SEQ_LT(s->seq + seglen - 1, t->rcv_nxt + wnd));
}

static void
rst_input(struct net *n, struct net_tcb *t, const struct tcp_seg *s)
{
	if (s->seq != t->rcv_nxt) {
		t->ack_now = 1;			/* RFC 5961 challenge ACK */
		return;
	}
	tcp_finish(n, t, UK_ECONNRESET);
}

/* Congestion window growth for ACKED new bytes (RFC 5681 3.1). */
static void
open_cwnd(struct net_tcb *t, uint32_t acked)
{
	uint32_t	 inc;

	if (t->dupacks >= 3) {
		/* Leaving fast recovery (Reno): deflate. */
		t->cwnd = t->ssthresh;
		t->dupacks = 0;
		return;
	}
	t->dupacks = 0;
	if (t->cwnd < t->ssthresh)
		inc = acked < t->mss ? acked : t->mss;
	else
		inc = t->mss * t->mss / t->cwnd;
	if (inc == 0)
		inc = 1;
	if (t->cwnd < 0x40000000)
		t->cwnd += inc;
}

static void
fast_retransmit(struct net *n, struct net_tcb *t)
{
	uint32_t	 flight = t->snd_max - t->snd_una;

	t->ssthresh = flight / 2 > 2 * t->mss ? flight / 2 : 2 * t->mss;
	tcp_retransmit_first(n, t);
	t->cwnd = t->ssthresh + 3 * t->mss;
	t->recover = t->snd_max;
}

/* Returns false if the connection is gone or the segment is done. */
static bool
ack_input(struct net *n, struct net_tcb *t, const struct tcp_seg *s)
{
	uint32_t	 acked, data;
	bool		 fin_acked;

	if (t->state == TCP_SYN_RCVD) {
		if (s->ack != t->snd_nxt) {
			tcp_send_rst_for(n, s);
			return false;		/* nothing more to do with it */
		}
		t->state = TCP_ESTABLISHED;
		t->order = ++n->order;
		t->snd_una = s->ack;
		t->snd_wnd = s->wnd;
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
		t->timer = 0;
		t->nrexmt = 0;
		if (t->rtt_on) {
			tcp_rtt_sample(t, n->now - t->rtt_start);
			t->rtt_on = 0;
		}
		return true;
	}
	if (SEQ_GT(s->ack, t->snd_max)) {
		t->ack_now = 1;			/* acks what we never sent */
		return true;
	}
	if (SEQ_LT(s->ack, t->snd_una))
		return true;			/* old duplicate */
	acked = s->ack - t->snd_una;
	if (acked == 0) {
		/* RFC 5681 duplicate ACK: nothing new, no data, same window,
		 * data outstanding; not answers to zero-window probes. */
		if (s->len == 0 && !(s->flags & TH_FIN) && s->wnd != 0 &&
		    s->wnd == t->snd_wnd && t->snd_max != t->snd_una) {
			if (++t->dupacks == 3)
				fast_retransmit(n, t);
			else if (t->dupacks > 3)
				t->cwnd += t->mss;	/* inflate */
		}
	} else {
		data = acked < t->sb_len ? acked : t->sb_len;
		fin_acked = acked > t->sb_len;
		t->sb_head = (t->sb_head + data) & (NET_SNDBUF - 1);
		t->sb_len -= data;
		t->snd_una = s->ack;
		if (SEQ_LT(t->snd_nxt, t->snd_una))
			t->snd_nxt = t->snd_una;
		if (t->rtt_on && SEQ_GT(s->ack, t->rtt_seq)) {
			tcp_rtt_sample(t, n->now - t->rtt_start);
			t->rtt_on = 0;
		}
		open_cwnd(t, acked);
		t->nrexmt = 0;
		tcp_timer_rearm(n, t);
		if (fin_acked) {
			switch (t->state) {
			case TCP_FIN_WAIT_1:
				t->state = TCP_FIN_WAIT_2;
				t->timer = n->now + TCP_FIN2_NS;
				break;
			case TCP_CLOSING:
				tcp_time_wait(n, t);
				return false;
			case TCP_LAST_ACK:
				tcp_finish(n, t, 0);
				return false;
			}
		}
	}
	/* Window update (RFC 9293 3.10.7.4, fifth check). */
	if (SEQ_LT(t->snd_wl1, s->seq) ||
	    (t->snd_wl1 == s->seq && SEQ_LEQ(t->snd_wl2, s->ack))) {
		if (t->snd_wnd == 0 && s->wnd != 0)
			t->nrexmt = 0;		/* the prober got through */
		t->snd_wnd = s->wnd;
		t->snd_wl1 = s->seq;
		t->snd_wl2 = s->ack;
	}
	/* A live peer answering our zero-window probes is no timeout, as
	 * long as the app is there to care. Once it closed, a peer that
	 * never opens its window would hold the block for good: its probes
	 * then count like retransmissions (Linux's orphan retries). */
	if (t->snd_wnd == 0 && !t->closed)
		t->nrexmt = 0;
	return true;
}

/* Data and FIN; returns false if the connection is gone. */
static bool
data_input(struct net *n, struct net_tcb *t, const struct tcp_seg *s)
{
	const uint8_t	*d = s->data;
	uint32_t	 seq = s->seq, len = s->len, skip, room, take;
	bool		 fin = (s->flags & TH_FIN) != 0;

	if (len == 0 && !fin)
		return true;
	if (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT_1 &&
	    t->state != TCP_FIN_WAIT_2) {
		t->ack_now = 1;			/* a retransmitted FIN */
		return true;
	}
	if (SEQ_LT(seq, t->rcv_nxt)) {		/* trim what we have */
		skip = t->rcv_nxt - seq;
		if (skip > len) {
			t->ack_now = 1;
			return true;
		}
		d += skip;
		len -= skip;
		seq += skip;
	}
	t->ack_now = 1;
	if (seq != t->rcv_nxt)
		return true;			/* out of order: dup ACK */
	if (len > 0 && t->closed) {
		tcp_abort(n, t, UK_ECONNRESET);
		return false;
	}
	room = NET_RCVBUF - t->rb_len;
	take = len < room ? len : room;
	ring_put(t->rbuf, NET_RCVBUF, t->rb_head + t->rb_len, d, take);
	t->rb_len += take;
	t->rcv_nxt += take;
	if (!fin || take < len)
		return true;			/* FIN only after all data */
	t->rcv_nxt++;
	t->fin_rcvd = 1;
	switch (t->state) {
	case TCP_ESTABLISHED:
		t->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		t->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		(void)tcp_send_ctl(n, t->raddr, t->lport, t->rport, t->snd_nxt,
		    t->rcv_nxt, TH_ACK);
		tcp_time_wait(n, t);
		return false;
	}
	return true;
}

static void
conn_input(struct net *n, struct net_tcb *t, const struct tcp_seg *s)
{
	uint32_t	 seglen;

	if (t->state == TCP_SYN_RCVD && (s->flags & (TH_SYN | TH_ACK)) ==
	    TH_SYN && s->seq == t->irs) {
		(void)tcp_send_synack(n, t);	/* our SYN-ACK was lost */
		return;
	}
	seglen = s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
	if (!acceptable(t, s, seglen)) {
		if (!(s->flags & TH_RST))
			t->ack_now = 1;
		tcp_output(n, t);
		return;
	}
	if (s->flags & TH_RST) {
		rst_input(n, t, s);
		if (t->state > TCP_CLOSED)
			tcp_output(n, t);
		return;
	}
	if (s->flags & TH_SYN) {
		t->ack_now = 1;			/* RFC 5961 4.2 */
		tcp_output(n, t);
		return;
	}
	if (!(s->flags & TH_ACK))
		return;
	if (!ack_input(n, t, s) || !data_input(n, t, s))
		return;
	tcp_output(n, t);
}

void
tcp_input(struct net *n, const struct ipv4_pkt *p)
{
	struct tcp_seg	 s;
	struct net_tcb	*t;
	struct net_tw	*w;
	int		 l;

	if (parse(n, p, &s) < 0) {
		n->stats.rx_dropped++;
		return;
	}
	if ((t = tcp_lookup(n, s.raddr, s.rport, s.lport)) != NULL) {
		conn_input(n, t, &s);
		return;
	}
	if ((w = tcp_tw_lookup(n, s.raddr, s.rport, s.lport)) != NULL &&
	    !tcp_tw_input(n, w, &s))
		return;
	if ((l = find_listener(n, s.lport)) >= 0)
		listen_input(n, l, &s);
	else
		tcp_send_rst_for(n, &s);
}
