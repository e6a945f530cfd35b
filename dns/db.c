/*
 * dns/db.c - building the answer database. Runs at config load only, so it
 * favours simple code over speed; the layout it builds (dns/db_priv.h) is
 * what the hot path reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/db.h"
#include "dns/db_priv.h"

/* SOA timers: a secondary that somehow copies us refreshes hourly. */
#define SOA_REFRESH	3600
#define SOA_RETRY	900
#define SOA_EXPIRE	1209600

/* A name being added, with the label offsets and suffix hashes of it. */
struct lname {
	uint8_t w[DNS_NAME_MAX];
	unsigned len;
	int n;
	uint8_t lab[DNS_LABELS_MAX];
	uint32_t hs[DNS_LABELS_MAX + 1];
};

/* Offset of suffix i (label i on; i == n is the root). */
static unsigned
suffix_off(const struct lname *ln, int i)
{
	return i < ln->n ? ln->lab[i] : ln->len - 1;
}

static void
lname_index(struct lname *ln)
{
	ln->n = dns_name_labels(ln->w, ln->lab);
	dns_hash_suffixes(ln->w, ln->lab, ln->n, ln->hs);
}

static int
lname_from_text(struct lname *ln, const char *text)
{
	int len = dns_name_from_text(text, ln->w, sizeof(ln->w));

	if (len < 0)
		return len;
	ln->len = (unsigned)len;
	/* length bytes are < 64 and untouched by dns_lc */
	for (int i = 0; i < len; i++)
		ln->w[i] = dns_lc(ln->w[i]);
	lname_index(ln);
	return 0;
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if ((np = reallocarray(*p, ncap, elem)) == NULL)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* Index of the node for suffix i of ln, or -1. */
static long
find_suffix(const struct dns_db *db, const struct lname *ln, int i)
{
	unsigned off = suffix_off(ln, i);
	const struct dns_node *n = dns_db_find(db, ln->w + off, ln->len - off,
	    ln->hs[i]);

	return n ? n - db->nodes : -1;
}

static void
slot_put(struct dns_slot *slots, uint32_t mask, uint32_t hash, uint32_t idx)
{
	uint32_t i = dns_hash_slot(hash) & mask;

	while (slots[i].node != 0)
		i = (i + 1) & mask;
	slots[i].hash = hash;
	slots[i].node = idx + 1;
}

/* Keeps the table at most half full so misses end after a short probe. */
static int
table_reserve(struct dns_db *db)
{
	uint32_t size = db->mask + 1, nsize = size * 2;
	struct dns_slot *ns;

	if ((db->nnodes + 1) * 2 <= size)
		return 0;
	if (nsize == 0 || (ns = calloc(nsize, sizeof(*ns))) == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < db->nnodes; i++)
		slot_put(ns, nsize - 1, db->nodes[i].hash, i);
	free(db->slots);
	db->slots = ns;
	db->mask = nsize - 1;
	return 0;
}

/* Inserts suffix i of ln (which must be absent); returns its index. */
static long
node_insert(struct dns_db *db, const struct lname *ln, int i, uint8_t flags,
    uint16_t zone)
{
	unsigned off = suffix_off(ln, i), len = ln->len - off;
	size_t cap = db->nodes_cap;
	struct dns_node *n;
	int r;

	if (db->nnodes == UINT32_MAX - 1)
		return -ENOSPC;
	if ((r = table_reserve(db)) < 0 ||
	    (r = grow((void **)&db->nodes, &cap, db->nnodes + 1,
	    sizeof(*db->nodes))) < 0)
		return r;
	db->nodes_cap = (uint32_t)cap;
	if ((r = grow((void **)&db->names, &db->names_cap,
	    db->names_len + len, 1)) < 0)
		return r;
	n = &db->nodes[db->nnodes];
	memset(n, 0, sizeof(*n));
	n->hash = ln->hs[i];
	n->name = (uint32_t)db->names_len;
	n->namelen = (uint8_t)len;
	n->flags = flags;
	n->zone = zone;
	n->service = -1;
	memcpy(db->names + db->names_len, ln->w + off, len);
	db->names_len += len;
	slot_put(db->slots, db->mask, n->hash, db->nnodes);
	return db->nnodes++;
}

/*
 * The nearest existing strict ancestor of ln: returns its node index and
 * sets *at to its suffix number, or returns -1.
 */
static long
nearest_ancestor(const struct dns_db *db, const struct lname *ln, int *at)
{
	for (int i = 1; i <= ln->n; i++) {
		long idx = find_suffix(db, ln, i);

		if (idx >= 0) {
			*at = i;
			return idx;
		}
	}
	return -1;
}

/*
 * Makes every name between ln and its nearest existing ancestor an empty
 * non-terminal of that ancestor's zone, so that they answer NODATA rather
 * than NXDOMAIN. Nothing to do outside every zone.
 */
static int
ent_fill(struct dns_db *db, const struct lname *ln)
{
	int at = 0;
	long e = nearest_ancestor(db, ln, &at), r;

	if (e < 0)
		return 0;
	for (int i = 1; i < at; i++)
		if ((r = node_insert(db, ln, i, 0, db->nodes[e].zone)) < 0)
			return (int)r;
	return 0;
}

/* Loads node idx's name into ln. */
static void
lname_of_node(const struct dns_db *db, uint32_t idx, struct lname *ln)
{
	const struct dns_node *n = &db->nodes[idx];

	memcpy(ln->w, db->names + n->name, n->namelen);
	ln->len = n->namelen;
	lname_index(ln);
}

/* Whether node idx lies strictly below the name ap. */
static bool
node_below(const struct dns_db *db, uint32_t idx, const struct lname *ap)
{
	const struct dns_node *n = &db->nodes[idx];
	struct lname ln;

	if (n->namelen <= ap->len || memcmp(db->names + n->name + n->namelen -
	    ap->len, ap->w, ap->len) != 0)
		return false;
	/* the match must start on a label boundary */
	lname_of_node(db, idx, &ln);
	for (int i = 0; i <= ln.n; i++)
		if (suffix_off(&ln, i) == ln.len - ap->len)
			return true;
	return false;
}

struct dns_db *
dns_db_new(uint32_t ttl, uint32_t serial)
{
	struct dns_db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	if ((db->slots = calloc(16, sizeof(*db->slots))) == NULL) {
		free(db);
		return NULL;
	}
	db->mask = 15;
	db->ttl = ttl;
	db->serial = serial;
	dns_put32(db->soa_tail, serial);
	dns_put32(db->soa_tail + 4, SOA_REFRESH);
	dns_put32(db->soa_tail + 8, SOA_RETRY);
	dns_put32(db->soa_tail + 12, SOA_EXPIRE);
	dns_put32(db->soa_tail + 16, ttl);
	return db;
}

void
dns_db_free(struct dns_db *db)
{
	if (db == NULL)
		return;
	free(db->nodes);
	free(db->slots);
	free(db->names);
	free(db->rrs);
	free(db->zones);
	free(db->svc_status);
	free(db);
}

/*
 * Gives explicit name server k its node once some zone holds its name: an
 * in-zone name server answers A/AAAA like a service name without service.
 */
static int
ns_place(struct dns_db *db, uint32_t k)
{
	struct dns_ns *ns = &db->nsset[k];
	struct lname ln;
	long idx, anc, r;
	int at = 0;

	memcpy(ln.w, ns->w, ns->len);
	ln.len = ns->len;
	for (unsigned i = 0; i < ln.len; i++)
		ln.w[i] = dns_lc(ln.w[i]);
	lname_index(&ln);
	if ((idx = find_suffix(db, &ln, 0)) < 0) {
		if ((anc = nearest_ancestor(db, &ln, &at)) < 0)
			return 0;	/* outside every zone (so far) */
		if ((idx = node_insert(db, &ln, 0, 0,
		    db->nodes[anc].zone)) < 0)
			return (int)idx;
		if ((r = ent_fill(db, &ln)) < 0)
			return (int)r;
	}
	db->nodes[idx].flags |= DNS_NODE_ADDR;
	db->nodes[idx].a = ns->a;
	db->nodes[idx].na = ns->na;
	db->nodes[idx].aaaa = ns->aaaa;
	db->nodes[idx].naaaa = ns->naaaa;
	ns->node = (int32_t)idx;
	return 0;
}

int
dns_db_add_zone(struct dns_db *db, const char *apex)
{
	struct lname ap, ns, other;
	long aidx, nidx = -1, r;
	uint32_t z, before;
	bool dflt = db->nnsset == 0;	/* "ns.<zone>" */
	int at = 0;

	if ((r = lname_from_text(&ap, apex)) < 0)
		return (int)r;
	if (ap.len + 3 > DNS_NAME_MAX)
		return -EINVAL;
	if (db->nzones >= UINT16_MAX)
		return -ENOSPC;
	ns.w[0] = 2;
	ns.w[1] = 'n';
	ns.w[2] = 's';
	memcpy(ns.w + 3, ap.w, ap.len);
	ns.len = ap.len + 3;
	lname_index(&ns);

	aidx = find_suffix(db, &ap, 0);
	if (dflt)
		nidx = find_suffix(db, &ns, 0);
	if (aidx >= 0 && (db->nodes[aidx].flags & (DNS_NODE_APEX |
	    DNS_NODE_NS)))
		return -EEXIST;
	if (nidx >= 0 && db->nodes[nidx].flags != 0)
		return -EEXIST;
	if ((r = grow((void **)&db->zones, &db->zones_cap, db->nzones + 1,
	    sizeof(*db->zones))) < 0)
		return (int)r;
	z = db->nzones;
	before = db->nnodes;

	if (aidx < 0 && (aidx = node_insert(db, &ap, 0, 0, 0)) < 0)
		return (int)aidx;
	if (dflt && nidx < 0 && (nidx = node_insert(db, &ns, 0, 0, 0)) < 0)
		return (int)nidx;
	db->zones[z].node = (uint32_t)aidx;
	db->zones[z].apexlen = (uint8_t)ap.len;
	db->zones[z].parent = DNS_ZONE_NONE;
	db->nzones++;
	db->nodes[aidx].flags |= DNS_NODE_APEX;
	db->nodes[aidx].zone = (uint16_t)z;
	if (dflt) {
		db->nodes[nidx].flags = DNS_NODE_NS;
		db->nodes[nidx].zone = (uint16_t)z;
	}

	/* names already below the new apex now belong to it */
	for (uint32_t i = 0; i < before; i++)
		if (db->zones[db->nodes[i].zone].apexlen < ap.len &&
		    node_below(db, i, &ap))
			db->nodes[i].zone = (uint16_t)z;
	/* link it to an enclosing zone, and zones it encloses to it */
	if ((r = nearest_ancestor(db, &ap, &at)) >= 0)
		db->zones[z].parent = db->nodes[r].zone;
	if ((r = ent_fill(db, &ap)) < 0)
		return (int)r;
	for (uint32_t k = 0; k < z; k++) {
		uint32_t p = db->zones[k].parent;

		if (!node_below(db, db->zones[k].node, &ap))
			continue;
		if (p == DNS_ZONE_NONE || db->zones[p].apexlen < ap.len)
			db->zones[k].parent = z;
		lname_of_node(db, db->zones[k].node, &other);
		if ((r = ent_fill(db, &other)) < 0)
			return (int)r;
	}
	for (uint32_t k = 0; k < db->nnsset; k++)
		if (db->nsset[k].node < 0 && (r = ns_place(db, k)) < 0)
			return (int)r;
	return (int)z;
}

static void
put_rr_head(uint8_t *p, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	dns_put16(p, DNS_PTR_QNAME);
	dns_put16(p + 2, type);
	dns_put16(p + 4, DNS_C_IN);
	dns_put32(p + 6, ttl);
	dns_put16(p + 10, rdlen);
}

int
dns_db_add_ns_addr(struct dns_db *db, int family, const void *addr)
{
	uint8_t *p;

	switch (family) {
	case AF_INET:
		if (db->nns_a >= DNS_DB_NS_ADDRS_MAX)
			return -E2BIG;
		p = db->ns_a + db->nns_a++ * DNS_RR_A_LEN;
		put_rr_head(p, DNS_T_A, db->ttl, 4);
		memcpy(p + 12, addr, 4);
		return 0;
	case AF_INET6:
		if (db->nns_aaaa >= DNS_DB_NS_ADDRS_MAX)
			return -E2BIG;
		p = db->ns_aaaa + db->nns_aaaa++ * DNS_RR_AAAA_LEN;
		put_rr_head(p, DNS_T_AAAA, db->ttl, 16);
		memcpy(p + 12, addr, 16);
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}

/* Appends the prebuilt records for the addresses; returns their offset. */
static long
rrs_append(struct dns_db *db, const struct in_addr *a, int na,
    const struct in6_addr *aaaa, int naaaa)
{
	size_t need = (size_t)na * DNS_RR_A_LEN + (size_t)naaaa *
	    DNS_RR_AAAA_LEN, off = db->rrs_len;
	uint8_t *p;
	int r;

	if ((r = grow((void **)&db->rrs, &db->rrs_cap, off + need, 1)) < 0)
		return r;
	p = db->rrs + off;
	for (int i = 0; i < na; i++, p += DNS_RR_A_LEN) {
		put_rr_head(p, DNS_T_A, db->ttl, 4);
		memcpy(p + 12, &a[i], 4);
	}
	for (int i = 0; i < naaaa; i++, p += DNS_RR_AAAA_LEN) {
		put_rr_head(p, DNS_T_AAAA, db->ttl, 16);
		memcpy(p + 12, &aaaa[i], 16);
	}
	db->rrs_len += need;
	return (long)off;
}

int
dns_db_add_name(struct dns_db *db, const char *name, int service,
    const struct in_addr *a, int na, const struct in6_addr *aaaa, int naaaa)
{
	struct lname ln;
	long idx, anc = -1, off, r;
	int at = 0;

	if (service < -1 || na < 0 || naaaa < 0 || na > DNS_DB_ADDRS_MAX ||
	    naaaa > DNS_DB_ADDRS_MAX || (na > 0 && a == NULL) ||
	    (naaaa > 0 && aaaa == NULL))
		return -EINVAL;
	if ((r = lname_from_text(&ln, name)) < 0)
		return (int)r;
	idx = find_suffix(db, &ln, 0);
	if (idx >= 0 && (db->nodes[idx].flags & (DNS_NODE_ADDR |
	    DNS_NODE_NS)))
		return -EEXIST;
	if (idx < 0 && (anc = nearest_ancestor(db, &ln, &at)) < 0)
		return -ENOENT;
	if (service >= db->nsvc) {
		uint8_t *s = realloc(db->svc_status, (size_t)service + 1);

		if (s == NULL)
			return -ENOMEM;
		memset(s + db->nsvc, DNS_SVC_OK, (size_t)(service + 1 -
		    db->nsvc));
		db->svc_status = s;
		db->nsvc = service + 1;
	}
	if ((off = rrs_append(db, a, na, aaaa, naaaa)) < 0)
		return (int)off;
	if (idx < 0) {
		if ((idx = node_insert(db, &ln, 0, 0,
		    db->nodes[anc].zone)) < 0)
			return (int)idx;
		if ((r = ent_fill(db, &ln)) < 0)
			return (int)r;
	}
	db->nodes[idx].flags |= DNS_NODE_ADDR;
	db->nodes[idx].service = service;
	db->nodes[idx].a = (uint32_t)off;
	db->nodes[idx].na = (uint16_t)na;
	db->nodes[idx].aaaa = (uint32_t)off + (uint32_t)na * DNS_RR_A_LEN;
	db->nodes[idx].naaaa = (uint16_t)naaaa;
	db->nnames++;
	return 0;
}

int
dns_db_add_ns(struct dns_db *db, const char *name, const struct in_addr *a,
    int na, const struct in6_addr *aaaa, int naaaa)
{
	struct dns_ns *ns;
	long off;
	int len;

	if (db->nzones > 0)
		return -EBUSY;
	if (db->nnsset >= DNS_DB_NS_MAX)
		return -E2BIG;
	if (na < 0 || naaaa < 0 || na > DNS_DB_NS_ADDRS_MAX ||
	    naaaa > DNS_DB_NS_ADDRS_MAX || (na > 0 && a == NULL) ||
	    (naaaa > 0 && aaaa == NULL))
		return -EINVAL;
	ns = &db->nsset[db->nnsset];
	if ((len = dns_name_from_text(name, ns->w, sizeof(ns->w))) < 0)
		return len;
	for (uint32_t k = 0; k < db->nnsset; k++)
		if (dns_name_equal(db->nsset[k].w, db->nsset[k].len, ns->w,
		    (size_t)len))
			return -EEXIST;
	if ((off = rrs_append(db, a, na, aaaa, naaaa)) < 0)
		return (int)off;
	ns->len = (uint8_t)len;
	ns->node = -1;
	ns->a = (uint32_t)off;
	ns->na = (uint16_t)na;
	ns->aaaa = (uint32_t)off + (uint32_t)na * DNS_RR_A_LEN;
	ns->naaaa = (uint16_t)naaaa;
	db->nnsset++;
	return 0;
}

void
dns_db_set_soa(struct dns_db *db, uint32_t refresh, uint32_t retry,
    uint32_t expire, uint32_t minimum)
{
	dns_put32(db->soa_tail + 4, refresh);
	dns_put32(db->soa_tail + 8, retry);
	dns_put32(db->soa_tail + 12, expire);
	dns_put32(db->soa_tail + 16, minimum);
}

void
dns_db_set_service_status(struct dns_db *db, int service, uint8_t status)
{
	if (service >= 0 && service < db->nsvc)
		__atomic_store_n(&db->svc_status[service], status,
		    __ATOMIC_RELAXED);
}

int
dns_db_zone_count(const struct dns_db *db)
{
	return (int)db->nzones;
}

int
dns_db_name_count(const struct dns_db *db)
{
	return (int)db->nnames;
}

int
dns_name_check(const char *name)
{
	uint8_t w[DNS_NAME_MAX];
	int r = dns_name_from_text(name, w, sizeof(w));

	return r < 0 ? r : 0;
}
