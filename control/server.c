/* control/server.c - see server.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/proto.h"
#include "control/server.h"
#include "core/log.h"

#define CTL_CLIENTS_MAX	32
#define CTL_OUT_MAX	(64u << 20)	/* replies queued per client */

struct ctl_client {
	struct ctl_server	*srv;
	struct ctl_client	*prev, *next;
	int			 fd;
	uint8_t			*out;		/* [u32 len][packet]... */
	size_t			 outlen, outoff, outcap;
	uint64_t		 active;	/* ns, accept or last request */
	struct timer		 idle;
};

struct ctl_server {
	struct loop		*loop;
	struct svc_manager	*svcs;
	ctl_reload_fn		 reload;
	void			*arg;
	int			 fd;
	char			*path;
	struct ctl_client	*clients;
	int			 nclients;
	uint64_t		 idle_ns;
};

static void client_close(struct ctl_client *);

static int
queue_packet(struct ctl_client *c, enum ctl_type t, int32_t status,
    const char *payload, size_t len)
{
	uint8_t pkt[CTL_MAX_MSG];
	int n;
	uint32_t l;

	if ((n = ctl_pack(pkt, t, status, payload, len)) < 0)
		return n;
	if (c->outlen + 4 + (size_t)n > CTL_OUT_MAX)
		return -ENOBUFS;
	if (c->outlen + 4 + (size_t)n > c->outcap) {
		size_t cap = c->outcap ? c->outcap * 2 : 65536;
		while (cap < c->outlen + 4 + (size_t)n)
			cap *= 2;
		uint8_t *o = realloc(c->out, cap);
		if (o == NULL)
			return -ENOMEM;
		c->out = o;
		c->outcap = cap;
	}
	l = (uint32_t)n;
	memcpy(c->out + c->outlen, &l, 4);
	memcpy(c->out + c->outlen + 4, pkt, (size_t)n);
	c->outlen += 4 + (size_t)n;
	return 0;
}

/* Send queued packets until the socket is full; 1 when all went. */
static int
flush(struct ctl_client *c)
{
	while (c->outoff < c->outlen) {
		uint32_t l;
		memcpy(&l, c->out + c->outoff, 4);
		ssize_t w = send(c->fd, c->out + c->outoff + 4, l,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0)
			return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
		c->outoff += 4 + l;
	}
	c->outoff = c->outlen = 0;
	return 1;
}

static int
end(struct ctl_client *c, int status, const char *msg)
{
	return queue_packet(c, CTL_END, status, msg, msg ? strlen(msg) : 0);
}

static void
handle(struct ctl_client *c, const struct ctl_hdr *h, const char *p)
{
	struct ctl_server *srv = c->srv;
	char name[CTL_NAME_MAX + 1], rec[CTL_MAX_MSG - sizeof(struct ctl_hdr)];
	char msg[512];
	struct service *s;
	size_t len;
	int r;

	if (h->type == CTL_LIST) {
		for (int i = 0; i < svc_count(srv->svcs); i++) {
			len = 0;
			svc_describe(svc_get(srv->svcs, i), rec, sizeof(rec),
			    &len, false);
			if (queue_packet(c, CTL_RECORD, 0, rec, len) < 0) {
				end(c, -ENOBUFS, "reply too large");
				return;
			}
		}
		end(c, 0, NULL);
		return;
	}
	if (h->type == CTL_RELOAD) {
		msg[0] = '\0';
		r = srv->reload(srv->arg, msg, sizeof(msg));
		end(c, r, msg[0] ? msg : NULL);
		return;
	}
	if (!ctl_name_ok(p, h->len)) {
		end(c, -EINVAL, "a service name is needed");
		return;
	}
	memcpy(name, p, h->len);
	name[h->len] = '\0';
	if ((s = svc_find(srv->svcs, name)) == NULL) {
		snprintf(msg, sizeof(msg), "no service named \"%s\"", name);
		end(c, -ENOENT, msg);
		return;
	}
	switch (h->type) {
	case CTL_STATUS:
		len = 0;
		svc_describe(s, rec, sizeof(rec), &len, true);
		queue_packet(c, CTL_RECORD, 0, rec, len);
		r = 0;
		break;
	case CTL_START:
		r = svc_start(s);
		break;
	case CTL_STOP:
		r = svc_stop(s);
		break;
	case CTL_SUSPEND:
		r = svc_suspend(s);
		break;
	case CTL_RESUME:
		r = svc_resume(s);
		break;
	default:
		r = -EOPNOTSUPP;
	}
	if (r < 0)
		snprintf(msg, sizeof(msg), "%s %s: %s (state %s)",
		    ctl_type_name(h->type), name, r == -EALREADY ?
		    "already done" : r == -EBUSY ? "not possible now" :
		    strerror(-r), svc_state_name(s->state));
	else
		snprintf(msg, sizeof(msg), "%s: %s", name,
		    svc_state_name(s->state));
	log_info("control: %s %s: %s", ctl_type_name(h->type), name,
	    r < 0 ? strerror(-r) : "ok");
	end(c, r, msg);
}

static void
client_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct ctl_client *c = arg;
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_hdr h;
	const char *p;
	ssize_t n;

	if (ev & EPOLLOUT) {
		int f = flush(c);
		if (f < 0) {
			client_close(c);
			return;
		}
		if (f == 1)
			loop_mod(l, fd, EPOLLIN);
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_close(c);
		return;
	}
	if (n < 0)
		return;
	if ((size_t)n > CTL_MAX_MSG || ctl_unpack(buf, (size_t)n, &h, &p) < 0 ||
	    h.type >= CTL_NREQUESTS) {
		log_warnx("control: malformed request (%zd bytes): closing", n);
		client_close(c);
		return;
	}
	c->active = loop_now(l);
	loop_timer_add(l, &c->idle, c->srv->idle_ns);
	handle(c, &h, p);
	if (flush(c) == 0)
		loop_mod(l, fd, EPOLLIN | EPOLLOUT);
}

