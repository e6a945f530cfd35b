/*
 * icmp.h - ICMP: echo replies only.
 */
#ifndef UK_NET_ICMP_H
#define UK_NET_ICMP_H

#include "uk/net/ipv4.h"

void	icmp_input(struct net *n, const struct ipv4_pkt *p);

#endif
