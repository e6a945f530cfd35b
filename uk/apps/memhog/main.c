/*
 * main.c - memhog: allocates and touches memory until a limit, to test
 * the host's memory limits (a cgroup on unix, the guest RAM on vm).
 *
 *   memhog [limit=SIZE] [step=SIZE] [delay=MS] [port=N] [hold]
 *
 * SIZE is bytes, or with a K, M or G suffix (binary). Defaults: limit=64M,
 * step=1M, no delay. port=N listens first, so a host that waits for the
 * app to be ready sees it ready before the allocations start; hold keeps
 * it running at the limit (closing any connection) instead of exiting 0.
 * Every step prints "memhog: N KiB"; a failed allocation prints
 * "memhog: allocation failed at N KiB" and exits 1.
 */
#include "uk/include/uk.h"

#define PAGE	4096	/* touching every 4 KiB touches every page */

struct opts {
	unsigned long	 limit, step, delay_ms, port;
	bool		 hold;
};

static int
size_word(const char *w, const char *key, unsigned long *v)
{
	size_t		 kl = uk_strlen(key);
	char		*end;
	unsigned long	 mul = 1;

	if (uk_strncmp(w, key, kl) != 0)
		return 0;
	*v = uk_strtoul(w + kl, &end, 10);
	if (end == w + kl)
		return -1;
	switch (*end) {
	case 'K': case 'k': mul = 1UL << 10; end++; break;
	case 'M': case 'm': mul = 1UL << 20; end++; break;
	case 'G': case 'g': mul = 1UL << 30; end++; break;
	}
	if (*end != '\0' || *v > ~0UL / mul)
		return -1;
	*v *= mul;
	return 1;
}

static int
words(int argc, char **argv, struct opts *o)
{
	int	 i, r;

	for (i = 1; i < argc; i++) {
		if (uk_strncmp(argv[i], "hold", 5) == 0) {
			o->hold = true;
			continue;
		}
		if ((r = size_word(argv[i], "limit=", &o->limit)) == 0 &&
		    (r = size_word(argv[i], "step=", &o->step)) == 0 &&
		    (r = size_word(argv[i], "delay=", &o->delay_ms)) == 0 &&
		    (r = size_word(argv[i], "port=", &o->port)) == 0)
			r = -1;
		if (r < 0) {
			uk_printf("memhog: bad word %s\n", argv[i]);
			return -1;
		}
	}
	if (o->step == 0 || o->port > 65535) {
		uk_printf("memhog: bad step or port\n");
		return -1;
	}
	return 0;
}

static void
pause_ms(unsigned long ms)
{
	struct uk_event	 ev;
	uint64_t	 end = uk_clock_ns() + (uint64_t)ms * 1000000ULL;

	while (uk_clock_ns() < end)
		uk_wait(end, &ev, 1);
}

/* At the limit: stay up, turning away whoever connects. */
static void
hold(int listener)
{
	struct uk_event	 ev;
	int		 c;

	for (;;) {
		uk_wait(UINT64_MAX, &ev, 1);
		while (listener >= 0 && (c = uk_accept(listener)) >= 0)
			uk_close(c);
	}
}

int
uk_main(int argc, char **argv)
{
	struct opts	 o = { 64UL << 20, 1UL << 20, 0, 0, false };
	unsigned long	 total = 0, n, i;
	char		*p;
	int		 l = -1;

	if (words(argc, argv, &o) != 0)
		return 2;
	if (o.port != 0) {
		if ((l = uk_listen((uint16_t)o.port)) < 0) {
			uk_printf("memhog: cannot listen on port %lu: error %d\n",
			    o.port, l);
			return 1;
		}
		uk_watch(l, UK_EV_READ);
	}
	uk_printf("memhog: allocating up to %lu KiB in steps of %lu KiB\n",
	    o.limit >> 10, o.step >> 10);
	while (total < o.limit) {
		n = o.limit - total < o.step ? o.limit - total : o.step;
		if ((p = uk_malloc(n)) == NULL) {
			uk_printf("memhog: allocation failed at %lu KiB\n",
			    total >> 10);
			return 1;
		}
		/* Allocated is not used: make the pages real. */
		for (i = 0; i < n; i += PAGE)
			p[i] = (char)i;
		p[n - 1] = 1;
		total += n;
		uk_printf("memhog: %lu KiB\n", total >> 10);
		if (o.delay_ms > 0)
			pause_ms(o.delay_ms);
	}
	uk_printf("memhog: reached %lu KiB\n", total >> 10);
	if (o.hold)
		hold(l);
	return 0;
}
