/*
 * dns/wire.h - the DNS wire format (RFC 1035, RFC 6891): constants, header
 * accessors and the name/record readers and writers.
 *
 * Everything works over caller-owned buffers and never allocates. Readers
 * take the packet and its length and check every byte they touch against
 * that length: packets come from anybody. Header accessors are inline and
 * unchecked: the caller has already made sure there are DNS_HDR_LEN bytes.
 *
 * Names in "wire form" here are uncompressed: length-prefixed labels ending
 * with the zero-length root label, at most DNS_NAME_MAX bytes in all.
 */
#ifndef DNS_WIRE_H
#define DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN		12
#define DNS_NAME_MAX		255	/* wire length, root label included */
#define DNS_LABEL_MAX		63
#define DNS_LABELS_MAX		128	/* 127 one-byte labels + the root */
#define DNS_NAME_TEXT_MAX	1024	/* room for "\DDD"-escaped text */
#define DNS_UDP_MIN		512	/* reply limit without EDNS */
#define DNS_EDNS_UDP_SIZE	1232	/* what we advertise and send at most */
#define DNS_OPT_LEN		11	/* an OPT record without options */
#define DNS_RR_FIXED		10	/* type, class, ttl, rdlength */
#define DNS_PTR_QNAME		0xc00c	/* compression pointer to the question */

enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_PTR = 12, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_DS = 43,
	DNS_T_OPT = 41, DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_ANY = 255
};

enum dns_class {
	DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_HS = 4, DNS_C_NONE = 254,
	DNS_C_ANY = 255
};

enum dns_rcode {
	DNS_R_NOERROR = 0, DNS_R_FORMERR = 1, DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3, DNS_R_NOTIMP = 4, DNS_R_REFUSED = 5,
	DNS_R_BADVERS = 16	/* extended: needs OPT to carry the top bits */
};

enum dns_opcode {
	DNS_OP_QUERY = 0, DNS_OP_IQUERY = 1, DNS_OP_STATUS = 2,
	DNS_OP_NOTIFY = 4, DNS_OP_UPDATE = 5
};

/* Header flag bits: byte 2 and byte 3 of the header. */
#define DNS_F2_QR	0x80
#define DNS_F2_OPCODE	0x78
#define DNS_F2_AA	0x04
#define DNS_F2_TC	0x02
#define DNS_F2_RD	0x01
#define DNS_F3_RA	0x80
#define DNS_F3_Z	0x40
#define DNS_F3_AD	0x20
#define DNS_F3_CD	0x10
#define DNS_F3_RCODE	0x0f

/* EDNS: the DO bit in the OPT TTL field (RFC 3225). */
#define DNS_EDNS_DO	0x8000

static inline uint16_t
dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ASCII-only lower-casing: DNS names compare case-insensitively in ASCII. */
static inline uint8_t
dns_lc(uint8_t c)
{
	return (uint8_t)(c | (((unsigned)c - 'A' < 26u) << 5));
}

/* Header accessors; h points at >= DNS_HDR_LEN bytes. */
static inline uint16_t dns_hdr_id(const uint8_t *h) { return dns_get16(h); }
static inline bool dns_hdr_qr(const uint8_t *h) { return h[2] & DNS_F2_QR; }
static inline unsigned dns_hdr_opcode(const uint8_t *h) { return (h[2] >> 3) & 0xf; }
static inline bool dns_hdr_aa(const uint8_t *h) { return h[2] & DNS_F2_AA; }
static inline bool dns_hdr_tc(const uint8_t *h) { return h[2] & DNS_F2_TC; }
static inline bool dns_hdr_rd(const uint8_t *h) { return h[2] & DNS_F2_RD; }
static inline bool dns_hdr_ra(const uint8_t *h) { return h[3] & DNS_F3_RA; }
static inline bool dns_hdr_ad(const uint8_t *h) { return h[3] & DNS_F3_AD; }
static inline bool dns_hdr_cd(const uint8_t *h) { return h[3] & DNS_F3_CD; }
static inline unsigned dns_hdr_rcode(const uint8_t *h) { return h[3] & DNS_F3_RCODE; }
static inline uint16_t dns_hdr_qdcount(const uint8_t *h) { return dns_get16(h + 4); }
static inline uint16_t dns_hdr_ancount(const uint8_t *h) { return dns_get16(h + 6); }
static inline uint16_t dns_hdr_nscount(const uint8_t *h) { return dns_get16(h + 8); }
static inline uint16_t dns_hdr_arcount(const uint8_t *h) { return dns_get16(h + 10); }

