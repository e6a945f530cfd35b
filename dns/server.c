/*
 * dns/server.c - the DNS server object: its listeners (UDP + TCP on each
 * `dns =` address), the db it answers from, counters, and the hand-off of
 * service hits to the daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "dns/transport.h"
#include "config/values.h"
#include "dns/wire.h"

const char *const dns_qtype_bucket_names[8] = { "A", "AAAA", "ANY", "SOA",
    "NS", "other", "", "" };

int
dns_qtype_bucket(uint16_t t)
{
	switch (t) {
	case DNS_T_A: return 0;
	case DNS_T_AAAA: return 1;
	case DNS_T_ANY: return 2;
	case DNS_T_SOA: return 3;
	case DNS_T_NS: return 4;
	default: return 5;
	}
}

struct dns_server *
dns_server_new(struct loop *l, dns_hit_fn hit, void *arg)
{
	struct dns_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->batch = udp_batch_new()) == NULL) {
		free(s);
		return NULL;
	}
	s->loop = l;
	s->hit = hit;
	s->hitarg = arg;
	s->opts.tcp_clients = 1024;
	s->opts.tcp_idle_ms = 10000;
	s->opts.forward_max = 1024;
	s->opts.forward_timeout_ms = 2000;
	s->opts.forward_rate = 100;
	s->opts.forward_per_client = 32;
	s->opts.tcp_per_address = 64;
	s->opts.tcp_message_timeout_ms = 5000;
	return s;
}

static void
listener_close(struct dns_server *srv, struct dns_listener *li)
{
	loop_timer_del(srv->loop, &li->accept_pause);
	if (li->udp_fd != -1) {
		loop_del(srv->loop, li->udp_fd);
		close(li->udp_fd);
	}
	if (li->tcp_fd != -1) {
		loop_del(srv->loop, li->tcp_fd);
		close(li->tcp_fd);
	}
	free(li);
}

void
dns_server_free(struct dns_server *srv)
{
	int i;

	if (srv == NULL)
		return;
	tcp_close_all(srv);
	fwd_free(srv->fwd);
	for (i = 0; i < srv->nls; i++)
		listener_close(srv, srv->ls[i]);
	free(srv->ls);
	udp_batch_free(srv->batch);
	free(srv->fwd_clients);
	free(srv);
}

void
dns_server_set_opts(struct dns_server *srv, const struct dns_server_opts *o)
{
	bool refwd = srv->fwd == NULL ||
	    o->forward_max != srv->opts.forward_max;

	struct cfg_cidr *cl;
	int ncl = o->nforward_clients > 0 ? o->nforward_clients : 2;

	/* Who may use the forwarder: the listed networks, or loopback
	 * only. A copy, so the caller's config may go. */
	if ((cl = calloc((size_t)ncl, sizeof(*cl))) == NULL) {
		log_warnx("dns: out of memory: forward_clients kept");
	} else {
		if (o->nforward_clients > 0) {
			memcpy(cl, o->forward_clients, (size_t)ncl * sizeof(*cl));
		} else {
			cl[0].family = AF_INET;
			cl[0].a.v4.s_addr = htonl(INADDR_LOOPBACK & 0xff000000);
			cl[0].prefix = 8;
			cl[1].family = AF_INET6;
			cl[1].a.v6 = in6addr_loopback;
			cl[1].prefix = 128;
		}
		free(srv->fwd_clients);
		srv->fwd_clients = cl;
		srv->nfwd_clients = ncl;
	}
	srv->opts = *o;
	srv->opts.forward_clients = NULL;
	if (srv->opts.tcp_clients == 0)
		srv->opts.tcp_clients = 1;
	if (srv->opts.tcp_per_address == 0)
		srv->opts.tcp_per_address = 1;
	if (srv->opts.forward_per_client == 0)
		srv->opts.forward_per_client = 1;
	if (srv->opts.tcp_message_timeout_ms == 0)
		srv->opts.tcp_message_timeout_ms = 1;
	/* Resizing the slot table drops queries in flight; it only happens
	 * when forward_max changes on reload. */
	if (refwd) {
		fwd_free(srv->fwd);
		srv->fwd = fwd_new(srv);
	}
}

void
dns_server_set_db(struct dns_server *srv, const struct dns_db *db)
{
	srv->db = db;
}

const struct dns_counters *
dns_server_counters(const struct dns_server *srv)
{
	return &srv->ctr;
}

size_t
dns_server_answer(struct dns_server *srv, const uint8_t *req, size_t len,
    uint8_t *resp, size_t cap, bool udp, const struct sockaddr_storage *peer,
    struct dns_qinfo *qi)
{
	const uint8_t *a;
	int family;
	size_t n;

	n = dns_query(srv->db, req, len, resp, cap, udp,
	    srv->opts.forward.family != 0, qi);
	if (qi->action == DNS_ACT_DROP) {
		srv->ctr.dropped++;
		return 0;
	}
	srv->ctr.by_qtype[dns_qtype_bucket(qi->qtype)]++;
	if (qi->action == DNS_ACT_REPLY) {
		srv->ctr.by_rcode[qi->rcode < 24 ? qi->rcode : 23]++;
		if (qi->tc)
			srv->ctr.truncated++;
	}
	if (qi->service >= 0 && srv->hit != NULL) {
		a = dns_peer_bytes(peer, &family);
		srv->hit(srv->hitarg, qi, family, a);
	}
	return n;
}