static void
client_close(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;

	loop_timer_del(srv->loop, &c->idle);
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

/* jitsuctl asks and goes: a client silent for control_idle is holding a
 * slot the operator may need. */
static void
idle_expired(struct loop *l, struct timer *t, void *arg)
{
	(void)l;
	(void)t;
	client_close(arg);
}

/* Full: the client that has gone longest without a request makes room,
 * so idle holders cannot lock the operator out before control_idle. */
static void
evict_oldest(struct ctl_server *srv)
{
	struct ctl_client *c, *old = srv->clients;

	for (c = srv->clients; c != NULL; c = c->next)
		if (c->active < old->active)
			old = c;
	if (old == NULL)
		return;
	log_info("control: all %d slots taken; closing the client idle "
	    "longest", CTL_CLIENTS_MAX);
	client_close(old);
}

/*
 * The peer's supplementary groups as the kernel took them at connect
 * (SO_PEERGROUPS): the credentials the socket file's 0660 was checked
 * against, with no name-service lookup in the event loop and no race on
 * a pid that may have gone. 1 when gid is among them.
 */
static int
peer_in_group(int fd, gid_t gid)
{
	gid_t small[64], *g = small;
	socklen_t sl = sizeof(small);
	int in = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &sl) == -1) {
		/* ERANGE: sl now says how much it needs. */
		if (errno != ERANGE || (g = malloc(sl)) == NULL)
			return 0;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &sl) == -1) {
			free(g);
			return 0;
		}
	}
	for (size_t i = 0; i < sl / sizeof(gid_t); i++)
		if (g[i] == gid)
			in = 1;
	if (g != small)
		free(g);
	return in;
}

/*
 * Root, or a member of the group that owns the socket file (mode 0660)
 * by its primary group or a supplementary one: exactly who may open it.
 */
static int
peer_allowed(struct ctl_server *srv, int fd)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);
	struct stat st;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == -1)
		return 0;
	if (cr.uid == 0)
		return 1;
	if (stat(srv->path, &st) == -1)
		return 0;
	return cr.gid == st.st_gid || peer_in_group(fd, st.st_gid);
}

static void
accept_ready(struct loop *l, int lfd, uint32_t ev, void *arg)
{
	struct ctl_server *srv = arg;
	struct ctl_client *c;
	int fd;

	(void)ev;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) == -1)
		return;
	if (!peer_allowed(srv, fd)) {
		log_warnx("control: connection refused (not root or the "
		    "socket's group)");
		close(fd);
		return;
	}
	if (srv->nclients >= CTL_CLIENTS_MAX)
		evict_oldest(srv);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	if (loop_add(l, fd, EPOLLIN, client_io, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->active = loop_now(l);
	timer_init(&c->idle, idle_expired, c);
	loop_timer_add(l, &c->idle, srv->idle_ns);
	c->next = srv->clients;
	if (c->next != NULL)
		c->next->prev = c;
	srv->clients = c;
	srv->nclients++;
}

void
ctl_server_set_idle(struct ctl_server *srv, uint64_t ms)
{
	srv->idle_ns = ms * NSEC_PER_MSEC;
}

struct ctl_server *
ctl_server_new(struct loop *l, struct svc_manager *m, ctl_reload_fn reload,
    void *arg)
{
	struct ctl_server *srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->loop = l;
	srv->svcs = m;
	srv->reload = reload;
	srv->arg = arg;
	srv->fd = -1;
	srv->idle_ns = 60 * NSEC_PER_SEC;
	return srv;
}

static int
mkdir_parent(const char *path)
{
	char *dup = strdup(path), *d, *p;
	int r = 0;

	if (dup == NULL)
		return -ENOMEM;
	d = dirname(dup);
	for (p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) == -1 && errno != EEXIST)
			r = -errno;
		*p = '/';
	}
	if (mkdir(d, 0755) == -1 && errno != EEXIST)
		r = -errno;
	free(dup);
	return r;
}

int
ctl_server_listen(struct ctl_server *srv, const char *path, char *why,
    size_t whylen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r;

	if (srv->path != NULL && strcmp(srv->path, path) == 0)
		return 0;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(why, whylen, "control = %s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	if ((r = mkdir_parent(path)) < 0) {
		snprintf(why, whylen, "control = %s: %s", path, strerror(-r));
		return r;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		snprintf(why, whylen, "control socket: %s", strerror(errno));
		return -errno;
	}
	/* A socket file left by a jitsud that died is replaced; a live
	 * jitsud on the same path would lose its socket, as with most
	 * daemons' control sockets. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 || listen(fd, 16) == -1 ||
	    loop_add(srv->loop, fd, EPOLLIN, accept_ready, srv) < 0) {
		r = -errno;
		snprintf(why, whylen, "control = %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	if (srv->fd != -1) {
		loop_del(srv->loop, srv->fd);
		close(srv->fd);
		unlink(srv->path);
	}
	free(srv->path);
	srv->path = strdup(path);
	srv->fd = fd;
	return 0;
}

void
ctl_server_free(struct ctl_server *srv)
{
	if (srv == NULL)
		return;
	while (srv->clients != NULL)
		client_close(srv->clients);
	if (srv->fd != -1) {
		loop_del(srv->loop, srv->fd);
		close(srv->fd);
		unlink(srv->path);
	}
	free(srv->path);
	free(srv);
}
