/*
 * dns/query.c - answering one query (see dns/query.h for the rules).
 *
 * The request is read completely before the first reply byte is written,
 * which is what lets resp be req. The hot path for an A hit is: check the
 * header, lower-case the question name into a stack buffer while hashing
 * it, one table probe, then three copies (header, question, prebuilt
 * records) and an OPT record.
 */
#include <string.h>

#include "dns/db.h"
#include "dns/db_priv.h"
#include "dns/edns.h"
#include "dns/query.h"
#include "dns/wire.h"

/* The request, as far as the reply needs it. */
struct req {
	const uint8_t *pkt;
	size_t len;
	unsigned qnamelen;		/* wire length of the question name */
	int nlab;
	uint16_t qtype, qclass;
	struct dns_edns edns;
	uint8_t lab[DNS_LABELS_MAX];
	uint8_t lname[DNS_NAME_MAX];	/* the question name, lower-cased */
};

/* The reply being built; lim keeps room for the OPT record. */
struct out {
	uint8_t *p;
	size_t len, lim;
	uint16_t an, ns, ar;
	bool tc;
};

/*
 * Scans the question at offset 12: plain labels only. Returns 0 or -1
 * (FORMERR).
 */
static int
scan_question(struct req *r)
{
	const uint8_t *pkt = r->pkt;
	size_t len = r->len, o = DNS_HDR_LEN;
	unsigned n = 0;
	int nl = 0;

	for (;;) {
		if (o >= len)
			return -1;
		uint8_t c = pkt[o];
		if (c == 0)
			break;
		/* compression pointers and reserved label types */
		if (c > DNS_LABEL_MAX)
			return -1;
		/* this label, and a root label after it, in 255 bytes */
		if (n + c + 2u > DNS_NAME_MAX || len - o <= 1u + c)
			return -1;
		r->lab[nl++] = (uint8_t)n;
		r->lname[n] = c;
		for (unsigned i = 1; i <= c; i++)
			r->lname[n + i] = dns_lc(pkt[o + i]);
		n += 1u + c;
		o += 1u + c;
	}
	r->lname[n++] = 0;
	o++;
	if (len - o < 4)
		return -1;
	r->qnamelen = n;
	r->nlab = nl;
	r->qtype = dns_get16(pkt + o);
	r->qclass = dns_get16(pkt + o + 2);
	return 0;
}

/* A reply of just a header: for requests whose question we cannot use. */
static size_t
reply_header_only(const uint8_t *req, uint8_t *resp, unsigned rcode,
    struct dns_qinfo *qi)
{
	uint8_t f2 = req[2], f3 = req[3];

	memset(resp + 2, 0, DNS_HDR_LEN - 2);
	resp[0] = req[0];
	resp[1] = req[1];
	resp[2] = DNS_F2_QR | (f2 & (DNS_F2_OPCODE | DNS_F2_RD));
	resp[3] = (uint8_t)((f3 & DNS_F3_CD) | (rcode & DNS_F3_RCODE));
	qi->action = DNS_ACT_REPLY;
	qi->rcode = (uint16_t)rcode;
	return DNS_HDR_LEN;
}

/* Header and question; the flags and counts are set by finish(). */
static void
begin(struct out *o, const struct req *r)
{
	size_t qlen = r->qnamelen + 4u;

	if (o->p != r->pkt) {
		memcpy(o->p, r->pkt, 2);	/* the ID */
		memcpy(o->p + DNS_HDR_LEN, r->pkt + DNS_HDR_LEN, qlen);
	}
	o->len = DNS_HDR_LEN + qlen;
	o->an = o->ns = o->ar = 0;
	o->tc = false;
}

static size_t
finish(struct out *o, const struct req *r, unsigned rcode, bool aa,
    struct dns_qinfo *qi)
{
	uint8_t *h = o->p, f2 = r->pkt[2], f3 = r->pkt[3];

	if (r->edns.present) {
		dns_edns_put(h + o->len, rcode, r->edns.do_bit);
		o->len += DNS_OPT_LEN;
		o->ar++;
	}
	/* r->pkt may be h: read the flags before writing them */
	h[2] = (uint8_t)(DNS_F2_QR | (f2 & (DNS_F2_OPCODE | DNS_F2_RD)) |
	    (aa ? DNS_F2_AA : 0) | (o->tc ? DNS_F2_TC : 0));
	h[3] = (uint8_t)((f3 & DNS_F3_CD) | (rcode & DNS_F3_RCODE));
	dns_hdr_set_qdcount(h, 1);
	dns_hdr_set_ancount(h, o->an);
	dns_hdr_set_nscount(h, o->ns);
	dns_hdr_set_arcount(h, o->ar);
	qi->action = DNS_ACT_REPLY;
	qi->rcode = (uint16_t)rcode;
	qi->tc = o->tc;
	return o->len;
}

