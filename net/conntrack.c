/*
 * net/conntrack.c - counting a guest's established TCP connections from
 * the conntrack table (libnetfilter_conntrack). net/conntrack_track.c
 * makes the kernel track them at all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/conntrack.h"

/* As for sock_diag (net/diag.c): a dump walks the whole table, so one
 * serves every idle check that expires at about the same time. */
#define CT_FRESH_NS	(200 * 1000 * 1000ULL)


static uint32_t		*dsts;		/* established flows' destinations */
static size_t		 ndsts, capdsts;
static uint64_t		 dumped_at;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --- counting --- */

static int
dump_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	uint32_t *p;
	size_t cap;

	(void)type;
	(void)arg;
	if (nfct_get_attr_u8(ct, ATTR_L4PROTO) != IPPROTO_TCP ||
	    nfct_get_attr_u8(ct, ATTR_TCP_STATE) != TCP_CONNTRACK_ESTABLISHED)
		return NFCT_CB_CONTINUE;
	if (ndsts == capdsts) {
		cap = capdsts ? capdsts * 2 : 64;
		if ((p = realloc(dsts, cap * sizeof(*p))) == NULL)
			return NFCT_CB_FAILURE;
		dsts = p;
		capdsts = cap;
	}
	dsts[ndsts++] = nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST);
	return NFCT_CB_CONTINUE;
}

static int
dump(void)
{
	struct nfct_handle *h;
	uint32_t family = AF_INET;
	int r = 0;

	if ((h = nfct_open(CONNTRACK, 0)) == NULL)
		return -errno;
	ndsts = 0;
	nfct_callback_register(h, NFCT_T_ALL, dump_cb, NULL);
	if (nfct_query(h, NFCT_Q_DUMP, &family) == -1)
		r = errno ? -errno : -EIO;
	nfct_close(h);
	return r;
}

int
net_ct_established(const struct in_addr *addr)
{
	uint64_t now = now_ns();
	size_t i;
	int n = 0, r;

	if (dumped_at == 0 || now - dumped_at >= CT_FRESH_NS) {
		if ((r = dump()) < 0) {
			dumped_at = 0;
			return r;
		}
		dumped_at = now;
	}
	for (i = 0; i < ndsts; i++)
		if (dsts[i] == addr->s_addr)
			n++;
	return n;
}
