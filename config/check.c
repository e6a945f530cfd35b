/*
 * config/check.c - the checks that need the whole configuration: every
 * name inside a zone, no name twice, each backend has what it needs.
 * Also fills defaults that depend on other keys (backend from image,
 * sandbox level, boot timeout, ready mode).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/uid.h"
#include "config/config.h"
#include "config/keys.h"
#include "config/values.h"
#include "dns/db.h"

#define DEFAULT_LIBVIRT_URI	"qemu:///system"

/* Service errors point at the line of the key when known, else at the
 * section header; SPEC services (file == NULL) at their argument. */
static void __attribute__((format(printf, 4, 5)))
svc_error(struct config *c, const struct cfg_service *s, int line,
    const char *fmt, ...)
{
	char msg[400], where[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->file == NULL) {
		snprintf(where, sizeof(where), "argument %d", s->line);
		config_error(c, where, 0, "service %s: %s", s->name, msg);
	} else
		config_error(c, s->file, line > 0 ? line : s->line,
		    "service %s: %s", s->name, msg);
}

/* Length of a presentation name without its trailing dot. */
static size_t
name_len(const char *n)
{
	size_t l = strlen(n);

	return (l > 0 && n[l - 1] == '.') ? l - 1 : l;
}

/* True when name equals zone or ends in ".zone", ignoring case. */
bool
config_name_in_zone(const char *name, const char *zone)
{
	size_t nl = name_len(name), zl = name_len(zone);

	if (zl == 0)
		return true;		/* the root zone holds everything */
	if (nl < zl || strncasecmp(name + nl - zl, zone, zl) != 0)
		return false;
	return nl == zl || name[nl - zl - 1] == '.';
}

static bool
names_equal(const char *a, const char *b)
{
	size_t al = name_len(a), bl = name_len(b);

	return al == bl && strncasecmp(a, b, al) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), sl = strlen(suffix);

	return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

/* One path component that cannot climb: [A-Za-z0-9_.-], no leading dot. */
static bool
simple_name(const char *n)
{
	if (n[0] == '\0' || n[0] == '.' || strlen(n) > 63)
		return false;
	for (; *n != '\0'; n++)
		if (!isalnum((unsigned char)*n) && strchr("_.-", *n) == NULL)
			return false;
	return true;
}

static bool
addr_is_wildcard(const struct cfg_addr *a)
{
	if (a->family == AF_INET)
		return a->a.v4.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a.v6);
}

/* ns =, soa_*, and what the NS record needs to be usable. */
static void
check_dns_zone_keys(struct config *c, const char *f)
{
	struct cfg_daemon *d = &c->d;
	int i, j;
	bool in;

	for (i = 0; i < d->nns; i++) {
		const struct cfg_ns *ns = &d->ns[i];

		if (dns_name_check(ns->name) < 0) {
			config_error(c, f, ns->line, "bad ns name \"%s\"",
			    ns->name);
			continue;
		}
		for (in = false, j = 0; j < d->nzones && !in; j++)
			in = config_name_in_zone(ns->name, d->zones[j].name);
		if (in && ns->naddrs == 0)
			config_error(c, f, ns->line, "ns %s is inside a zone "
			    "jitsud serves: give its address(es) (ns = %s "
			    "ADDRESS...)", ns->name, ns->name);
		if (!in && ns->naddrs > 0)
			config_error(c, f, ns->line, "ns %s is outside every "
			    "zone: its addresses come from its own zone, give "
			    "none here", ns->name);
		if (ns->naddrs > DNS_DB_NS_ADDRS_MAX)
			config_error(c, f, ns->line, "ns %s: more than %d "
			    "addresses", ns->name, DNS_DB_NS_ADDRS_MAX);
		for (j = 0; j < i; j++)
			if (names_equal(ns->name, d->ns[j].name))
				config_error(c, f, ns->line, "duplicate ns \"%s\"",
				    ns->name);
	}
	if (d->nns > DNS_DB_NS_MAX)
		config_error(c, f, d->ns[DNS_DB_NS_MAX].line, "more than %d "
		    "ns names", DNS_DB_NS_MAX);
	/* A wildcard listen address is no address for a client: without
	 * ns =, the zones' NS name would have none (or only some). */
	if (d->nns == 0 && d->nzones > 0)
		for (i = 0; i < d->ndns; i++)
			if (addr_is_wildcard(&d->dns[i])) {
				char a[64];

				cfg_addr_format(&d->dns[i], a, sizeof(a));
				config_error(c, f, d->dns[i].line, "dns = %s is a "
				    "wildcard address, which no client can be "
				    "sent to: name the zones' name servers with "
				    "ns = NAME ADDRESS...", a);
				break;
			}
	if (d->soa_refresh_ms < 1000 || d->soa_retry_ms < 1000 ||
	    d->soa_expire_ms < 1000)
		config_error(c, f, 0, "soa_refresh, soa_retry and soa_expire "
		    "must be at least 1s");
	if (d->soa_expire_ms <= d->soa_refresh_ms ||
	    d->soa_expire_ms <= d->soa_retry_ms)
		config_error(c, f, 0, "soa_expire must be longer than "
		    "soa_refresh and soa_retry (RFC 1912 2.2)");
	if ((d->soa_minimum_ms != UINT64_MAX &&
	    d->soa_minimum_ms / 1000 > 2147483647u) ||
	    d->soa_expire_ms / 1000 > 2147483647u)
		config_error(c, f, 0, "SOA timers are at most 2^31-1 s");
}

