/*
 * dns/tcp.c - DNS over TCP (RFC 7766): two-byte length framing, several
 * queries per connection, pipelined queries answered as they are read,
 * an idle timeout, and a cap on concurrent clients. A connection costs
 * one allocation for its life, not per query. Output that cannot be
 * written at once is buffered (bounded) and reading pauses until it
 * drains, so a client that never reads cannot make us hold unbounded
 * memory.
 *
 * Against clients that hold slots (slowloris): a message has a deadline
 * from its first byte (tcp_message_timeout) that more bytes do not move;
 * between messages the idle timeout applies. One address holds at most
 * tcp_per_address connections. When every slot is taken, a new client
 * evicts the connection that has gone longest without completing a
 * message, so holders cannot lock out a client that asks. At the
 * descriptor limit (EMFILE) accepting pauses for a second and says so
 * once, instead of spinning on a listener that stays readable.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "dns/transport.h"

#define TCP_OUT_MAX	(256 * 1024)
#define ACCEPT_PAUSE_NS	NSEC_PER_SEC	/* after EMFILE */

struct tcp_conn {
	struct dns_server	*srv;
	int			 fd;
	uint64_t		 serial;
	struct timer		 idle;		/* idle, or message deadline */
	bool			 in_msg;	/* deadline armed for a message */
	uint64_t		 progress;	/* accept or last whole message */
	struct sockaddr_storage	 peer;
	size_t			 inlen;
	uint8_t			*out;
	size_t			 outlen, outoff, outcap;
	uint8_t			 in[2 + DNS_TCP_MAX];
	uint8_t			 resp[2 + DNS_TCP_MAX];
};

static void tcp_io(struct loop *, int, uint32_t, void *);

static void
conn_close(struct tcp_conn *c)
{
	struct dns_server *srv = c->srv;

	loop_timer_del(srv->loop, &c->idle);
	loop_del(srv->loop, c->fd);
	srv->conns[c->fd] = NULL;
	close(c->fd);
	free(c->out);
	free(c);
	srv->ntcp--;
}

static void
idle_expired(struct loop *l, struct timer *t, void *arg)
{
	struct tcp_conn *c = arg;

	(void)l;
	(void)t;
	c->srv->ctr.tcp_idle_closed++;
	conn_close(c);
}

/* Try to write what is queued; returns -1 if the connection died. */
static int
conn_flush(struct tcp_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		c->outoff += (size_t)w;
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	/* Read only while nothing is pending: back-pressure. */
	loop_mod(c->srv->loop, c->fd, c->outlen ? EPOLLOUT : EPOLLIN);
	return 0;
}

/* Queue one framed message (buf already holds the 2-byte length). */
static int
conn_queue(struct tcp_conn *c, const uint8_t *buf, size_t len)
{
	if (c->outlen == 0) {
		/* Fast path: most replies go out in one send. */
		ssize_t w = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == (ssize_t)len)
			return 0;
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (w > 0) {
			buf += w;
			len -= (size_t)w;
		}
	}
	if (c->outlen + len > TCP_OUT_MAX)
		return -1;
	if (c->outlen + len > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		while (cap < c->outlen + len)
			cap *= 2;
		uint8_t *n = realloc(c->out, cap);
		if (n == NULL)
			return -1;
		c->out = n;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, buf, len);
	c->outlen += len;
	return conn_flush(c);
}

/* Answer every whole message in the input buffer. */
static int
conn_process(struct tcp_conn *c)
{
	struct dns_server *srv = c->srv;
	struct dns_qinfo qi;
	size_t off = 0;

	while (c->inlen - off >= 2) {
		size_t mlen = (size_t)c->in[off] << 8 | c->in[off + 1];
		if (c->inlen - off - 2 < mlen)
			break;
		srv->ctr.queries_tcp++;
		c->progress = loop_now(srv->loop);
		c->in_msg = false;	/* what follows is a new message */
		size_t rlen = dns_server_answer(srv, c->in + off + 2, mlen,
		    c->resp + 2, DNS_TCP_MAX, false, &c->peer, &qi);
		if (qi.action == DNS_ACT_FORWARD) {
			struct fwd_client fc;
			memset(&fc, 0, sizeof(fc));
			fc.udp_fd = -1;
			fc.tcp_fd = c->fd;
			fc.tcp_serial = c->serial;
			fc.peer = c->peer;
			fwd_submit(srv, c->in + off + 2, mlen, &fc);
		} else if (rlen > 0) {
			c->resp[0] = (uint8_t)(rlen >> 8);
			c->resp[1] = (uint8_t)rlen;
			if (conn_queue(c, c->resp, rlen + 2) < 0)
				return -1;
		} else {
			/* Something that is not DNS: RFC 7766 lets us
			 * close rather than guess at framing. */
			return -1;
		}
		off += 2 + mlen;
		if (c->outlen > 0)
			break;	/* resume after the output drains */
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	return 0;
}

static void
tcp_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct tcp_conn *c = arg;
	ssize_t r;

	(void)fd;
	if (ev & EPOLLOUT) {
		if (conn_flush(c) < 0 || (c->outlen == 0 && conn_process(c) < 0)) {
			conn_close(c);
			return;
		}
	}
	if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c->outlen == 0) {
		r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
		    MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(c);
			return;
		}
		if (r > 0) {
			c->inlen += (size_t)r;
			if (conn_process(c) < 0) {
				conn_close(c);
				return;
			}
		}
	}
	/* A partial message keeps the deadline set by its first byte. */
	if (c->inlen > 0 && c->outlen == 0) {
		if (!c->in_msg) {
			c->in_msg = true;
			loop_timer_add(l, &c->idle,
			    c->srv->opts.tcp_message_timeout_ms * NSEC_PER_MSEC);
		}
		return;
	}
	c->in_msg = false;
	loop_timer_add(l, &c->idle, c->srv->opts.tcp_idle_ms * NSEC_PER_MSEC);
}

