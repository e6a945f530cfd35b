/*
 * dns/db_priv.h - the layout of struct dns_db, shared by dns/db.c (which
 * builds it) and dns/query.c (which reads it on the hot path). Nothing
 * outside dns/ includes this.
 *
 * Nodes live in one array and are found through an open-addressing table
 * of (hash, node index) pairs at most half full, so a probe usually reads
 * one slot and one node. Names and prebuilt answer records live in two
 * byte pools addressed by offset (the pools are realloc'ed while building).
 */
#ifndef DNS_DB_PRIV_H
#define DNS_DB_PRIV_H

#include <stdint.h>

#include "dns/db.h"
#include "dns/wire.h"

#define DNS_NODE_APEX	0x01	/* zone apex: SOA, NS */
#define DNS_NODE_ADDR	0x02	/* a service name: A/AAAA from its lists */
#define DNS_NODE_NS	0x04	/* ns.<zone>: A/AAAA from the db's ns lists */
/* no flag: an empty non-terminal */

/* Prebuilt A/AAAA records: owner = pointer to the question name. */
#define DNS_RR_A_LEN	(2 + DNS_RR_FIXED + 4)
#define DNS_RR_AAAA_LEN	(2 + DNS_RR_FIXED + 16)

struct dns_node {
	uint32_t hash;		/* of the name, see dns_hash_suffixes */
	uint32_t name;		/* offset of the lower-cased name in names */
	uint8_t namelen;
	uint8_t flags;
	uint16_t zone;		/* most specific enclosing zone */
	int32_t service;	/* or -1 */
	uint32_t a, aaaa;	/* offsets of prebuilt records in rrs */
	uint16_t na, naaaa;
};

struct dns_slot {
	uint32_t hash;
	uint32_t node;		/* node index + 1; 0 = empty */
};

struct dns_zone {
	uint32_t node;		/* the apex */
	uint8_t apexlen;
	uint32_t parent;	/* enclosing zone, DNS_ZONE_NONE if none:
				   where a DS at this apex is answered */
};
#define DNS_ZONE_NONE	UINT32_MAX

/* An explicit name server (dns_db_add_ns): its name as written, and the
 * node holding its addresses once a zone holds the name (-1 before). */
struct dns_ns {
	uint8_t w[DNS_NAME_MAX];
	uint8_t len;
	int32_t node;
	uint32_t a, aaaa;	/* offsets of prebuilt records in rrs */
	uint16_t na, naaaa;
};

struct dns_db {
	uint32_t ttl, serial;

	struct dns_node *nodes;
	uint32_t nnodes, nodes_cap, nnames;

	struct dns_slot *slots;
	uint32_t mask;

	uint8_t *names;
	size_t names_len, names_cap;

	uint8_t *rrs;
	size_t rrs_len, rrs_cap;

	struct dns_zone *zones;
	uint32_t nzones;
	size_t zones_cap;

	/* nameserver records, owner pointer to the question name */
	uint8_t ns_a[DNS_DB_NS_ADDRS_MAX * DNS_RR_A_LEN];
	uint8_t ns_aaaa[DNS_DB_NS_ADDRS_MAX * DNS_RR_AAAA_LEN];
	uint16_t nns_a, nns_aaaa;

	/* explicit name servers; none: every zone's NS is "ns.<zone>" */
	struct dns_ns nsset[DNS_DB_NS_MAX];
	uint32_t nnsset;

	/* SOA rdata after the two names: serial refresh retry expire min */
	uint8_t soa_tail[20];

	uint8_t *svc_status;	/* by service index, relaxed atomics */
	int nsvc;
};

/*
 * Hash of a lower-cased wire name, built label by label from the right so
 * that one pass over a name yields the hashes of all its suffixes:
 * hs[i] = hash of the name from label i on; the root's hash is
 * DNS_HASH_ROOT. n labels at offsets lab[].
 */
#define DNS_HASH_ROOT	2166136261u

static inline uint32_t
dns_hash_label(uint32_t h, const uint8_t *label)
{
	for (unsigned i = 0; i <= label[0]; i++)
		h = (h ^ label[i]) * 16777619u;
	return h;
}

static inline void
dns_hash_suffixes(const uint8_t *lname, const uint8_t *lab, int n,
    uint32_t *hs)
{
	uint32_t h = DNS_HASH_ROOT;

	hs[n] = h;
	for (int i = n - 1; i >= 0; i--)
		hs[i] = h = dns_hash_label(h, lname + lab[i]);
}

/* FNV's low bits are weak; mix before masking. */
static inline uint32_t
dns_hash_slot(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

/* lname: lower-cased wire name of len bytes; hash as above. */
static inline const struct dns_node *
dns_db_find(const struct dns_db *db, const uint8_t *lname, unsigned len,
    uint32_t hash)
{
	for (uint32_t i = dns_hash_slot(hash) & db->mask;;
	    i = (i + 1) & db->mask) {
		const struct dns_slot *s = &db->slots[i];
		const struct dns_node *n;

		if (s->node == 0)
			return 0;
		if (s->hash != hash)
			continue;
		n = &db->nodes[s->node - 1];
		if (n->namelen == len &&
		    __builtin_memcmp(db->names + n->name, lname, len) == 0)
			return n;
	}
}

#endif
