/*
 * dns/wire.c - name and record readers/writers for the DNS wire format.
 * Not on the query hot path except dns_name_skip (EDNS lookup); the
 * question is scanned inline by dns/query.c.
 */
#include <errno.h>
#include <string.h>

#include "dns/wire.h"

static bool
label_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
dns_name_from_text(const char *text, uint8_t *wire, size_t cap)
{
	size_t len = 0, lablen;
	const char *p = text;

	if (text == NULL || *text == '\0')
		return -EINVAL;
	if (strcmp(text, ".") == 0)
		goto root;
	while (*p != '\0') {
		for (lablen = 0; p[lablen] != '\0' && p[lablen] != '.'; lablen++)
			if (!label_char_ok((unsigned char)p[lablen]))
				return -EINVAL;
		if (lablen == 0 || lablen > DNS_LABEL_MAX)
			return -EINVAL;
		/* room for this label and the root label after it */
		if (len + 1 + lablen + 1 > DNS_NAME_MAX || len + 1 + lablen +
		    1 > cap)
			return -EINVAL;
		wire[len++] = (uint8_t)lablen;
		for (size_t i = 0; i < lablen; i++)
			wire[len++] = (uint8_t)p[i];
		p += lablen;
		if (*p == '.')
			p++;
	}
root:
	if (len + 1 > cap)
		return -EINVAL;
	wire[len++] = 0;
	return (int)len;
}

int
dns_name_to_text(const uint8_t *wire, size_t len, char *text, size_t cap)
{
	size_t off = 0, t = 0;

	if (cap == 0)
		return -ENOSPC;
	if (len == 1 && wire[0] == 0) {
		if (cap < 2)
			return -ENOSPC;
		text[0] = '.';
		text[1] = '\0';
		return 1;
	}
	while (off < len && wire[off] != 0) {
		uint8_t l = wire[off++];

		if (l > DNS_LABEL_MAX || off + l >= len)
			return -EINVAL;
		for (uint8_t i = 0; i < l; i++) {
			uint8_t c = wire[off++];

			if (label_char_ok(c)) {
				if (t + 1 >= cap)
					return -ENOSPC;
				text[t++] = (char)c;
			} else {
				if (t + 4 >= cap)
					return -ENOSPC;
				text[t++] = '\\';
				text[t++] = (char)('0' + c / 100);
				text[t++] = (char)('0' + c / 10 % 10);
				text[t++] = (char)('0' + c % 10);
			}
		}
		if (t + 1 >= cap)
			return -ENOSPC;
		text[t++] = '.';
	}
	if (off + 1 != len)
		return -EINVAL;
	text[t] = '\0';
	return (int)t;
}

int
dns_name_labels(const uint8_t *wire, uint8_t lab[DNS_LABELS_MAX])
{
	int n = 0;
	unsigned off = 0;

	while (wire[off] != 0 && n < DNS_LABELS_MAX) {
		lab[n++] = (uint8_t)off;
		off += 1u + wire[off];
	}
	return n;
}

bool
dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (dns_lc(a[i]) != dns_lc(b[i]))
			return false;
	return true;
}

