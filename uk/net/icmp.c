/*
 * icmp.c - answering echo requests (ping). Everything else is dropped:
 * a server-only stack has no use for errors it would not act on.
 */
#include "uk/net/icmp.h"
#include "uk/net/wire.h"

#define ICMP_ECHO_REPLY		0
#define ICMP_ECHO_REQUEST	8
#define ICMP_HLEN		8

void
icmp_input(struct net *n, const struct ipv4_pkt *p)
{
	uint8_t		*r = n->frame + OFF_L4;

	if (p->len < ICMP_HLEN || p->len > NET_MTU - IPV4_HLEN ||
	    p->data[0] != ICMP_ECHO_REQUEST || p->data[1] != 0 ||
	    (!n->cfg.rx_csum_trusted &&
	    net_csum_fold(net_csum_add(0, p->data, p->len)) != 0)) {
		n->stats.rx_dropped++;
		return;
	}
	/* Same identifier, sequence and payload; new type and checksum. */
	__builtin_memcpy(r, p->data, p->len);
	r[0] = ICMP_ECHO_REPLY;
	put16(r + 2, 0);
	put16(r + 2, net_csum_fold(net_csum_add(0, r, p->len)));
	(void)ipv4_output(n, p->src, IPPROTO_ICMP_, p->len);
}
