/*
 * Unit tests of dns/wire.c and dns/edns.c: names, records, messages.
 */
#include <errno.h>
#include <string.h>

#include "dns/edns.h"
#include "dns/wire.h"
#include "tests/lib/t.h"

static void
name_from_text_valid(void)
{
	uint8_t w[DNS_NAME_MAX];

	T_EQ(dns_name_from_text("WwW.Example.TEST", w, sizeof(w)), 18);
	T_ASSERT(memcmp(w, "\3WwW\7Example\4TEST", 18) == 0);
	/* a final dot changes nothing */
	T_EQ(dns_name_from_text("www.example.test.", w, sizeof(w)), 18);
	T_EQ(dns_name_from_text(".", w, sizeof(w)), 1);
	T_EQ(w[0], 0);
	T_EQ(dns_name_from_text("a_b-9.x", w, sizeof(w)), 9);
}

static void
name_from_text_invalid(void)
{
	uint8_t w[DNS_NAME_MAX];
	char lab64[70], big[300];

	T_EQ(dns_name_from_text("", w, sizeof(w)), -EINVAL);
	T_EQ(dns_name_from_text("a..b", w, sizeof(w)), -EINVAL);
	T_EQ(dns_name_from_text(".a", w, sizeof(w)), -EINVAL);
	T_EQ(dns_name_from_text("a b", w, sizeof(w)), -EINVAL);
	T_EQ(dns_name_from_text("a\\.b", w, sizeof(w)), -EINVAL);
	T_EQ(dns_name_from_text("a..", w, sizeof(w)), -EINVAL);
	memset(lab64, 'a', 64);
	lab64[64] = '\0';
	T_EQ(dns_name_from_text(lab64, w, sizeof(w)), -EINVAL);
	lab64[63] = '\0';
	T_EQ(dns_name_from_text(lab64, w, sizeof(w)), 65);
	/* 128 labels "a." = 256 wire bytes with the root: too long */
	for (int i = 0; i < 128; i++)
		memcpy(big + 2 * i, "a.", 2);
	big[256] = '\0';
	T_EQ(dns_name_from_text(big, w, sizeof(w)), -EINVAL);
	big[254] = '\0';		/* 127 labels: 255 bytes, fits */
	T_EQ(dns_name_from_text(big, w, sizeof(w)), 255);
	/* a too-small buffer is refused, not overrun */
	T_EQ(dns_name_from_text("www.example.test", w, 17), -EINVAL);
}

static void
name_to_text(void)
{
	char t[DNS_NAME_TEXT_MAX];

	T_EQ(dns_name_to_text((const uint8_t *)"\3www\7example\4test", 18, t,
	    sizeof(t)), 17);
	T_ASSERT(strcmp(t, "www.example.test.") == 0);
	T_EQ(dns_name_to_text((const uint8_t *)"", 1, t, sizeof(t)), 1);
	T_ASSERT(strcmp(t, ".") == 0);
	T_EQ(dns_name_to_text((const uint8_t *)"\2a.\0", 4, t, sizeof(t)), 6);
	T_ASSERT(strcmp(t, "a\\046.") == 0);
	T_EQ(dns_name_to_text((const uint8_t *)"\3www\0", 5, t, 4), -ENOSPC);
	/* a label running past the end */
	T_EQ(dns_name_to_text((const uint8_t *)"\5ww", 3, t, sizeof(t)),
	    -EINVAL);
}

static void
name_labels_and_equal(void)
{
	uint8_t lab[DNS_LABELS_MAX];

	T_EQ(dns_name_labels((const uint8_t *)"\3www\7example\4test", lab), 3);
	T_EQ(lab[0], 0);
	T_EQ(lab[1], 4);
	T_EQ(lab[2], 12);
	T_ASSERT(dns_name_equal((const uint8_t *)"\3WwW\0", 5,
	    (const uint8_t *)"\3www\0", 5));
	T_ASSERT(!dns_name_equal((const uint8_t *)"\3wwx\0", 5,
	    (const uint8_t *)"\3www\0", 5));
}