/* uid_base/uid_range: inside the uid space, and nobody else's (a user,
 * a group, a subordinate range of rootless containers): a service's
 * processes run as these uids and could signal theirs. */
static void
check_uids(struct config *c, const char *f)
{
	struct cfg_daemon *d = &c->d;
	int line = d->uid_base_line ? d->uid_base_line : d->uid_range_line;
	char why[256];

	if (d->uid_base == 0 || d->uid_range == 0 ||
	    (uint64_t)d->uid_base + d->uid_range > 4294967295u) {
		config_error(c, f, line, "uid_base = %u, uid_range = %u: want "
		    "uid_base >= 1, uid_range >= 1 and the range below "
		    "4294967295", d->uid_base, d->uid_range);
		return;
	}
	if (uid_conflict(d->uid_base, d->uid_range, why, sizeof(why)) > 0)
		config_error(c, f, line, "uids %u-%u (uid_base, uid_range) "
		    "overlap %s: set uid_base to a range no user, group or "
		    "/etc/subuid, /etc/subgid entry uses", d->uid_base,
		    d->uid_base + d->uid_range - 1, why);
}

static void
check_daemon(struct config *c)
{
	struct cfg_daemon *d = &c->d;
	const char *f = c->file ? c->file : "config";
	int i, j;

	for (i = 0; i < d->nzones; i++) {
		if (dns_name_check(d->zones[i].name) < 0)
			config_error(c, f, d->zones[i].line, "bad zone name \"%s\"",
			    d->zones[i].name);
		for (j = 0; j < i; j++)
			if (names_equal(d->zones[i].name, d->zones[j].name))
				config_error(c, f, d->zones[i].line,
				    "duplicate zone \"%s\"", d->zones[i].name);
	}
	if (d->forward.family != 0 && d->forward_max == 0)
		config_error(c, f, 0, "forward_max must be at least 1");
	if (d->forward_per_client == 0)
		config_error(c, f, 0, "forward_per_client must be at least 1");
	if (d->tcp_per_address == 0)
		config_error(c, f, 0, "tcp_per_address must be at least 1");
	if (d->tcp_message_timeout_ms == 0)
		config_error(c, f, 0, "tcp_message_timeout must be above 0");
	check_dns_zone_keys(c, f);
	if (d->max_starting == 0)
		config_error(c, f, 0, "max_starting must be at least 1");
	if (d->start_limit > 0 && d->start_window_ms == 0)
		config_error(c, f, 0, "start_window must be above 0 with "
		    "start_limit");
	if (d->tcp_clients == 0)
		config_error(c, f, 0, "tcp_clients must be at least 1");
	if (d->source_start_budget > 0 && d->source_start_refill_ms == 0)
		config_error(c, f, 0, "source_start_refill must be above 0 "
		    "(source_start_budget = 0 turns the budget off)");
	if (d->log_rate > 0 && d->log_burst == 0)
		config_error(c, f, 0, "log_burst must be at least 1 "
		    "(log_rate = 0 turns the limit off)");
	if (d->control_idle_ms == 0 || d->metrics_idle_ms == 0)
		config_error(c, f, 0, "control_idle and metrics_idle must be "
		    "above 0");
	if (d->run[0] != '/')
		config_error(c, f, 0, "run must be an absolute path, not \"%s\"",
		    d->run);
	if (!simple_name(d->cgroup))
		config_error(c, f, 0, "cgroup must be one name of letters, "
		    "digits, '_', '.' and '-', not \"%s\"", d->cgroup);
	check_uids(c, f);
}

