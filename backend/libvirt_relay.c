/*
 * backend/libvirt_relay.c - the splice(2) relay between a libvirt
 * service's front sockets on jitsud's host and its guest, wherever the
 * guest runs. See libvirt.h.
 *
 * Each connection has two pipes, one per direction: bytes go socket ->
 * pipe -> socket inside the kernel, never through jitsud's memory. The
 * loop only says when a socket can give or take more. Cost: 2 sockets +
 * 4 pipe ends per relayed connection, and one connect per client; a
 * guest on jitsud's own host could be reached directly instead (the
 * qemu backend's taps), which this first version does not do.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/libvirt.h"
#include "core/log.h"

#define CHUNK		65536
#define ROUNDS		8	/* per wake-up: one busy connection cannot
				 * starve the loop */

struct half {			/* one direction, fd[d] -> pipe -> fd[1 - d] */
	int	 p[2];
	size_t	 queued, cap;
	bool	 eof;		/* nothing more to read from fd[d] */
	bool	 shut;		/* shutdown(fd[1 - d], SHUT_WR) done */
};

struct rconn {
	struct lv_relay	*r;
	struct rconn	*prev, *next;
	int		 fd[2];		/* the client, the guest */
	struct half	 h[2];
	bool		 connecting;
};

struct lv_relay {
	struct loop	*loop;
	char		*name;
	struct rconn	*list;
	int		 n;
	uint64_t	 moved;
};

struct lv_relay *
lv_relay_new(struct loop *l, const char *name)
{
	struct lv_relay *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		free(r);
		return NULL;
	}
	r->loop = l;
	return r;
}

int
lv_relay_count(const struct lv_relay *r)
{
	return r->n;
}

uint64_t
lv_relay_moved(struct lv_relay *r)
{
	uint64_t m = r->moved;

	r->moved = 0;
	return m;
}

static void
close_fd(struct loop *l, int fd, bool reset)
{
	struct linger lg = { 1, 0 };

	if (fd == -1)
		return;
	loop_del(l, fd);
	/* A reset tells the client at once that nobody will answer. */
	if (reset)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void
conn_end(struct rconn *c, bool reset)
{
	struct lv_relay *r = c->r;
	int i;

	for (i = 0; i < 2; i++) {
		close_fd(r->loop, c->fd[i], reset);
		if (c->h[i].p[0] != -1)
			close(c->h[i].p[0]);
		if (c->h[i].p[1] != -1)
			close(c->h[i].p[1]);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		r->list = c->next;
	if (c->next)
		c->next->prev = c->prev;
	r->n--;
	free(c);
}

static void
set_interest(struct rconn *c)
{
	uint32_t ev;
	int d;

	for (d = 0; d < 2; d++) {
		if (c->connecting)
			ev = d == 1 ? EPOLLOUT : 0;
		else {
			ev = 0;
			if (!c->h[d].eof && c->h[d].queued < c->h[d].cap)
				ev |= EPOLLIN;
			if (c->h[1 - d].queued > 0)
				ev |= EPOLLOUT;
		}
		loop_mod(c->r->loop, c->fd[d], ev);
	}
}

/* Move what can move without blocking. Returns -1 when the connection
 * is over (ended here), 0 otherwise. */
static int
pump(struct rconn *c)
{
	struct half *h;
	ssize_t n;
	bool moved;
	int d, round;

	for (round = 0; round < ROUNDS; round++) {
		moved = false;
		for (d = 0; d < 2; d++) {
			h = &c->h[d];
			if (!h->eof && h->queued < h->cap) {
				n = splice(c->fd[d], NULL, h->p[1], NULL,
				    h->cap - h->queued, SPLICE_F_NONBLOCK |
				    SPLICE_F_MOVE);
				if (n > 0) {
					h->queued += (size_t)n;
					moved = true;
				} else if (n == 0)
					h->eof = moved = true;
				else if (errno != EAGAIN && errno != EINTR)
					goto broken;
			}
			if (h->queued > 0) {
				n = splice(h->p[0], NULL, c->fd[1 - d], NULL,
				    h->queued, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
				if (n > 0) {
					h->queued -= (size_t)n;
					c->r->moved += (uint64_t)n;
					moved = true;
				} else if (n < 0 && errno != EAGAIN && errno != EINTR)
					goto broken;
			}
			/* EOF goes on once everything before it has. */
			if (h->eof && h->queued == 0 && !h->shut) {
				shutdown(c->fd[1 - d], SHUT_WR);
				h->shut = true;
			}
		}
		if (c->h[0].shut && c->h[1].shut) {
			conn_end(c, false);
			return -1;
		}
		if (!moved)
			break;
	}
	set_interest(c);
	return 0;
broken:
	/* A reset on one side is passed on as a reset to the other. */
	conn_end(c, true);
	return -1;
}

static void
conn_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct rconn *c = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)l;
	(void)ev;
	if (c->connecting && fd == c->fd[1]) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			log_info("service %s: relay: cannot reach the guest: %s",
			    c->r->name, strerror(err));
			conn_end(c, true);
			return;
		}
		c->connecting = false;
	}
	pump(c);
}

static int
half_init(struct half *h)
{
	int sz;

	if (pipe2(h->p, O_NONBLOCK | O_CLOEXEC) == -1)
		return -errno;
	sz = fcntl(h->p[1], F_GETPIPE_SZ);
	h->cap = sz > 0 ? (size_t)sz : CHUNK;
	return 0;
}

void
lv_relay_add(struct lv_relay *r, int client, const struct sockaddr_in *dst)
{
	struct rconn *c;
	int d;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close_fd(r->loop, client, true);
		return;
	}
	c->r = r;
	c->fd[0] = client;
	c->fd[1] = -1;
	c->h[0].p[0] = c->h[0].p[1] = c->h[1].p[0] = c->h[1].p[1] = -1;
	c->next = r->list;
	if (r->list)
		r->list->prev = c;
	r->list = c;
	r->n++;
	if (half_init(&c->h[0]) < 0 || half_init(&c->h[1]) < 0 ||
	    (c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    (connect(c->fd[1], (const struct sockaddr *)dst, sizeof(*dst)) == -1 &&
	    errno != EINPROGRESS)) {
		log_warn("service %s: relay", r->name);
		conn_end(c, true);
		return;
	}
	c->connecting = true;
	for (d = 0; d < 2; d++)
		if (loop_add(r->loop, c->fd[d], 0, conn_io, c) < 0) {
			log_warnx("service %s: relay: event loop full", r->name);
			conn_end(c, true);
			return;
		}
	set_interest(c);
}

void
lv_relay_free(struct lv_relay *r)
{
	if (r == NULL)
		return;
	while (r->list != NULL)
		conn_end(r->list, true);
	free(r->name);
	free(r);
}
