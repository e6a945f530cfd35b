/* control/metrics.c - see metrics.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/metrics.h"

const uint32_t metrics_boot_bounds_ms[METRICS_BOOT_NBUCKETS] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000
};

/* Backends are a handful of compiled-in names; a ninth is not counted. */
#define BOOT_BACKENDS_MAX	8
static struct metrics_hist boot_hists[BOOT_BACKENDS_MAX];
static int nboot_hists;

void
metrics_hist_observe(struct metrics_hist *h, uint64_t ns)
{
	int i;

	for (i = 0; i < METRICS_BOOT_NBUCKETS; i++)
		if (ns <= (uint64_t)metrics_boot_bounds_ms[i] * 1000000)
			break;
	h->bucket[i]++;
	h->count++;
	h->sum_ns += ns;
}

void
metrics_observe_boot(const char *backend, uint64_t ns)
{
	struct metrics_hist *h;
	int i;

	if (backend == NULL)
		backend = "unknown";
	for (i = 0; i < nboot_hists; i++)
		if (strcmp(boot_hists[i].backend, backend) == 0)
			break;
	if (i == nboot_hists) {
		if (nboot_hists == BOOT_BACKENDS_MAX)
			return;
		h = &boot_hists[nboot_hists++];
		snprintf(h->backend, sizeof(h->backend), "%s", backend);
	}
	metrics_hist_observe(&boot_hists[i], ns);
}

const struct metrics_hist *
metrics_boot_hists(int *n)
{
	*n = nboot_hists;
	return boot_hists;
}

/* --- the text --- */

struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void put(struct sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static bool
reserve(struct sbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + more < b->cap)
		return true;
	for (cap = b->cap ? b->cap : 16384; cap <= b->len + more; cap *= 2)
		;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void
put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!reserve(b, 256))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!reserve(b, (size_t)n + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* A label value: backslash, double quote and newline are escaped. */
static void
put_value(struct sbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (!reserve(b, 2))
			return;
		if (*v == '\\' || *v == '"' || *v == '\n')
			b->p[b->len++] = '\\';
		b->p[b->len++] = *v == '\n' ? 'n' : *v;
	}
	b->p[b->len] = '\0';
}

static void
family(struct sbuf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct sbuf *b, const char *name, const char *label, const char *value,
    unsigned long long v)
{
	if (label == NULL) {
		put(b, "%s %llu\n", name, v);
		return;
	}
	put(b, "%s{%s=\"", name, label);
	put_value(b, value);
	put(b, "\"} %llu\n", v);
}

/* RFC 6895's registry; 23 also counts every higher code (dns/server.c
 * folds them into the last slot). */
static const char *const rcode_names[24] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	NULL, NULL, NULL, NULL,
	"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG",
	"BADTRUNC", "other"
};
#define RCODE_ALWAYS_MAX	5	/* NOERROR .. REFUSED */

static void
render_dns(struct sbuf *b, const struct dns_counters *d)
{
	char num[16];
	const char *n;
	int i;

	family(b, "jitsu_dns_queries_total", "counter",
	    "DNS queries received, by transport.");
	sample(b, "jitsu_dns_queries_total", "transport", "udp", d->queries_udp);
	sample(b, "jitsu_dns_queries_total", "transport", "tcp", d->queries_tcp);

	family(b, "jitsu_dns_queries_by_type_total", "counter",
	    "DNS queries answered or forwarded, by question type.");
	for (i = 0; i < 8; i++)
		if (dns_qtype_bucket_names[i][0] != '\0')
			sample(b, "jitsu_dns_queries_by_type_total", "type",
			    dns_qtype_bucket_names[i], d->by_qtype[i]);

	/* The common codes always appear, so rate() has a series from the
	 * start; the rare ones once they happen. */
	family(b, "jitsu_dns_responses_total", "counter",
	    "DNS responses sent, by response code (forwarded ones included).");
	for (i = 0; i < 24; i++) {
		if (i > RCODE_ALWAYS_MAX && d->by_rcode[i] == 0)
			continue;
		if ((n = rcode_names[i]) == NULL) {
			snprintf(num, sizeof(num), "RCODE%d", i);
			n = num;
		}
		sample(b, "jitsu_dns_responses_total", "rcode", n, d->by_rcode[i]);
	}

	family(b, "jitsu_dns_dropped_total", "counter",
	    "Malformed DNS queries dropped without a reply.");
	sample(b, "jitsu_dns_dropped_total", NULL, NULL, d->dropped);
	family(b, "jitsu_dns_truncated_total", "counter",
	    "UDP responses sent truncated (TC set).");
	sample(b, "jitsu_dns_truncated_total", NULL, NULL, d->truncated);
	family(b, "jitsu_dns_forwarded_total", "counter",
	    "Queries for names outside the zones sent upstream.");
	sample(b, "jitsu_dns_forwarded_total", NULL, NULL, d->forwarded);
	family(b, "jitsu_dns_forward_timeouts_total", "counter",
	    "Forwarded queries the upstream did not answer in time.");
	sample(b, "jitsu_dns_forward_timeouts_total", NULL, NULL,
	    d->forward_timeouts);
	family(b, "jitsu_dns_forward_refused_total", "counter",
	    "Queries not forwarded (forward_max in flight, or too large): "
	    "SERVFAIL.");
	sample(b, "jitsu_dns_forward_refused_total", NULL, NULL,
	    d->forward_refused);
	family(b, "jitsu_dns_tcp_connections_total", "counter",
	    "DNS TCP connections, by what became of them at accept.");
	sample(b, "jitsu_dns_tcp_connections_total", "result", "accepted",
	    d->tcp_accepted);
	sample(b, "jitsu_dns_tcp_connections_total", "result", "rejected",
	    d->tcp_rejected);
	family(b, "jitsu_dns_tcp_idle_closed_total", "counter",
	    "DNS TCP connections closed by jitsud for idleness.");
	sample(b, "jitsu_dns_tcp_idle_closed_total", NULL, NULL,
	    d->tcp_idle_closed);
}

