/*
 * net/diag.c - counting established connections with NETLINK_SOCK_DIAG
 * (inet_diag), for the idle rule. Runs only when a service's idle timer
 * expires, never per query.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/net.h"

/* MNL_SOCKET_BUFFER_SIZE is computed at run time; 32 KiB holds any dump
 * batch the kernel sends. */
#define NL_BUF	32768

/*
 * One dump of the host's established TCP sockets serves every idle check
 * made within DIAG_FRESH_NS: a dump walks the whole connection table, so
 * a dump per service would make 1,000 services expiring together cost
 * 1,000 walks. The table keeps the local ends only.
 */
#define DIAG_FRESH_NS	(200 * 1000 * 1000ULL)

struct local_end {
	uint8_t		 family;
	uint16_t	 port;
	uint8_t		 addr[16];
};

static struct local_end	*ends;
static size_t		 nends, capends;
static uint64_t		 dumped_at;	/* monotonic ns; 0 = never */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
collect_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct local_end *e;

	(void)data;
	if (nends == capends) {
		size_t cap = capends ? capends * 2 : 256;
		struct local_end *n = realloc(ends, cap * sizeof(*n));
		if (n == NULL)
			return MNL_CB_ERROR;
		ends = n;
		capends = cap;
	}
	e = &ends[nends++];
	e->family = m->idiag_family;
	e->port = ntohs(m->id.idiag_sport);
	memcpy(e->addr, m->id.idiag_src, 16);
	return MNL_CB_OK;
}

static int
dump_family(struct mnl_socket *nl, unsigned portid, int family)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	unsigned seq = (unsigned)now_ns();
	int r;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	/* Established, and the closing states in which data still flows
	 * to the peer (a long download being finished). */
	req->idiag_states = (1 << TCP_ESTABLISHED) | (1 << TCP_CLOSE_WAIT) |
	    (1 << TCP_FIN_WAIT1);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, collect_cb, NULL);
		if (r == MNL_CB_STOP)
			return 0;
		if (r < 0)
			return errno ? -errno : -ENOMEM;
	}
}

static int
refresh(void)
{
	struct mnl_socket *nl;
	int r;

	if ((nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL)
		return -errno;
	nends = 0;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		r = -errno;
	else if ((r = dump_family(nl, mnl_socket_get_portid(nl), AF_INET)) == 0)
		r = dump_family(nl, mnl_socket_get_portid(nl), AF_INET6);
	mnl_socket_close(nl);
	dumped_at = r == 0 ? now_ns() : 0;
	return r;
}

int
net_count_established(const struct cfg_addr *a, uint16_t port, int *count)
{
	size_t alen = a->family == AF_INET ? 4 : 16, i;
	int r;

	if (dumped_at == 0 || now_ns() - dumped_at > DIAG_FRESH_NS)
		if ((r = refresh()) < 0)
			return r;
	for (i = 0; i < nends; i++)
		if (ends[i].family == a->family && ends[i].port == port &&
		    memcmp(ends[i].addr, &a->a, alen) == 0)
			(*count)++;
	return 0;
}
