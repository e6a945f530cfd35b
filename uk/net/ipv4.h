/*
 * ipv4.h - IPv4 input checks and output through ARP, plus the view of a
 * received packet that ICMP and TCP get.
 */
#ifndef UK_NET_IPV4_H
#define UK_NET_IPV4_H

#include "uk/net/net.h"

struct ipv4_pkt {
	uint32_t	 src, dst;		/* host order */
	uint8_t		 proto;
	const uint8_t	*data;			/* the payload */
	size_t		 len;
};

void	ipv4_input(struct net *n, const uint8_t *frame, size_t len);
/* n->frame holds PLEN payload bytes at OFF_L4: prepend the IPv4 header
 * and send towards DST. 0, or <0 if the device is full or DST has no
 * route (UK_ENOENT). */
int	ipv4_output(struct net *n, uint32_t dst, uint8_t proto, size_t plen);
bool	ipv4_onlink(const struct net *n, uint32_t addr);

#endif
