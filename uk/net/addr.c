/*
 * addr.c - parsing dotted-quad IPv4 addresses (kernel command line).
 */
#include "uk/include/uk.h"
#include "uk/net/net.h"

int
net_parse_ipv4(const char *s, uint32_t *addr, const char **end)
{
	uint32_t	 a = 0, part;
	int		 i, digits;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return UK_EINVAL;
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			part = part * 10 + (uint32_t)(*s - '0');
			if (part > 255 || digits > 2)
				return UK_EINVAL;
		}
		if (digits == 0)
			return UK_EINVAL;
		a = a << 8 | part;
	}
	*addr = a;
	if (end != NULL)
		*end = s;
	return 0;
}
