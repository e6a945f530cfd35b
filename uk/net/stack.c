/*
 * stack.c - the stack's entry points: set-up, one frame in, timers.
 */
#include "uk/include/uk.h"
#include "uk/net/arp.h"
#include "uk/net/ipv4.h"
#include "uk/net/tcp.h"
#include "uk/net/wire.h"

void
net_init(struct net *n, const struct net_config *cfg, net_tx_fn *tx,
    void *tx_arg)
{
	int	 i;

	/* Clear the control state only: zeroing ~1.3 MiB of buffers would
	 * cost boot time for nothing. */
	n->cfg = *cfg;
	n->tx = tx;
	n->tx_arg = tx_arg;
	n->now = 0;
	n->order = 0;
	n->ip_id = (uint16_t)cfg->secret;
	__builtin_memset(n->listen_port, 0, sizeof(n->listen_port));
	__builtin_memset(&n->stats, 0, sizeof(n->stats));
	for (i = 0; i < NET_ARP_SIZE; i++)
		n->arp[i].ip = 0;
	__builtin_memset(n->tw, 0, sizeof(n->tw));
	for (i = 0; i < NET_MAX_CONN; i++)
		n->tcb[i].state = TCP_FREE;
}

void
net_input(struct net *n, const void *frame, size_t len, uint64_t now)
{
	const uint8_t	*f = frame;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	n->now = now;
	n->stats.rx_frames++;
	if (len < NET_ETH_HLEN || len > NET_FRAME_MAX ||
	    (__builtin_memcmp(f, n->cfg.mac, 6) != 0 &&
	    __builtin_memcmp(f, bcast, 6) != 0)) {
		n->stats.rx_dropped++;
		return;
	}
	switch (get16(f + 12)) {
	case ETHERTYPE_ARP:
		arp_input(n, f, len);
		break;
	case ETHERTYPE_IPV4:
		ipv4_input(n, f, len);
		break;
	default:
		/* IPv6 and the rest: a fresh tap sends MLD and RS frames. */
		n->stats.rx_dropped++;
		break;
	}
}

uint64_t
net_poll(struct net *n, uint64_t now)
{
	uint64_t	 a, t;

	n->now = now;
	a = arp_poll(n);
	t = tcp_poll(n);
	return a < t ? a : t;
}
