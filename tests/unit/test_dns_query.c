/*
 * Unit tests of dns/query.c and dns/db.c: each rule of issue 2's "DNS
 * behaviour" is one test, asked with real request bytes and checked by
 * parsing the reply with dns/wire.c. The fuzz corpus is replayed here too.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/db.h"
#include "dns/query.h"
#include "dns/wire.h"
#include "tests/lib/t.h"

#define TTL	30
#define SERIAL	2024061501u
#define CORPUS	"tests/fuzz/corpus/dns"

static struct dns_db *db;
static uint8_t req[65535], resp[65535];
static size_t reqlen, resplen;
static struct dns_qinfo qi;

/* A parsed reply: the question and every record of every section. */
struct msg {
	uint8_t f2, f3;
	unsigned qd, an, ns, ar;
	struct dns_question q;
	int nrr;
	struct dns_rr rr[64];
};
static struct msg m;

static struct in_addr
v4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static struct in6_addr
v6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

static int
make_db(void)
{
	struct in_addr www[2] = { v4("127.77.0.2"), v4("127.77.0.3") };
	struct in6_addr www6 = v6("fd00::2"), big[40];
	struct in_addr a;

	if ((db = dns_db_new(TTL, SERIAL)) == NULL)
		return -1;
	if (dns_db_add_zone(db, "example.test") != 0 ||
	    dns_db_add_zone(db, "Other.Test.") != 1 ||
	    dns_db_add_zone(db, "inner.example.test") != 2 ||
	    dns_db_add_zone(db, "deep.x.example.test") != 3)
		return -1;
	a = v4("127.0.0.53");
	if (dns_db_add_ns_addr(db, AF_INET, &a) != 0)
		return -1;
	www6 = v6("fd00::53");
	if (dns_db_add_ns_addr(db, AF_INET6, &www6) != 0)
		return -1;
	www6 = v6("fd00::2");
	if (dns_db_add_name(db, "www.example.test", 0, www, 2, &www6, 1) != 0)
		return -1;
	a = v4("127.77.0.4");
	if (dns_db_add_name(db, "v4.example.test", 1, &a, 1, NULL, 0) != 0)
		return -1;
	a = v4("127.77.0.5");
	if (dns_db_add_name(db, "a.b.c.example.test", -1, &a, 1, NULL,
	    0) != 0)
		return -1;
	a = v4("127.77.0.6");
	if (dns_db_add_name(db, "sick.example.test", 2, &a, 1, NULL, 0) != 0)
		return -1;
	for (int i = 0; i < 40; i++) {
		big[i] = v6("fd00::100");
		big[i].s6_addr[15] = (uint8_t)i;
	}
	if (dns_db_add_name(db, "big.example.test", 3, NULL, 0, big, 40) != 0)
		return -1;
	if (dns_db_add_name(db, "empty.example.test", 4, NULL, 0, NULL,
	    0) != 0)
		return -1;
	a = v4("127.77.0.7");
	if (dns_db_add_name(db, "host.inner.example.test", 5, &a, 1, NULL,
	    0) != 0)
		return -1;
	a = v4("127.77.0.8");
	if (dns_db_add_name(db, "other.test", 6, &a, 1, NULL, 0) != 0)
		return -1;
	return 0;
}

/* Parses resp into m; -1 if it is not a well-formed message. */
static int
parse(void)
{
	size_t off = DNS_HDR_LEN;

	memset(&m, 0, sizeof(m));
	if (resplen < DNS_HDR_LEN || dns_msg_check(resp, resplen) != 0)
		return -1;
	m.f2 = resp[2];
	m.f3 = resp[3];
	m.qd = dns_hdr_qdcount(resp);
	m.an = dns_hdr_ancount(resp);
	m.ns = dns_hdr_nscount(resp);
	m.ar = dns_hdr_arcount(resp);
	if (m.qd > 1 || m.an + m.ns + m.ar > 64)
		return -1;
	if (m.qd == 1 && dns_question_read(resp, resplen, &off, &m.q) != 0)
		return -1;
	for (unsigned i = 0; i < m.an + m.ns + m.ar; i++)
		if (dns_rr_read(resp, resplen, &off, &m.rr[m.nrr++]) != 0)
			return -1;
	return 0;
}

static size_t
ask_full(const char *name, uint16_t qtype, uint16_t qclass, int edns,
    bool do_bit, bool udp, bool fwd)
{
	int n = dns_msg_build_query(req, sizeof(req), 0x4242, name, qtype,
	    qclass, true, edns, do_bit);

	if (n < 0)
		return 0;
	reqlen = (size_t)n;
	resplen = dns_query(db, req, reqlen, resp, sizeof(resp), udp, fwd,
	    &qi);
	return resplen;
}

/* The usual question: UDP, EDNS 1232, class IN, no forwarding. */
static size_t
ask(const char *name, uint16_t qtype)
{
	return ask_full(name, qtype, DNS_C_IN, 1232, false, true, false);
}

/* Sends req/reqlen as they are (for hand-made packets). */
static size_t
send_raw(bool udp)
{
	resplen = dns_query(db, req, reqlen, resp, sizeof(resp), udp, false,
	    &qi);
	return resplen;
}

static bool
name_is(const uint8_t *w, size_t len, const char *text)
{
	uint8_t t[DNS_NAME_MAX];
	int n = dns_name_from_text(text, t, sizeof(t));

	return n > 0 && dns_name_equal(w, len, t, (size_t)n);
}

/* The rdata of rr as a name (NS target). */
static bool
rdata_name_is(const struct dns_rr *rr, const char *text)
{
	uint8_t w[DNS_NAME_MAX];
	size_t off = rr->rdata;
	int n = dns_name_unpack(resp, resplen, &off, w);

	return n > 0 && name_is(w, (size_t)n, text);
}

