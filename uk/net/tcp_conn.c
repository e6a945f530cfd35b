/*
 * tcp_conn.c - connection blocks: finding, allocating, handing to the
 * app, ending; and initial sequence numbers.
 */
#include "uk/include/uk.h"
#include "uk/net/tcp.h"
#include "uk/net/wire.h"

struct net_tcb *
tcp_lookup(struct net *n, uint32_t raddr, uint16_t rport, uint16_t lport)
{
	struct net_tcb	*t;
	int		 i;

	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &n->tcb[i];
		if (t->state > TCP_CLOSED && t->raddr == raddr &&
		    t->rport == rport && t->lport == lport)
			return t;
	}
	return NULL;
}

struct net_tcb *
tcp_alloc(struct net *n)
{
	struct net_tcb	*t;
	int		 i;

	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &n->tcb[i];
		if (t->state != TCP_FREE)
			continue;
		/* Everything but the two buffers. */
		__builtin_memset(t, 0, __builtin_offsetof(struct net_tcb, sbuf));
		return t;
	}
	return NULL;
}

int
tcp_handle(const struct net *n, const struct net_tcb *t)
{
	return NET_MAX_LISTEN + (int)(t - n->tcb);
}

struct net_tcb *
tcp_from_handle(struct net *n, int h)
{
	struct net_tcb	*t;

	if (h < NET_MAX_LISTEN || h >= NET_MAX_LISTEN + NET_MAX_CONN)
		return NULL;
	t = &n->tcb[h - NET_MAX_LISTEN];
	return t->app ? t : NULL;
}

void
tcp_finish(struct net *n, struct net_tcb *t, int err)
{
	(void)n;
	t->timer = 0;
	if (t->app) {
		t->state = TCP_CLOSED;
		t->err = err;
	} else
		t->state = TCP_FREE;
}

void
tcp_abort(struct net *n, struct net_tcb *t, int err)
{
	(void)tcp_send_ctl(n, t->raddr, t->lport, t->rport, t->snd_nxt, 0,
	    TH_RST);
	n->stats.tcp_rst_sent++;
	tcp_finish(n, t, err);
}

void
tcp_time_wait(struct net *n, struct net_tcb *t)
{
	tcp_tw_add(n, t->raddr, t->rport, t->lport, t->snd_nxt, t->rcv_nxt);
	tcp_finish(n, t, 0);
}

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012) of the connection's
 * addresses, keyed by the secret: RFC 6528's F(). An off-path attacker
 * cannot predict our ISN, so cannot inject data or resets blindly.
 */
#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static uint64_t
siphash_2_4(uint64_t k0, uint64_t k1, const uint64_t *m, int words,
    uint64_t lenbyte)
{
	uint64_t	 v[4];
	int		 i;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i <= words; i++) {
		/* The last block carries the message length in its top byte. */
		uint64_t b = i < words ? m[i] : lenbyte << 56;

		v[3] ^= b;
		sipround(v);
		sipround(v);
		v[0] ^= b;
	}
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint32_t
tcp_iss(const struct net *n, uint32_t raddr, uint16_t rport, uint16_t lport)
{
	uint64_t	 m[2];

	m[0] = (uint64_t)raddr << 32 | n->cfg.addr;
	m[1] = (uint64_t)rport << 16 | lport;
	/* Plus RFC 9293's 4-microsecond clock, so a reused address pair
	 * starts above the old connection's sequence numbers. */
	return (uint32_t)siphash_2_4(n->cfg.secret, ~n->cfg.secret, m, 2, 16) +
	    (uint32_t)(n->now / 4000);
}
