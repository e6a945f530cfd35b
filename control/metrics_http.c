/* control/metrics_http.c - see metrics_http.h. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/values.h"
#include "control/metrics_http.h"
#include "core/log.h"
#include "net/net.h"

/* A scraper needs one connection; a few spare slots cover overlapping
 * scrapes and a curl by hand. Over the cap a connection is closed at
 * once rather than left in the backlog, where the level-triggered
 * listener would wake the loop for it again and again. */
#define MX_CLIENTS_MAX	16
#define MX_REQ_MAX	4096
#define MX_BACKLOG	64

struct mx_client {
	struct metrics_server	*srv;
	struct mx_client	*prev, *next;
	int			 fd;
	uint64_t		 active;	/* ns, accept or last read */
	char			 req[MX_REQ_MAX];
	size_t			 reqlen;
	char			*out;		/* NULL while reading */
	size_t			 outlen, outoff;
	bool			 draining;	/* reply sent, waiting for EOF */
	struct timer		 deadline;
};

struct metrics_server {
	struct loop		*loop;
	struct dns_server	*dns;
	struct svc_manager	*svcs;
	int			 fd;
	char			 addr[64];	/* as configured; "" = off */
	struct mx_client	*clients;
	int			 nclients;
	uint64_t		 deadline_ns;	/* metrics_idle */
};

void
metrics_collect(struct dns_server *dns, struct svc_manager *m,
    struct metrics_view *v, struct metrics_svc *out)
{
	struct service *s;
	int i, n = svc_count(m);

	memset(v, 0, sizeof(*v));
	v->dns = dns != NULL ? dns_server_counters(dns) : NULL;
	v->mgr = svc_counters(m);
	for (i = 0; i < n; i++) {
		s = svc_get(m, i);
		v->by_state[s->state < SVC_NSTATES ? s->state : 0]++;
		out[i].name = s->name;
		out[i].backend = s->ops != NULL ? s->ops->name : "none";
		out[i].starts = s->nstarts;
		out[i].stops = s->nstops;
		out[i].failures = s->nfailures;
		out[i].held = s->ops != NULL && s->ops->held != NULL ?
		    s->ops->held(s) : -1;
		out[i].memory = 0;
		if (s->ops != NULL && s->ops->memory != NULL &&
		    s->state != SVC_STOPPED && s->state != SVC_FAILED)
			out[i].memory = s->ops->memory(s);
	}
	v->svcs = out;
	v->nsvcs = n;
	v->hists = metrics_boot_hists(&v->nhists);
}

