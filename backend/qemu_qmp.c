/*
 * backend/qemu_qmp.c - the QEMU Machine Protocol, as much as jitsud
 * needs: tell a greeting, a return, an error and an event apart, and
 * send commands without ever blocking the event loop. QMP is JSON
 * objects, one per line from QEMU; the scanner below reads the top-level
 * keys and the few string values jitsud uses and skips everything else
 * (RFC 8259 grammar, nesting bounded). See qemu.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backend/qemu.h"
#include "core/log.h"

#define JSON_DEPTH_MAX	32

struct scan {
	const char	*p, *end;
};

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

static bool
eat(struct scan *s, char c)
{
	ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* A string; its text (escapes decoded, anything outside ASCII as '?')
 * into out if not NULL, cut to cap. */
static int
string(struct scan *s, char *out, size_t cap)
{
	size_t n = 0;
	char c;
	int i;

	if (!eat(s, '"'))
		return -EINVAL;
	while (s->p < s->end && *s->p != '"') {
		c = *s->p++;
		if ((unsigned char)c < 0x20)
			return -EINVAL;
		if (c == '\\') {
			if (s->p >= s->end)
				return -EINVAL;
			switch (c = *s->p++) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '"': case '\\': case '/': break;
			case 'u':
				for (i = 0; i < 4; i++, s->p++)
					if (s->p >= s->end || !strchr(
					    "0123456789abcdefABCDEF", *s->p))
						return -EINVAL;
				c = '?';
				break;
			default:
				return -EINVAL;
			}
		} else if ((unsigned char)c >= 0x80)
			c = '?';
		if (out != NULL && n + 1 < cap)
			out[n++] = c;
	}
	if (out != NULL && cap > 0)
		out[n] = '\0';
	return eat(s, '"') ? 0 : -EINVAL;
}

static int value(struct scan *, int depth);

/* An object's members, key by key: each call of fn gets the key and
 * must consume the value. */
static int
members(struct scan *s, int depth,
    int (*fn)(struct scan *, const char *key, int depth, void *), void *arg)
{
	char key[32];
	int r;

	if (!eat(s, '{'))
		return -EINVAL;
	if (eat(s, '}'))
		return 0;
	do {
		if ((r = string(s, key, sizeof(key))) < 0 || !eat(s, ':'))
			return -EINVAL;
		if ((r = fn(s, key, depth + 1, arg)) < 0)
			return r;
	} while (eat(s, ','));
	return eat(s, '}') ? 0 : -EINVAL;
}

static int
skip_member(struct scan *s, const char *key, int depth, void *arg)
{
	(void)key;
	(void)arg;
	return value(s, depth);
}

static int
value(struct scan *s, int depth)
{
	const char *start;

	if (depth > JSON_DEPTH_MAX)
		return -EINVAL;
	ws(s);
	if (s->p >= s->end)
		return -EINVAL;
	switch (*s->p) {
	case '"':
		return string(s, NULL, 0);
	case '{':
		return members(s, depth, skip_member, NULL);
	case '[':
		s->p++;
		if (eat(s, ']'))
			return 0;
		do {
			if (value(s, depth + 1) < 0)
				return -EINVAL;
		} while (eat(s, ','));
		return eat(s, ']') ? 0 : -EINVAL;
	}
	/* A number or true/false/null: a run of their characters. */
	for (start = s->p; s->p < s->end &&
	    strchr("0123456789+-.eEtruefalsn", *s->p) != NULL; s->p++)
		;
	return s->p > start ? 0 : -EINVAL;
}

static int
error_member(struct scan *s, const char *key, int depth, void *arg)
{
	struct qmp_msg *m = arg;

	if (strcmp(key, "class") == 0)
		return string(s, m->name, sizeof(m->name));
	if (strcmp(key, "desc") == 0)
		return string(s, m->desc, sizeof(m->desc));
	return value(s, depth);
}

struct top {
	struct qmp_msg	*m;
	bool		 known;
};

