/*
 * dns/db.h - what jitsud answers: zones, service names and their addresses.
 *
 * Built once per config load, then read-only except the per-service status
 * bytes; on reload a new db is built and swapped in, so a query never sees
 * a half-built db. Lookups are one hash probe of the lower-cased wire name.
 *
 * Add zones before the names inside them (a name outside every zone is
 * -ENOENT). Zones may nest: a name belongs to its most specific enclosing
 * zone, and the names between a nested apex and its parent zone's apex are
 * empty non-terminals of the parent. Every zone gets an apex SOA and an
 * apex NS RRset. By default that NS RRset is "ns.<zone>."; that name is
 * reserved and answers A/AAAA with the addresses given to
 * dns_db_add_ns_addr (with none, it does not exist: NXDOMAIN). An explicit
 * set of name servers (dns_db_add_ns, before the zones) replaces it in
 * every zone; the SOA MNAME is then the first of them.
 */
#ifndef DNS_DB_H
#define DNS_DB_H

#include <netinet/in.h>
#include <stdint.h>

struct dns_db;

/* Answer status of a service's names (see dns_db_set_service_status). */
enum dns_svc_status {
	DNS_SVC_OK = 0,		/* answer normally */
	DNS_SVC_SERVFAIL = 1	/* A/AAAA/ANY for its names -> SERVFAIL */
};

/* Limits that keep every answer inside a 64 KiB TCP message. */
#define DNS_DB_ADDRS_MAX	1024	/* per name and family */
#define DNS_DB_NS_ADDRS_MAX	32	/* nameserver addresses per family */
#define DNS_DB_NS_MAX		16	/* explicit name servers */

/* ttl: of every record; also the SOA minimum. serial: the SOA serial. */
struct dns_db *dns_db_new(uint32_t ttl, uint32_t serial);
void dns_db_free(struct dns_db *);

/*
 * Zone apex in presentation form, e.g. "example.test". Returns the zone
 * index, or -EINVAL (bad name, or too long to have "ns." below it),
 * -EEXIST (the apex or its "ns." name already exists as a zone apex, a
 * nameserver or a service name... except a plain service name at the apex,
 * which simply becomes the apex's addresses), -ENOSPC (65535 zones),
 * -ENOMEM.
 */
int dns_db_add_zone(struct dns_db *, const char *apex);

/*
 * SOA timers in seconds (RFC 1035 3.3.13; minimum is the negative-caching
 * TTL of RFC 2308). Defaults: 3600, 900, 1209600 and the db's ttl.
 */
void dns_db_set_soa(struct dns_db *, uint32_t refresh, uint32_t retry,
    uint32_t expire, uint32_t minimum);

/*
 * An explicit name server of every zone (presentation name), in order; the
 * first is the SOA MNAME. A name inside one of the zones answers A/AAAA
 * with these addresses and goes as glue with NS answers; a name outside
 * every zone should come without addresses (they would never be used).
 * Call before the first dns_db_add_zone. Returns 0, -EBUSY (zones exist),
 * -EINVAL (bad name or counts), -EEXIST (listed twice), -E2BIG (more than
 * DNS_DB_NS_MAX), -ENOMEM.
 */
int dns_db_add_ns(struct dns_db *, const char *name, const struct in_addr *a,
    int na, const struct in6_addr *aaaa, int naaaa);

/*
 * A nameserver address (AF_INET: struct in_addr, AF_INET6: struct
 * in6_addr) for every zone's "ns.<zone>."; may be called several times,
 * before or after the zones. Returns 0, -EAFNOSUPPORT, -E2BIG (more than
 * DNS_DB_NS_ADDRS_MAX), -ENOMEM.
 */
int dns_db_add_ns_addr(struct dns_db *, int family, const void *addr);

/*
 * A service name (presentation form) with its addresses. service: index
 * into the daemon's service table (>= 0), or -1 for no service. Returns 0,
 * -EINVAL (bad name, bad service, more than DNS_DB_ADDRS_MAX addresses),
 * -ENOENT (not inside any zone), -EEXIST (duplicate name, or a zone's
 * reserved "ns." name), -ENOMEM. Several names may share a service.
 */
int dns_db_add_name(struct dns_db *, const char *name, int service,
    const struct in_addr *a, int na, const struct in6_addr *aaaa, int naaaa);

/*
 * Per-service answer status, written by the service layer when a service
 * fails or recovers. Only queries for addresses (A, AAAA, ANY) of the
 * service's names are affected. Services never given to dns_db_add_name
 * are ignored. The byte is read and written with relaxed atomics, so the
 * service layer may write it while workers answer.
 */
void dns_db_set_service_status(struct dns_db *, int service, uint8_t status);

/* Counts, for logging. */
int dns_db_zone_count(const struct dns_db *);
int dns_db_name_count(const struct dns_db *);

/* Config-layer check of a presentation name: 0 or -EINVAL. */
int dns_name_check(const char *name);

#endif
