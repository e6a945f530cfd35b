/*
 * main.c - hello: an HTTP/1.1 server written against uk.h alone.
 *
 *   hello [port=N] [idle=S]   listen on port N (default 80); close a
 *                             connection idle for S seconds (default 30)
 *
 * A fixed table of connections, each a small state machine driven by
 * readiness: read a head, answer it (keep-alive and pipelining included),
 * repeat. SERVED slots are served; SPARE ones answer every request 503;
 * beyond them connections wait in the listen backlog. A connection that has used its turn's byte budget yields, so a
 * fast client on a big body cannot starve the others; one that stays
 * silent (or stops reading) for idle_ns is closed; one that vanishes only
 * costs its own slot.
 */
#include "uk/include/uk.h"
#include "uk/apps/hello/http.h"
#include "uk/apps/hello/response.h"

#define SERVED		64	/* connections served at once */
#define SPARE		8	/* more, only to answer 503 */
#define MAX_CONNS	(SERVED + SPARE)
#define TURN_BYTES	(256 * 1024)
#define ACCEPTS_PER_TURN 32
#define REFUSE_NS	(2ULL * 1000000000ULL)	/* a spare slot's patience */

struct conn {
	int		 h;		/* -1: a free slot */
	uint64_t	 deadline;	/* closed if no progress by then */
	unsigned	 turn;		/* last turn it ran in */
	bool		 again;		/* yielded with work left */
	bool		 busy;		/* res is being sent */
	bool		 refuse;	/* a spare slot: every answer is 503 */
	struct response	 res;
	size_t		 sent;		/* bytes of res.head sent */
	uint64_t	 psent;		/* pattern bytes sent */
	uint64_t	 skip;		/* request body bytes still to discard */
	size_t		 in_off, in_len;
	char		*in;		/* HTTP_HEAD_MAX bytes in inbufs */
};

static struct conn	 conns[MAX_CONNS];
/* Apart from conns, so marking the slots free at start touches a few
 * pages, not all 64 buffers: a thousand idle instances each stay small. */
static char		 inbufs[MAX_CONNS][HTTP_HEAD_MAX];
static int		 listener = -1;
static bool		 listener_paused;
static unsigned		 turn;
static uint64_t		 idle_ns = 30ULL * 1000000000ULL;

static void
conn_close(struct conn *c)
{
	uk_close(c->h);
	c->h = -1;
	if (listener_paused) {
		/* A slot (and a descriptor) is free again. */
		listener_paused = false;
		uk_watch(listener, UK_EV_READ);
	}
}

/* Sends some of the response: bytes written, 0 once it is all sent,
 * UK_EAGAIN, or an error. */
static long
send_step(struct conn *c)
{
	const char	*p;
	size_t		 len;
	long		 n;

	if (c->sent < c->res.head_len) {
		n = uk_write(c->h, c->res.head + c->sent,
		    c->res.head_len - c->sent);
		if (n > 0)
			c->sent += (size_t)n;
	} else if (c->psent < c->res.pattern_len) {
		len = c->res.pattern_len - c->psent > TURN_BYTES ? TURN_BYTES :
		    (size_t)(c->res.pattern_len - c->psent);
		p = pattern_at(c->psent, &len);
		n = uk_write(c->h, p, len);
		if (n > 0)
			c->psent += (uint64_t)n;
	} else
		return 0;
	return n == 0 ? UK_EAGAIN : n;
}

static void
start_response(struct conn *c)
{
	c->busy = true;
	c->sent = 0;
	c->psent = 0;
}

/* Takes the next complete request out of the input, if there is one. */
static bool
next_request(struct conn *c)
{
	struct http_req	 req;
	enum http_status st;
	size_t		 k;

	if (c->skip > 0) {
		k = c->skip < c->in_len ? (size_t)c->skip : c->in_len;
		c->in_off += k;
		c->in_len -= k;
		c->skip -= k;
		if (c->skip > 0)
			return false;
	}
	if (c->in_len == 0)
		return false;
	st = http_parse(c->in + c->in_off, c->in_len, &req);
	if (st == HTTP_PARTIAL)
		return false;
	if (c->refuse) {
		/* Answered only now that the request is read: closing with
		 * it unread would reset the connection, 503 and all. */
		response_busy(&c->res);
		c->in_len = 0;
	} else if (st == HTTP_OK) {
		response_for(&req, &c->res);
		c->in_off += req.head_len;
		c->in_len -= req.head_len;
		c->skip = req.content_length;
	} else {
		response_error(st, &c->res);
		c->in_len = 0;
	}
	start_response(c);
	return true;
}

