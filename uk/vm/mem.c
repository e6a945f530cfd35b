/*
 * mem.c - memcpy and friends for code built -ffreestanding: GCC and clang
 * emit calls to them for structure copies and recognised loops, and
 * uk/net uses the builtins for packet copies.
 *
 * "rep movsb/stosb" are one instruction each: fast on current CPUs
 * (ERMS) and a single helper call under TCG, where a C byte loop costs a
 * translated instruction per byte. The network path moves every payload
 * byte through memcpy, so this is the runtime's hot loop.
 */
#include "uk/include/uk.h"
#include "uk/vm/mem.h"

void *
memcpy(void *dst, const void *src, size_t n)
{
	void	*d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : :
	    "memory");
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char		*d = dst;
	const unsigned char	*s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) :
	    : "memory");
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	void	*d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	return uk_memcmp(a, b, n);
}

int
bcmp(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n);
}
