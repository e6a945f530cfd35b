/*
 * arp.c - the neighbour cache. Entries are learnt from ARP packets that
 * target us (RFC 826 merge), from replies to our requests, and from the
 * source of IPv4 frames on the subnet: the last saves a round trip on
 * the first reply to a new client, which is on the boot-time critical
 * path when the host pre-installed a neighbour entry for us and so never
 * ARPs (jitsu's qemu backend does).
 */
#include "uk/include/uk.h"
#include "uk/net/arp.h"
#include "uk/net/ipv4.h"
#include "uk/net/wire.h"

#define ARP_LEN		28
#define ARP_REQUEST	1
#define ARP_REPLY	2

static struct net_arp *
lookup(struct net *n, uint32_t ip)
{
	int	 i;

	for (i = 0; i < NET_ARP_SIZE; i++)
		if (n->arp[i].ip == ip)
			return &n->arp[i];
	return NULL;
}

/* A slot for IP: a free one, else the one that expires first. */
static struct net_arp *
alloc(struct net *n, uint32_t ip)
{
	struct net_arp	*e, *victim = &n->arp[0];
	int		 i;

	for (i = 0; i < NET_ARP_SIZE; i++) {
		e = &n->arp[i];
		if (e->ip == 0) {
			victim = e;
			break;
		}
		if (e->expire < victim->expire)
			victim = e;
	}
	victim->ip = ip;
	victim->resolved = 0;
	victim->tries = 0;
	victim->expire = 0;
	victim->held_len = 0;
	return victim;
}

static int
send_frame(struct net *n, const uint8_t *frame, size_t len)
{
	if (n->tx(n->tx_arg, frame, len) < 0) {
		n->stats.tx_failed++;
		return UK_EAGAIN;
	}
	n->stats.tx_frames++;
	return 0;
}

static void
eth_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	__builtin_memcpy(f, dst, 6);
	__builtin_memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

static void
send_arp(struct net *n, uint16_t op, const uint8_t *dmac, const uint8_t *tha,
    uint32_t tpa)
{
	uint8_t		 f[NET_ETH_HLEN + ARP_LEN];
	uint8_t		*a = f + NET_ETH_HLEN;

	eth_header(f, dmac, n->cfg.mac, ETHERTYPE_ARP);
	put16(a, 1);				/* Ethernet */
	put16(a + 2, ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	__builtin_memcpy(a + 8, n->cfg.mac, 6);
	put32(a + 14, n->cfg.addr);
	__builtin_memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	(void)send_frame(n, f, sizeof(f));
}

static void
request(struct net *n, struct net_arp *e)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	send_arp(n, ARP_REQUEST, bcast, zero, e->ip);
	n->stats.arp_requests_sent++;
	e->tries++;
	e->expire = n->now + ARP_RETRY_NS;
}

/* The address is known now: record it and release the held frame. */
static void
resolved(struct net *n, struct net_arp *e, const uint8_t *mac)
{
	__builtin_memcpy(e->mac, mac, 6);
	e->resolved = 1;
	e->tries = 0;
	e->expire = n->now + ARP_TTL_NS;
	if (e->held_len > 0) {
		eth_header(e->held, e->mac, n->cfg.mac, ETHERTYPE_IPV4);
		(void)send_frame(n, e->held, e->held_len);
		e->held_len = 0;
	}
}

static bool
usable_mac(const uint8_t *mac)
{
	static const uint8_t zero[6];

	/* Group addresses (bit 0 of the first byte) and 00:..:00 are
	 * never a neighbour's own address. */
	return (mac[0] & 1) == 0 && __builtin_memcmp(mac, zero, 6) != 0;
}

void
arp_input(struct net *n, const uint8_t *frame, size_t len)
{
	const uint8_t	*a = frame + NET_ETH_HLEN;
	const uint8_t	*sha;
	struct net_arp	*e;
	uint32_t	 spa, tpa;
	uint16_t	 op;

	if (len < NET_ETH_HLEN + ARP_LEN || get16(a) != 1 ||
	    get16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4) {
		n->stats.rx_dropped++;
		return;
	}
	op = get16(a + 6);
	sha = a + 8;
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (!usable_mac(sha) || spa == n->cfg.addr) {
		n->stats.rx_dropped++;
		return;
	}
	/* RFC 826: update an existing entry; add one only if we are the
	 * target. spa 0 is a probe (RFC 5227): answer, learn nothing. The
	 * gateway may lie off our subnet (jitsud gives a /32 and a
	 * link-local gateway), so it is learnt too, not only on-link peers. */
	if (spa != 0) {
		e = lookup(n, spa);
		if (e == NULL && tpa == n->cfg.addr &&
		    (ipv4_onlink(n, spa) || spa == n->cfg.gateway))
			e = alloc(n, spa);
		if (e != NULL)
			resolved(n, e, sha);
	}
	if (op == ARP_REQUEST && tpa == n->cfg.addr)
		send_arp(n, ARP_REPLY, sha, sha, spa);
}

void
arp_learn(struct net *n, uint32_t ip, const uint8_t *mac)
{
	struct net_arp	*e;

	if (!ipv4_onlink(n, ip) || !usable_mac(mac))
		return;
	if ((e = lookup(n, ip)) == NULL)
		e = alloc(n, ip);
	resolved(n, e, mac);
}

int
arp_output(struct net *n, uint32_t nexthop, size_t len)
{
	struct net_arp	*e = lookup(n, nexthop);

	if (e != NULL && e->resolved) {
		/* Stale: ask again, but keep using the old address until the
		 * answer, so a burst of segments is not cut to one. */
		if (e->expire <= n->now && e->tries == 0)
			request(n, e);
		eth_header(n->frame, e->mac, n->cfg.mac, ETHERTYPE_IPV4);
		return send_frame(n, n->frame, len);
	}
	if (e == NULL)
		e = alloc(n, nexthop);
	/* Keep the newest frame: for TCP it carries the latest ACK. */
	__builtin_memcpy(e->held, n->frame, len);
	e->held_len = (uint16_t)len;
	if (e->tries == 0)
		request(n, e);
	return 0;
}

uint64_t
arp_poll(struct net *n)
{
	struct net_arp	*e;
	uint64_t	 next = UINT64_MAX;
	int		 i;

	for (i = 0; i < NET_ARP_SIZE; i++) {
		e = &n->arp[i];
		if (e->ip == 0 || e->tries == 0)
			continue;		/* free, or resolved and idle */
		if (e->expire <= n->now) {
			if (e->tries >= ARP_TRIES) {
				e->ip = 0;	/* unreachable: drop the frame */
				e->held_len = 0;
				continue;
			}
			request(n, e);
		}
		if (e->expire < next)
			next = e->expire;
	}
	return next;
}