static unsigned
rcode(void)
{
	return m.f3 & DNS_F3_RCODE;
}

static bool
aa(void)
{
	return m.f2 & DNS_F2_AA;
}

/* The last record, if OPT, is ours: payload 1232, version 0. */
static bool
has_our_opt(void)
{
	const struct dns_rr *o;

	if (m.ar == 0)
		return false;
	o = &m.rr[m.nrr - 1];
	return o->type == DNS_T_OPT && o->ownerlen == 1 &&
	    o->rclass == DNS_EDNS_UDP_SIZE && ((o->ttl >> 16) & 0xff) == 0 &&
	    o->rdlen == 0;
}

static void
a_answer(void)
{
	T_ASSERT(ask("www.example.test", DNS_T_A) > 0);
	T_EQ(qi.action, DNS_ACT_REPLY);
	T_EQ(parse(), 0);
	T_EQ(dns_hdr_id(resp), 0x4242);
	T_ASSERT(m.f2 & DNS_F2_QR);
	T_ASSERT(aa());
	T_EQ(rcode(), DNS_R_NOERROR);
	T_EQ(m.an, 2);
	T_EQ(m.ns, 0);
	for (int i = 0; i < 2; i++) {
		T_ASSERT(name_is(m.rr[i].owner, m.rr[i].ownerlen,
		    "www.example.test"));
		T_EQ(m.rr[i].type, DNS_T_A);
		T_EQ(m.rr[i].rclass, DNS_C_IN);
		T_EQ(m.rr[i].ttl, TTL);
		T_EQ(m.rr[i].rdlen, 4);
	}
	T_ASSERT(memcmp(resp + m.rr[0].rdata, "\177\115\0\2", 4) == 0);
	T_ASSERT(memcmp(resp + m.rr[1].rdata, "\177\115\0\3", 4) == 0);
	T_EQ(qi.service, 0);
	T_EQ(qi.rcode, DNS_R_NOERROR);
}

