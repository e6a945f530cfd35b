/* core/rate.c - see rate.h. */
#include "core/rate.h"

bool
rate_take(struct rate *r, uint64_t now, uint64_t every_ns, uint32_t burst)
{
	uint64_t tat;

	if (every_ns == 0)
		return true;
	if (burst == 0)
		return false;
	/* A bucket idle for longer than it takes to fill is simply full:
	 * tokens do not pile up past the burst. */
	tat = r->tat > now ? r->tat : now;
	if (tat - now > every_ns * (uint64_t)(burst - 1))
		return false;
	r->tat = tat + every_ns;
	return true;
}
