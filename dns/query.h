/*
 * dns/query.h - the query function: request bytes + db -> reply bytes.
 * No sockets, no clock, no globals, no allocation; transports call it.
 *
 * What it answers (jitsud is authoritative only, RA is never set):
 *  - fewer than 12 bytes, or QR set: dropped (never answer an answer).
 *  - opcode other than QUERY: NOTIMP, header only.
 *  - QDCOUNT != 1, or a malformed question (name past the end, bad label
 *    type, any compression pointer: with one question there is nothing it
 *    could correctly point to): FORMERR, header only.
 *  - malformed answer/authority/additional sections, more than one OPT,
 *    an OPT not owned by the root: FORMERR with the question, no OPT.
 *  - EDNS version > 0: BADVERS (16) with our OPT.
 *  - a name outside every zone: REFUSED, or DNS_ACT_FORWARD if forwarding
 *    is on (for any class and type: the upstream decides).
 *  - inside a zone: class other than IN or ANY: REFUSED. AXFR and IXFR:
 *    REFUSED (we serve no transfers; REFUSED is what a server says for a
 *    transfer its policy does not allow, which is the truth).
 *  - a name that does not exist: NXDOMAIN + SOA in authority; a name that
 *    exists without the type (empty non-terminals too): NOERROR + SOA.
 *    The default "ns.<zone>" with no address has nothing and no
 *    descendants: NXDOMAIN (RFC 8020).
 *  - AA is set for class IN only: a class-ANY question spans classes we
 *    hold nothing for.
 *  - DS at the apex of a zone nested in another of ours: the parent's
 *    answer (NODATA + the parent's SOA), RFC 4035 3.1.4.1.
 *  - A/AAAA: the name's addresses; SOA, NS at the apex, the NS answer with
 *    the nameserver's A/AAAA in additional when they fit.
 *  - ANY: every RRset the name has. They are few and small (addresses, and
 *    SOA+NS at an apex), so RFC 8482's minimal ANY answers buy nothing.
 *  - A/AAAA/ANY on a service name report the service in qi->service; if
 *    the service's status is DNS_SVC_SERVFAIL the reply is SERVFAIL when
 *    the name has records of the asked type (AAAA of a name without IPv6
 *    addresses stays NODATA, as when the service is up).
 *  - NS at an apex: "ns.<zone>", or the explicit set (dns_db_add_ns), with
 *    the in-zone name servers' addresses as glue when they fit.
 * Replies copy the question as received (its case is kept), RD and CD;
 * owner names are compression pointers into the question. With EDNS the
 * reply carries our OPT (UDP payload 1232, DO echoed). Over UDP the reply
 * is limited to the requestor's size (512 without EDNS, and at most 1232);
 * an answer that does not fit is replaced by an empty one with TC set.
 * Additional data that does not fit is left out without TC (RFC 2181 9).
 */
#ifndef DNS_QUERY_H
#define DNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_db;

enum dns_action { DNS_ACT_DROP, DNS_ACT_REPLY, DNS_ACT_FORWARD };

/* What the caller needs to act on (and to count). */
struct dns_qinfo {
	enum dns_action action;
	uint16_t qtype, qclass;
	uint16_t rcode;		/* extended (12-bit) rcode of the reply */
	int service;		/* service hit by A/AAAA/ANY, else -1 */
	bool edns, do_bit;	/* the request had OPT; its DO bit */
	bool tc;		/* the reply was truncated */
	uint16_t id;
	uint16_t qlen;		/* question section length (name + 4) */
	uint16_t edns_size;	/* requestor's UDP payload size, if edns */
};

/*
 * req/reqlen: the request. resp/cap: the caller's buffer, >= 512 bytes;
 * resp may be req itself (answering in place) but must not otherwise
 * overlap it. udp: limit the reply as described above; TCP replies are
 * limited by cap (and 65535). forward_enabled: see above. Returns the reply
 * length (action REPLY), or 0 (action DROP or FORWARD).
 */
size_t dns_query(const struct dns_db *db, const uint8_t *req, size_t reqlen,
    uint8_t *resp, size_t cap, bool udp, bool forward_enabled,
    struct dns_qinfo *qi);

#endif