/* Runs a connection until it blocks, closes or uses its turn. */
static void
conn_run(struct conn *c, uint64_t now)
{
	long	 n, budget = TURN_BYTES;

	c->turn = turn;
	c->again = false;
	for (;;) {
		if (c->busy) {
			n = send_step(c);
			if (n == UK_EAGAIN) {
				uk_watch(c->h, UK_EV_WRITE);
				return;
			}
			if (n < 0) {
				conn_close(c);	/* the client went away */
				return;
			}
			if (n == 0) {
				c->busy = false;
				if (c->res.close) {
					conn_close(c);
					return;
				}
			}
		} else if (!next_request(c)) {
			if (c->in_off > 0) {
				/* Move a partial head to the front. */
				for (n = 0; n < (long)c->in_len; n++)
					c->in[n] = c->in[c->in_off + (size_t)n];
				c->in_off = 0;
			}
			n = uk_read(c->h, c->in + c->in_len,
			    HTTP_HEAD_MAX - c->in_len);
			if (n == UK_EAGAIN) {
				uk_watch(c->h, UK_EV_READ);
				return;
			}
			if (n <= 0) {
				conn_close(c);
				return;
			}
			c->in_len += (size_t)n;
		} else
			continue;
		c->deadline = now + (c->refuse ? REFUSE_NS : idle_ns);
		if ((budget -= n) <= 0) {
			c->again = true;
			return;
		}
	}
}

static struct conn *
conn_of(int h)
{
	int	 i;

	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].h == h)
			return &conns[i];
	return NULL;
}

/* A free slot: a served one, else a spare one to refuse from. */
static struct conn *
free_slot(void)
{
	int	 i;

	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].h < 0)
			return &conns[i];
	return NULL;
}

static void
accept_some(uint64_t now)
{
	struct conn	*c;
	int		 h, i;

	for (i = 0; i < ACCEPTS_PER_TURN; i++) {
		if ((c = free_slot()) == NULL) {
			/* Even the spares are busy: leave the rest in the
			 * backlog until a slot frees. */
			listener_paused = true;
			uk_watch(listener, 0);
			return;
		}
		if ((h = uk_accept(listener)) < 0) {
			if (h != UK_EAGAIN) {
				/* Out of descriptors: the same. */
				uk_printf("hello: accept: error %d\n", h);
				listener_paused = true;
				uk_watch(listener, 0);
			}
			return;
		}
		uk_memset(c, 0, sizeof(*c));
		c->h = h;
		c->refuse = c - conns >= SERVED;
		c->in = inbufs[c - conns];
		c->deadline = now + (c->refuse ? REFUSE_NS : idle_ns);
		/* The request is often there already: read before waiting. */
		conn_run(c, now);
	}
}

static int
words(int argc, char **argv, unsigned long *port)
{
	unsigned long	 v;
	char		*end;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (uk_strncmp(argv[i], "port=", 5) == 0) {
			*port = uk_strtoul(argv[i] + 5, &end, 10);
			if (*end != '\0' || *port == 0 || *port > 65535)
				goto bad;
		} else if (uk_strncmp(argv[i], "idle=", 5) == 0) {
			v = uk_strtoul(argv[i] + 5, &end, 10);
			if (*end != '\0' || v == 0 || v > 86400)
				goto bad;
			idle_ns = (uint64_t)v * 1000000000ULL;
		} else
			uk_printf("hello: ignoring unknown word %s\n", argv[i]);
	}
	return 0;
bad:
	uk_printf("hello: bad %s\n", argv[i]);
	return -1;
}

int
uk_main(int argc, char **argv)
{
	struct uk_event	 ev[MAX_CONNS + 1];
	struct conn	*c;
	unsigned long	 port = 80;
	uint64_t	 deadline, now;
	int		 i, n;

	if (words(argc, argv, &port) != 0)
		return 2;
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].h = -1;
	if ((listener = uk_listen((uint16_t)port)) < 0) {
		uk_printf("hello: cannot listen on port %lu: error %d\n", port,
		    listener);
		return 1;
	}
	uk_watch(listener, UK_EV_READ);
	uk_printf("hello: serving HTTP on port %lu\n", port);
	for (;;) {
		deadline = UINT64_MAX;
		for (i = 0; i < MAX_CONNS; i++)
			if (conns[i].h >= 0)
				deadline = conns[i].again ? 0 :
				    conns[i].deadline < deadline ?
				    conns[i].deadline : deadline;
		if ((n = uk_wait(deadline, ev, MAX_CONNS + 1)) < 0) {
			uk_printf("hello: wait: error %d\n", n);
			return 1;
		}
		now = uk_clock_ns();
		turn++;
		for (i = 0; i < n; i++) {
			if (ev[i].handle == listener)
				accept_some(now);
			else if ((c = conn_of(ev[i].handle)) != NULL &&
			    c->turn != turn)
				conn_run(c, now);
		}
		for (i = 0; i < MAX_CONNS; i++) {
			c = &conns[i];
			if (c->h < 0)
				continue;
			if (c->again && c->turn != turn)
				conn_run(c, now);
			else if (c->deadline <= now)
				conn_close(c);
		}
	}
}
