/*
 * wire.c - the Internet checksum (RFC 1071): 16-bit ones' complement sum,
 * accumulated in 32 bits and folded at the end.
 */
#include "uk/net/wire.h"

uint32_t
net_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t	*b = p;
	uint64_t	 s = sum;

	/* 64-bit accumulator: no carry handling inside the loop, even for
	 * the largest frame. */
	for (; len >= 2; len -= 2, b += 2)
		s += get16(b);
	if (len == 1)
		s += (uint32_t)b[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t
net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint64_t	 s;

	s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	    proto + (uint32_t)len;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}