/* query-status returns {"status": ..., "running": true|false, ...}. */
static int
return_member(struct scan *s, const char *key, int depth, void *arg)
{
	struct qmp_msg *m = arg;
	size_t n;

	if (strcmp(key, "running") != 0)
		return value(s, depth);
	ws(s);
	n = (size_t)(s->end - s->p);
	if (n >= 4 && memcmp(s->p, "true", 4) == 0)
		m->running = 1;
	else if (n >= 5 && memcmp(s->p, "false", 5) == 0)
		m->running = 0;
	return value(s, depth);
}

static int
top_member(struct scan *s, const char *key, int depth, void *arg)
{
	struct top *t = arg;

	if (strcmp(key, "QMP") == 0) {
		t->m->kind = QMP_GREETING;
		t->known = true;
	} else if (strcmp(key, "return") == 0) {
		t->m->kind = QMP_RETURN;
		t->known = true;
		ws(s);
		if (s->p < s->end && *s->p == '{')
			return members(s, depth, return_member, t->m);
	} else if (strcmp(key, "error") == 0) {
		t->m->kind = QMP_ERROR;
		t->known = true;
		return members(s, depth, error_member, t->m);
	} else if (strcmp(key, "event") == 0) {
		t->m->kind = QMP_EVENT;
		t->known = true;
		return string(s, t->m->name, sizeof(t->m->name));
	}
	return value(s, depth);
}

int
qmp_parse(const char *line, size_t len, struct qmp_msg *m)
{
	struct scan s = { line, line + len };
	struct top t = { m, false };

	memset(m, 0, sizeof(*m));
	m->running = -1;
	if (members(&s, 0, top_member, &t) < 0)
		return -EINVAL;
	ws(&s);
	return t.known && s.p == s.end ? 0 : -EINVAL;
}

/* --- the client --- */

static void
flush(struct qmp *q)
{
	ssize_t n;

	while (q->outlen > 0) {
		n = send(q->fd, q->out, q->outlen, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n <= 0)
			break;
		memmove(q->out, q->out + n, q->outlen - (size_t)n);
		q->outlen -= (size_t)n;
	}
	loop_mod(q->loop, q->fd, EPOLLIN | (q->outlen ? EPOLLOUT : 0));
}

static void
dispatch_line(struct qmp *q, const char *line, size_t len)
{
	struct qmp_msg m;
	const char *cmd = NULL;

	if (qmp_parse(line, len, &m) < 0) {
		log_debug("qmp: unparsed message: %.*s", (int)len, line);
		return;
	}
	if (m.kind == QMP_GREETING) {
		q->greeted = true;
		return;
	}
	if (m.kind == QMP_RETURN || m.kind == QMP_ERROR) {
		if (q->npending == 0)
			return;
		cmd = q->pending[0];
		memmove(q->pending, q->pending + 1,
		    (size_t)--q->npending * sizeof(q->pending[0]));
		if (strcmp(cmd, "qmp_capabilities") == 0 && m.kind == QMP_RETURN)
			return;
	}
	if (q->fn != NULL)
		q->fn(q, &m, cmd, q->arg);
}

static void
readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct qmp *q = arg;
	char *nl;
	size_t off;
	ssize_t n;

	(void)l;
	(void)fd;
	if (ev & EPOLLOUT)
		flush(q);
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(q->fd, q->in + q->inlen, sizeof(q->in) - q->inlen,
	    MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		qmp_close(q);	/* QEMU is gone; its pidfd says how */
		return;
	}
	if (n < 0)
		return;
	q->inlen += (size_t)n;
	for (off = 0; (nl = memchr(q->in + off, '\n', q->inlen - off)) != NULL;
	    off = (size_t)(nl - q->in) + 1) {
		dispatch_line(q, q->in + off, (size_t)(nl - q->in) - off);
		if (q->fd == -1)
			return;		/* closed by the callback */
	}
	memmove(q->in, q->in + off, q->inlen - off);
	q->inlen -= off;
	if (q->inlen == sizeof(q->in)) {
		log_warnx("qmp: message over %zu bytes dropped", sizeof(q->in));
		q->inlen = 0;
	}
}

