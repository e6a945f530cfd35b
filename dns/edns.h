/*
 * dns/edns.h - EDNS(0) (RFC 6891): finding the OPT record of a request and
 * writing ours.
 */
#ifndef DNS_EDNS_H
#define DNS_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_edns {
	bool present;
	bool do_bit;		/* DNSSEC OK, echoed in replies (RFC 3225) */
	uint8_t version;
	uint16_t size;		/* requestor's UDP payload size, as sent */
};

/*
 * Walks the answer, authority and additional sections of pkt from off (just
 * after the question) and fills e from the OPT record, if any. Returns 0,
 * or -EBADMSG for a malformed section, a second OPT record, or an OPT whose
 * owner is not the root: all FORMERR (RFC 6891 6.1.1).
 */
int dns_edns_parse(const uint8_t *pkt, size_t len, size_t off,
    struct dns_edns *e);

/*
 * Writes our OPT record (DNS_OPT_LEN bytes) at p: payload size
 * DNS_EDNS_UDP_SIZE, version 0, the upper 8 bits of rcode, the DO bit if
 * do_bit.
 */
void dns_edns_put(uint8_t *p, unsigned rcode, bool do_bit);

#endif
