/*
 * service/budget.h - the start budget of each client (issue 11): how
 * many stopped services one source address may start by DNS queries.
 * Each client (an IPv4 address, an IPv6 /64) has a token bucket
 * (core/rate.h). Clients live in a fixed, direct-mapped table keyed
 * with a secret: no allocation after the first use, O(1). A client
 * landing on a slot held by another whose bucket is not yet full again
 * shares that budget, which an attacker cannot arrange without the key.
 */
#ifndef SERVICE_BUDGET_H
#define SERVICE_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

struct budget;

struct budget	*budget_new(void);
void		 budget_free(struct budget *);
/* Take one start from FAMILY/ADDR's bucket at NOW: one every EVERY_NS,
 * BURST at most at once. False when it has none left. */
bool		 budget_take(struct budget *, int family, const void *addr,
		    uint64_t now, uint64_t every_ns, uint32_t burst);

#endif