/* The answer did not fit: send the question alone with TC. */
static void
truncate_reply(struct out *o, const struct req *r)
{
	o->len = DNS_HDR_LEN + r->qnamelen + 4u;
	o->an = o->ns = o->ar = 0;
	o->tc = true;
}

static bool
put(struct out *o, const void *src, size_t n)
{
	if (n > o->lim - o->len)
		return false;
	memcpy(o->p + o->len, src, n);
	o->len += n;
	return true;
}

/*
 * count records of stride bytes; owner != 0 replaces their prebuilt owner
 * (a pointer to the question name) with another pointer.
 */
static bool
put_rrs(struct out *o, const uint8_t *rrs, unsigned count, size_t stride,
    uint16_t owner, uint16_t *counter)
{
	uint8_t *p = o->p + o->len;

	if (!put(o, rrs, count * stride))
		return false;
	if (owner != 0)
		for (unsigned i = 0; i < count; i++)
			dns_put16(p + i * stride, owner);
	*counter = (uint16_t)(*counter + count);
	return true;
}

static void
rr_head(uint8_t *p, uint16_t owner, uint16_t type, uint32_t ttl,
    uint16_t rdlen)
{
	dns_put16(p, owner);
	dns_put16(p + 2, type);
	dns_put16(p + 4, DNS_C_IN);
	dns_put32(p + 6, ttl);
	dns_put16(p + 10, rdlen);
}

/*
 * SOA of the zone whose apex is at pointer apex: mname ns.<apex> (or the
 * first explicit name server, written out), rname hostmaster.<apex>.
 */
#define SOA_FIXED	(13 + 20)	/* rname + the five numbers */

static bool
put_soa(struct out *o, const struct dns_db *db, uint16_t apex,
    uint16_t *counter)
{
	uint8_t *p = o->p + o->len;
	size_t m = db->nnsset ? db->nsset[0].len : 5, rdlen = m + SOA_FIXED;

	if (o->lim - o->len < 12 + rdlen)
		return false;
	rr_head(p, apex, DNS_T_SOA, db->ttl, (uint16_t)rdlen);
	if (db->nnsset) {
		memcpy(p + 12, db->nsset[0].w, m);
	} else {
		memcpy(p + 12, "\2ns", 3);
		dns_put16(p + 15, apex);
	}
	p += 12 + m;
	memcpy(p, "\12hostmaster", 11);
	dns_put16(p + 11, apex);
	memcpy(p + 13, db->soa_tail, 20);
	o->len += 12 + rdlen;
	(*counter)++;
	return true;
}

/* NS ns.<apex> at the apex; *nsname gets the pointer to its rdata. */
#define NS_LEN		(12 + 5)

static bool
put_ns(struct out *o, const struct dns_db *db, uint16_t apex,
    uint16_t *nsname)
{
	uint8_t *p = o->p + o->len;

	if (o->lim - o->len < NS_LEN)
		return false;
	rr_head(p, apex, DNS_T_NS, db->ttl, 5);
	memcpy(p + 12, "\2ns", 3);
	dns_put16(p + 15, apex);
	*nsname = (uint16_t)(0xc000 | (o->len + 12));
	o->len += NS_LEN;
	o->an++;
	return true;
}

/* The explicit NS RRset; nsname[k] gets the pointer to name server k. */
static bool
put_ns_set(struct out *o, const struct dns_db *db, uint16_t apex,
    uint16_t *nsname)
{
	for (uint32_t k = 0; k < db->nnsset; k++) {
		const struct dns_ns *ns = &db->nsset[k];
		uint8_t *p = o->p + o->len;

		if (o->lim - o->len < 12u + ns->len)
			return false;
		rr_head(p, apex, DNS_T_NS, db->ttl, ns->len);
		memcpy(p + 12, ns->w, ns->len);
		nsname[k] = (uint16_t)(0xc000 | (o->len + 12));
		o->len += 12u + ns->len;
		o->an++;
	}
	return true;
}

/* A or AAAA records of node n (a service name or ns.<zone>). */
static bool
put_addrs(struct out *o, const struct dns_db *db, const struct dns_node *n,
    uint16_t type)
{
	if (n->flags & DNS_NODE_NS) {
		if (type == DNS_T_A)
			return put_rrs(o, db->ns_a, db->nns_a, DNS_RR_A_LEN, 0,
			    &o->an);
		return put_rrs(o, db->ns_aaaa, db->nns_aaaa, DNS_RR_AAAA_LEN,
		    0, &o->an);
	}
	if (!(n->flags & DNS_NODE_ADDR))
		return true;
	if (type == DNS_T_A)
		return put_rrs(o, db->rrs + n->a, n->na, DNS_RR_A_LEN, 0,
		    &o->an);
	return put_rrs(o, db->rrs + n->aaaa, n->naaaa, DNS_RR_AAAA_LEN, 0,
	    &o->an);
}