void
tcp_accept_resume(struct loop *l, struct timer *t, void *arg)
{
	struct dns_listener *li = arg;

	(void)t;
	if (loop_add(l, li->tcp_fd, EPOLLIN, tcp_acceptable, li) < 0)
		log_warnx("dns: cannot resume TCP accepts");
}

/* Out of descriptors: stop watching the listener for a second. The
 * kernel keeps queueing connections meanwhile (up to the backlog). */
static void
accept_pause(struct loop *l, struct dns_listener *li)
{
	li->srv->ctr.tcp_accept_paused++;
	loop_del(l, li->tcp_fd);
	loop_timer_add(l, &li->accept_pause, ACCEPT_PAUSE_NS);
	log_warnx("dns: out of descriptors: TCP accepts paused for 1 s "
	    "(%llu pauses so far)",
	    (unsigned long long)li->srv->ctr.tcp_accept_paused);
}

/* One client for the per-address cap: an IPv4 address, or an IPv6 /64
 * (a host gets a whole /64; counting its addresses apart caps nothing). */
static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	int fa, fb;
	const uint8_t *x = dns_peer_bytes(a, &fa), *y = dns_peer_bytes(b, &fb);

	return x != NULL && y != NULL && fa == fb &&
	    memcmp(x, y, fa == AF_INET ? 4 : 8) == 0;
}

/*
 * Connections from peer, and the one that has gone longest without a
 * whole message. O(open descriptors) per accept, which only happens on
 * accept (~1 us per 1,000 connections), never per query.
 */
static uint32_t
scan_conns(struct dns_server *srv, const struct sockaddr_storage *peer,
    struct tcp_conn **oldest)
{
	uint32_t n = 0;

	*oldest = NULL;
	for (int i = 0; i < srv->nconns_cap; i++) {
		struct tcp_conn *c = srv->conns[i];

		if (c == NULL)
			continue;
		if (same_addr(&c->peer, peer))
			n++;
		if (*oldest == NULL || c->progress < (*oldest)->progress)
			*oldest = c;
	}
	return n;
}

void
tcp_acceptable(struct loop *l, int lfd, uint32_t ev, void *arg)
{
	struct dns_listener *li = arg;
	struct dns_server *srv = li->srv;
	struct tcp_conn *c, *oldest;
	struct sockaddr_storage peer;
	socklen_t plen;
	int fd, n;

	(void)ev;
	for (n = 0; n < 16; n++) {
		plen = sizeof(peer);
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				accept_pause(l, li);
			else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("dns: accept");
			return;
		}
		if (scan_conns(srv, &peer, &oldest) >=
		    srv->opts.tcp_per_address) {
			srv->ctr.tcp_rejected++;
			srv->ctr.tcp_per_address_rejected++;
			close(fd);
			continue;
		}
		if (srv->ntcp >= srv->opts.tcp_clients && oldest != NULL) {
			srv->ctr.tcp_evicted++;
			conn_close(oldest);
		}
		if (srv->ntcp >= srv->opts.tcp_clients) {
			srv->ctr.tcp_rejected++;
			close(fd);
			continue;
		}
		if (fd >= srv->nconns_cap) {
			int cap = srv->nconns_cap ? srv->nconns_cap : 256;
			while (cap <= fd)
				cap *= 2;
			struct tcp_conn **nc = realloc(srv->conns,
			    (size_t)cap * sizeof(*nc));
			if (nc == NULL) {
				close(fd);
				continue;
			}
			memset(nc + srv->nconns_cap, 0,
			    (size_t)(cap - srv->nconns_cap) * sizeof(*nc));
			srv->conns = nc;
			srv->nconns_cap = cap;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		c->serial = ++srv->tcp_serial;
		c->peer = peer;
		c->progress = loop_now(l);
		timer_init(&c->idle, idle_expired, c);
		if (loop_add(l, fd, EPOLLIN, tcp_io, c) < 0) {
			close(fd);
			free(c);
			continue;
		}
		srv->conns[fd] = c;
		srv->ntcp++;
		srv->ctr.tcp_accepted++;
		loop_timer_add(l, &c->idle, srv->opts.tcp_idle_ms * NSEC_PER_MSEC);
	}
}

int
tcp_send_reply(struct dns_server *srv, int fd, uint64_t serial,
    const uint8_t *buf, size_t len)
{
	struct tcp_conn *c;

	if (fd < 0 || fd >= srv->nconns_cap || (c = srv->conns[fd]) == NULL ||
	    c->serial != serial)
		return -ENOENT;
	if (len > DNS_TCP_MAX)
		return -EMSGSIZE;
	c->resp[0] = (uint8_t)(len >> 8);
	c->resp[1] = (uint8_t)len;
	memcpy(c->resp + 2, buf, len);
	if (conn_queue(c, c->resp, len + 2) < 0) {
		conn_close(c);
		return -EPIPE;
	}
	return 0;
}

void
tcp_close_all(struct dns_server *srv)
{
	int i;

	for (i = 0; i < srv->nconns_cap; i++)
		if (srv->conns[i] != NULL)
			conn_close(srv->conns[i]);
	free(srv->conns);
	srv->conns = NULL;
	srv->nconns_cap = 0;
}