/* A packet with "www.example.test" at 12 and names pointing into it. */
static const uint8_t cpkt[] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	4, 't', 'e', 's', 't', 0,			/* 12..29 */
	2, 'n', 's', 0xc0, 16,				/* 30: ns.example.test */
	0xc0, 30,					/* 35: -> 30 */
	0xc0, 37,					/* 37: -> itself */
	1, 'a', 0xc0, 39,				/* 39: loop through 39 */
	0xc0, 50,					/* 43: forward */
	0x40, 'x', 0,					/* 45: bad label type */
};

static void
name_unpack_compression(void)
{
	uint8_t out[DNS_NAME_MAX];
	size_t off;

	off = 12;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), 18);
	T_EQ(off, 30);
	off = 30;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), 17);
	T_ASSERT(memcmp(out, "\2ns\7example\4test", 17) == 0);
	T_EQ(off, 35);
	/* a pointer to a name that itself ends in a pointer */
	off = 35;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), 17);
	T_EQ(off, 37);
	off = 37;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), -EBADMSG);
	off = 39;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), -EBADMSG);
	off = 43;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), -EBADMSG);
	off = 45;
	T_EQ(dns_name_unpack(cpkt, sizeof(cpkt), &off, out), -EBADMSG);
	/* cut short: the name runs past the end */
	off = 12;
	T_EQ(dns_name_unpack(cpkt, 20, &off, out), -EBADMSG);
	off = 30;
	T_EQ(dns_name_unpack(cpkt, 34, &off, out), -EBADMSG);
}

static void
name_skip(void)
{
	size_t off;

	off = 12;
	T_EQ(dns_name_skip(cpkt, sizeof(cpkt), &off), 0);
	T_EQ(off, 30);
	/* pointers end a name and are not followed, so loops are harmless */
	off = 37;
	T_EQ(dns_name_skip(cpkt, sizeof(cpkt), &off), 0);
	T_EQ(off, 39);
	off = 45;
	T_EQ(dns_name_skip(cpkt, sizeof(cpkt), &off), -EBADMSG);
	off = 36;			/* half a pointer at the end */
	T_EQ(dns_name_skip(cpkt, 37, &off), -EBADMSG);
	off = 12;
	T_EQ(dns_name_skip(cpkt, 29, &off), -EBADMSG);
}

static void
header_accessors(void)
{
	uint8_t h[DNS_HDR_LEN] = { 0xbe, 0xef, 0x85, 0xb3, 0, 1, 0, 2, 0, 3,
	    0, 4 };

	T_EQ(dns_hdr_id(h), 0xbeef);
	T_ASSERT(dns_hdr_qr(h));
	T_EQ(dns_hdr_opcode(h), 0);
	T_ASSERT(dns_hdr_aa(h));
	T_ASSERT(!dns_hdr_tc(h));
	T_ASSERT(dns_hdr_rd(h));
	T_ASSERT(dns_hdr_ra(h));
	T_ASSERT(dns_hdr_ad(h));
	T_ASSERT(dns_hdr_cd(h));
	T_EQ(dns_hdr_rcode(h), 3);
	T_EQ(dns_hdr_qdcount(h), 1);
	T_EQ(dns_hdr_ancount(h), 2);
	T_EQ(dns_hdr_nscount(h), 3);
	T_EQ(dns_hdr_arcount(h), 4);
	h[2] = 0x28;			/* opcode 5 (UPDATE) */
	T_EQ(dns_hdr_opcode(h), 5);
	dns_hdr_set_arcount(h, 0x1234);
	T_EQ(h[10], 0x12);
	T_EQ(h[11], 0x34);
}