static void
aaaa_answer(void)
{
	struct in6_addr want = v6("fd00::2");

	T_ASSERT(ask("www.example.test", DNS_T_AAAA) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	T_EQ(m.rr[0].type, DNS_T_AAAA);
	T_EQ(m.rr[0].rdlen, 16);
	T_ASSERT(memcmp(resp + m.rr[0].rdata, &want, 16) == 0);
	T_EQ(qi.service, 0);
}

static void
answer_owner_is_pointer_to_question(void)
{
	T_ASSERT(ask("www.example.test", DNS_T_A) > 0);
	/* header 12 + question 18 + 4: the first answer's owner */
	T_EQ(resp[34], 0xc0);
	T_EQ(resp[35], 12);
	T_EQ(resp[34 + 16], 0xc0);
	T_EQ(resp[34 + 17], 12);
}

static void
case_insensitive_and_kept(void)
{
	T_ASSERT(ask("WwW.ExAmPlE.TeSt", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 2);
	/* the question comes back byte for byte, and owners point to it */
	T_ASSERT(memcmp(resp + 12, req + 12, 18 + 4) == 0);
	T_ASSERT(memcmp(m.rr[0].owner, "\3WwW\7ExAmPlE\4TeSt", 18) == 0);
}

static void
soa_at_apex(void)
{
	uint8_t w[DNS_NAME_MAX];
	size_t off;
	int n;

	T_ASSERT(ask("example.test", DNS_T_SOA) > 0);
	T_EQ(parse(), 0);
	T_ASSERT(aa());
	T_EQ(m.an, 1);
	T_EQ(m.rr[0].type, DNS_T_SOA);
	T_ASSERT(name_is(m.rr[0].owner, m.rr[0].ownerlen, "example.test"));
	off = m.rr[0].rdata;
	n = dns_name_unpack(resp, resplen, &off, w);
	T_ASSERT(n > 0 && name_is(w, (size_t)n, "ns.example.test"));
	n = dns_name_unpack(resp, resplen, &off, w);
	T_ASSERT(n > 0 && name_is(w, (size_t)n, "hostmaster.example.test"));
	T_EQ(off + 20, m.rr[0].rdata + m.rr[0].rdlen);
	T_EQ(dns_get32(resp + off), SERIAL);
	T_ASSERT(dns_get32(resp + off + 4) >= 1200);		/* refresh */
	T_ASSERT(dns_get32(resp + off + 8) >= 180);		/* retry */
	T_ASSERT(dns_get32(resp + off + 12) > dns_get32(resp + off + 4));
	T_EQ(dns_get32(resp + off + 16), TTL);			/* minimum */
	T_EQ(qi.service, -1);
}

static void
ns_at_apex_with_glue(void)
{
	T_ASSERT(ask("example.test", DNS_T_NS) > 0);
	T_EQ(parse(), 0);
	T_ASSERT(aa());
	T_EQ(m.an, 1);
	T_EQ(m.rr[0].type, DNS_T_NS);
	T_ASSERT(rdata_name_is(&m.rr[0], "ns.example.test"));
	T_EQ(m.ar, 3);				/* A, AAAA, OPT */
	T_EQ(m.rr[1].type, DNS_T_A);
	T_ASSERT(name_is(m.rr[1].owner, m.rr[1].ownerlen, "ns.example.test"));
	T_ASSERT(memcmp(resp + m.rr[1].rdata, "\177\0\0\65", 4) == 0);
	T_EQ(m.rr[2].type, DNS_T_AAAA);
	T_ASSERT(name_is(m.rr[2].owner, m.rr[2].ownerlen, "ns.example.test"));
	T_ASSERT(has_our_opt());
}

static void
ns_name_has_addresses(void)
{
	T_ASSERT(ask("ns.Example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	T_ASSERT(memcmp(resp + m.rr[0].rdata, "\177\0\0\65", 4) == 0);
	T_ASSERT(ask("ns.other.test", DNS_T_AAAA) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	T_EQ(m.rr[0].type, DNS_T_AAAA);
	T_EQ(qi.service, -1);
}

static void
any_gives_every_rrset(void)
{
	T_ASSERT(ask("www.example.test", DNS_T_ANY) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 3);
	T_EQ(m.rr[0].type, DNS_T_A);
	T_EQ(m.rr[2].type, DNS_T_AAAA);
	T_EQ(qi.service, 0);
	T_ASSERT(ask("other.test", DNS_T_ANY) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 3);
	T_EQ(m.rr[0].type, DNS_T_SOA);
	T_EQ(m.rr[1].type, DNS_T_NS);
	T_EQ(m.rr[2].type, DNS_T_A);
	T_EQ(qi.service, 6);
}

/* NODATA: NOERROR, no answer, the zone's SOA in authority. */
static int
is_nodata(const char *zone)
{
	if (parse() != 0 || rcode() != DNS_R_NOERROR || !aa() || m.an != 0 ||
	    m.ns != 1 || m.rr[0].type != DNS_T_SOA ||
	    !name_is(m.rr[0].owner, m.rr[0].ownerlen, zone) ||
	    m.rr[0].ttl != TTL)
		return 0;
	return 1;
}

static void
nodata_for_missing_type(void)
{
	T_ASSERT(ask("www.example.test", DNS_T_MX) > 0);
	T_ASSERT(is_nodata("example.test"));
	T_EQ(qi.service, -1);
	T_ASSERT(ask("v4.example.test", DNS_T_AAAA) > 0);
	T_ASSERT(is_nodata("example.test"));
	T_EQ(qi.service, 1);		/* still worth summoning */
	T_ASSERT(ask("empty.example.test", DNS_T_A) > 0);
	T_ASSERT(is_nodata("example.test"));
	T_EQ(qi.service, 4);
	T_ASSERT(ask("www.example.test", DNS_T_NS) > 0);
	T_ASSERT(is_nodata("example.test"));
}

static void
nodata_for_empty_non_terminal(void)
{
	T_ASSERT(ask("c.example.test", DNS_T_A) > 0);
	T_ASSERT(is_nodata("example.test"));
	T_ASSERT(ask("B.c.example.test", DNS_T_A) > 0);
	T_ASSERT(is_nodata("example.test"));
	/* between a nested zone and its parent */
	T_ASSERT(ask("x.example.test", DNS_T_A) > 0);
	T_ASSERT(is_nodata("example.test"));
}

static void
nxdomain_for_missing_name(void)
{
	T_ASSERT(ask("nope.EXAMPLE.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_ASSERT(aa());
	T_EQ(m.an, 0);
	T_EQ(m.ns, 1);
	T_EQ(m.rr[0].type, DNS_T_SOA);
	/* the SOA owner points into the question, keeping its case */
	T_ASSERT(memcmp(m.rr[0].owner, "\7EXAMPLE\4test", 14) == 0);
	T_EQ(qi.rcode, DNS_R_NXDOMAIN);
	T_EQ(qi.service, -1);
	T_ASSERT(ask("x.www.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_ASSERT(ask("a.x.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
}

static void
nested_zone_answers_for_itself(void)
{
	T_ASSERT(ask("host.inner.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	T_EQ(qi.service, 5);
	T_ASSERT(ask("inner.example.test", DNS_T_NS) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	T_ASSERT(rdata_name_is(&m.rr[0], "ns.inner.example.test"));
	T_ASSERT(ask("no.inner.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_ASSERT(name_is(m.rr[0].owner, m.rr[0].ownerlen,
	    "inner.example.test"));
	T_ASSERT(ask("deep.x.example.test", DNS_T_A) > 0);
	T_ASSERT(is_nodata("deep.x.example.test"));
}

static void
refused_outside_zones(void)
{
	T_ASSERT(ask("www.example.org", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
	T_ASSERT(!aa());
	T_EQ(m.an + m.ns, 0);
	T_EQ(m.qd, 1);
	T_ASSERT(has_our_opt());
	/* a suffix of a zone is outside it too */
	T_ASSERT(ask("test", DNS_T_SOA) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
	T_ASSERT(ask(".", DNS_T_NS) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
}

static void
forward_outside_zones(void)
{
	T_EQ(ask_full("www.example.org", DNS_T_A, DNS_C_IN, -1, false, true,
	    true), 0);
	T_EQ(qi.action, DNS_ACT_FORWARD);
	T_EQ(qi.qtype, DNS_T_A);
	T_EQ(qi.id, 0x4242);
	T_EQ(qi.qlen, 17 + 4);
	/* inside a zone we still answer ourselves */
	T_ASSERT(ask_full("nope.example.test", DNS_T_A, DNS_C_IN, -1, false,
	    true, true) > 0);
	T_EQ(qi.action, DNS_ACT_REPLY);
	T_EQ(qi.rcode, DNS_R_NXDOMAIN);
}

static void
edns_reply_has_opt(void)
{
	T_ASSERT(ask_full("www.example.test", DNS_T_A, DNS_C_IN, 4096, true,
	    true, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.ar, 1);
	T_ASSERT(has_our_opt());
	T_ASSERT(m.rr[m.nrr - 1].ttl & DNS_EDNS_DO);
	T_ASSERT(qi.edns && qi.do_bit);
	T_EQ(qi.edns_size, 4096);
	/* without OPT in the request, none in the reply */
	T_ASSERT(ask_full("www.example.test", DNS_T_A, DNS_C_IN, -1, false,
	    true, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(m.ar, 0);
	T_ASSERT(!qi.edns);
}

static void
edns_badvers(void)
{
	ask_full("www.example.test", DNS_T_A, DNS_C_IN, 1232, false, true,
	    false);
	req[reqlen - 5] = 1;			/* OPT version */
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_BADVERS & 0xf);
	T_EQ(m.an, 0);
	T_EQ(m.ar, 1);
	T_EQ(m.rr[0].type, DNS_T_OPT);
	T_EQ(m.rr[0].ttl >> 24, DNS_R_BADVERS >> 4);
	T_EQ((m.rr[0].ttl >> 16) & 0xff, 0);
	T_EQ(qi.rcode, DNS_R_BADVERS);
	T_EQ(m.qd, 1);
}

static void
edns_two_opt_formerr(void)
{
	ask_full("www.example.test", DNS_T_A, DNS_C_IN, 1232, false, true,
	    false);
	memcpy(req + reqlen, req + reqlen - DNS_OPT_LEN, DNS_OPT_LEN);
	reqlen += DNS_OPT_LEN;
	dns_hdr_set_arcount(req, 2);
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
	T_EQ(m.qd, 1);
	T_EQ(m.ar, 0);
}

static void
edns_opt_not_root_formerr(void)
{
	/* an OPT owned by a pointer to the question name */
	ask_full("www.example.test", DNS_T_A, DNS_C_IN, 1232, false, true,
	    false);
	memmove(req + reqlen - DNS_OPT_LEN + 2, req + reqlen - DNS_OPT_LEN +
	    1, DNS_OPT_LEN - 1);
	req[reqlen - DNS_OPT_LEN] = 0xc0;
	req[reqlen - DNS_OPT_LEN + 1] = 12;
	reqlen++;
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
}

static void
edns_record_past_end_formerr(void)
{
	ask_full("www.example.test", DNS_T_A, DNS_C_IN, 1232, false, true,
	    false);
	T_ASSERT(send_raw(true) > 0);
	reqlen -= 3;				/* cut the OPT short */
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
	T_EQ(m.qd, 1);
	/* ARCOUNT promises a record that is not there */
	ask_full("www.example.test", DNS_T_A, DNS_C_IN, -1, false, true,
	    false);
	dns_hdr_set_arcount(req, 1);
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
}

static void
tc_when_answer_too_big_for_udp(void)
{
	/* 40 AAAA = 1120 bytes: over 512 without EDNS */
	T_ASSERT(ask_full("big.example.test", DNS_T_AAAA, DNS_C_IN, -1, false,
	    true, false) > 0);
	T_ASSERT(resplen <= 512);
	T_EQ(parse(), 0);
	T_ASSERT(m.f2 & DNS_F2_TC);
	T_ASSERT(qi.tc);
	T_EQ(m.qd, 1);
	T_EQ(m.an + m.ns + m.ar, 0);
	/* EDNS 512: TC, the question and our OPT */
	T_ASSERT(ask_full("big.example.test", DNS_T_AAAA, DNS_C_IN, 512,
	    false, true, false) > 0);
	T_EQ(parse(), 0);
	T_ASSERT(m.f2 & DNS_F2_TC);
	T_EQ(m.an, 0);
	T_EQ(m.ar, 1);
	T_ASSERT(has_our_opt());
	/* a requested size below 512 counts as 512 */
	T_ASSERT(ask_full("www.example.test", DNS_T_A, DNS_C_IN, 100, false,
	    true, false) > 0);
	T_EQ(parse(), 0);
	T_ASSERT(!(m.f2 & DNS_F2_TC));
	T_EQ(m.an, 2);
	/* EDNS 1232 holds it */
	T_ASSERT(ask("big.example.test", DNS_T_AAAA) > 0);
	T_EQ(parse(), 0);
	T_ASSERT(!(m.f2 & DNS_F2_TC));
	T_EQ(m.an, 40);
	/* TCP has no such limit */
	T_ASSERT(ask_full("big.example.test", DNS_T_AAAA, DNS_C_IN, -1, false,
	    false, false) > 512);
	T_EQ(parse(), 0);
	T_ASSERT(!(m.f2 & DNS_F2_TC));
	T_EQ(m.an, 40);
}

static void
udp_never_above_1232(void)
{
	struct in6_addr many[60];
	struct dns_db *save = db;

	for (int i = 0; i < 60; i++)
		many[i] = v6("fd00::1");
	T_ASSERT((db = dns_db_new(TTL, 1)) != NULL);
	T_EQ(dns_db_add_zone(db, "t"), 0);
	T_EQ(dns_db_add_name(db, "m.t", -1, NULL, 0, many, 60), 0);
	/* 60 * 28 = 1680 bytes: the client allows 4096, we send <= 1232 */
	ask_full("m.t", DNS_T_AAAA, DNS_C_IN, 4096, false, true, false);
	dns_db_free(db);
	db = save;
	T_ASSERT(resplen > 0 && resplen <= DNS_EDNS_UDP_SIZE);
	T_EQ(parse(), 0);
	T_ASSERT(m.f2 & DNS_F2_TC);
}

static void
qdcount_not_one_formerr(void)
{
	ask("www.example.test", DNS_T_A);
	dns_hdr_set_qdcount(req, 0);
	T_ASSERT(send_raw(true) > 0);
	T_EQ(resplen, DNS_HDR_LEN);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
	T_EQ(dns_hdr_id(resp), 0x4242);
	T_ASSERT(m.f2 & DNS_F2_QR);
	dns_hdr_set_qdcount(req, 2);
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
	T_EQ(m.qd, 0);
}

static void
qr_set_dropped(void)
{
	ask("www.example.test", DNS_T_A);
	req[2] |= DNS_F2_QR;
	T_EQ(send_raw(true), 0);
	T_EQ(qi.action, DNS_ACT_DROP);
}

static void
opcode_not_query_notimp(void)
{
	static const unsigned ops[] = { DNS_OP_IQUERY, DNS_OP_STATUS,
	    DNS_OP_NOTIFY, DNS_OP_UPDATE, 15 };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ask("www.example.test", DNS_T_A);
		req[2] = (uint8_t)((req[2] & ~DNS_F2_OPCODE) | ops[i] << 3);
		T_ASSERT(send_raw(true) > 0);
		T_EQ(parse(), 0);
		T_EQ(rcode(), DNS_R_NOTIMP);
		T_EQ(dns_hdr_opcode(resp), ops[i]);
		T_EQ(m.an, 0);
	}
}

static void
class_rules(void)
{
	T_ASSERT(ask_full("www.example.test", DNS_T_A, DNS_C_CH, -1, false,
	    true, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
	T_EQ(m.an, 0);
	T_ASSERT(ask_full("www.example.test", DNS_T_A, 77, -1, false, true,
	    false) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
	/* class ANY in a query means "any class": we answer IN */
	T_ASSERT(ask_full("www.example.test", DNS_T_A, DNS_C_ANY, -1, false,
	    true, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NOERROR);
	T_EQ(m.an, 2);
	T_EQ(m.rr[0].rclass, DNS_C_IN);
	T_EQ(m.q.qclass, DNS_C_ANY);
}

static void
short_packet_dropped(void)
{
	ask("www.example.test", DNS_T_A);
	for (reqlen = 0; reqlen < DNS_HDR_LEN; reqlen++) {
		T_EQ(send_raw(true), 0);
		T_EQ(qi.action, DNS_ACT_DROP);
	}
}

static void
malformed_question_formerr(void)
{
	/* the name runs past the end, at every cut */
	for (size_t cut = DNS_HDR_LEN; cut < DNS_HDR_LEN + 18 + 4; cut++) {
		ask_full("www.example.test", DNS_T_A, DNS_C_IN, -1, false, true,
		    false);
		reqlen = cut;
		T_ASSERT(send_raw(true) > 0);
		T_EQ(parse(), 0);
		T_EQ(rcode(), DNS_R_FORMERR);
		T_EQ(dns_hdr_id(resp), 0x4242);
		T_EQ(m.qd, 0);
	}
	/* label types 01 and 10 */
	ask("www.example.test", DNS_T_A);
	req[16] = 0x47;
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
	ask("www.example.test", DNS_T_A);
	req[16] = 0x87;
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
}

static void
compressed_question_formerr(void)
{
	static const uint8_t cases[][4] = {
		{ 0xc0, 12 },			/* loop onto itself */
		{ 0xc0, 40 },			/* forward */
		{ 0xc0, 2 },			/* into the header */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ask("www.example.test", DNS_T_A);
		/* "www" then a pointer in place of "example.test" */
		memcpy(req + 16, cases[i], 2);
		memcpy(req + 18, "\0\1\0\1", 4);
		reqlen = 22;
		T_ASSERT(send_raw(true) > 0);
		T_EQ(parse(), 0);
		T_EQ(rcode(), DNS_R_FORMERR);
	}
}

static void
long_names(void)
{
	char name[300];

	/* 127 labels: the longest legal name, 255 bytes */
	for (int i = 0; i < 127; i++)
		memcpy(name + 2 * i, "a.", 2);
	name[254] = '\0';
	T_ASSERT(ask(name, DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
	/* 120 labels and example.test: 254 bytes, in the zone */
	strcpy(name + 240, "example.test");
	T_ASSERT(ask(name, DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_EQ(m.rr[0].type, DNS_T_SOA);
	T_ASSERT(name_is(m.rr[0].owner, m.rr[0].ownerlen, "example.test"));
	/* 256 bytes by hand: one more label in front */
	ask(name, DNS_T_A);
	memmove(req + 14, req + 12, reqlen - 12);
	req[12] = 1;
	req[13] = 'b';
	reqlen += 2;
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_FORMERR);
}

static void
rd_copied_ra_clear(void)
{
	ask("www.example.test", DNS_T_A);
	T_ASSERT(resp[2] & DNS_F2_RD);
	T_ASSERT(!(resp[3] & DNS_F3_RA));
	req[2] &= (uint8_t)~DNS_F2_RD;
	req[3] |= DNS_F3_RA | DNS_F3_AD | DNS_F3_CD;
	T_ASSERT(send_raw(true) > 0);
	T_ASSERT(!(resp[2] & DNS_F2_RD));
	T_ASSERT(!(resp[3] & DNS_F3_RA));
	T_ASSERT(!(resp[3] & DNS_F3_AD));
	T_ASSERT(resp[3] & DNS_F3_CD);
}

static void
zone_transfer_refused(void)
{
	T_ASSERT(ask_full("example.test", DNS_T_AXFR, DNS_C_IN, -1, false,
	    false, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
	T_EQ(m.an, 0);
	T_ASSERT(ask("example.test", DNS_T_IXFR) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_REFUSED);
}

static void
failed_service_servfail(void)
{
	T_ASSERT(ask("sick.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NOERROR);
	dns_db_set_service_status(db, 2, DNS_SVC_SERVFAIL);
	T_ASSERT(ask("sick.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_SERVFAIL);
	T_EQ(m.an, 0);
	T_EQ(qi.service, 2);
	T_ASSERT(ask("sick.example.test", DNS_T_MX) > 0);
	T_ASSERT(is_nodata("example.test"));
	/* other services are unaffected; out-of-range indexes ignored */
	dns_db_set_service_status(db, 99, DNS_SVC_SERVFAIL);
	T_ASSERT(ask("v4.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NOERROR);
	dns_db_set_service_status(db, 2, DNS_SVC_OK);
	T_ASSERT(ask("sick.example.test", DNS_T_A) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NOERROR);
	T_EQ(m.an, 1);
}

static void
answer_in_place(void)
{
	uint8_t sep[512];
	size_t n, sepn;

	ask("WWW.example.test", DNS_T_A);
	sepn = resplen;
	memcpy(sep, resp, sepn);
	n = dns_query(db, req, reqlen, req, sizeof(req), true, false, &qi);
	T_EQ(n, sepn);
	T_ASSERT(memcmp(req, sep, n) == 0);
	/* and a header-only reply */
	ask("www.example.test", DNS_T_A);
	dns_hdr_set_qdcount(req, 3);
	n = dns_query(db, req, reqlen, req, sizeof(req), true, false, &qi);
	T_EQ(n, DNS_HDR_LEN);
	T_EQ(req[3] & DNS_F3_RCODE, DNS_R_FORMERR);
	T_EQ(dns_hdr_qdcount(req), 0);
}

static void
small_cap_never_overrun(void)
{
	uint8_t buf[600];

	ask("big.example.test", DNS_T_AAAA);
	for (size_t cap = 0; cap < sizeof(buf) - 8; cap++) {
		size_t n;

		memset(buf, 0xa5, sizeof(buf));
		n = dns_query(db, req, reqlen, buf, cap, false, false, &qi);
		T_ASSERT(n <= cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			T_EQ(buf[i], 0xa5);
	}
}


/* Issue 10: a failed service with no IPv6 address answers AAAA like a
 * running one (NODATA); only A, which it has, fails. */
static void
failed_service_nodata_for_missing_family(void)
{
	dns_db_set_service_status(db, 2, DNS_SVC_SERVFAIL);
	ask("sick.example.test", DNS_T_AAAA);
	T_ASSERT(is_nodata("example.test"));
	T_EQ(qi.service, 2);
	ask("sick.example.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_SERVFAIL);
	ask("sick.example.test", DNS_T_ANY);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_SERVFAIL);
	dns_db_set_service_status(db, 2, DNS_SVC_OK);
}

/* A class-ANY question gets no AA bit (the records are ours, but the
 * question spans classes we hold nothing for). */
static void
class_any_not_authoritative(void)
{
	T_ASSERT(ask_full("www.example.test", DNS_T_A, DNS_C_ANY, 1232, false,
	    true, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NOERROR);
	T_EQ(m.an, 2);
	T_ASSERT(!aa());
	T_ASSERT(ask_full("nope.example.test", DNS_T_A, DNS_C_ANY, 1232,
	    false, true, false) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_ASSERT(!aa());
	ask("www.example.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_ASSERT(aa());
}

/* DS at a nested apex: the parent's side (RFC 4035 3.1.4.1), NODATA with
 * the parent's SOA; at a top apex, the zone's own NODATA. */
static void
ds_at_nested_apex_from_parent(void)
{
	struct dns_db *d2, *keep = db;

	ask("inner.example.test", DNS_T_DS);
	T_ASSERT(is_nodata("example.test"));
	ask("deep.x.example.test", DNS_T_DS);
	T_ASSERT(is_nodata("example.test"));
	ask("example.test", DNS_T_DS);
	T_ASSERT(is_nodata("example.test"));
	ask("host.inner.example.test", DNS_T_DS);
	T_ASSERT(is_nodata("inner.example.test"));
	/* the child added first, the parent later, a middle one last */
	T_ASSERT((d2 = dns_db_new(TTL, SERIAL)) != NULL);
	T_EQ(dns_db_add_zone(d2, "c.b.a.test"), 0);
	T_EQ(dns_db_add_zone(d2, "a.test"), 1);
	db = d2;
	ask("c.b.a.test", DNS_T_DS);
	db = keep;
	T_ASSERT(is_nodata("a.test"));
	T_EQ(dns_db_add_zone(d2, "b.a.test"), 2);
	db = d2;
	ask("c.b.a.test", DNS_T_DS);
	db = keep;
	T_ASSERT(is_nodata("b.a.test"));
	dns_db_free(d2);
}

/* ns.<zone> without any address has nothing: NXDOMAIN (RFC 8020). */
static void
ns_name_without_address_nxdomain(void)
{
	struct dns_db *d2, *keep = db;

	T_ASSERT((d2 = dns_db_new(TTL, SERIAL)) != NULL);
	T_EQ(dns_db_add_zone(d2, "example.test"), 0);
	db = d2;
	ask("ns.example.test", DNS_T_A);
	db = keep;
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	dns_db_free(d2);
	/* with an address it exists: AAAA is NODATA there */
	ask("ns.example.test", DNS_T_MX);
	T_ASSERT(is_nodata("example.test"));
}

/* Explicit name servers: every zone's NS set, glue for in-zone names,
 * the first as SOA MNAME, no "ns.<zone>"; SOA timers settable. */
static void
explicit_ns_set_and_soa_timers(void)
{
	struct dns_db *d2, *keep = db;
	struct in_addr a1 = v4("192.0.2.1"), a2 = v4("192.0.2.2");
	struct in6_addr a6 = v6("2001:db8::1");
	uint8_t w[DNS_NAME_MAX];
	size_t off;
	int n;

	T_ASSERT((d2 = dns_db_new(TTL, SERIAL)) != NULL);
	T_EQ(dns_db_add_ns(d2, "NS1.example.test", &a1, 1, &a6, 1), 0);
	T_EQ(dns_db_add_ns(d2, "ns2.example.test", &a2, 1, NULL, 0), 0);
	T_EQ(dns_db_add_ns(d2, "ns.provider.net", NULL, 0, NULL, 0), 0);
	T_EQ(dns_db_add_ns(d2, "ns2.EXAMPLE.test", &a2, 1, NULL, 0), -EEXIST);
	dns_db_set_soa(d2, 7200, 600, 86400, 5);
	T_EQ(dns_db_add_zone(d2, "example.test"), 0);
	T_EQ(dns_db_add_zone(d2, "other.test"), 1);
	T_EQ(dns_db_add_ns(d2, "ns3.example.test", &a2, 1, NULL, 0), -EBUSY);
	T_EQ(dns_db_add_name(d2, "ns2.example.test", 0, &a1, 1, NULL, 0),
	    -EEXIST);
	db = d2;

	ask("example.test", DNS_T_NS);
	T_EQ(parse(), 0);
	T_ASSERT(aa());
	T_EQ(m.an, 3);
	T_ASSERT(rdata_name_is(&m.rr[0], "ns1.example.test"));
	T_ASSERT(rdata_name_is(&m.rr[1], "ns2.example.test"));
	T_ASSERT(rdata_name_is(&m.rr[2], "ns.provider.net"));
	T_EQ(m.ar, 4);			/* ns1 A, AAAA; ns2 A; OPT */
	T_EQ(m.rr[3].type, DNS_T_A);
	T_ASSERT(name_is(m.rr[3].owner, m.rr[3].ownerlen, "ns1.example.test"));
	T_EQ(m.rr[4].type, DNS_T_AAAA);
	T_EQ(m.rr[5].type, DNS_T_A);
	T_ASSERT(name_is(m.rr[5].owner, m.rr[5].ownerlen, "ns2.example.test"));
	T_ASSERT(memcmp(resp + m.rr[5].rdata, "\300\0\2\2", 4) == 0);
	/* the other zone has the same set; glue comes from example.test */
	ask("other.test", DNS_T_NS);
	T_EQ(parse(), 0);
	T_EQ(m.an, 3);
	T_EQ(m.ar, 4);
	ask("ns1.example.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	T_EQ(qi.service, -1);
	ask("ns.example.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	ask("other.test", DNS_T_SOA);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	off = m.rr[0].rdata;
	n = dns_name_unpack(resp, resplen, &off, w);
	T_ASSERT(n > 0 && name_is(w, (size_t)n, "ns1.example.test"));
	n = dns_name_unpack(resp, resplen, &off, w);
	T_ASSERT(n > 0 && name_is(w, (size_t)n, "hostmaster.other.test"));
	T_EQ(off + 20, m.rr[0].rdata + m.rr[0].rdlen);
	T_EQ(dns_get32(resp + off + 4), 7200);
	T_EQ(dns_get32(resp + off + 8), 600);
	T_EQ(dns_get32(resp + off + 12), 86400);
	T_EQ(dns_get32(resp + off + 16), 5);
	/* an NXDOMAIN's SOA is well formed too */
	ask("nope.other.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_EQ(m.ns, 1);
	db = keep;
	dns_db_free(d2);
}

static void
db_errors(void)
{
	struct dns_db *d = dns_db_new(1, 1);
	struct in_addr a = v4("127.0.0.1");

	T_ASSERT(d != NULL);
	T_EQ(dns_db_add_name(d, "www.example.test", 0, &a, 1, NULL, 0),
	    -ENOENT);
	T_EQ(dns_db_add_zone(d, "example.test"), 0);
	T_EQ(dns_db_add_zone(d, "EXAMPLE.test."), -EEXIST);
	T_EQ(dns_db_add_zone(d, "bad..name"), -EINVAL);
	T_EQ(dns_db_add_zone(d, "ns.example.test"), -EEXIST);
	T_EQ(dns_db_add_name(d, "www.example.test", 0, &a, 1, NULL, 0), 0);
	T_EQ(dns_db_add_name(d, "WWW.example.test", 1, &a, 1, NULL, 0),
	    -EEXIST);
	T_EQ(dns_db_add_name(d, "ns.example.test", 1, &a, 1, NULL, 0),
	    -EEXIST);
	T_EQ(dns_db_add_name(d, "a b.example.test", 1, &a, 1, NULL, 0),
	    -EINVAL);
	T_EQ(dns_db_add_name(d, "x.example.test", -2, &a, 1, NULL, 0),
	    -EINVAL);
	T_EQ(dns_db_add_name(d, "x.example.test", 1, NULL, 1, NULL, 0),
	    -EINVAL);
	T_EQ(dns_db_add_name(d, "x.example.org", 1, &a, 1, NULL, 0), -ENOENT);
	T_EQ(dns_db_add_ns_addr(d, 12345, &a), -EAFNOSUPPORT);
	/* a service name at an apex is the apex's addresses */
	T_EQ(dns_db_add_name(d, "example.test", 2, &a, 1, NULL, 0), 0);
	T_EQ(dns_db_add_name(d, "example.test", 2, &a, 1, NULL, 0), -EEXIST);
	T_EQ(dns_db_zone_count(d), 1);
	T_EQ(dns_db_name_count(d), 2);
	T_EQ(dns_name_check("jitsu.example.test"), 0);
	T_EQ(dns_name_check("jitsu..test"), -EINVAL);
	T_EQ(dns_name_check(""), -EINVAL);
	dns_db_free(d);
}

static void
zone_added_after_names(void)
{
	struct dns_db *save = db;
	struct in_addr a = v4("127.0.0.9");

	T_ASSERT((db = dns_db_new(TTL, 7)) != NULL);
	T_EQ(dns_db_add_zone(db, "example.test"), 0);
	T_EQ(dns_db_add_name(db, "h.a.b.example.test", 0, &a, 1, NULL, 0), 0);
	T_EQ(dns_db_add_zone(db, "b.example.test"), 1);
	ask("zz.a.b.example.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NXDOMAIN);
	T_ASSERT(name_is(m.rr[0].owner, m.rr[0].ownerlen, "b.example.test"));
	ask("a.b.example.test", DNS_T_TXT);
	T_ASSERT(is_nodata("b.example.test"));
	ask("h.a.b.example.test", DNS_T_A);
	T_EQ(parse(), 0);
	T_EQ(m.an, 1);
	dns_db_free(db);
	db = save;
}

static void
many_names_lookup(void)
{
	struct dns_db *save = db;
	char name[64];
	struct in_addr a;

	T_ASSERT((db = dns_db_new(TTL, 7)) != NULL);
	T_EQ(dns_db_add_zone(db, "many.test"), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "s%d.many.test", i);
		a.s_addr = htonl(0x7f000000u | (uint32_t)i);
		if (dns_db_add_name(db, name, i, &a, 1, NULL, 0) != 0)
			break;
	}
	T_EQ(dns_db_name_count(db), 5000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "S%d.many.TEST", i);
		ask(name, DNS_T_A);
		if (parse() != 0 || m.an != 1 || qi.service != i ||
		    dns_get32(resp + m.rr[0].rdata) != (0x7f000000u |
		    (uint32_t)i))
			break;
	}
	dns_db_free(db);
	db = save;
	T_EQ(qi.service, 4998);
}

/* Reads a whole file into buf; returns its length or -1. */
static long
slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

static void
kdig_query_round_trip(void)
{
	long n = slurp(CORPUS "/kdig-a-edns", req, sizeof(req));
	struct dns_question q;
	size_t off = DNS_HDR_LEN;

	T_ASSERT(n > 0);
	reqlen = (size_t)n;
	T_EQ(dns_msg_check(req, reqlen), 0);
	T_EQ(dns_question_read(req, reqlen, &off, &q), 0);
	T_ASSERT(name_is(q.name, q.namelen, "www.example.test"));
	T_ASSERT(send_raw(true) > 0);
	T_EQ(parse(), 0);
	T_EQ(rcode(), DNS_R_NOERROR);
	T_EQ(m.an, 2);
	T_EQ(dns_hdr_id(resp), dns_hdr_id(req));
	T_ASSERT(has_our_opt());
	T_ASSERT(qi.edns);
}

/*
 * Every corpus file, over UDP and TCP: no crash (the ASan build checks
 * harder), and every reply is a well-formed message within its limit.
 */
static void
corpus_replay(void)
{
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	char path[512];
	int files = 0, bad = 0;

	T_ASSERT(d != NULL);
	while ((de = readdir(d)) != NULL) {
		long n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, de->d_name);
		if ((n = slurp(path, req, sizeof(req))) < 0)
			continue;
		files++;
		reqlen = (size_t)n;
		for (int udp = 0; udp < 2; udp++) {
			send_raw(udp);
			if (resplen > (udp ? DNS_EDNS_UDP_SIZE : 65535) ||
			    (qi.action == DNS_ACT_REPLY) != (resplen > 0) ||
			    (resplen > 0 && dns_msg_check(resp, resplen) != 0)) {
				printf("# corpus file %s (udp %d) gives a bad "
				    "reply\n", de->d_name, udp);
				bad++;
			}
		}
	}
	closedir(d);
	T_ASSERT(files >= 10);
	T_EQ(bad, 0);
}

int
main(void)
{
	if (make_db() != 0) {
		printf("FAIL make_db: the fixture could not be built\n");
		return 1;
	}
	T_RUN(a_answer);
	T_RUN(aaaa_answer);
	T_RUN(answer_owner_is_pointer_to_question);
	T_RUN(case_insensitive_and_kept);
	T_RUN(soa_at_apex);
	T_RUN(ns_at_apex_with_glue);
	T_RUN(ns_name_has_addresses);
	T_RUN(any_gives_every_rrset);
	T_RUN(nodata_for_missing_type);
	T_RUN(nodata_for_empty_non_terminal);
	T_RUN(nxdomain_for_missing_name);
	T_RUN(nested_zone_answers_for_itself);
	T_RUN(refused_outside_zones);
	T_RUN(forward_outside_zones);
	T_RUN(edns_reply_has_opt);
	T_RUN(edns_badvers);
	T_RUN(edns_two_opt_formerr);
	T_RUN(edns_opt_not_root_formerr);
	T_RUN(edns_record_past_end_formerr);
	T_RUN(tc_when_answer_too_big_for_udp);
	T_RUN(udp_never_above_1232);
	T_RUN(qdcount_not_one_formerr);
	T_RUN(qr_set_dropped);
	T_RUN(opcode_not_query_notimp);
	T_RUN(class_rules);
	T_RUN(short_packet_dropped);
	T_RUN(malformed_question_formerr);
	T_RUN(compressed_question_formerr);
	T_RUN(long_names);
	T_RUN(rd_copied_ra_clear);
	T_RUN(zone_transfer_refused);
	T_RUN(failed_service_servfail);
	T_RUN(answer_in_place);
	T_RUN(failed_service_nodata_for_missing_family);
	T_RUN(class_any_not_authoritative);
	T_RUN(ds_at_nested_apex_from_parent);
	T_RUN(ns_name_without_address_nxdomain);
	T_RUN(explicit_ns_set_and_soa_timers);
	T_RUN(small_cap_never_overrun);
	T_RUN(db_errors);
	T_RUN(zone_added_after_names);
	T_RUN(many_names_lookup);
	T_RUN(kdig_query_round_trip);
	T_RUN(corpus_replay);
	dns_db_free(db);
	return t_done();
}
