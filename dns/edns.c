/*
 * dns/edns.c - the OPT record of requests and replies.
 */
#include <errno.h>

#include "dns/edns.h"
#include "dns/wire.h"

int
dns_edns_parse(const uint8_t *pkt, size_t len, size_t off, struct dns_edns *e)
{
	unsigned skip = (unsigned)dns_hdr_ancount(pkt) + dns_hdr_nscount(pkt);
	unsigned nar = dns_hdr_arcount(pkt);

	e->present = false;
	e->do_bit = false;
	e->version = 0;
	e->size = 0;
	/* every record needs >= 11 bytes, so these loops end by len */
	for (unsigned i = 0; i < skip + nar; i++) {
		size_t owner = off;

		if (dns_name_skip(pkt, len, &off) < 0 ||
		    len - off < DNS_RR_FIXED)
			return -EBADMSG;
		uint16_t type = dns_get16(pkt + off);
		uint16_t rdlen = dns_get16(pkt + off + 8);

		if (i >= skip && type == DNS_T_OPT) {
			if (e->present || off - owner != 1)
				return -EBADMSG;
			e->present = true;
			e->size = dns_get16(pkt + off + 2);
			e->version = pkt[off + 5];
			e->do_bit = dns_get16(pkt + off + 6) & DNS_EDNS_DO;
		}
		off += DNS_RR_FIXED;
		if (rdlen > len - off)
			return -EBADMSG;
		off += rdlen;
	}
	return 0;
}

void
dns_edns_put(uint8_t *p, unsigned rcode, bool do_bit)
{
	p[0] = 0;				/* root owner */
	dns_put16(p + 1, DNS_T_OPT);
	dns_put16(p + 3, DNS_EDNS_UDP_SIZE);
	p[5] = (uint8_t)(rcode >> 4);		/* extended rcode */
	p[6] = 0;				/* version */
	dns_put16(p + 7, do_bit ? DNS_EDNS_DO : 0);
	dns_put16(p + 9, 0);			/* no options */
}
