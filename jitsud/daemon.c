/*
 * jitsud/daemon.c - loading, applying and reloading the configuration.
 * A reload builds the new config, db and listeners completely before it
 * swaps them in, so a bad config or a busy port leaves the running one
 * untouched.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/uid.h"
#include "config/folder.h"
#include "config/values.h"
#include "core/log.h"
#include "dns/wire.h"
#include "jitsud/daemon.h"

struct config *
daemon_load_config(const char *file, char **specs, int nspecs)
{
	struct config *c;
	int i;

	if ((c = config_new()) == NULL)
		return NULL;
	if (file != NULL)
		config_parse_file(c, file);
	for (i = 0; i < nspecs; i++)
		config_parse_spec(c, specs[i], i + 1);
	config_check(c);
	config_check_folders(c);
	return c;
}

void
daemon_print_errors(const struct config *c)
{
	int i;

	for (i = 0; i < c->nerrors; i++)
		fprintf(stderr, "%s\n", c->errors[i]);
	if (c->nerrors_dropped)
		fprintf(stderr, "(%d more errors)\n", c->nerrors_dropped);
}

struct dns_db *
daemon_build_db(const struct config *c, uint32_t serial, char *why,
    size_t whylen)
{
	struct dns_db *db;
	int i, j, r;

	if ((db = dns_db_new(c->d.ttl, serial)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	dns_db_set_soa(db, (uint32_t)(c->d.soa_refresh_ms / 1000),
	    (uint32_t)(c->d.soa_retry_ms / 1000),
	    (uint32_t)(c->d.soa_expire_ms / 1000),
	    c->d.soa_minimum_ms == UINT64_MAX ? c->d.ttl :
	    (uint32_t)(c->d.soa_minimum_ms / 1000));
	for (i = 0; i < c->d.nns; i++) {
		const struct cfg_ns *ns = &c->d.ns[i];
		struct in_addr v4[DNS_DB_NS_ADDRS_MAX];
		struct in6_addr v6[DNS_DB_NS_ADDRS_MAX];
		int n4 = 0, n6 = 0;

		for (j = 0; j < ns->naddrs; j++) {
			if (ns->addrs[j].family == AF_INET &&
			    n4 < DNS_DB_NS_ADDRS_MAX)
				v4[n4++] = ns->addrs[j].a.v4;
			else if (ns->addrs[j].family == AF_INET6 &&
			    n6 < DNS_DB_NS_ADDRS_MAX)
				v6[n6++] = ns->addrs[j].a.v6;
		}
		if ((r = dns_db_add_ns(db, ns->name, v4, n4, v6, n6)) < 0) {
			snprintf(why, whylen, "ns %s: %s", ns->name,
			    strerror(-r));
			goto fail;
		}
	}
	for (i = 0; i < c->d.nzones; i++)
		if ((r = dns_db_add_zone(db, c->d.zones[i].name)) < 0) {
			snprintf(why, whylen, "zone %s: %s", c->d.zones[i].name,
			    strerror(-r));
			goto fail;
		}
	/* Without ns =, the zones' NS name answers with our own listen
	 * addresses, when they are specific (a wildcard address is no use
	 * to a client; config_check refuses it). */
	for (i = 0; c->d.nns == 0 && i < c->d.ndns; i++) {
		const struct cfg_addr *a = &c->d.dns[i];
		r = 0;
		if (a->family == AF_INET && a->a.v4.s_addr != htonl(INADDR_ANY))
			r = dns_db_add_ns_addr(db, AF_INET, &a->a.v4);
		else if (a->family == AF_INET6 && !IN6_IS_ADDR_UNSPECIFIED(&a->a.v6))
			r = dns_db_add_ns_addr(db, AF_INET6, &a->a.v6);
		if (r < 0)
			log_warnx("dns: listen address %d not given as the zones' "
			    "NS address: %s", i + 1, strerror(-r));
	}
	for (i = 0; i < c->nsvcs; i++) {
		const struct cfg_service *s = &c->svcs[i];
		struct in_addr v4[64];
		struct in6_addr v6[64];
		int n4 = 0, n6 = 0;

		for (j = 0; j < s->naddrs; j++) {
			if (s->addrs[j].family == AF_INET && n4 < 64)
				v4[n4++] = s->addrs[j].a.v4;
			else if (s->addrs[j].family == AF_INET6 && n6 < 64)
				v6[n6++] = s->addrs[j].a.v6;
		}
		for (j = 0; j < s->ndns; j++)
			if ((r = dns_db_add_name(db, s->dns[j].name, i, v4, n4,
			    v6, n6)) < 0) {
				snprintf(why, whylen, "service %s: name %s: %s",
				    s->name, s->dns[j].name, strerror(-r));
				goto fail;
			}
	}
	return db;
fail:
	dns_db_free(db);
	return NULL;
}

