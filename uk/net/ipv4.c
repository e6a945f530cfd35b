/*
 * ipv4.c - IPv4 in and out. No fragments (dropped: TCP peers honour our
 * MSS and ping payloads fit a frame), options skipped, only unicast to
 * our own address accepted.
 */
#include "uk/include/uk.h"
#include "uk/net/arp.h"
#include "uk/net/icmp.h"
#include "uk/net/ipv4.h"
#include "uk/net/tcp.h"
#include "uk/net/wire.h"

#define IP_DF		0x4000
#define IP_MF_OFF	0x3fff		/* more-fragments flag and offset */
#define IP_TTL		64

bool
ipv4_onlink(const struct net *n, uint32_t addr)
{
	return (addr & n->cfg.netmask) == (n->cfg.addr & n->cfg.netmask);
}

/* Addresses no packet may come from (RFC 1122 3.2.1.3). */
static bool
bad_source(const struct net *n, uint32_t src)
{
	uint32_t	 bcast = n->cfg.addr | ~n->cfg.netmask;

	return src == 0 || src == 0xffffffff || src == bcast ||
	    src == n->cfg.addr || (src >> 28) == 0xe || (src >> 24) == 127;
}

void
ipv4_input(struct net *n, const uint8_t *frame, size_t len)
{
	const uint8_t	*ip = frame + NET_ETH_HLEN;
	size_t		 plen = len - NET_ETH_HLEN, hlen, total;
	struct ipv4_pkt	 p;

	if (plen < IPV4_HLEN || ip[0] >> 4 != 4)
		goto drop;
	hlen = (size_t)(ip[0] & 0xf) * 4;
	total = get16(ip + 2);
	/* total < plen: Ethernet pads short frames to 60 bytes. */
	if (hlen < IPV4_HLEN || total < hlen || total > plen)
		goto drop;
	if (!n->cfg.rx_csum_trusted &&
	    net_csum_fold(net_csum_add(0, ip, hlen)) != 0)
		goto drop;
	if ((get16(ip + 6) & IP_MF_OFF) != 0)
		goto drop;
	p.src = get32(ip + 12);
	p.dst = get32(ip + 16);
	p.proto = ip[9];
	p.data = ip + hlen;
	p.len = total - hlen;
	if (p.dst != n->cfg.addr || bad_source(n, p.src))
		goto drop;
	if (ipv4_onlink(n, p.src))
		arp_learn(n, p.src, frame + 6);
	switch (p.proto) {
	case IPPROTO_ICMP_:
		icmp_input(n, &p);
		return;
	case IPPROTO_TCP_:
		tcp_input(n, &p);
		return;
	}
drop:
	n->stats.rx_dropped++;
}

int
ipv4_output(struct net *n, uint32_t dst, uint8_t proto, size_t plen)
{
	uint8_t		*ip = n->frame + OFF_IP;
	uint32_t	 nexthop;

	if (ipv4_onlink(n, dst))
		nexthop = dst;
	else if (n->cfg.gateway != 0)
		nexthop = n->cfg.gateway;
	else
		return UK_ENOENT;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IPV4_HLEN + plen));
	put16(ip + 4, n->ip_id++);
	put16(ip + 6, IP_DF);
	ip[8] = IP_TTL;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, n->cfg.addr);
	put32(ip + 16, dst);
	put16(ip + 10, net_csum_fold(net_csum_add(0, ip, IPV4_HLEN)));
	return arp_output(n, nexthop, OFF_L4 + plen);
}