/* The nameservers' addresses as additional data, all or nothing. */
static void
put_glue(struct out *o, const struct dns_db *db, const uint16_t *nsname)
{
	size_t len = o->len;
	uint16_t ar = o->ar;
	bool ok = true;

	if (db->nnsset == 0) {
		ok = put_rrs(o, db->ns_a, db->nns_a, DNS_RR_A_LEN, nsname[0],
		    &o->ar) && put_rrs(o, db->ns_aaaa, db->nns_aaaa,
		    DNS_RR_AAAA_LEN, nsname[0], &o->ar);
	}
	for (uint32_t k = 0; k < db->nnsset && ok; k++) {
		const struct dns_ns *ns = &db->nsset[k];

		if (ns->node < 0)
			continue;	/* out of our zones: no glue */
		ok = put_rrs(o, db->rrs + ns->a, ns->na, DNS_RR_A_LEN,
		    nsname[k], &o->ar) && put_rrs(o, db->rrs + ns->aaaa,
		    ns->naaaa, DNS_RR_AAAA_LEN, nsname[k], &o->ar);
	}
	if (!ok) {
		o->len = len;
		o->ar = ar;
	}
}

/* The apex NS RRset, default or explicit. */
static bool
put_apex_ns(struct out *o, const struct dns_db *db, uint16_t apex,
    uint16_t *nsname)
{
	if (db->nnsset)
		return put_ns_set(o, db, apex, nsname);
	return put_ns(o, db, apex, &nsname[0]);
}

/*
 * The records of node n for qtype; false if they did not fit. A name's
 * RRsets at most: SOA, NS (apex), A, AAAA.
 */
static bool
answer_node(struct out *o, const struct dns_db *db, const struct dns_node *n,
    uint16_t qtype, uint16_t apex)
{
	uint16_t nsname[DNS_DB_NS_MAX];
	bool apexnode = n->flags & DNS_NODE_APEX;

	switch (qtype) {
	case DNS_T_A:
	case DNS_T_AAAA:
		return put_addrs(o, db, n, qtype);
	case DNS_T_SOA:
		return !apexnode || put_soa(o, db, apex, &o->an);
	case DNS_T_NS:
		if (!apexnode)
			return true;
		if (!put_apex_ns(o, db, apex, nsname))
			return false;
		put_glue(o, db, nsname);
		return true;
	case DNS_T_ANY:
		if (apexnode && (!put_soa(o, db, apex, &o->an) ||
		    !put_apex_ns(o, db, apex, nsname)))
			return false;
		return put_addrs(o, db, n, DNS_T_A) &&
		    put_addrs(o, db, n, DNS_T_AAAA);
	default:
		return true;
	}
}

static size_t
answer(const struct dns_db *db, struct req *r, struct out *o, bool fwd,
    struct dns_qinfo *qi)
{
	uint32_t hs[DNS_LABELS_MAX + 1];
	const struct dns_node *n;
	const struct dns_zone *z;
	uint16_t apex, qt = r->qtype;
	bool exact, aa;

	dns_hash_suffixes(r->lname, r->lab, r->nlab, hs);
	n = dns_db_find(db, r->lname, r->qnamelen, hs[0]);
	exact = n != NULL;
	/* a miss: the nearest existing ancestor tells the zone, if any */
	for (int i = 1; n == NULL && i <= r->nlab; i++) {
		unsigned off = i < r->nlab ? r->lab[i] : r->qnamelen - 1;

		n = dns_db_find(db, r->lname + off, r->qnamelen - off, hs[i]);
	}
	if (n == NULL) {
		if (fwd) {
			qi->action = DNS_ACT_FORWARD;
			return 0;
		}
		return finish(o, r, DNS_R_REFUSED, false, qi);
	}
	if (r->qclass != DNS_C_IN && r->qclass != DNS_C_ANY)
		return finish(o, r, DNS_R_REFUSED, false, qi);
	if (qt == DNS_T_AXFR || qt == DNS_T_IXFR)
		return finish(o, r, DNS_R_REFUSED, false, qi);