static inline void dns_hdr_set_id(uint8_t *h, uint16_t v) { dns_put16(h, v); }
static inline void dns_hdr_set_qdcount(uint8_t *h, uint16_t v) { dns_put16(h + 4, v); }
static inline void dns_hdr_set_ancount(uint8_t *h, uint16_t v) { dns_put16(h + 6, v); }
static inline void dns_hdr_set_nscount(uint8_t *h, uint16_t v) { dns_put16(h + 8, v); }
static inline void dns_hdr_set_arcount(uint8_t *h, uint16_t v) { dns_put16(h + 10, v); }

/*
 * Presentation form -> wire form, case kept. Accepts letters, digits, '-'
 * and '_' in labels of 1..63 characters, an optional final dot, and "." for
 * the root; no escapes. Returns the wire length or -EINVAL.
 */
int dns_name_from_text(const char *text, uint8_t *wire, size_t cap);

/*
 * Wire form -> presentation form with a final dot ("." for the root); bytes
 * outside [A-Za-z0-9-_] are written as \DDD. Returns the text length, or
 * -EINVAL (bad wire name) or -ENOSPC (cap too small).
 */
int dns_name_to_text(const uint8_t *wire, size_t len, char *text, size_t cap);

/*
 * Label offsets of an uncompressed, well-formed wire name: lab[i] is the
 * offset of label i's length byte (the root label not counted). Returns the
 * number of labels.
 */
int dns_name_labels(const uint8_t *wire, uint8_t lab[DNS_LABELS_MAX]);

/* Case-insensitive equality of two uncompressed wire names. */
bool dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen);

/*
 * The name at pkt[*off], possibly compressed, is checked and stepped over:
 * pointers end it and are not followed. Returns 0 and advances *off, or
 * -EBADMSG.
 */
int dns_name_skip(const uint8_t *pkt, size_t len, size_t *off);

/*
 * Reads the name at pkt[*off] into out (DNS_NAME_MAX bytes), following
 * compression pointers. A pointer must point before the start of the run
 * of labels it ends, so every jump goes strictly backwards and loops are
 * impossible. Case is kept. Returns the wire length and advances *off past
 * the name as it sits in the packet, or -EBADMSG.
 */
int dns_name_unpack(const uint8_t *pkt, size_t len, size_t *off,
    uint8_t out[DNS_NAME_MAX]);

/* A question entry, name decompressed. */
struct dns_question {
	uint8_t name[DNS_NAME_MAX];
	uint8_t namelen;
	uint16_t qtype, qclass;
};

/* Reads one question at pkt[*off]. Returns 0 and advances, or -EBADMSG. */
int dns_question_read(const uint8_t *pkt, size_t len, size_t *off,
    struct dns_question *q);

/* A resource record, owner decompressed, rdata left in the packet. */
struct dns_rr {
	uint8_t owner[DNS_NAME_MAX];
	uint8_t ownerlen;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata;		/* offset of the rdata in the packet */
};

/* Reads one record at pkt[*off]. Returns 0 and advances, or -EBADMSG. */
int dns_rr_read(const uint8_t *pkt, size_t len, size_t *off,
    struct dns_rr *rr);

/*
 * Walks a whole message: header, every question and record. Returns 0 if
 * each section holds exactly what the header counts and nothing follows,
 * -EBADMSG otherwise. Used to check replies (ours in tests, and upstream
 * ones).
 */
int dns_msg_check(const uint8_t *pkt, size_t len);

/*
 * Builds a query for name (presentation form). edns_size < 0: no OPT;
 * otherwise an OPT with that UDP size and the DO bit if do_bit. Returns the
 * length or -EINVAL/-ENOSPC. Used by tests, benchmarks and tools.
 */
int dns_msg_build_query(uint8_t *buf, size_t cap, uint16_t id,
    const char *name, uint16_t qtype, uint16_t qclass, bool rd,
    int edns_size, bool do_bit);

#endif
