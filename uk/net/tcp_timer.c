/*
 * tcp_timer.c - one timer per connection, meaning what the state says:
 * SYN-ACK retransmission, data retransmission (RFC 6298, doubled on each
 * expiry), zero-window probing, or the orphaned FIN_WAIT_2 limit.
 * net_poll() runs due timers and returns the earliest next one, which the
 * target turns into a wake-up: an idle connection has no timer at all.
 */
#include "uk/include/uk.h"
#include "uk/net/tcp.h"

#define CLOCK_GRANULARITY	1000000ULL	/* G of RFC 6298: 1 ms */

void
tcp_rtt_sample(struct net_tcb *t, uint64_t rtt)
{
	uint64_t	 delta, var;

	if (rtt == 0)
		rtt = 1;
	if (t->srtt == 0) {
		t->srtt = rtt;
		t->rttvar = rtt / 2;
	} else {
		delta = t->srtt > rtt ? t->srtt - rtt : rtt - t->srtt;
		t->rttvar = (3 * t->rttvar + delta) / 4;
		t->srtt = (7 * t->srtt + rtt) / 8;
	}
	var = 4 * t->rttvar > CLOCK_GRANULARITY ? 4 * t->rttvar :
	    CLOCK_GRANULARITY;
	t->rto = t->srtt + var;
	if (t->rto < TCP_RTO_MIN)
		t->rto = TCP_RTO_MIN;
	if (t->rto > TCP_RTO_MAX)
		t->rto = TCP_RTO_MAX;
}

void
tcp_timer_rearm(struct net *n, struct net_tcb *t)
{
	t->timer = t->snd_max == t->snd_una ? 0 : n->now + t->rto;
}

static void
backoff(struct net_tcb *t)
{
	t->rto = t->rto * 2 < TCP_RTO_MAX ? t->rto * 2 : TCP_RTO_MAX;
	t->rtt_on = 0;				/* Karn's algorithm */
}

static void
expire(struct net *n, struct net_tcb *t)
{
	uint32_t	 flight;

	t->timer = 0;
	switch (t->state) {
	case TCP_SYN_RCVD:
		if (++t->nrexmt > TCP_SYN_TRIES) {
			tcp_finish(n, t, 0);
			return;
		}
		backoff(t);
		n->stats.tcp_rexmit++;
		(void)tcp_send_synack(n, t);
		t->timer = n->now + t->rto;
		return;
	case TCP_FIN_WAIT_2:
		tcp_finish(n, t, 0);		/* the peer never closed */
		return;
	}
	if (t->snd_max != t->snd_una) {
		if (++t->nrexmt > TCP_REXMT_MAX) {
			n->stats.tcp_aborted++;
			tcp_abort(n, t, UK_ECONNRESET);
			return;
		}
		/* RFC 5681 3.1 on timeout: one segment, half the flight as
		 * threshold; go back to the first unacknowledged byte. */
		flight = t->snd_max - t->snd_una;
		t->ssthresh = flight / 2 > 2 * t->mss ? flight / 2 : 2 * t->mss;
		t->cwnd = t->mss;
		t->dupacks = 0;
		t->snd_nxt = t->snd_una;
		backoff(t);
		n->stats.tcp_rexmit++;
		t->timer = n->now + t->rto;
		tcp_probe(n, t);		/* even into a zero window */
		return;
	}
	if (t->sb_len > 0 && t->snd_wnd == 0) {
		backoff(t);
		tcp_probe(n, t);
	}
}

uint64_t
tcp_poll(struct net *n)
{
	struct net_tcb	*t;
	uint64_t	 next = UINT64_MAX;
	int		 i;

	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &n->tcb[i];
		if (t->state <= TCP_CLOSED)
			continue;
		if (t->timer != 0 && t->timer <= n->now)
			expire(n, t);
		if (t->state <= TCP_CLOSED)
			continue;
		/* Output a full device refused earlier: an ACK, data, or
		 * the FIN that follows the data. */
		if (t->ack_now || SEQ_LT(t->snd_nxt, t->snd_una + t->sb_len +
		    t->closed))
			tcp_output(n, t);
		if (t->timer != 0 && t->timer < next)
			next = t->timer;
	}
	return next;
}