int
qmp_attach(struct qmp *q, struct loop *l, int fd, qmp_fn fn, void *arg)
{
	int r;

	memset(q, 0, sizeof(*q));
	q->loop = l;
	q->fd = fd;
	q->fn = fn;
	q->arg = arg;
	if ((r = loop_add(l, fd, EPOLLIN, readable, q)) < 0) {
		q->fd = -1;
		return r;
	}
	return 0;
}

int
qmp_open(struct qmp *q, struct loop *l, int fd, qmp_fn fn, void *arg)
{
	int r;

	if ((r = qmp_attach(q, l, fd, fn, arg)) < 0)
		return r;
	/* QEMU reads it after sending its greeting; nothing else is
	 * accepted before it, and it needs no answer from us first. */
	return qmp_send(q, "qmp_capabilities");
}

/* The next message on fd, one line taken at a time (peeked first, so
 * nothing after it leaves the socket), before the deadline. */
static int
sync_line(int fd, struct timespec *deadline, struct qmp_msg *m)
{
	char buf[8192], *nl;
	struct timespec now;
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	ssize_t n;
	long ms;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n > 0 && (nl = memchr(buf, '\n', (size_t)n)) != NULL) {
			n = recv(fd, buf, (size_t)(nl - buf) + 1, MSG_DONTWAIT);
			if (n <= 0)
				return n == 0 ? -ECONNRESET : -errno;
			if (qmp_parse(buf, (size_t)n - 1, m) == 0)
				return 0;
			continue;
		}
		if (n == (ssize_t)sizeof(buf))
			return -EMSGSIZE;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (deadline->tv_sec - now.tv_sec) * 1000 +
		    (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return -ETIMEDOUT;
		/* A partial line keeps POLLIN set: sleep a moment instead. */
		if (poll(n > 0 ? NULL : &pf, n > 0 ? 0 : 1, n > 0 ? 1 : (int)ms)
		    == -1 && errno != EINTR)
			return -errno;
	}
}

int
qmp_status(int fd, int timeout_ms, bool *running)
{
	static const char req[] = "{\"execute\": \"qmp_capabilities\"}\n"
	    "{\"execute\": \"query-status\"}\n";
	struct timespec deadline;
	struct qmp_msg m;
	int r, replies = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	do {
		if ((r = sync_line(fd, &deadline, &m)) < 0)
			return r;
	} while (m.kind != QMP_GREETING);
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != sizeof(req) - 1)
		return -errno;
	/* Events may come in between; replies come in order. */
	while (replies < 2) {
		if ((r = sync_line(fd, &deadline, &m)) < 0)
			return r;
		if (m.kind == QMP_ERROR)
			return -EPROTO;
		if (m.kind == QMP_RETURN)
			replies++;
	}
	if (m.running == -1)
		return -EPROTO;
	*running = m.running == 1;
	return 0;
}

int
qmp_send(struct qmp *q, const char *cmd)
{
	int n;

	if (q->fd == -1)
		return -ENOTCONN;
	if (q->npending == QMP_PENDING_MAX)
		return -ENOBUFS;
	n = snprintf(q->out + q->outlen, sizeof(q->out) - q->outlen,
	    "{\"execute\": \"%s\"}\n", cmd);
	if (n < 0 || (size_t)n >= sizeof(q->out) - q->outlen)
		return -ENOBUFS;
	q->outlen += (size_t)n;
	q->pending[q->npending++] = cmd;
	flush(q);
	return 0;
}

void
qmp_close(struct qmp *q)
{
	if (q->fd == -1)
		return;
	loop_del(q->loop, q->fd);
	close(q->fd);
	q->fd = -1;
	q->npending = 0;
	q->outlen = q->inlen = 0;
}
