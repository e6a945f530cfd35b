/*
 * arp.h - the ARP cache (RFC 826): answering, learning and resolving.
 */
#ifndef UK_NET_ARP_H
#define UK_NET_ARP_H

#include "uk/net/net.h"

#define ARP_TTL_NS	(300ULL * 1000000000ULL)	/* then re-resolve */
#define ARP_RETRY_NS	(1000ULL * 1000000ULL)
#define ARP_TRIES	3

void	 arp_input(struct net *n, const uint8_t *frame, size_t len);
/* Records IP at MAC, seen as the source of a received IPv4 frame. */
void	 arp_learn(struct net *n, uint32_t ip, const uint8_t *mac);
/* Sends the LEN-byte frame in n->frame (Ethernet header to be filled) to
 * the neighbour NEXTHOP, resolving it first if needed (the frame is then
 * held and goes out with the reply). */
int	 arp_output(struct net *n, uint32_t nexthop, size_t len);
/* Retries requests; returns the next deadline. */
uint64_t arp_poll(struct net *n);

#endif