static void
build_query_bytes(void)
{
	uint8_t b[512];
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0,
	};

	T_EQ(dns_msg_build_query(b, sizeof(b), 0x1234, "www.example.test",
	    DNS_T_A, DNS_C_IN, true, 4096, true), (int)sizeof(want));
	T_ASSERT(memcmp(b, want, sizeof(want)) == 0);
	T_EQ(dns_msg_check(b, sizeof(want)), 0);
	T_EQ(dns_msg_build_query(b, 20, 1, "www.example.test", DNS_T_A,
	    DNS_C_IN, false, -1, false), -EINVAL);
	T_EQ(dns_msg_build_query(b, 34, 1, "www.example.test", DNS_T_A,
	    DNS_C_IN, false, 1232, false), -ENOSPC);
}

static void
rr_read_and_msg_check(void)
{
	/* a reply: www.example.test A 127.0.0.1, owner compressed */
	uint8_t p[] = {
		0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 127, 0, 0, 1,
	};
	struct dns_question q;
	struct dns_rr rr;
	size_t off = DNS_HDR_LEN;

	T_EQ(dns_question_read(p, sizeof(p), &off, &q), 0);
	T_EQ(q.namelen, 18);
	T_EQ(q.qtype, DNS_T_A);
	T_EQ(q.qclass, DNS_C_IN);
	T_EQ(dns_rr_read(p, sizeof(p), &off, &rr), 0);
	T_EQ(off, sizeof(p));
	T_EQ(rr.ownerlen, 18);
	T_ASSERT(memcmp(rr.owner, q.name, 18) == 0);
	T_EQ(rr.type, DNS_T_A);
	T_EQ(rr.ttl, 30);
	T_EQ(rr.rdlen, 4);
	T_EQ(p[rr.rdata], 127);
	T_EQ(dns_msg_check(p, sizeof(p)), 0);
	/* rdata past the end, a trailing byte, a missing record */
	T_EQ(dns_msg_check(p, sizeof(p) - 1), -EBADMSG);
	off = 34;
	T_EQ(dns_rr_read(p, sizeof(p) - 1, &off, &rr), -EBADMSG);
	p[7] = 2;
	T_EQ(dns_msg_check(p, sizeof(p)), -EBADMSG);
	T_EQ(dns_msg_check(p, 11), -EBADMSG);
}

static void
edns_parse_opt(void)
{
	uint8_t b[512];
	struct dns_edns e;
	int n;

	n = dns_msg_build_query(b, sizeof(b), 1, "a.test", DNS_T_A, DNS_C_IN,
	    false, 1400, true);
	T_ASSERT(n > 0);
	T_EQ(dns_edns_parse(b, (size_t)n, 24, &e), 0);
	T_ASSERT(e.present);
	T_ASSERT(e.do_bit);
	T_EQ(e.size, 1400);
	T_EQ(e.version, 0);
	b[n - 5] = 1;				/* version 1 */
	T_EQ(dns_edns_parse(b, (size_t)n, 24, &e), 0);
	T_EQ(e.version, 1);
	T_EQ(dns_edns_parse(b, (size_t)n - 1, 24, &e), -EBADMSG);
	n = dns_msg_build_query(b, sizeof(b), 1, "a.test", DNS_T_A, DNS_C_IN,
	    false, -1, false);
	T_EQ(dns_edns_parse(b, (size_t)n, 24, &e), 0);
	T_ASSERT(!e.present);
}

static void
edns_put_opt(void)
{
	uint8_t o[DNS_OPT_LEN];
	static const uint8_t want[] = { 0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0,
	    0, 0 };

	dns_edns_put(o, DNS_R_BADVERS, true);
	T_ASSERT(memcmp(o, want, sizeof(want)) == 0);
}

int
main(void)
{
	T_RUN(name_from_text_valid);
	T_RUN(name_from_text_invalid);
	T_RUN(name_to_text);
	T_RUN(name_labels_and_equal);
	T_RUN(name_unpack_compression);
	T_RUN(name_skip);
	T_RUN(header_accessors);
	T_RUN(build_query_bytes);
	T_RUN(rr_read_and_msg_check);
	T_RUN(edns_parse_opt);
	T_RUN(edns_put_opt);
	return t_done();
}