int
dns_name_skip(const uint8_t *pkt, size_t len, size_t *off)
{
	size_t o = *off, total = 0;

	for (;;) {
		if (o >= len)
			return -EBADMSG;
		uint8_t c = pkt[o];
		if ((c & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -EBADMSG;
			*off = o + 2;
			return 0;
		}
		if (c > DNS_LABEL_MAX)		/* 0x40, 0x80: not in use */
			return -EBADMSG;
		total += 1u + c;
		if (total > DNS_NAME_MAX)
			return -EBADMSG;
		o += 1u + c;
		if (c == 0) {
			*off = o;
			return 0;
		}
	}
}

int
dns_name_unpack(const uint8_t *pkt, size_t len, size_t *off,
    uint8_t out[DNS_NAME_MAX])
{
	size_t o = *off, run = *off, n = 0, end = 0;
	bool jumped = false;

	for (;;) {
		if (o >= len)
			return -EBADMSG;
		uint8_t c = pkt[o];
		if ((c & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -EBADMSG;
			size_t target = (size_t)(dns_get16(pkt + o) & 0x3fff);
			/* strictly before this run of labels: no loops */
			if (target >= run)
				return -EBADMSG;
			if (!jumped)
				end = o + 2;
			jumped = true;
			o = run = target;
			continue;
		}
		if (c > DNS_LABEL_MAX)
			return -EBADMSG;
		if (n + 1u + c > DNS_NAME_MAX || o + 1u + c > len)
			return -EBADMSG;
		memcpy(out + n, pkt + o, 1u + c);
		n += 1u + c;
		o += 1u + c;
		if (c == 0)
			break;
	}
	*off = jumped ? end : o;
	return (int)n;
}

int
dns_question_read(const uint8_t *pkt, size_t len, size_t *off,
    struct dns_question *q)
{
	size_t o = *off;
	int n;

	if ((n = dns_name_unpack(pkt, len, &o, q->name)) < 0)
		return n;
	if (o + 4 > len)
		return -EBADMSG;
	q->namelen = (uint8_t)n;
	q->qtype = dns_get16(pkt + o);
	q->qclass = dns_get16(pkt + o + 2);
	*off = o + 4;
	return 0;
}

int
dns_rr_read(const uint8_t *pkt, size_t len, size_t *off, struct dns_rr *rr)
{
	size_t o = *off;
	int n;

	if ((n = dns_name_unpack(pkt, len, &o, rr->owner)) < 0)
		return n;
	if (o + DNS_RR_FIXED > len)
		return -EBADMSG;
	rr->ownerlen = (uint8_t)n;
	rr->type = dns_get16(pkt + o);
	rr->rclass = dns_get16(pkt + o + 2);
	rr->ttl = dns_get32(pkt + o + 4);
	rr->rdlen = dns_get16(pkt + o + 8);
	o += DNS_RR_FIXED;
	if (rr->rdlen > len - o)
		return -EBADMSG;
	rr->rdata = o;
	*off = o + rr->rdlen;
	return 0;
}

int
dns_msg_check(const uint8_t *pkt, size_t len)
{
	struct dns_question q;
	struct dns_rr rr;
	size_t off = DNS_HDR_LEN;
	unsigned nrr;

	if (len < DNS_HDR_LEN)
		return -EBADMSG;
	for (unsigned i = 0; i < dns_hdr_qdcount(pkt); i++)
		if (dns_question_read(pkt, len, &off, &q) < 0)
			return -EBADMSG;
	nrr = (unsigned)dns_hdr_ancount(pkt) + dns_hdr_nscount(pkt) +
	    dns_hdr_arcount(pkt);
	for (unsigned i = 0; i < nrr; i++)
		if (dns_rr_read(pkt, len, &off, &rr) < 0)
			return -EBADMSG;
	return off == len ? 0 : -EBADMSG;
}

int
dns_msg_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name,
    uint16_t qtype, uint16_t qclass, bool rd, int edns_size, bool do_bit)
{
	size_t off = DNS_HDR_LEN;
	int n;

	if (cap < DNS_HDR_LEN)
		return -ENOSPC;
	memset(buf, 0, DNS_HDR_LEN);
	dns_hdr_set_id(buf, id);
	if (rd)
		buf[2] |= DNS_F2_RD;
	dns_hdr_set_qdcount(buf, 1);
	if ((n = dns_name_from_text(name, buf + off, cap - off)) < 0)
		return n;
	off += (size_t)n;
	if (off + 4 > cap)
		return -ENOSPC;
	dns_put16(buf + off, qtype);
	dns_put16(buf + off + 2, qclass);
	off += 4;
	if (edns_size >= 0) {
		if (off + DNS_OPT_LEN > cap || edns_size > 0xffff)
			return edns_size > 0xffff ? -EINVAL : -ENOSPC;
		buf[off] = 0;
		dns_put16(buf + off + 1, DNS_T_OPT);
		dns_put16(buf + off + 3, (uint16_t)edns_size);
		dns_put32(buf + off + 5, do_bit ? DNS_EDNS_DO : 0);
		dns_put16(buf + off + 9, 0);
		off += DNS_OPT_LEN;
		dns_hdr_set_arcount(buf, 1);
	}
	return (int)off;
}
