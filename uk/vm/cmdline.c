/*
 * cmdline.c - splitting the kernel command line.
 *
 * QEMU microvm with acpi=off appends " virtio_mmio.device=512@0xfeb00e00:12"
 * per device (the Linux syntax); the host adds "ip=... gw=..."; anything
 * else is the app's. A malformed kernel word is an error rather than an
 * app argument: a typo in ip= should stop the boot, not yield a guest
 * without an address.
 */
#include "uk/include/uk.h"
#include "uk/net/net.h"
#include "uk/vm/cmdline.h"

static char	argv0_buf[64];

static bool
prefix(const char *w, const char *p)
{
	return uk_strncmp(w, p, uk_strlen(p)) == 0;
}

static int
parse_ip(const char *s, struct cmdline *cl)
{
	const char	*end;
	char		*e;
	unsigned long	 plen;

	if (net_parse_ipv4(s, &cl->addr, &end) < 0 || *end != '/')
		return UK_EINVAL;
	plen = uk_strtoul(end + 1, &e, 10);
	if (e == end + 1 || *e != '\0' || plen < 1 || plen > 32)
		return UK_EINVAL;
	cl->netmask = ~0U << (32 - plen);
	cl->have_addr = true;
	return 0;
}

static int
parse_dev(const char *s, struct cmdline *cl)
{
	struct cmdline_dev	*d;
	char			*e;
	unsigned long		 v;

	if (cl->ndev == CMDLINE_MAX_DEVS)
		return 0;			/* more than we drive: ignore */
	d = &cl->dev[cl->ndev];
	v = uk_strtoul(s, &e, 0);
	if (e == s || *e != '@')
		return UK_EINVAL;
	d->size = (uint32_t)v;
	s = e + 1;
	d->base = uk_strtoul(s, &e, 0);
	if (e == s || *e != ':')
		return UK_EINVAL;
	s = e + 1;
	d->irq = (uint32_t)uk_strtoul(s, &e, 10);
	if (e == s || *e != '\0')
		return UK_EINVAL;
	cl->ndev++;
	return 0;
}

static int
word(char *w, struct cmdline *cl)
{
	const char	*end;
	int		 r = 0;

	if (prefix(w, "ip="))
		r = parse_ip(w + 3, cl);
	else if (prefix(w, "gw=")) {
		if (net_parse_ipv4(w + 3, &cl->gateway, &end) < 0 ||
		    *end != '\0')
			r = UK_EINVAL;
	} else if (prefix(w, "virtio_mmio.device="))
		r = parse_dev(w + 19, cl);
	else if (cl->argc < CMDLINE_MAX_ARGS)
		cl->argv[cl->argc++] = w;
	if (r < 0)
		uk_printf("uk: bad kernel word '%s'\n", w);
	return r;
}

int
cmdline_parse(char *buf, const char *argv0, struct cmdline *cl)
{
	char	*p = buf, *w;
	size_t	 i;
	int	 r;

	uk_memset(cl, 0, sizeof(*cl));
	/* A copy: argv strings are the app's to modify. */
	for (i = 0; i + 1 < sizeof(argv0_buf) && argv0[i] != '\0'; i++)
		argv0_buf[i] = argv0[i];
	argv0_buf[i] = '\0';
	cl->argv[cl->argc++] = argv0_buf;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p != '\0' && *p != ' ' && *p != '\t' &&
		    *p != '\n'; p++)
			;
		if (*p != '\0')
			*p++ = '\0';
		if ((r = word(w, cl)) < 0)
			return r;
	}
	cl->argv[cl->argc] = NULL;
	return 0;
}
