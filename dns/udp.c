/*
 * dns/udp.c - DNS over UDP. Requests are read in batches with recvmmsg
 * and the replies written back with one sendmmsg: two system calls for
 * up to DNS_UDP_BATCH queries, which is where a DNS server's time goes.
 * All buffers are allocated once; nothing is allocated per query.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "dns/transport.h"
#include "dns/wire.h"

#define CMSG_SPACE_PI	CMSG_SPACE(sizeof(struct in6_pktinfo))

struct udp_batch {
	struct mmsghdr		 in[DNS_UDP_BATCH];
	struct mmsghdr		 out[DNS_UDP_BATCH];
	struct iovec		 iin[DNS_UDP_BATCH];
	struct iovec		 iout[DNS_UDP_BATCH];
	struct sockaddr_storage	 peer[DNS_UDP_BATCH];
	uint8_t			 ctl[DNS_UDP_BATCH][CMSG_SPACE_PI];
	uint8_t			 octl[DNS_UDP_BATCH][CMSG_SPACE_PI];
	uint8_t			 req[DNS_UDP_BATCH][DNS_UDP_BUF];
	/* dns_query never answers more than this over UDP */
	uint8_t			 resp[DNS_UDP_BATCH][DNS_EDNS_UDP_SIZE];
};

/* The parts of the message headers that never change are set once here;
 * a round only resets what the kernel overwrites. */
struct udp_batch *
udp_batch_new(void)
{
	struct udp_batch *b;
	int i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	for (i = 0; i < DNS_UDP_BATCH; i++) {
		b->iin[i].iov_base = b->req[i];
		b->iin[i].iov_len = DNS_UDP_BUF;
		b->in[i].msg_hdr.msg_name = &b->peer[i];
		b->in[i].msg_hdr.msg_iov = &b->iin[i];
		b->in[i].msg_hdr.msg_iovlen = 1;
		b->iout[i].iov_base = b->resp[i];
		b->out[i].msg_hdr.msg_iov = &b->iout[i];
		b->out[i].msg_hdr.msg_iovlen = 1;
	}
	return b;
}

void
udp_batch_free(struct udp_batch *b)
{
	free(b);
}

/* Copy the request's destination address (IP_PKTINFO) into a reply
 * control buffer, so a wildcard listener answers from the address the
 * client asked. Returns the control length, or 0. */
static size_t
pktinfo_reply(const struct msghdr *in, uint8_t *out, size_t cap,
    struct fwd_client *save)
{
	struct cmsghdr *c, *o;
	struct msghdr m = { .msg_control = out, .msg_controllen = cap };

	for (c = CMSG_FIRSTHDR(in); c != NULL; c = CMSG_NXTHDR((struct msghdr *)in, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			o = CMSG_FIRSTHDR(&m);
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			if (save) {
				save->pifamily = AF_INET;
				save->pi.v4 = pi;
			}
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			o = CMSG_FIRSTHDR(&m);
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			if (save) {
				save->pifamily = AF_INET6;
				save->pi.v6 = pi;
			}
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

void
udp_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct dns_listener *li = arg;
	struct dns_server *srv = li->srv;
	struct udp_batch *b = srv->batch;
	struct dns_qinfo qi;
	int n, i, nout, budget;

	(void)l;
	(void)ev;
	/* A bounded number of messages per wake-up (~1 ms of work), then
	 * yield to other descriptors, so a flood on one socket cannot starve
	 * TCP clients, timers or the control socket. */
	for (budget = DNS_UDP_BUDGET; budget > 0; budget -= n) {
		for (i = 0; i < DNS_UDP_BATCH; i++) {
			struct msghdr *h = &b->in[i].msg_hdr;
			h->msg_namelen = sizeof(b->peer[i]);
			h->msg_control = li->pktinfo ? b->ctl[i] : NULL;
			h->msg_controllen = li->pktinfo ? CMSG_SPACE_PI : 0;
		}
		n = recvmmsg(fd, b->in, DNS_UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_warn("dns: recvmmsg");
			return;
		}
		for (i = 0, nout = 0; i < n; i++) {
			struct msghdr *h = &b->in[i].msg_hdr;
			size_t rlen;

			srv->ctr.queries_udp++;
			if (h->msg_flags & MSG_TRUNC) {
				srv->ctr.dropped++;
				continue;
			}
			rlen = dns_server_answer(srv, b->req[i], b->in[i].msg_len,
			    b->resp[nout], sizeof(b->resp[nout]), true,
			    &b->peer[i], &qi);
			if (qi.action == DNS_ACT_FORWARD) {
				struct fwd_client c;
				memset(&c, 0, sizeof(c));
				c.udp_fd = fd;
				c.tcp_fd = -1;
				memcpy(&c.peer, h->msg_name, h->msg_namelen);
				c.peerlen = h->msg_namelen;
				if (li->pktinfo) {
					uint8_t tmp[CMSG_SPACE_PI];
					pktinfo_reply(h, tmp, sizeof(tmp), &c);
				}
				fwd_submit(srv, b->req[i], b->in[i].msg_len, &c);
				continue;
			}
			if (rlen == 0)
				continue;
			struct msghdr *o = &b->out[nout].msg_hdr;
			b->iout[nout].iov_len = rlen;
			o->msg_name = h->msg_name;
			o->msg_namelen = h->msg_namelen;
			o->msg_control = NULL;
			o->msg_controllen = 0;
			if (li->pktinfo) {
				o->msg_controllen = pktinfo_reply(h, b->octl[nout],
				    CMSG_SPACE_PI, NULL);
				if (o->msg_controllen != 0)
					o->msg_control = b->octl[nout];
			}
			nout++;
		}
		for (i = 0; i < nout; ) {
			int s = sendmmsg(fd, b->out + i, (unsigned)(nout - i), 0);
			if (s <= 0) {
				/* A full socket buffer loses these replies;
				 * clients retry, as with any UDP server. */
				if (s < 0 && errno != EAGAIN)
					log_warn("dns: sendmmsg");
				break;
			}
			i += s;
		}
		if (n < DNS_UDP_BATCH)
			return;
	}
}

int
udp_send_reply(int fd, const struct fwd_client *c, const uint8_t *buf,
    size_t len)
{
	uint8_t ctl[CMSG_SPACE_PI];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = {
		.msg_name = (void *)&c->peer, .msg_namelen = c->peerlen,
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct cmsghdr *h;

	memset(ctl, 0, sizeof(ctl));
	if (c->pifamily != 0) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		h = CMSG_FIRSTHDR(&m);
		if (c->pifamily == AF_INET) {
			h->cmsg_level = IPPROTO_IP;
			h->cmsg_type = IP_PKTINFO;
			h->cmsg_len = CMSG_LEN(sizeof(c->pi.v4));
			memcpy(CMSG_DATA(h), &c->pi.v4, sizeof(c->pi.v4));
			m.msg_controllen = CMSG_SPACE(sizeof(c->pi.v4));
		} else {
			h->cmsg_level = IPPROTO_IPV6;
			h->cmsg_type = IPV6_PKTINFO;
			h->cmsg_len = CMSG_LEN(sizeof(c->pi.v6));
			memcpy(CMSG_DATA(h), &c->pi.v6, sizeof(c->pi.v6));
			m.msg_controllen = CMSG_SPACE(sizeof(c->pi.v6));
		}
	}
	if (sendmsg(fd, &m, MSG_DONTWAIT) == -1)
		return -errno;
	return 0;
}