static void
service_defaults(struct cfg_service *s, const struct cfg_daemon *d)
{
	/* An image with no backend means the process backend: the
	 * embedded default needs no hypervisor. */
	if (!s->backend_set && s->image != NULL)
		s->backend = BACKEND_EXEC;
	if (!s->sandbox_set)
		s->sandbox = (s->image != NULL && ends_with(s->image, ".unix")) ?
		    SANDBOX_STRICT : SANDBOX_DEFAULT;
	if (!s->ready_set)
		s->ready = s->backend == BACKEND_EXEC ? READY_EXEC : READY_LINE;
	if (s->ready_line == NULL)
		s->ready_line = strdup("uk: ready");
	if (s->boot_timeout_ms == 0)
		s->boot_timeout_ms = s->backend == BACKEND_EXEC ? 5000 : 30000;
	/* A process's limits; a VM's memory = is its RAM (its QEMU's
	 * cgroup gets that plus the overhead), so a default does not
	 * resize guests. */
	if (!s->pids_set)
		s->pids = d->default_pids;
	if (!s->tmp_set)
		s->tmp = d->default_tmp;
	if (s->backend == BACKEND_EXEC) {
		if (!s->memory_set)
			s->memory = d->default_memory;
		if (!s->cpu_set)
			s->cpu = d->default_cpu;
	}
}

/* The hosts a libvirt service may run on, as indexes into c->hosts: its
 * hosts =, or the implicit host of its uri = (shared by every service
 * naming the same URI). */
static void
libvirt_hosts(struct config *c, struct cfg_service *s)
{
	const char *uri = s->uri ? s->uri : DEFAULT_LIBVIRT_URI;
	int i, h;

	if ((s->hostv = calloc((size_t)s->nhosts + 1, sizeof(int))) == NULL)
		return;
	for (i = 0; i < s->nhosts; i++) {
		if ((h = config_find_host(c, s->hosts[i].name)) < 0 ||
		    c->hosts[h].implicit)
			svc_error(c, s, s->hosts[i].line, "no [host %s]",
			    s->hosts[i].name);
		else
			s->hostv[s->nhostv++] = h;
	}
	if (s->nhosts > 0)
		return;
	if ((h = config_find_host(c, uri)) < 0) {
		if ((h = config_host_add(c, uri, s->line)) < 0)
			return;
		c->hosts[h].implicit = true;
		c->hosts[h].uri = strdup(uri);
	} else if (!c->hosts[h].implicit)
		h = -1;
	if (h >= 0)
		s->hostv[s->nhostv++] = h;
}

static void
check_libvirt(struct config *c, struct cfg_service *s)
{
	int i;

	if (s->image == NULL && s->domain == NULL)
		svc_error(c, s, 0, "backend libvirt needs image = or domain =");
	if (s->image != NULL && s->domain != NULL)
		svc_error(c, s, 0, "backend libvirt takes image = or domain =, "
		    "not both");
	if (s->uri != NULL && s->nhosts > 0)
		svc_error(c, s, 0, "uri = and hosts = together (a host's uri "
		    "belongs in its [host] section)");
	/* jitsud relays the service's front address to the guest: a
	 * transient domain needs the ports to hold and relay. */
	if (s->image != NULL && s->nports == 0)
		svc_error(c, s, 0, "backend libvirt needs ports = (relayed to "
		    "the guest)");
	for (i = 0; i < s->nports; i++)
		if (s->ports[i].proto != IPPROTO_TCP)
			svc_error(c, s, 0, "backend libvirt relays tcp ports only");
	libvirt_hosts(c, s);
}

static bool
nets_overlap(const struct cfg_net *a, const struct cfg_net *b)
{
	uint8_t p = a->prefix < b->prefix ? a->prefix : b->prefix;
	uint32_t mask = ~0U << (32 - p);

	return ((ntohl(a->base.s_addr) ^ ntohl(b->base.s_addr)) & mask) == 0;
}

/* After the services (which add implicit hosts): defaults, and no two
 * hosts' guests in one network, which jitsud could not route apart. */
