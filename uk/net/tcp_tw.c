/*
 * tcp_tw.c - TIME_WAIT: a closed connection's addresses and sequence
 * numbers, kept for 2 MSL to re-ACK a retransmitted FIN and to keep old
 * duplicates out of a new connection between the same ports.
 *
 * The server closes first (HTTP with Connection: close), so every request
 * leaves one entry; 100 requests a second would need 3000 of them. When
 * the table is full the entry closest to expiry is recycled, as Linux
 * does past tcp_max_tw_buckets: the cost is the small risk RFC 1337
 * describes, not refused connections. Expiry is lazy (an expired entry
 * is a free one), so TIME_WAIT never wakes an idle guest.
 */
#include "uk/net/tcp.h"

struct net_tw *
tcp_tw_lookup(struct net *n, uint32_t raddr, uint16_t rport, uint16_t lport)
{
	struct net_tw	*w;
	int		 i;

	for (i = 0; i < NET_MAX_TW; i++) {
		w = &n->tw[i];
		if (w->lport == lport && w->rport == rport &&
		    w->raddr == raddr && w->expire > n->now)
			return w;
	}
	return NULL;
}

void
tcp_tw_add(struct net *n, uint32_t raddr, uint16_t rport, uint16_t lport,
    uint32_t snd_nxt, uint32_t rcv_nxt)
{
	struct net_tw	*w, *victim = &n->tw[0];
	int		 i;

	for (i = 0; i < NET_MAX_TW; i++) {
		w = &n->tw[i];
		if (w->lport == 0 || w->expire <= n->now) {
			victim = w;
			break;
		}
		if (w->expire < victim->expire)
			victim = w;
	}
	victim->raddr = raddr;
	victim->rport = rport;
	victim->lport = lport;
	victim->snd_nxt = snd_nxt;
	victim->rcv_nxt = rcv_nxt;
	victim->expire = n->now + TCP_TW_NS;
}

bool
tcp_tw_input(struct net *n, struct net_tw *w, const struct tcp_seg *s)
{
	if (s->flags & TH_RST) {
		w->lport = 0;
		return false;
	}
	/* RFC 9293 3.6.1 / RFC 6191: a SYN above the old sequence space
	 * may start a new incarnation. */
	if ((s->flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    SEQ_GT(s->seq, w->rcv_nxt)) {
		w->lport = 0;
		return true;
	}
	/* Anything else (in practice a retransmitted FIN) is answered with
	 * an ACK; a FIN restarts the 2 MSL wait. */
	if (s->flags & TH_FIN)
		w->expire = n->now + TCP_TW_NS;
	(void)tcp_send_ctl(n, w->raddr, w->lport, w->rport, w->snd_nxt,
	    w->rcv_nxt, TH_ACK);
	return false;
}
