/* service/budget.c - see budget.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "core/rate.h"
#include "service/budget.h"

#define BUDGET_SLOTS	4096	/* a power of two */

struct budget_slot {
	uint8_t		 addr[8];	/* IPv4, or the /64 of an IPv6 */
	uint8_t		 family;
	struct rate	 r;
};

struct budget {
	struct budget_slot	 slot[BUDGET_SLOTS];
	uint64_t		 key;
};

struct budget *
budget_new(void)
{
	struct budget *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	/* Without entropy the table still works; only its slots become
	 * predictable. */
	if (getrandom(&b->key, sizeof(b->key), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(b->key))
		b->key = (uint64_t)(uintptr_t)b ^ 0x9e3779b97f4a7c15ull;
	return b;
}

void
budget_free(struct budget *b)
{
	free(b);
}

/* A keyed multiply-xorshift over the address: an off-path client cannot
 * choose its slot. */
static uint32_t
slot_of(const struct budget *b, const uint8_t *a, size_t n)
{
	uint64_t h = b->key;

	for (size_t i = 0; i < n; i++)
		h = (h ^ a[i]) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return (uint32_t)h & (BUDGET_SLOTS - 1);
}

bool
budget_take(struct budget *b, int family, const void *addr, uint64_t now,
    uint64_t every_ns, uint32_t burst)
{
	size_t n = family == AF_INET ? 4 : 8;
	struct budget_slot *s;

	if (every_ns == 0)
		return true;
	s = &b->slot[slot_of(b, addr, n)];
	if (s->family != family || memcmp(s->addr, addr, n) != 0) {
		/* Another client's: take it over once its bucket is
		 * full again (nothing of it is left to remember). */
		if (s->r.tat > now)
			return rate_take(&s->r, now, every_ns, burst);
		memset(s, 0, sizeof(*s));
		s->family = (uint8_t)family;
		memcpy(s->addr, addr, n);
	}
	return rate_take(&s->r, now, every_ns, burst);
}