/* One per-service sample with the service (and maybe backend) label. */
static void
svc_sample(struct sbuf *b, const char *name, const struct metrics_svc *s,
    bool with_backend, unsigned long long v)
{
	put(b, "%s{service=\"", name);
	put_value(b, s->name);
	if (with_backend) {
		put(b, "\",backend=\"");
		put_value(b, s->backend);
	}
	put(b, "\"} %llu\n", v);
}

static void
render_services(struct sbuf *b, const struct metrics_view *v)
{
	const struct metrics_svc *s;
	int i;

	family(b, "jitsu_services", "gauge", "Registered services by state.");
	for (i = 0; i < SVC_NSTATES; i++)
		sample(b, "jitsu_services", "state", svc_state_name(i),
		    v->by_state[i]);
	if (v->mgr != NULL) {
		family(b, "jitsu_service_wants_total", "counter",
		    "DNS queries and connections that wanted a service.");
		sample(b, "jitsu_service_wants_total", NULL, NULL, v->mgr->wants);
		family(b, "jitsu_service_starts_queued_total", "counter",
		    "Starts that waited in the queue (max_starting or "
		    "max_running reached).");
		sample(b, "jitsu_service_starts_queued_total", NULL, NULL,
		    v->mgr->queued);
		family(b, "jitsu_service_starts_dropped_total", "counter",
		    "Wants dropped because the start queue was full.");
		sample(b, "jitsu_service_starts_dropped_total", NULL, NULL,
		    v->mgr->queue_full);
	}

	family(b, "jitsu_service_starts_total", "counter",
	    "Instances started, per service.");
	for (i = 0, s = v->svcs; i < v->nsvcs; i++, s++)
		svc_sample(b, "jitsu_service_starts_total", s, true, s->starts);
	family(b, "jitsu_service_stops_total", "counter",
	    "Instances that stopped (idle, operator or exit), per service.");
	for (i = 0, s = v->svcs; i < v->nsvcs; i++, s++)
		svc_sample(b, "jitsu_service_stops_total", s, true, s->stops);
	family(b, "jitsu_service_failures_total", "counter",
	    "Failed starts and crashed instances, per service.");
	for (i = 0, s = v->svcs; i < v->nsvcs; i++, s++)
		svc_sample(b, "jitsu_service_failures_total", s, true,
		    s->failures);
	family(b, "jitsu_service_held_connections", "gauge",
	    "Connections waiting in a service's held listening sockets.");
	for (i = 0, s = v->svcs; i < v->nsvcs; i++, s++)
		if (s->held >= 0)
			svc_sample(b, "jitsu_service_held_connections", s, false,
			    (unsigned long long)s->held);
	family(b, "jitsu_service_memory_bytes", "gauge",
	    "Memory charged to a service instance's cgroup.");
	for (i = 0, s = v->svcs; i < v->nsvcs; i++, s++)
		if (s->memory > 0)
			svc_sample(b, "jitsu_service_memory_bytes", s, false,
			    s->memory);
}

static void
render_boot(struct sbuf *b, const struct metrics_view *v)
{
	const struct metrics_hist *h;
	uint64_t cum;
	int i, j;

	family(b, "jitsu_service_boot_seconds", "histogram",
	    "Time from the query or connection that wanted a service to its "
	    "instance running, per backend.");
	for (i = 0, h = v->hists; i < v->nhists; i++, h++) {
		cum = 0;
		for (j = 0; j <= METRICS_BOOT_NBUCKETS; j++) {
			cum += h->bucket[j];
			put(b, "jitsu_service_boot_seconds_bucket{backend=\"");
			put_value(b, h->backend);
			if (j < METRICS_BOOT_NBUCKETS)
				put(b, "\",le=\"%g\"} %llu\n",
				    metrics_boot_bounds_ms[j] / 1000.0,
				    (unsigned long long)cum);
			else
				put(b, "\",le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
		}
		put(b, "jitsu_service_boot_seconds_sum{backend=\"");
		put_value(b, h->backend);
		put(b, "\"} %llu.%09llu\n",
		    (unsigned long long)(h->sum_ns / 1000000000),
		    (unsigned long long)(h->sum_ns % 1000000000));
		put(b, "jitsu_service_boot_seconds_count{backend=\"");
		put_value(b, h->backend);
		put(b, "\"} %llu\n", (unsigned long long)h->count);
	}
}

ssize_t
metrics_render(const struct metrics_view *v, char **out)
{
	struct sbuf b = { 0 };

	if (!reserve(&b, 1))
		return -ENOMEM;
	b.p[0] = '\0';
	if (v->dns != NULL)
		render_dns(&b, v->dns);
	render_services(&b, v);
	render_boot(&b, v);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	return (ssize_t)b.len;
}
