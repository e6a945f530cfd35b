/*
 * netif.h - the vm's network: the first virtio-net device bound to the
 * uk/net stack with the address from the command line.
 */
#ifndef UK_VM_NETIF_H
#define UK_VM_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "uk/net/net.h"
#include "uk/vm/cmdline.h"

#define NETIF_VECTOR	33	/* the NIC's interrupt */

/* The stack, valid once netif_up(). */
extern struct net	netif_stack;

/* Finds and starts the NIC; a guest without ip= or without a NIC runs
 * with the network off (uk_listen fails). */
void	 netif_init(const struct cmdline *cl);
bool	 netif_up(void);
/* Feeds received frames to the stack and runs its timers; returns the
 * stack's next deadline. */
uint64_t netif_pump(void);
/* One line describing the interface, for the boot log. */
void	 netif_describe(void);

#endif