	/* AA only for class IN: a class-ANY question asks about every
	 * class, and we hold data for IN alone. */
	aa = r->qclass == DNS_C_IN;
	/* The default "ns.<zone>" without any address has no records and
	 * no descendants: it does not exist (RFC 8020). */
	if (exact && n->flags == DNS_NODE_NS && db->nns_a == 0 &&
	    db->nns_aaaa == 0)
		exact = false;
	z = &db->zones[n->zone];
	/* DS lives on the parent side of a zone cut (RFC 4035 3.1.4.1):
	 * at a nested apex it is the parent zone's (empty) answer. */
	if (qt == DNS_T_DS && exact && (n->flags & DNS_NODE_APEX) &&
	    z->parent != DNS_ZONE_NONE)
		z = &db->zones[z->parent];
	apex = (uint16_t)(0xc000 | (DNS_HDR_LEN + r->qnamelen - z->apexlen));
	if (!exact) {
		if (!put_soa(o, db, apex, &o->ns))
			truncate_reply(o, r);
		return finish(o, r, DNS_R_NXDOMAIN, aa, qi);
	}
	if (n->service >= 0 && (qt == DNS_T_A || qt == DNS_T_AAAA ||
	    qt == DNS_T_ANY)) {
		qi->service = n->service;
		/* A failed service fails only the types it has records of;
		 * the rest are NODATA, as when it is up. */
		if (__atomic_load_n(&db->svc_status[n->service],
		    __ATOMIC_RELAXED) == DNS_SVC_SERVFAIL &&
		    (qt == DNS_T_A ? n->na : qt == DNS_T_AAAA ? n->naaaa :
		    n->na + n->naaaa) > 0)
			return finish(o, r, DNS_R_SERVFAIL, false, qi);
	}
	if (qt == DNS_T_DS && z != &db->zones[n->zone]) {
		if (!put_soa(o, db, apex, &o->ns))
			truncate_reply(o, r);
		return finish(o, r, DNS_R_NOERROR, aa, qi);
	}
	if (!answer_node(o, db, n, qt, apex))
		truncate_reply(o, r);
	else if (o->an == 0 && !put_soa(o, db, apex, &o->ns))
		truncate_reply(o, r);
	return finish(o, r, DNS_R_NOERROR, aa, qi);
}

size_t
dns_query(const struct dns_db *db, const uint8_t *req, size_t reqlen,
    uint8_t *resp, size_t cap, bool udp, bool forward_enabled,
    struct dns_qinfo *qi)
{
	struct req r;
	struct out o;
	size_t limit, need;

	memset(qi, 0, sizeof(*qi));
	qi->action = DNS_ACT_DROP;
	qi->service = -1;
	if (reqlen < DNS_HDR_LEN || cap < DNS_HDR_LEN)
		return 0;
	qi->id = dns_hdr_id(req);
	if (dns_hdr_qr(req))
		return 0;
	if (dns_hdr_opcode(req) != DNS_OP_QUERY)
		return reply_header_only(req, resp, DNS_R_NOTIMP, qi);
	r.pkt = req;
	r.len = reqlen;
	if (dns_hdr_qdcount(req) != 1 || scan_question(&r) < 0)
		return reply_header_only(req, resp, DNS_R_FORMERR, qi);
	/* the question, and OPT later, must fit: only a caller bug fails */
	if (cap < DNS_HDR_LEN + r.qnamelen + 4 + DNS_OPT_LEN)
		return 0;
	qi->qtype = r.qtype;
	qi->qclass = r.qclass;
	qi->qlen = (uint16_t)(r.qnamelen + 4);

	o.p = resp;
	if (dns_edns_parse(req, reqlen, DNS_HDR_LEN + r.qnamelen + 4,
	    &r.edns) < 0) {
		r.edns.present = false;
		o.lim = cap;
		begin(&o, &r);
		return finish(&o, &r, DNS_R_FORMERR, false, qi);
	}
	qi->edns = r.edns.present;
	qi->do_bit = r.edns.do_bit;
	qi->edns_size = r.edns.size;

	limit = cap < 65535 ? cap : 65535;
	if (udp) {
		size_t u = DNS_UDP_MIN;

		if (r.edns.present && r.edns.size > DNS_UDP_MIN)
			u = r.edns.size < DNS_EDNS_UDP_SIZE ? r.edns.size :
			    DNS_EDNS_UDP_SIZE;
		if (u < limit)
			limit = u;
	}
	need = DNS_HDR_LEN + r.qnamelen + 4 + (r.edns.present ? DNS_OPT_LEN :
	    0);
	if (need > limit)
		return 0;
	o.lim = limit - (r.edns.present ? DNS_OPT_LEN : 0);
	begin(&o, &r);
	if (r.edns.version > 0)
		return finish(&o, &r, DNS_R_BADVERS, false, qi);
	return answer(db, &r, &o, forward_enabled, qi);
}
