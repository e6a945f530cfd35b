/*
 * ring.h - copying into and out of a power-of-two byte ring (the TCP send
 * and receive buffers) at a logical position that wraps.
 */
#ifndef UK_NET_RING_H
#define UK_NET_RING_H

#include <stdint.h>

static inline void
ring_put(uint8_t *ring, uint32_t size, uint32_t pos, const void *src,
    uint32_t len)
{
	uint32_t	 at = pos & (size - 1);
	uint32_t	 first = len < size - at ? len : size - at;

	__builtin_memcpy(ring + at, src, first);
	__builtin_memcpy(ring, (const uint8_t *)src + first, len - first);
}

static inline void
ring_get(const uint8_t *ring, uint32_t size, uint32_t pos, void *dst,
    uint32_t len)
{
	uint32_t	 at = pos & (size - 1);
	uint32_t	 first = len < size - at ? len : size - at;

	__builtin_memcpy(dst, ring + at, first);
	__builtin_memcpy((uint8_t *)dst + first, ring, len - first);
}

#endif