int
metrics_http_status(const char *req, size_t len, bool *head)
{
	const char *end, *sp1, *sp2;

	*head = false;
	if ((end = memchr(req, '\n', len)) == NULL)
		return 400;
	if (end > req && end[-1] == '\r')
		end--;
	if ((sp1 = memchr(req, ' ', (size_t)(end - req))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL ||
	    (size_t)(end - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return 400;
	if (sp1 - req == 4 && memcmp(req, "HEAD", 4) == 0)
		*head = true;
	else if (sp1 - req != 3 || memcmp(req, "GET", 3) != 0)
		return 405;
	/* A query string is ignored: Prometheus may add one. */
	if (sp2 - sp1 - 1 < 8 || memcmp(sp1 + 1, "/metrics", 8) != 0 ||
	    (sp2 - sp1 - 1 > 8 && sp1[9] != '?'))
		return 404;
	return 200;
}

static void
client_close(struct mx_client *c)
{
	struct metrics_server *srv = c->srv;

	loop_timer_del(srv->loop, &c->deadline);
	loop_del(srv->loop, c->fd);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nclients--;
	free(c->out);
	free(c);
}

static void
deadline_expired(struct loop *l, struct timer *t, void *arg)
{
	(void)l;
	(void)t;
	client_close(arg);
}

static char *
render_page(struct metrics_server *srv, size_t *len)
{
	struct metrics_view v;
	struct metrics_svc *svcs;
	char *page = NULL;
	ssize_t n;

	if ((svcs = calloc((size_t)svc_count(srv->svcs) + 1,
	    sizeof(*svcs))) == NULL)
		return NULL;
	metrics_collect(srv->dns, srv->svcs, &v, svcs);
	n = metrics_render(&v, &page);
	free(svcs);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return page;
}

/* Build the whole reply (status line, headers, body) in c->out. */
static int
respond(struct mx_client *c, int status)
{
	static const char ctype_text[] = "text/plain; charset=utf-8";
	static const char ctype_prom[] = "text/plain; version=0.0.4; charset=utf-8";
	const char *reason, *body = NULL, *extra = "";
	char *page = NULL, head[256];
	size_t blen = 0;
	bool is_head = false;
	int hlen;

	if (status == 0)
		status = metrics_http_status(c->req, c->reqlen, &is_head);
	if (status == 200 && (page = render_page(c->srv, &blen)) == NULL) {
		log_warnx("metrics: out of memory rendering the page");
		status = 500;
	}
	switch (status) {
	case 200: reason = "OK"; body = page; break;
	case 404: reason = "Not Found"; body = "not found: try /metrics\n"; break;
	case 405:
		reason = "Method Not Allowed";
		body = "only GET and HEAD\n";
		extra = "Allow: GET, HEAD\r\n";
		break;
	case 431: reason = "Request Header Fields Too Large";
		body = "request too large\n"; break;
	case 500: reason = "Internal Server Error"; body = "out of memory\n"; break;
	default: status = 400; reason = "Bad Request"; body = "bad request\n";
	}
	if (status != 200)
		blen = strlen(body);
	hlen = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s"
	    "\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
	    reason, status == 200 ? ctype_prom : ctype_text, blen, extra);
	if (is_head)
		blen = 0;
	if ((c->out = malloc((size_t)hlen + blen)) == NULL) {
		free(page);
		return -ENOMEM;
	}
	memcpy(c->out, head, (size_t)hlen);
	memcpy(c->out + hlen, body, blen);
	c->outlen = (size_t)hlen + blen;
	c->outoff = 0;
	free(page);
	return 0;
}

/* 1: all sent, 0: the socket is full, -1: the client is gone. */
static int
flush(struct mx_client *c)
{
	ssize_t w;

	while (c->outoff < c->outlen) {
		w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->outoff += (size_t)w;
	}
	return 1;
}

/*
 * After the reply, half-close and read until the client closes: closing
 * with unread request bytes in the socket would send a reset that can
 * destroy the reply before the client has read it.
 */
static void
finish(struct mx_client *c)
{
	int r = flush(c);

	if (r < 0) {
		client_close(c);
		return;
	}
	if (r == 0) {
		loop_mod(c->srv->loop, c->fd, EPOLLOUT);
		return;
	}
	shutdown(c->fd, SHUT_WR);
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	c->draining = true;
	loop_mod(c->srv->loop, c->fd, EPOLLIN);
}

static bool
request_complete(const struct mx_client *c)
{
	return memmem(c->req, c->reqlen, "\r\n\r\n", 4) != NULL ||
	    memmem(c->req, c->reqlen, "\n\n", 2) != NULL;
}

static void
client_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct mx_client *c = arg;
	char sink[4096];
	ssize_t n;

	if (c->out != NULL) {
		if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			finish(c);
		return;
	}
	if (c->draining) {
		n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(c);
		return;
	}
	c->active = loop_now(l);
	n = recv(fd, c->req + c->reqlen, sizeof(c->req) - c->reqlen,
	    MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_close(c);
		return;
	}
	if (n < 0)
		return;
	c->reqlen += (size_t)n;
	if (request_complete(c)) {
		if (respond(c, 0) < 0) {
			client_close(c);
			return;
		}
	} else if (c->reqlen == sizeof(c->req)) {
		if (respond(c, 431) < 0) {
			client_close(c);
			return;
		}
	} else
		return;
	finish(c);
}

/* Full: the client that has gone longest without sending makes room, so
 * idle holders cannot lock the scraper out until their deadline. */
static void
evict_oldest(struct metrics_server *srv)
{
	struct mx_client *c, *old = srv->clients;

	for (c = srv->clients; c != NULL; c = c->next)
		if (c->active < old->active)
			old = c;
	if (old != NULL)
		client_close(old);
}

static void
accept_ready(struct loop *l, int lfd, uint32_t ev, void *arg)
{
	struct metrics_server *srv = arg;
	struct mx_client *c;
	int fd, i;

	(void)ev;
	/* Bounded per wake-up, so a connection flood cannot starve DNS. */
	for (i = 0; i < 16; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				log_warn("metrics: accept");
			return;
		}
		if (srv->nclients >= MX_CLIENTS_MAX)
			evict_oldest(srv);
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		if (loop_add(l, fd, EPOLLIN, client_io, c) < 0) {
			close(fd);
			free(c);
			continue;
		}
		timer_init(&c->deadline, deadline_expired, c);
		loop_timer_add(l, &c->deadline, srv->deadline_ns);
		c->active = loop_now(l);
		c->next = srv->clients;
		if (c->next != NULL)
			c->next->prev = c;
		srv->clients = c;
		srv->nclients++;
	}
}

struct metrics_server *
metrics_server_new(struct loop *l, struct dns_server *dns,
    struct svc_manager *m)
{
	struct metrics_server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->loop = l;
	srv->dns = dns;
	srv->svcs = m;
	srv->fd = -1;
	srv->deadline_ns = 10 * NSEC_PER_SEC;
	return srv;
}

static void
close_listener(struct metrics_server *srv)
{
	if (srv->fd == -1)
		return;
	loop_del(srv->loop, srv->fd);
	close(srv->fd);
	srv->fd = -1;
	srv->addr[0] = '\0';
}

int
metrics_server_listen(struct metrics_server *srv, const struct cfg_addr *a,
    char *why, size_t whylen)
{
	char name[64];
	int fd, r;

	if (a->family == 0) {
		close_listener(srv);
		return 0;
	}
	cfg_addr_format(a, name, sizeof(name));
	if (srv->fd != -1 && strcmp(name, srv->addr) == 0)
		return 0;
	if ((fd = net_listen(a, a->port, IPPROTO_TCP, MX_BACKLOG)) < 0) {
		snprintf(why, whylen, "metrics = %s: %s", name, strerror(-fd));
		return fd;
	}
	r = fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ? -errno :
	    loop_add(srv->loop, fd, EPOLLIN, accept_ready, srv);
	if (r < 0) {
		snprintf(why, whylen, "metrics = %s: %s", name, strerror(-r));
		close(fd);
		return r;
	}
	close_listener(srv);
	srv->fd = fd;
	snprintf(srv->addr, sizeof(srv->addr), "%s", name);
	log_info("metrics at http://%s/metrics", name);
	return 0;
}

void
metrics_server_set_idle(struct metrics_server *srv, uint64_t ms)
{
	srv->deadline_ns = ms * NSEC_PER_MSEC;
}

void
metrics_server_free(struct metrics_server *srv)
{
	if (srv == NULL)
		return;
	while (srv->clients != NULL)
		client_close(srv->clients);
	close_listener(srv);
	free(srv);
}
