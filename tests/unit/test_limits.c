/*
 * Unit tests of issue 11's limits without sockets: the token bucket
 * (core/rate), the per-client start budget (service/budget), the
 * escaping of a tenant's output (log_escape), and the [jitsud] default_*
 * keys reaching the services that do not set their own.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config/config.h"
#include "core/log.h"
#include "core/rate.h"
#include "service/budget.h"
#include "tests/lib/t.h"

#define S	1000000000ULL

static void
bucket_burst_then_refill(void)
{
	struct rate r = { 0 };
	uint64_t now = 5 * S;
	int i, n = 0;

	for (i = 0; i < 10; i++)
		n += rate_take(&r, now, S, 4);
	T_EQ(n, 4);			/* the burst, then nothing */
	T_ASSERT(!rate_take(&r, now + S / 2, S, 4));
	T_ASSERT(rate_take(&r, now + S, S, 4));	/* one token a second */
	T_ASSERT(!rate_take(&r, now + S, S, 4));
	/* Idle for an hour: full again, but never more than the burst. */
	now += 3600 * S;
	for (n = 0, i = 0; i < 10; i++)
		n += rate_take(&r, now, S, 4);
	T_EQ(n, 4);
}

static void
bucket_off_and_empty(void)
{
	struct rate r = { 0 };

	for (int i = 0; i < 1000; i++)
		T_ASSERT(rate_take(&r, 1, 0, 0));	/* every 0: no limit */
	T_ASSERT(!rate_take(&r, 1, S, 0));		/* burst 0: nothing */
}

static void
budget_per_client(void)
{
	struct budget *b = budget_new();
	uint8_t a[4] = { 192, 0, 2, 1 }, c[4] = { 192, 0, 2, 2 };
	struct in6_addr x, y;
	int i, n = 0;

	T_ASSERT(b != NULL);
	for (i = 0; i < 20; i++)
		n += budget_take(b, AF_INET, a, S, S, 3);
	T_EQ(n, 3);
	/* Another client has its own budget. */
	T_ASSERT(budget_take(b, AF_INET, c, S, S, 3));
	/* The first gets one more a refill later. */
	T_ASSERT(budget_take(b, AF_INET, a, 2 * S, S, 3));
	T_ASSERT(!budget_take(b, AF_INET, a, 2 * S, S, 3));
	/* An IPv6 client is its /64: new addresses in it do not help. */
	inet_pton(AF_INET6, "2001:db8:1:2::1", &x);
	inet_pton(AF_INET6, "2001:db8:1:2::ffff", &y);
	T_ASSERT(budget_take(b, AF_INET6, &x, S, S, 1));
	T_ASSERT(!budget_take(b, AF_INET6, &y, S, S, 1));
	/* every 0: the budget is off. */
	for (i = 0; i < 100; i++)
		T_ASSERT(budget_take(b, AF_INET, a, 2 * S, 0, 0));
	budget_free(b);
}

static void
escape_control_bytes(void)
{
	char out[64];
	const char in[] = "a\x1b[2Jb\rc\x07" "d\\e\x7f\xc3\xa9";

	log_escape(out, sizeof(out), in, sizeof(in) - 1);
	T_ASSERT(strcmp(out, "a\\x1b[2Jb\\x0dc\\x07d\\\\e\\x7f\xc3\xa9") == 0);
	for (const char *p = out; *p; p++)
		T_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void
escape_cuts_whole(void)
{
	char out[8];
	size_t n;

	/* "ab" + \x1b needs 6 + NUL: fits; the next escape does not, and
	 * is left out whole rather than cut to "\x". */
	n = log_escape(out, sizeof(out), "ab\x1b\x1b", 4);
	T_EQ(n, 6);
	T_ASSERT(strcmp(out, "ab\\x1b") == 0);
	T_EQ(log_escape(out, 1, "abc", 3), 0);
	T_EQ(out[0], '\0');
}

static struct config *
load(const char *text)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", text);
	config_check(c);
	for (int i = 0; i < c->nerrors; i++)
		printf("# %s\n", c->errors[i]);
	return c;
}

static void
defaults_reach_services(void)
{
	struct config *c = load("[jitsud]\nzone = example.test\n"
	    "default_memory = 32M\ndefault_cpu = 25\ndefault_pids = 9\n"
	    "default_tmp = 4M\n"
	    "[service a]\ndns = a.example.test\naddress = 127.0.0.2\n"
	    "image = /bin/true\nports = tcp:80\n"
	    "[service b]\ndns = b.example.test\naddress = 127.0.0.3\n"
	    "image = /bin/true\nports = tcp:80\nmemory = 0\ncpu = 50\npids = 3\ntmp = 1M\n"
	    "[service v]\ndns = v.example.test\naddress = 10.0.0.3\n"
	    "backend = qemu\nimage = /bin/true\n");
	const struct cfg_service *a = config_find_service(c, "a");
	const struct cfg_service *b = config_find_service(c, "b");
	const struct cfg_service *v = config_find_service(c, "v");

	T_EQ(c->nerrors, 0);
	T_EQ(a->memory, 32 << 20);
	T_EQ(a->cpu, 25);
	T_EQ(a->pids, 9);
	T_EQ(a->tmp, 4 << 20);
	/* Written in the section, 0 included, wins. */
	T_EQ(b->memory, 0);
	T_EQ(b->cpu, 50);
	T_EQ(b->pids, 3);
	T_EQ(b->tmp, 1 << 20);
	/* A VM's memory = is its RAM: the default does not resize it. */
	T_EQ(v->memory, 0);
	config_free(c);
}

static void
builtin_defaults_not_zero(void)
{
	struct config *c = load("[jitsud]\nzone = example.test\n"
	    "[service a]\ndns = a.example.test\naddress = 127.0.0.2\n"
	    "image = /bin/true\nports = tcp:80\n");
	const struct cfg_service *a = config_find_service(c, "a");

	T_EQ(c->nerrors, 0);
	T_ASSERT(a->memory > 0 && a->cpu > 0 && a->pids > 0 && a->tmp > 0);
	T_ASSERT(c->d.source_start_budget > 0 && c->d.log_rate > 0);
	T_ASSERT(c->d.control_idle_ms > 0 && c->d.metrics_idle_ms > 0);
	config_free(c);
}

static void
limit_key_errors(void)
{
	struct config *c = load("[jitsud]\nzone = example.test\n"
	    "source_start_refill = 0\nlog_burst = 0\ncontrol_idle = 0\n");

	T_EQ(c->nerrors, 3);
	config_free(c);
	c = load("[jitsud]\nzone = example.test\nsource_start_budget = 0\n"
	    "source_start_refill = 0\nlog_rate = 0\nlog_burst = 0\n");
	T_EQ(c->nerrors, 0);	/* both turned off: nothing to refill */
	config_free(c);
}

int
main(void)
{
	T_RUN(bucket_burst_then_refill);
	T_RUN(bucket_off_and_empty);
	T_RUN(budget_per_client);
	T_RUN(escape_control_bytes);
	T_RUN(escape_cuts_whole);
	T_RUN(defaults_reach_services);
	T_RUN(builtin_defaults_not_zero);
	T_RUN(limit_key_errors);
	return t_done();
}
