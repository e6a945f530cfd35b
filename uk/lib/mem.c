/*
 * mem.c - the memory and string helpers of uk.h, shared by every target.
 *
 * Plain byte loops: apps move little data through them (the unix target
 * could use libc's, but one implementation is one thing to test). GCC
 * turns such loops into calls to memset/memcpy even with -ffreestanding;
 * a kernel that defines memset as uk_memset would then recurse, hence
 * the attribute.
 */
#include "uk/include/uk.h"

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALLS
#endif

NO_LIBCALLS void *
uk_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char		*d = dst;
	const unsigned char	*s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

NO_LIBCALLS void *
uk_memset(void *dst, int c, size_t n)
{
	unsigned char	*d = dst;

	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

int
uk_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char	*p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

size_t
uk_strlen(const char *s)
{
	size_t	 n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

int
uk_strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		if (*a == '\0')
			break;
	}
	return 0;
}
