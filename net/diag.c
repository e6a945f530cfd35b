/*
 * net/diag.c - counting established connections with NETLINK_SOCK_DIAG
 * (inet_diag). The kernel filters by state and source port; we compare
 * the local address ourselves. One dump costs about as much as listing
 * the host's established sockets on that port, and runs only when a
 * service's idle timer expires, not per query.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <time.h>

#include "net/net.h"

/* MNL_SOCKET_BUFFER_SIZE is computed at run time; 32 KiB holds any dump
 * batch the kernel sends. */
#define NL_BUF	32768

struct count_ctx {
	const struct cfg_addr	*addr;
	uint16_t		 port;
	int			 n;
};

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct count_ctx *c = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

	if (m->idiag_family != c->addr->family ||
	    ntohs(m->id.idiag_sport) != c->port)
		return MNL_CB_OK;
	if (c->addr->family == AF_INET &&
	    memcmp(m->id.idiag_src, &c->addr->a.v4, 4) != 0)
		return MNL_CB_OK;
	if (c->addr->family == AF_INET6 &&
	    memcmp(m->id.idiag_src, &c->addr->a.v6, 16) != 0)
		return MNL_CB_OK;
	c->n++;
	return MNL_CB_OK;
}

int
net_count_established(const struct cfg_addr *a, uint16_t port, int *count)
{
	char buf[NL_BUF];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	struct count_ctx ctx = { .addr = a, .port = port };
	unsigned seq = (unsigned)time(NULL), portid;
	int r;

	if ((nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)a->family;
	req->sdiag_protocol = IPPROTO_TCP;
	/* Established, and the closing states in which data still flows
	 * to the peer (a long download being finished). */
	req->idiag_states = (1 << TCP_ESTABLISHED) | (1 << TCP_CLOSE_WAIT) |
	    (1 << TCP_FIN_WAIT1);
	req->id.idiag_sport = htons(port);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			r = -errno;
			goto out;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, count_cb, &ctx);
		if (r == MNL_CB_STOP)
			break;
		if (r < 0) {
			r = -errno;
			goto out;
		}
	}
	*count += ctx.n;
	r = 0;
out:
	mnl_socket_close(nl);
	return r;
}
