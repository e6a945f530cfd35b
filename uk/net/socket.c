/*
 * socket.c - what the app drives: listen, accept, read, write, close,
 * and the readiness of each handle.
 */
#include "uk/include/uk.h"
#include "uk/net/ring.h"
#include "uk/net/tcp.h"

/* Send space worth reporting as writable: smaller slivers would make an
 * app loop on tiny writes. */
#define WRITE_LOWAT	(NET_SNDBUF / 4)

int
net_listen(struct net *n, uint16_t port)
{
	int	 i, free = -1;

	if (port == 0)
		return UK_EINVAL;
	for (i = 0; i < NET_MAX_LISTEN; i++) {
		if (n->listen_port[i] == port)
			return UK_ENOENT;	/* in use */
		if (n->listen_port[i] == 0 && free < 0)
			free = i;
	}
	if (free < 0)
		return UK_ENOMEM;
	n->listen_port[free] = port;
	return free;
}

static bool
pending(const struct net_tcb *t, int l)
{
	return t->listener == l && !t->accepted && t->state > TCP_SYN_RCVD;
}

int
net_accept(struct net *n, int l, uint64_t now)
{
	struct net_tcb	*t, *best = NULL;
	int		 i;

	n->now = now;
	if (l < 0 || l >= NET_MAX_LISTEN || n->listen_port[l] == 0)
		return UK_EBADF;
	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &n->tcb[i];
		if (pending(t, l) && (best == NULL || t->order < best->order))
			best = t;
	}
	if (best == NULL)
		return UK_EAGAIN;
	best->accepted = 1;
	best->app = 1;
	return tcp_handle(n, best);
}

long
net_read(struct net *n, int h, void *buf, size_t len, uint64_t now)
{
	struct net_tcb	*t = tcp_from_handle(n, h);
	uint32_t	 take, before;

	n->now = now;
	if (t == NULL)
		return UK_EBADF;
	if (t->rb_len == 0) {
		if (t->err != 0)
			return t->err;
		return t->fin_rcvd ? 0 : UK_EAGAIN;
	}
	take = len < t->rb_len ? (uint32_t)len : t->rb_len;
	ring_get(t->rbuf, NET_RCVBUF, t->rb_head, buf, take);
	before = t->rcv_adv;
	t->rb_head = (t->rb_head + take) & (NET_RCVBUF - 1);
	t->rb_len -= take;
	/* Receiver silly-window avoidance (RFC 9293 3.8.6.2.2): announce
	 * the opened window once it grew by a segment or half the buffer. */
	if (t->state > TCP_CLOSED && !t->fin_rcvd &&
	    t->rcv_nxt + tcp_rcv_window(t) - before >=
	    (t->mss < NET_RCVBUF / 2 ? t->mss : NET_RCVBUF / 2)) {
		t->ack_now = 1;
		tcp_output(n, t);
	}
	return (long)take;
}

long
net_write(struct net *n, int h, const void *buf, size_t len, uint64_t now)
{
	struct net_tcb	*t = tcp_from_handle(n, h);
	uint32_t	 room, take;

	n->now = now;
	if (t == NULL)
		return UK_EBADF;
	if (t->err != 0)
		return t->err;
	if (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT)
		return UK_EPIPE;
	if (len == 0)
		return 0;
	room = NET_SNDBUF - t->sb_len;
	if (room == 0)
		return UK_EAGAIN;
	take = len < room ? (uint32_t)len : room;
	ring_put(t->sbuf, NET_SNDBUF, t->sb_head + t->sb_len, buf, take);
	t->sb_len += take;
	tcp_output(n, t);
	return (long)take;
}

static int
close_listener(struct net *n, int l)
{
	struct net_tcb	*t;
	int		 i;

	if (l < 0 || l >= NET_MAX_LISTEN || n->listen_port[l] == 0)
		return UK_EBADF;
	n->listen_port[l] = 0;
	/* Connections nobody will accept now are reset. */
	for (i = 0; i < NET_MAX_CONN; i++) {
		t = &n->tcb[i];
		if (t->state > TCP_CLOSED && t->listener == l && !t->accepted)
			tcp_abort(n, t, UK_ECONNRESET);
	}
	return 0;
}

int
net_close(struct net *n, int h, uint64_t now)
{
	struct net_tcb	*t;

	n->now = now;
	if (h < NET_MAX_LISTEN)
		return close_listener(n, h);
	if ((t = tcp_from_handle(n, h)) == NULL)
		return UK_EBADF;
	t->app = 0;
	t->closed = 1;
	if (t->state == TCP_CLOSED) {
		t->state = TCP_FREE;
		return 0;
	}
	/* Unread data means the peer's last bytes were lost on us: tell it
	 * with a RST rather than a FIN (RFC 2525 2.17). */
	if (t->rb_len > 0) {
		tcp_abort(n, t, 0);
		return 0;
	}
	if (t->state == TCP_ESTABLISHED)
		t->state = TCP_FIN_WAIT_1;
	else if (t->state == TCP_CLOSE_WAIT)
		t->state = TCP_LAST_ACK;
	tcp_output(n, t);
	return 0;
}

bool
net_handle_valid(struct net *n, int h)
{
	if (h >= 0 && h < NET_MAX_LISTEN)
		return n->listen_port[h] != 0;
	return tcp_from_handle(n, h) != NULL;
}

unsigned
net_events(struct net *n, int h)
{
	struct net_tcb	*t;
	unsigned	 ev = 0;
	int		 i;

	if (h >= 0 && h < NET_MAX_LISTEN) {
		if (n->listen_port[h] == 0)
			return 0;
		for (i = 0; i < NET_MAX_CONN; i++)
			if (pending(&n->tcb[i], h))
				return UK_EV_READ;
		return 0;
	}
	if ((t = tcp_from_handle(n, h)) == NULL)
		return 0;
	if (t->err != 0 || t->state == TCP_CLOSED)
		return UK_EV_READ | UK_EV_WRITE | UK_EV_HUP;
	if (t->rb_len > 0 || t->fin_rcvd)
		ev |= UK_EV_READ;
	if (t->fin_rcvd)
		ev |= UK_EV_HUP;
	if ((t->state == TCP_ESTABLISHED || t->state == TCP_CLOSE_WAIT) &&
	    NET_SNDBUF - t->sb_len >= WRITE_LOWAT)
		ev |= UK_EV_WRITE;
	return ev;
}