static void
server_opts(const struct config *c, struct dns_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tcp_clients = c->d.tcp_clients;
	o->tcp_idle_ms = c->d.tcp_idle_ms;
	o->forward = c->d.forward;
	o->forward_max = c->d.forward_max;
	o->forward_timeout_ms = c->d.forward_timeout_ms;
	o->forward_clients = c->d.forward_clients;
	o->nforward_clients = c->d.nforward_clients;
	o->forward_rate = c->d.forward_rate;
	o->forward_per_client = c->d.forward_per_client;
	o->tcp_per_address = c->d.tcp_per_address;
	o->tcp_message_timeout_ms = c->d.tcp_message_timeout_ms;
}

int
daemon_apply(struct daemon *d, struct config *c)
{
	struct dns_server_opts o;
	struct dns_db *db;
	char why[256];
	uint32_t serial;

	/* The SOA serial must grow on every load: seconds since the epoch,
	 * or one more than the last when reloads come faster than that. */
	serial = (uint32_t)time(NULL);
	if (serial <= d->serial)
		serial = d->serial + 1;
	/* Instances live under the first load's run folder and cgroup:
	 * moving them needs a restart, which a reload says plainly. */
	if (backend_set_paths(c->d.run, c->d.cgroup) < 0) {
		log_warnx("config: run = and cgroup = take effect only at a "
		    "restart (now %s and %s)", backend_run(), backend_cgroup());
		return -1;
	}
	if (uid_pool_set(c->d.uid_base, c->d.uid_range) < 0) {
		log_warnx("config: uid_base and uid_range take effect only at "
		    "a restart (now %u and %u)", uid_pool()->base,
		    uid_pool()->range);
		return -1;
	}
	if ((db = daemon_build_db(c, serial, why, sizeof(why))) == NULL) {
		log_warnx("config: %s", why);
		return -1;
	}
	if (dns_server_listen(d->dns, c->d.dns, c->d.ndns, why, sizeof(why)) < 0) {
		log_warnx("cannot listen: %s", why);
		dns_db_free(db);
		return -1;
	}
	if (d->ctl != NULL &&
	    ctl_server_listen(d->ctl, c->d.control, why, sizeof(why)) < 0) {
		log_warnx("%s", why);
		dns_db_free(db);
		return -1;
	}
	if (d->metrics != NULL &&
	    metrics_server_listen(d->metrics, &c->d.metrics, why,
	    sizeof(why)) < 0) {
		log_warnx("%s", why);
		dns_db_free(db);
		return -1;
	}
	if (svc_manager_apply(d->svcs, c, db, why, sizeof(why)) < 0) {
		log_warnx("services: %s", why);
		dns_db_free(db);
		return -1;
	}
	if (d->ctl != NULL)
		ctl_server_set_idle(d->ctl, c->d.control_idle_ms);
	if (d->metrics != NULL)
		metrics_server_set_idle(d->metrics, c->d.metrics_idle_ms);
	server_opts(c, &o);
	dns_server_set_opts(d->dns, &o);
	dns_server_set_db(d->dns, db);
	dns_db_free(d->db);
	config_free(d->cfg);
	d->db = db;
	d->cfg = c;
	d->serial = serial;
	return 0;
}

void
daemon_dns_hit(void *arg, const struct dns_qinfo *qi, int family,
    const void *addr)
{
	struct daemon *d = arg;
	struct service *s;

	/* Only address queries summon: an MX or TXT lookup says nothing
	 * about a client about to connect. */
	if (qi->qtype != DNS_T_A && qi->qtype != DNS_T_AAAA &&
	    qi->qtype != DNS_T_ANY)
		return;
	if ((s = svc_get(d->svcs, qi->service)) != NULL)
		svc_want_from(s, "dns query", family, addr);
}

int
daemon_reload(void *arg, char *msg, size_t msglen)
{
	struct daemon *d = arg;
	struct config *c;
	int i;

	log_info("reloading configuration");
	if ((c = daemon_load_config(d->cfgfile, d->specs, d->nspecs)) == NULL) {
		log_warnx("reload: out of memory; keeping the old configuration");
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	if (c->nerrors > 0) {
		for (i = 0; i < c->nerrors; i++)
			log_warnx("%s", c->errors[i]);
		log_warnx("reload failed: keeping the old configuration");
		snprintf(msg, msglen, "%s%s; the old configuration is kept",
		    c->errors[0], c->nerrors > 1 ? " (and more: see the log)" : "");
		config_free(c);
		return -EINVAL;
	}
	if (daemon_apply(d, c) < 0) {
		log_warnx("reload failed: keeping the old configuration");
		snprintf(msg, msglen, "cannot apply (see the log); the old "
		    "configuration is kept");
		config_free(c);
		return -EINVAL;
	}
	log_info("configuration reloaded: %d services, serial %u", c->nsvcs,
	    d->serial);
	snprintf(msg, msglen, "reloaded: %d services", c->nsvcs);
	return 0;
}