const uint8_t *
dns_peer_bytes(const struct sockaddr_storage *ss, int *family)
{
	if (ss->ss_family == AF_INET) {
		*family = AF_INET;
		return (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;

		/* a v4-mapped peer is the IPv4 client it is */
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			*family = AF_INET;
			return a->s6_addr + 12;
		}
		*family = AF_INET6;
		return a->s6_addr;
	}
	*family = 0;
	return NULL;
}

static void
addr_to_sockaddr(const struct cfg_addr *a, struct sockaddr_storage *ss,
    socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_addr = a->a.v4;
		s->sin_port = htons(a->port);
		*sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
		s->sin6_family = AF_INET6;
		s->sin6_addr = a->a.v6;
		s->sin6_port = htons(a->port);
		*sl = sizeof(*s);
	}
}

static bool
addr_is_any(const struct cfg_addr *a)
{
	if (a->family == AF_INET)
		return a->a.v4.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a.v6);
}

static bool
addr_same(const struct cfg_addr *a, const struct cfg_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family == AF_INET)
		return a->a.v4.s_addr == b->a.v4.s_addr;
	return memcmp(&a->a.v6, &b->a.v6, sizeof(a->a.v6)) == 0;
}

static int
open_socket(const struct cfg_addr *a, int type, bool pktinfo)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, on = 1, rcv = 4 << 20;

	addr_to_sockaddr(a, &ss, &sl);
	fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (type == SOCK_DGRAM) {
		/* Bursts of queries (a boot storm, a benchmark) must not
		 * overflow the receive queue while a batch is answered. */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		if (pktinfo && a->family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
		if (pktinfo && a->family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
			    sizeof(on));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 1024) == -1)) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static struct dns_listener *
listener_open(struct dns_server *srv, const struct cfg_addr *a, char *why,
    size_t whylen)
{
	struct dns_listener *li;
	char name[64];
	int r;

	cfg_addr_format(a, name, sizeof(name));
	if ((li = calloc(1, sizeof(*li))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	li->srv = srv;
	li->addr = *a;
	timer_init(&li->accept_pause, tcp_accept_resume, li);
	li->pktinfo = addr_is_any(a);
	li->udp_fd = li->tcp_fd = -1;
	if ((li->udp_fd = open_socket(a, SOCK_DGRAM, li->pktinfo)) < 0) {
		r = li->udp_fd;
		li->udp_fd = -1;
		snprintf(why, whylen, "dns = %s (udp): %s", name, strerror(-r));
		goto fail;
	}
	if ((li->tcp_fd = open_socket(a, SOCK_STREAM, false)) < 0) {
		r = li->tcp_fd;
		li->tcp_fd = -1;
		snprintf(why, whylen, "dns = %s (tcp): %s", name, strerror(-r));
		goto fail;
	}
	if ((r = loop_add(srv->loop, li->udp_fd, EPOLLIN, udp_readable, li)) < 0 ||
	    (r = loop_add(srv->loop, li->tcp_fd, EPOLLIN, tcp_acceptable, li)) < 0) {
		snprintf(why, whylen, "dns = %s: %s", name, strerror(-r));
		goto fail;
	}
	return li;
fail:
	listener_close(srv, li);
	return NULL;
}

int
dns_server_listen(struct dns_server *srv, const struct cfg_addr *addrs, int n,
    char *why, size_t whylen)
{
	struct dns_listener **nls, *li;
	int i, j, nn = 0;

	if ((nls = calloc((size_t)n + 1, sizeof(*nls))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (j = 0; j < srv->nls; j++)
		srv->ls[j]->keep = false;
	for (i = 0; i < n; i++) {
		li = NULL;
		for (j = 0; j < srv->nls; j++)
			if (addr_same(&srv->ls[j]->addr, &addrs[i]))
				li = srv->ls[j];
		for (j = 0; j < nn && li == NULL; j++)
			if (addr_same(&nls[j]->addr, &addrs[i]))
				li = nls[j];	/* listed twice */
		if (li != NULL && li->keep)
			continue;
		if (li == NULL && (li = listener_open(srv, &addrs[i], why,
		    whylen)) == NULL) {
			/* Undo: close what we opened, keep the old set. */
			for (j = 0; j < nn; j++) {
				bool old = false;
				for (int k = 0; k < srv->nls; k++)
					old |= srv->ls[k] == nls[j];
				if (!old)
					listener_close(srv, nls[j]);
			}
			free(nls);
			return -EADDRNOTAVAIL;
		}
		li->keep = true;
		nls[nn++] = li;
	}
	for (j = 0; j < srv->nls; j++)
		if (!srv->ls[j]->keep)
			listener_close(srv, srv->ls[j]);
	free(srv->ls);
	srv->ls = nls;
	srv->nls = nn;
	return 0;
}
