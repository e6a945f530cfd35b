/*
 * wire.h - reading and writing big-endian header fields at any alignment,
 * the Internet checksum, and the fixed offsets of the frames we build.
 * Byte-wise access keeps the parsers free of alignment and aliasing
 * assumptions, which matters as much to UBSan as to a strict CPU.
 */
#ifndef UK_NET_WIRE_H
#define UK_NET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_ARP	0x0806
#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPV4_HLEN	20		/* we send no options */
#define TCP_HLEN	20
#define OFF_IP		14		/* in frames we build */
#define OFF_L4		(OFF_IP + IPV4_HLEN)

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Ones' complement sum of LEN bytes added to SUM. Only the last piece of
 * a checksummed area may have an odd length. */
uint32_t	net_csum_add(uint32_t sum, const void *p, size_t len);
/* Folds a sum to the 16-bit checksum field value. */
uint16_t	net_csum_fold(uint32_t sum);
/* Sum of the TCP/UDP pseudo-header. */
uint32_t	net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
		    size_t len);

#endif
