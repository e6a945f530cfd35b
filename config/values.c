/* config/values.c - see values.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/values.h"

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
parse_uint(const char *s, uint64_t max, uint64_t *out, const char **why)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s)) {
		*why = "not a number";
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v > max) {
		*why = "number too large";
		return -ERANGE;
	}
	if (*end != '\0') {
		*why = "not a number";
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* A number followed by a unit from the table; mult[i] scales units[i]. */
static int
parse_scaled(const char *s, const char *const *units, const uint64_t *mult,
    uint64_t defmult, uint64_t *out, const char **why, const char *bad)
{
	unsigned long long v;
	char *end;
	int i;

	if (!isdigit((unsigned char)*s)) {
		*why = bad;
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE) {
		*why = "number too large";
		return -ERANGE;
	}
	if (*end == '\0') {
		if (v > UINT64_MAX / defmult) {
			*why = "number too large";
			return -ERANGE;
		}
		*out = v * defmult;
		return 0;
	}
	for (i = 0; units[i] != NULL; i++) {
		if (strcmp(end, units[i]) != 0)
			continue;
		if (mult[i] != 0 && v > UINT64_MAX / mult[i]) {
			*why = "number too large";
			return -ERANGE;
		}
		*out = v * mult[i];
		return 0;
	}
	*why = bad;
	return -EINVAL;
}

int
parse_duration_ms(const char *s, uint64_t *ms, const char **why)
{
	static const char *const units[] = { "ms", "s", "m", "h", "d", NULL };
	static const uint64_t mult[] = { 1, 1000, 60000, 3600000, 86400000 };

	return parse_scaled(s, units, mult, 1000, ms, why,
	    "bad duration (want e.g. 500ms, 30s, 5m, 1h)");
}

int
parse_size(const char *s, uint64_t *bytes, const char **why)
{
	static const char *const units[] = { "K", "M", "G", "T", "k", "KiB",
	    "MiB", "GiB", "TiB", "B", NULL };
	static const uint64_t mult[] = { 1ULL << 10, 1ULL << 20, 1ULL << 30,
	    1ULL << 40, 1ULL << 10, 1ULL << 10, 1ULL << 20, 1ULL << 30,
	    1ULL << 40, 1 };

	return parse_scaled(s, units, mult, 1, bytes, why,
	    "bad size (want e.g. 64M, 1G, 512K)");
}

int
parse_bool(const char *s, bool *b, const char **why)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	if (parse_word(s, yes) >= 0)
		*b = true;
	else if (parse_word(s, no) >= 0)
		*b = false;
	else {
		*why = "not a boolean (want yes or no)";
		return -EINVAL;
	}
	return 0;
}

int
parse_word(const char *s, const char *const *words)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return i;
	return -1;
}

int
parse_ip(const char *s, struct cfg_addr *a, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	if (n >= sizeof(buf)) {
		*why = "bad address";
		return -EINVAL;
	}
	if (s[0] == '[' && n > 2 && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else
		memcpy(buf, s, n + 1);
	if (inet_pton(AF_INET, buf, &a->a.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a->a.v6) == 1)
		a->family = AF_INET6;
	else {
		*why = "bad address (want an IPv4 or IPv6 address)";
		return -EINVAL;
	}
	return 0;
}

int
parse_net(const char *s, struct cfg_net *n, const char **why)
{
	char buf[INET_ADDRSTRLEN + 4], *slash;
	uint64_t len;
	uint32_t mask, a;

	if (strlen(s) >= sizeof(buf) || (slash = strchr(s, '/')) == NULL) {
		*why = "bad network (want A.B.C.D/LEN)";
		return -EINVAL;
	}
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &n->base) != 1 ||
	    parse_uint(slash + 1, 30, &len, why) < 0 || len < 8) {
		*why = "bad network (want A.B.C.D/LEN, LEN 8 to 30)";
		return -EINVAL;
	}
	mask = ~0U << (32 - len);
	a = ntohl(n->base.s_addr);
	if ((a & ~mask) != 0) {
		*why = "bad network (address bits set past the prefix)";
		return -EINVAL;
	}
	n->prefix = (uint8_t)len;
	n->set = true;
	return 0;
}

