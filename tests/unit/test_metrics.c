/* Unit tests of the Prometheus text (control/metrics.c) and the request
 * check of its HTTP endpoint (control/metrics_http.c). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/metrics.h"
#include "control/metrics_http.h"
#include "tests/lib/t.h"

static struct dns_counters dns;
static struct svc_counters mgr;
static struct metrics_svc svcs[2];

static void
sample_view(struct metrics_view *v)
{
	memset(&dns, 0, sizeof(dns));
	memset(&mgr, 0, sizeof(mgr));
	dns.queries_udp = 7;
	dns.queries_tcp = 2;
	dns.by_qtype[0] = 5;	/* A */
	dns.by_qtype[1] = 3;	/* AAAA */
	dns.by_rcode[0] = 6;
	dns.by_rcode[3] = 2;	/* NXDOMAIN */
	dns.by_rcode[16] = 1;	/* BADVERS: rare, shown once seen */
	dns.by_rcode[13] = 4;	/* unassigned: shown by number */
	mgr.wants = 11;
	svcs[0] = (struct metrics_svc){ .name = "www", .backend = "exec",
	    .starts = 3, .stops = 2, .failures = 1, .held = 4,
	    .memory = 1048576 };
	svcs[1] = (struct metrics_svc){ .name = "rec", .backend = "none",
	    .held = -1, .memory = 0 };
	memset(v, 0, sizeof(*v));
	v->dns = &dns;
	v->mgr = &mgr;
	v->by_state[SVC_STOPPED] = 1;
	v->by_state[SVC_RUNNING] = 1;
	v->svcs = svcs;
	v->nsvcs = 2;
}

static bool
has(const char *text, const char *line)
{
	return strstr(text, line) != NULL;
}

/* Text format 0.0.4, checked line by line: every line is a HELP, a TYPE
 * or a sample; a family's HELP and TYPE come once, before its samples,
 * and its samples are together. NULL if fine, else the bad line. */
static const char *
lint(const char *text, char *why, size_t len)
{
	char fam[128] = "", type[16] = "", seen[64][128];
	int nseen = 0, i;
	const char *p = text, *e, *q;

	if (*text == '\0' || text[strlen(text) - 1] != '\n')
		return "no final newline";
	for (; *p != '\0'; p = e + 1) {
		char name[128], base[128];
		size_t n;

		e = strchr(p, '\n');
		snprintf(why, len, "%.*s", (int)(e - p), p);
		if (strncmp(p, "# HELP ", 7) == 0) {
			n = strcspn(p + 7, " \n");
			snprintf(fam, sizeof(fam), "%.*s", (int)n, p + 7);
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], fam) == 0)
					return why;	/* family repeated */
			if (nseen == 64)
				return "too many families for the lint";
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", fam);
			type[0] = '\0';
			continue;
		}
		if (strncmp(p, "# TYPE ", 7) == 0) {
			n = strcspn(p + 7, " \n");
			if (strlen(fam) != n || strncmp(p + 7, fam, n) != 0 ||
			    type[0] != '\0')
				return why;
			snprintf(type, sizeof(type), "%.*s",
			    (int)(e - (p + 8 + n)), p + 8 + n);
			if (strcmp(type, "counter") && strcmp(type, "gauge") &&
			    strcmp(type, "histogram"))
				return why;
			continue;
		}
		if (*p == '#' || type[0] == '\0')
			return why;
		for (q = p; isalnum((unsigned char)*q) || *q == '_' || *q == ':'; q++)
			;
		if (q == p || (*q != '{' && *q != ' '))
			return why;
		snprintf(name, sizeof(name), "%.*s", (int)(q - p), p);
		snprintf(base, sizeof(base), "%s", name);
		if (strcmp(type, "histogram") == 0) {
			char *s = strrchr(base, '_');
			if (s == NULL || (strcmp(s, "_bucket") && strcmp(s, "_sum") &&
			    strcmp(s, "_count")))
				return why;
			*s = '\0';
		}
		if (strcmp(base, fam) != 0)
			return why;
		if (strcmp(type, "counter") == 0 && (strlen(name) < 6 ||
		    strcmp(name + strlen(name) - 6, "_total") != 0))
			return why;
		if (*q == '{') {
			/* label="value" pairs, values escaped */
			for (q++; *q != '}'; q++) {
				while (*q == '_' || isalnum((unsigned char)*q))
					q++;
				if (q[0] != '=' || q[1] != '"')
					return why;
				for (q += 2; *q != '"'; q++) {
					if (*q == '\n' || *q == '\0')
						return why;
					if (*q == '\\' && strchr("\\\"n", *++q) == NULL)
						return why;
				}
				if (q[1] != ',' && q[1] != '}')
					return why;
				if (q[1] == ',')
					q++;
			}
			q++;
		}
		if (*q != ' ' || !isdigit((unsigned char)q[1]))
			return why;
		for (q++; isdigit((unsigned char)*q) || *q == '.'; q++)
			;
		if (q != e)
			return why;
	}
	return NULL;
}

