/*
 * core/rate.h - a token bucket, kept as one timestamp (GCRA): the
 * bucket holds `burst` tokens and gains one every `every_ns`. A rate
 * with every_ns 0 never refuses. Pure: the caller passes the time, so
 * unit tests need no clock.
 */
#ifndef CORE_RATE_H
#define CORE_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct rate {
	uint64_t	 tat;	/* ns: when the bucket is full again */
};

/* Take one token at time now; false (and nothing taken) when empty. */
bool	rate_take(struct rate *, uint64_t now, uint64_t every_ns,
	    uint32_t burst);

#endif
