/*
 * num.c - uk_strtoul: parsing the numbers apps take as words (port=80,
 * limit=64M) and find in protocols (Content-Length, /bytes/N).
 */
#include "uk/include/uk.h"

static int
digit(char c, int base)
{
	int	 d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'z')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'Z')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? d : -1;
}

unsigned long
uk_strtoul(const char *s, char **end, int base)
{
	const char	*p = s;
	unsigned long	 v = 0;
	int		 d, any = 0, over = 0;

	if (base == 0) {
		base = 10;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
		    digit(p[2], 16) >= 0) {
			base = 16;
			p += 2;
		}
	} else if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit(p[2], 16) >= 0)
		p += 2;
	if (base < 2 || base > 36) {
		if (end != NULL)
			*end = (char *)s;
		return 0;
	}
	for (; (d = digit(*p, base)) >= 0; p++) {
		any = 1;
		if (v > (~0UL - (unsigned long)d) / (unsigned long)base)
			over = 1;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (end != NULL)
		*end = (char *)(any ? p : s);
	return over ? ~0UL : v;
}