/* The lint itself must catch what it is there for. */
static void
lint_rejects_bad_text(void)
{
	char why[256];

	T_ASSERT(lint("# HELP a_total x\n# TYPE a_total counter\n"
	    "a_total{l=\"v\"} 1\n", why, sizeof(why)) == NULL);
	T_ASSERT(lint("a_total 1\n", why, sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP a x\n# TYPE a counter\na 1\n", why,
	    sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP a_total x\n# TYPE a_total counter\n"
	    "b_total 1\n", why, sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP a x\n# TYPE a gauge\na 1\n# HELP a x\n"
	    "# TYPE a gauge\n", why, sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP a x\n# TYPE a gauge\na{l=\"\\q\"} 1\n", why,
	    sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP a x\n# TYPE a gauge\na{l=v} 1\n", why,
	    sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP h x\n# TYPE h histogram\nh 1\n", why,
	    sizeof(why)) != NULL);
	T_ASSERT(lint("# HELP a x\n# TYPE a gauge\na 1", why,
	    sizeof(why)) != NULL);
}

static void
renders_dns_counters(void)
{
	struct metrics_view v;
	char *t, why[256];

	sample_view(&v);
	T_ASSERT(metrics_render(&v, &t) > 0);
	T_ASSERT(has(t, "# TYPE jitsu_dns_queries_total counter\n"));
	T_ASSERT(has(t, "\njitsu_dns_queries_total{transport=\"udp\"} 7\n"));
	T_ASSERT(has(t, "\njitsu_dns_queries_total{transport=\"tcp\"} 2\n"));
	T_ASSERT(has(t, "\njitsu_dns_queries_by_type_total{type=\"A\"} 5\n"));
	T_ASSERT(has(t, "\njitsu_dns_queries_by_type_total{type=\"AAAA\"} 3\n"));
	T_ASSERT(has(t, "\njitsu_dns_queries_by_type_total{type=\"other\"} 0\n"));
	T_ASSERT(has(t, "\njitsu_dns_responses_total{rcode=\"NOERROR\"} 6\n"));
	T_ASSERT(has(t, "\njitsu_dns_responses_total{rcode=\"NXDOMAIN\"} 2\n"));
	/* The common codes are there at 0; rare ones only once seen. */
	T_ASSERT(has(t, "\njitsu_dns_responses_total{rcode=\"REFUSED\"} 0\n"));
	T_ASSERT(has(t, "\njitsu_dns_responses_total{rcode=\"BADVERS\"} 1\n"));
	T_ASSERT(has(t, "\njitsu_dns_responses_total{rcode=\"RCODE13\"} 4\n"));
	T_ASSERT(!has(t, "YXDOMAIN"));
	T_ASSERT(lint(t, why, sizeof(why)) == NULL);
	free(t);
}