int
parse_ip_port(const char *s, uint16_t defport, struct cfg_addr *a,
    const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *port = NULL;
	uint64_t p;
	char *c;
	int r;

	if (strlen(s) >= sizeof(buf)) {
		*why = "bad address";
		return -EINVAL;
	}
	strcpy(buf, s);
	if (buf[0] == '[') {
		if ((c = strchr(buf, ']')) == NULL) {
			*why = "bad address (missing ])";
			return -EINVAL;
		}
		if (c[1] == ':')
			port = c + 2;
		else if (c[1] != '\0') {
			*why = "bad address (want [IPv6]:port)";
			return -EINVAL;
		}
		c[1] = '\0';
	} else if ((c = strchr(buf, ':')) != NULL && strchr(c + 1, ':') == NULL) {
		/* Exactly one colon: IPv4:port. More: a bare IPv6 address. */
		*c = '\0';
		port = c + 1;
	}
	if ((r = parse_ip(buf, a, why)) < 0)
		return r;
	a->port = defport;
	if (port != NULL) {
		if (parse_uint(port, 65535, &p, why) < 0 || p == 0) {
			*why = "bad port (want 1-65535)";
			return -EINVAL;
		}
		a->port = (uint16_t)p;
	}
	return 0;
}

int
parse_ports(const char *s, struct cfg_port *ports, int *nports, int max,
    const char **why)
{
	char buf[512], *tok, *save, *colon;
	uint64_t p;
	uint8_t proto;

	if (strlen(s) >= sizeof(buf)) {
		*why = "port list too long";
		return -EINVAL;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		proto = IPPROTO_TCP;
		if ((colon = strchr(tok, ':')) != NULL) {
			*colon = '\0';
			if (strcasecmp(tok, "tcp") == 0)
				proto = IPPROTO_TCP;
			else if (strcasecmp(tok, "udp") == 0)
				proto = IPPROTO_UDP;
			else {
				*why = "bad port protocol (want tcp: or udp:)";
				return -EINVAL;
			}
			tok = colon + 1;
		}
		if (parse_uint(tok, 65535, &p, why) < 0 || p == 0) {
			*why = "bad port (want e.g. tcp:80)";
			return -EINVAL;
		}
		if (*nports >= max) {
			*why = "too many ports";
			return -E2BIG;
		}
		for (int i = 0; i < *nports; i++)
			if (ports[i].port == p && ports[i].proto == proto) {
				*why = "duplicate port";
				return -EEXIST;
			}
		ports[*nports].proto = proto;
		ports[*nports].port = (uint16_t)p;
		(*nports)++;
	}
	return 0;
}

void
cfg_addr_format(const struct cfg_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(a->family, &a->a, ip, sizeof(ip));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "%s:%u", ip, a->port);
}

int
parse_cidr(const char *s, struct cfg_cidr *c, const char **why)
{
	char buf[64], *slash;
	uint64_t prefix;
	int max, r;
	const uint8_t *b;

	if (strlen(s) >= sizeof(buf)) {
		*why = "bad network (want e.g. 10.0.0.0/8 or fd00::/8)";
		return -EINVAL;
	}
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, &c->a.v4) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, &c->a.v6) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		*why = "bad network (want e.g. 10.0.0.0/8 or fd00::/8)";
		return -EINVAL;
	}
	prefix = (uint64_t)max;
	if (slash != NULL && (r = parse_uint(slash, (uint64_t)max, &prefix,
	    why)) < 0)
		return r;
	c->prefix = (uint8_t)prefix;
	/* host bits must be zero: "10.1.2.3/8" is most likely a typo */
	b = c->family == AF_INET ? (const uint8_t *)&c->a.v4 :
	    (const uint8_t *)&c->a.v6;
	for (int i = c->prefix; i < max; i++)
		if (b[i / 8] & (0x80 >> (i % 8))) {
			*why = "network has host bits set";
			return -EINVAL;
		}
	return 0;
}

bool
cfg_cidr_match(const struct cfg_cidr *net, int family, const void *a)
{
	const uint8_t *x = a, *y = family == AF_INET ?
	    (const uint8_t *)&net->a.v4 : (const uint8_t *)&net->a.v6;
	unsigned full = net->prefix / 8u, rest = net->prefix % 8u;

	if (family != net->family)
		return false;
	if (memcmp(x, y, full) != 0)
		return false;
	return rest == 0 || ((x[full] ^ y[full]) & (0xff00 >> rest) & 0xff) == 0;
}