static void
check_hosts(struct config *c)
{
	const char *f = c->file ? c->file : "config";
	struct cfg_host *h;
	int i, j;

	for (i = 0; i < c->nhosts; i++) {
		h = &c->hosts[i];
		if (h->uri == NULL && !h->implicit)
			config_error(c, f, h->line, "host %s: no uri (add uri = "
			    "qemu:///system or qemu+tcp://HOST/system)", h->name);
		if (!h->network.set) {
			inet_pton(AF_INET, CFG_HOST_NETWORK, &h->network.base);
			h->network.prefix = CFG_HOST_PREFIX;
		}
		for (j = 0; j < i; j++)
			if (nets_overlap(&h->network, &c->hosts[j].network))
				config_error(c, f, h->line, "host %s: network "
				    "overlaps host %s's (set network = apart)",
				    h->name, c->hosts[j].name);
	}
}

static void
check_service(struct config *c, struct cfg_service *s)
{
	int i, j, k;
	bool in;

	service_defaults(s, &c->d);
	if (s->ndns == 0)
		svc_error(c, s, 0, "no dns name (add dns = NAME)");
	if (s->naddrs == 0)
		svc_error(c, s, 0, "no address (add address = IP)");
	for (i = 0; i < s->ndns; i++) {
		const char *n = s->dns[i].name;
		if (dns_name_check(n) < 0) {
			svc_error(c, s, s->dns[i].line, "bad dns name \"%s\"", n);
			continue;
		}
		for (in = false, j = 0; j < c->d.nzones && !in; j++) {
			char ns[300];
			in = config_name_in_zone(n, c->d.zones[j].name);
			snprintf(ns, sizeof(ns), "ns.%s", c->d.zones[j].name);
			if (c->d.nns == 0 && names_equal(n, ns))
				svc_error(c, s, s->dns[i].line, "dns name \"%s\" is "
				    "reserved for the zone's name server", n);
		}
		if (!in)
			svc_error(c, s, s->dns[i].line,
			    "dns name \"%s\" is outside every zone", n);
		for (j = 0; j < c->d.nns; j++)
			if (names_equal(n, c->d.ns[j].name))
				svc_error(c, s, s->dns[i].line, "dns name \"%s\" "
				    "is a name server's (ns =)", n);
		/* the same name twice, in this or an earlier service */
		for (k = 0; k < c->nsvcs && &c->svcs[k] != s; k++)
			for (j = 0; j < c->svcs[k].ndns; j++)
				if (names_equal(n, c->svcs[k].dns[j].name))
					svc_error(c, s, s->dns[i].line,
					    "dns name \"%s\" already belongs to "
					    "service %s", n, c->svcs[k].name);
		for (j = 0; j < i; j++)
			if (names_equal(n, s->dns[j].name))
				svc_error(c, s, s->dns[i].line,
				    "duplicate dns name \"%s\"", n);
	}
	switch (s->backend) {
	case BACKEND_NONE:
		break;
	case BACKEND_EXEC:
		if (s->image == NULL)
			svc_error(c, s, 0, "backend exec needs image =");
		if (s->nports == 0)
			svc_error(c, s, 0, "backend exec needs ports = (the "
			    "sockets handed to the process)");
		break;
	case BACKEND_QEMU:
		if (s->image == NULL)
			svc_error(c, s, 0, "backend qemu needs image =");
		for (i = 0, j = 0; i < s->naddrs; i++)
			j += s->addrs[i].family == AF_INET;
		if (j != 1)
			svc_error(c, s, 0, "backend qemu needs exactly one IPv4 "
			    "address");
		break;
	case BACKEND_LIBVIRT:
		check_libvirt(c, s);
		break;
	}
}

int
config_check(struct config *c)
{
	int i;

	if (c->d.ndns == 0) {
		struct cfg_addr *a = calloc(1, sizeof(*a));
		if (a != NULL) {
			a->family = AF_INET;
			a->a.v4.s_addr = htonl(INADDR_LOOPBACK);
			a->port = 53;
			c->d.dns = a;
			c->d.ndns = 1;
		}
	}
	check_daemon(c);
	for (i = 0; i < c->nsvcs; i++)
		check_service(c, &c->svcs[i]);
	check_hosts(c);
	/* Pointers only now: implicit hosts grew the array above. */
	for (i = 0; i < c->nsvcs; i++) {
		struct cfg_service *s = &c->svcs[i];
		if (s->nhostv == 0 ||
		    (s->hostp = calloc((size_t)s->nhostv, sizeof(*s->hostp))) == NULL)
			continue;
		for (int j = 0; j < s->nhostv; j++)
			s->hostp[j] = &c->hosts[s->hostv[j]];
	}
	return c->nerrors;
}