static void
renders_services(void)
{
	struct metrics_view v;
	char *t, why[256];
	const char *bad;

	sample_view(&v);
	T_ASSERT(metrics_render(&v, &t) > 0);
	T_ASSERT(has(t, "\njitsu_services{state=\"stopped\"} 1\n"));
	T_ASSERT(has(t, "\njitsu_services{state=\"running\"} 1\n"));
	T_ASSERT(has(t, "\njitsu_services{state=\"failed\"} 0\n"));
	T_ASSERT(has(t, "\njitsu_service_wants_total 11\n"));
	T_ASSERT(has(t, "\njitsu_service_starts_total{service=\"www\","
	    "backend=\"exec\"} 3\n"));
	T_ASSERT(has(t, "\njitsu_service_stops_total{service=\"www\","
	    "backend=\"exec\"} 2\n"));
	T_ASSERT(has(t, "\njitsu_service_failures_total{service=\"www\","
	    "backend=\"exec\"} 1\n"));
	T_ASSERT(has(t, "\njitsu_service_starts_total{service=\"rec\","
	    "backend=\"none\"} 0\n"));
	T_ASSERT(has(t, "\njitsu_service_held_connections{service=\"www\"} 4\n"));
	T_ASSERT(has(t, "\njitsu_service_memory_bytes{service=\"www\"} 1048576\n"));
	/* Not counted or no instance: no sample rather than a false 0. */
	T_ASSERT(!has(t, "held_connections{service=\"rec\"}"));
	T_ASSERT(!has(t, "memory_bytes{service=\"rec\"}"));
	bad = lint(t, why, sizeof(why));
	if (bad != NULL)
		printf("# lint: %s\n", bad);
	T_ASSERT(bad == NULL);
	free(t);
}

static void
escapes_label_values(void)
{
	struct metrics_view v;
	char *t, why[256];

	sample_view(&v);
	svcs[1].name = "a\"b\\c\nd";
	T_ASSERT(metrics_render(&v, &t) > 0);
	T_ASSERT(has(t, "{service=\"a\\\"b\\\\c\\nd\",backend=\"none\"} 0\n"));
	T_ASSERT(lint(t, why, sizeof(why)) == NULL);
	free(t);
}

static void
histogram_buckets(void)
{
	struct metrics_hist h;
	struct metrics_view v;
	char *t, why[256];

	memset(&h, 0, sizeof(h));
	snprintf(h.backend, sizeof(h.backend), "exec");
	metrics_hist_observe(&h, 1000000);		/* exactly 1 ms: le 0.001 */
	metrics_hist_observe(&h, 1000001);		/* just over: le 0.002 */
	metrics_hist_observe(&h, 150000000);		/* 150 ms: le 0.2 */
	metrics_hist_observe(&h, 6000000000ULL);	/* 6 s: only +Inf */
	T_EQ(h.count, 4);
	T_EQ(h.bucket[0], 1);
	T_EQ(h.bucket[1], 1);
	T_EQ(h.bucket[7], 1);
	T_EQ(h.bucket[METRICS_BOOT_NBUCKETS], 1);
	T_EQ(h.sum_ns, 6152000001ULL);

	sample_view(&v);
	v.hists = &h;
	v.nhists = 1;
	T_ASSERT(metrics_render(&v, &t) > 0);
	T_ASSERT(has(t, "# TYPE jitsu_service_boot_seconds histogram\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_bucket{backend=\"exec\","
	    "le=\"0.001\"} 1\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_bucket{backend=\"exec\","
	    "le=\"0.002\"} 2\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_bucket{backend=\"exec\","
	    "le=\"0.1\"} 2\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_bucket{backend=\"exec\","
	    "le=\"0.2\"} 3\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_bucket{backend=\"exec\","
	    "le=\"5\"} 3\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_bucket{backend=\"exec\","
	    "le=\"+Inf\"} 4\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_sum{backend=\"exec\"} "
	    "6.152000001\n"));
	T_ASSERT(has(t, "\njitsu_service_boot_seconds_count{backend=\"exec\"} 4\n"));
	T_ASSERT(lint(t, why, sizeof(why)) == NULL);
	free(t);
}

static void
boot_histograms_per_backend(void)
{
	const struct metrics_hist *h;
	char name[16];
	int n, i, exec = -1, qemu = -1;

	metrics_observe_boot("exec", 3000000);
	metrics_observe_boot("qemu", 90000000);
	metrics_observe_boot("exec", 4000000);
	h = metrics_boot_hists(&n);
	for (i = 0; i < n; i++) {
		if (strcmp(h[i].backend, "exec") == 0)
			exec = i;
		if (strcmp(h[i].backend, "qemu") == 0)
			qemu = i;
	}
	T_ASSERT(exec >= 0 && qemu >= 0);
	T_EQ(h[exec].count, 2);
	T_EQ(h[exec].bucket[2], 2);		/* le 5 ms */
	T_EQ(h[qemu].count, 1);
	/* The table is bounded: a flood of names is not counted. */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		metrics_observe_boot(name, 1);
	}
	h = metrics_boot_hists(&n);
	T_ASSERT(n <= 8);
	T_EQ(h[exec].count, 2);
}

static void
many_services(void)
{
	enum { N = 10000 };
	struct metrics_svc *many = calloc(N, sizeof(*many));
	struct metrics_view v;
	char names[N][8], *t, why[256];
	const char *p;
	int i, lines = 0;

	T_ASSERT(many != NULL);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "s%d", i);
		many[i] = (struct metrics_svc){ .name = names[i],
		    .backend = "exec", .starts = (uint64_t)i, .held = 0,
		    .memory = 4096 };
	}
	sample_view(&v);
	v.svcs = many;
	v.nsvcs = N;
	T_ASSERT(metrics_render(&v, &t) > 0);
	for (p = t; (p = strstr(p, "\njitsu_service_")) != NULL; p++)
		lines++;
	/* 5 per-service families of N lines each. */
	T_ASSERT(lines >= 5 * N);
	T_ASSERT(has(t, "\njitsu_service_starts_total{service=\"s9999\","
	    "backend=\"exec\"} 9999\n"));
	T_ASSERT(lint(t, why, sizeof(why)) == NULL);
	free(t);
	free(many);
}

static void
http_requests(void)
{
	bool head;

#define ST(s) metrics_http_status(s, sizeof(s) - 1, &head)
	T_EQ(ST("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	T_ASSERT(!head);
	T_EQ(ST("HEAD /metrics HTTP/1.0\r\n\r\n"), 200);
	T_ASSERT(head);
	T_EQ(ST("GET /metrics?name[]=x HTTP/1.1\n\n"), 200);
	T_EQ(ST("GET / HTTP/1.1\r\n\r\n"), 404);
	T_EQ(ST("GET /metricsx HTTP/1.1\r\n\r\n"), 404);
	T_EQ(ST("GET /metric HTTP/1.1\r\n\r\n"), 404);
	T_EQ(ST("POST /metrics HTTP/1.1\r\n\r\n"), 405);
	T_EQ(ST("DELETE /metrics HTTP/1.1\r\n\r\n"), 405);
	T_EQ(ST("GET /metrics\r\n\r\n"), 400);
	T_EQ(ST("GET /metrics HTTP/2.0\r\n\r\n"), 400);
	T_EQ(ST("GET /metrics HTTP/1.1 junk\r\n\r\n"), 400);
	T_EQ(ST("\r\n\r\n"), 400);
	T_EQ(ST("no newline"), 400);
#undef ST
}

int
main(void)
{
	T_RUN(lint_rejects_bad_text);
	T_RUN(renders_dns_counters);
	T_RUN(renders_services);
	T_RUN(escapes_label_values);
	T_RUN(histogram_buckets);
	T_RUN(boot_histograms_per_backend);
	T_RUN(many_services);
	T_RUN(http_requests);
	return t_done();
}
