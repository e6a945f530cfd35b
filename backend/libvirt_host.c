/*
 * backend/libvirt_host.c - the libvirt side of backend = libvirt: the only
 * file that calls libvirt. See libvirt.h for the thread layout.
 *
 * Per host, a worker thread owns the connection: it connects at once
 * (the first connection to a libvirtd takes ~4 s here), runs requests in
 * order, and on a lost connection (libvirt's close callback, fed by
 * keepalives on remote hosts) reconnects with back-off from 250 ms to
 * 10 s. While a host is unreachable, creates and starts fail at once so
 * placement can go elsewhere; stops wait in the queue for the host to
 * come back (a domain on a host we cannot reach may still run).
 *
 * libvirt's default event loop runs in one thread of its own: domain
 * lifecycle events, console streams (non-blocking, read as they become
 * readable) and keepalives. Its callbacks never block: they post a
 * message and return.
 *
 * Messages go to the loop through a mutex-protected list and an eventfd:
 * one write per message, one read drains them all.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#endif

#include "backend/libvirt.h"
#include "core/log.h"

#define BACKOFF_FIRST_MS	250
#define BACKOFF_MAX_MS		10000
#define DRAIN_MS		3000	/* at exit, for queued destroys */
#define CONSOLE_CLOSE_MS	2000	/* a destroy waits this for its console */

struct req {
	struct req	*next;
	enum lv_op	 op;
	char		 domain[96];
	char		*xml;
	void		*ctx;
	uint32_t	 tag;
};

struct lv_host {
	struct lv_host	*next;
	char		*name, *uri;
	pthread_t	 thr;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct req	*qhead, *qtail;	/* under mu */
	bool		 lost;		/* under mu: the connection broke */
	bool		 busy;		/* under mu: a request is running */
	bool		 reachable;	/* under mu: connected */
#ifdef HAVE_LIBVIRT
	virConnectPtr	 conn;		/* the worker's alone */
	int		 lifecycle;	/* callback id, or -1 */
#endif
};

struct msgnode {
	struct msgnode	*next;
	struct lv_msg	 m;
};

static struct {
	pthread_mutex_t	 mu;
	struct msgnode	*head, *tail;	/* under mu */
	int		 efd;
	lv_msg_fn	 fn;
	void		*arg;
	struct lv_host	*hosts;		/* loop thread only */
	bool		 started;
} side = { .mu = PTHREAD_MUTEX_INITIALIZER, .efd = -1 };

const char *
lv_host_name(const struct lv_host *h)
{
	return h->name;
}

/* Any thread. Copies m. A message that cannot be allocated is lost and
 * logged; the boot timeout covers a lost reply. */
static void
post(const struct lv_msg *m)
{
	struct msgnode *n;
	uint64_t one = 1;

	if ((n = malloc(sizeof(*n))) == NULL) {
		log_warnx("libvirt: out of memory; message dropped");
		return;
	}
	n->next = NULL;
	n->m = *m;
	pthread_mutex_lock(&side.mu);
	if (side.tail != NULL)
		side.tail->next = n;
	else
		side.head = n;
	side.tail = n;
	pthread_mutex_unlock(&side.mu);
	if (write(side.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("libvirt: eventfd");
}

/* The loop: hand every waiting message to the backend. */
static void
drain(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct msgnode *n, *next;
	uint64_t v;

	(void)l;
	(void)ev;
	(void)arg;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("libvirt: eventfd");
	pthread_mutex_lock(&side.mu);
	n = side.head;
	side.head = side.tail = NULL;
	pthread_mutex_unlock(&side.mu);
	for (; n != NULL; n = next) {
		next = n->next;
		side.fn(&n->m, side.arg);
		free(n);
	}
}

static void
msg_init(struct lv_msg *m, enum lv_msg_kind kind, struct lv_host *h)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->host = h;
}

#ifdef HAVE_LIBVIRT

/* The reply to r, failed until said otherwise. */
static void
reply_init(struct lv_msg *m, struct lv_host *h, const struct req *r)
{
	msg_init(m, LV_MSG_REPLY, h);
	m->op = r->op;
	m->ctx = r->ctx;
	m->tag = r->tag;
	m->result = -1;
	snprintf(m->domain, sizeof(m->domain), "%s", r->domain);
}

static void
quiet(void *arg, virErrorPtr e)
{
	(void)arg;
	(void)e;
}

static void *
event_thread(void *arg)
{
	(void)arg;
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			usleep(10000);
	return NULL;
}

/* --- callbacks, in libvirt's event thread --- */

static void
close_cb(virConnectPtr c, int reason, void *opaque)
{
	struct lv_host *h = opaque;

	(void)c;
	(void)reason;
	pthread_mutex_lock(&h->mu);
	h->lost = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static int
lifecycle_cb(virConnectPtr c, virDomainPtr d, int event, int detail,
    void *opaque)
{
	static const char *const stopped[] = { "shut down", "destroyed",
	    "crashed", "migrated", "saved", "failed", "snapshot" };
	struct lv_msg m;

	(void)c;
	msg_init(&m, LV_MSG_EVENT, opaque);
	switch (event) {
	case VIR_DOMAIN_EVENT_STARTED:
		m.event = LV_EV_STARTED;
		break;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		m.event = LV_EV_SUSPENDED;
		break;
	case VIR_DOMAIN_EVENT_RESUMED:
		m.event = LV_EV_RESUMED;
		break;
	case VIR_DOMAIN_EVENT_STOPPED:
		m.event = LV_EV_STOPPED;
		m.detail = detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED ||
		    detail == VIR_DOMAIN_EVENT_STOPPED_FAILED;
		snprintf(m.text, sizeof(m.text), "domain %s",
		    detail >= 0 && detail < 7 ? stopped[detail] : "stopped");
		break;
	case VIR_DOMAIN_EVENT_CRASHED:
		m.event = LV_EV_STOPPED;
		m.detail = 1;
		snprintf(m.text, sizeof(m.text), "domain crashed");
		break;
	default:
		m.event = LV_EV_OTHER;
		break;
	}
	snprintf(m.domain, sizeof(m.domain), "%s", virDomainGetName(d));
	virDomainGetUUIDString(d, m.uuid);
	post(&m);
	return 0;
}

/* A console: its lines go to the loop as they come. */
struct console {
	struct console	*next;		/* under cons_mu */
	struct lv_host	*h;
	virStreamPtr	 st;
	char		 domain[96];
	char		 uuid[40];
	char		 line[256];
	size_t		 len;
};

/* The open consoles, so that a destroy can close its domain's first.
 * Opened by workers, read and closed on the event thread only. */
static pthread_mutex_t cons_mu = PTHREAD_MUTEX_INITIALIZER;
static struct console *consoles;

static void
console_unlink(struct console *c)
{
	struct console **pp;

	pthread_mutex_lock(&cons_mu);
	for (pp = &consoles; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&cons_mu);
}

static void
console_line(struct console *c)
{
	struct lv_msg m;

	if (c->len > 0 && c->line[c->len - 1] == '\r')
		c->len--;
	msg_init(&m, LV_MSG_LINE, c->h);
	memcpy(m.domain, c->domain, sizeof(m.domain));
	memcpy(m.uuid, c->uuid, sizeof(m.uuid));
	memcpy(m.text, c->line, c->len);
	m.text[c->len] = '\0';
	c->len = 0;
	post(&m);
}

static void
console_cb(virStreamPtr st, int events, void *opaque)
{
	struct console *c = opaque;
	char buf[2048];
	int n, i;

	(void)events;
	/* Bounded: a chatty guest cannot hold the event thread. */
	for (int round = 0; round < 8; round++) {
		if ((n = virStreamRecv(st, buf, sizeof(buf))) == -2)
			return;
		if (n <= 0) {
			if (c->len > 0)
				console_line(c);
			/* The domain ended or the host went away. */
			console_unlink(c);
			virStreamEventRemoveCallback(st);
			free(c);
			if (n == 0)
				virStreamFinish(st);
			else
				virStreamAbort(st);
			virStreamFree(st);
			return;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' || c->len == sizeof(c->line) - 1)
				console_line(c);
			if (buf[i] != '\n')
				c->line[c->len++] = buf[i];
		}
	}
}

/* --- the worker --- */

static void
error_text(char *buf, size_t len, const char *what)
{
	const char *e = virGetLastErrorMessage();

	snprintf(buf, len, "%s: %s", what, e ? e : "unknown error");
}

static int
host_open(struct lv_host *h, struct lv_msg *m)
{
	char *caps;

	if ((h->conn = virConnectOpen(h->uri)) == NULL) {
		error_text(m->text, sizeof(m->text), "cannot connect");
		return -1;
	}
	/* Dead peers are noticed in ~20 s, not at the next call. Local
	 * (unix socket) connections may refuse: they need none. */
	virConnectSetKeepAlive(h->conn, 5, 3);
	if (virConnectRegisterCloseCallback(h->conn, close_cb, h, NULL) < 0 ||
	    (h->lifecycle = virConnectDomainEventRegisterAny(h->conn, NULL,
	    VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb),
	    h, NULL)) < 0) {
		error_text(m->text, sizeof(m->text), "cannot register for events");
		virConnectClose(h->conn);
		h->conn = NULL;
		return -1;
	}
	if ((caps = virConnectGetCapabilities(h->conn)) != NULL) {
		m->kvm = strstr(caps, "<domain type='kvm'") != NULL;
		free(caps);
	}
	return 0;
}

static void
host_close(struct lv_host *h)
{
	if (h->conn == NULL)
		return;
	if (h->lifecycle >= 0)
		virConnectDomainEventDeregisterAny(h->conn, h->lifecycle);
	h->lifecycle = -1;
	virConnectUnregisterCloseCallback(h->conn, close_cb);
	virConnectClose(h->conn);
	h->conn = NULL;
}

/* Open the console and start reading it; the domain is paused, so the
 * guest has printed nothing yet. */
static int
console_open(struct lv_host *h, virDomainPtr d, struct lv_msg *m)
{
	struct console *c;
	virStreamPtr st;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->h = h;
	memcpy(c->domain, m->domain, sizeof(c->domain));
	memcpy(c->uuid, m->uuid, sizeof(c->uuid));
	if ((st = virStreamNew(h->conn, VIR_STREAM_NONBLOCK)) == NULL ||
	    virDomainOpenConsole(d, NULL, st, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
		error_text(m->text, sizeof(m->text), "console");
		if (st != NULL)
			virStreamFree(st);
		free(c);
		return -1;
	}
	/* Listed before its callback can run, and end. */
	c->st = st;
	pthread_mutex_lock(&cons_mu);
	c->next = consoles;
	consoles = c;
	pthread_mutex_unlock(&cons_mu);
	/* No free function: libvirt would call it from a later turn of its
	 * event loop, which never comes at exit, so c would leak. Both
	 * removals run on the event thread itself, where no callback for a
	 * removed stream can follow, and free c there. */
	if (virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE |
	    VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP, console_cb, c,
	    NULL) < 0) {
		error_text(m->text, sizeof(m->text), "console");
		console_unlink(c);
		virStreamAbort(st);
		virStreamFree(st);
		free(c);
		return -1;
	}
	return 0;
}

/*
 * libvirt 9.0's daemon can deadlock when a transient domain is destroyed
 * while its console stream is open: the destroy frees the domain's
 * consoles (holding their lock, taking the stream's) as the daemon's main
 * thread finishes the stream on the pty's end (holding the stream's
 * lock, taking theirs). Seen here about once in a hundred idle stops,
 * and the daemon then hangs for good. So the stream is closed first, on
 * the event thread that reads it, and the destroy waits for that.
 */
struct closing {
	struct lv_host	*h;
	char		 domain[96];
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bool		 done, abandoned;	/* under mu */
};

static void
closing_run(int timer, void *opaque)
{
	struct closing *k = opaque;
	struct console *c, **pp;
	virStreamPtr st = NULL;
	bool gone;

	virEventRemoveTimeout(timer);
	pthread_mutex_lock(&cons_mu);
	for (pp = &consoles; (c = *pp) != NULL; pp = &c->next)
		if (c->h == k->h && strcmp(c->domain, k->domain) == 0) {
			*pp = c->next;
			st = c->st;
			break;
		}
	pthread_mutex_unlock(&cons_mu);
	if (st != NULL) {
		if (c->len > 0)
			console_line(c);
		virStreamEventRemoveCallback(st);
		free(c);
		virStreamAbort(st);
		virStreamFree(st);
	}
	pthread_mutex_lock(&k->mu);
	k->done = true;
	gone = k->abandoned;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	if (gone)
		free(k);
}

/* Worker: close the console of domain, if open, before ending it. */
static void
console_close(struct lv_host *h, const char *domain)
{
	struct closing *k;
	struct timespec until;
	bool listed = false;

	pthread_mutex_lock(&cons_mu);
	for (struct console *c = consoles; c != NULL && !listed; c = c->next)
		listed = c->h == h && strcmp(c->domain, domain) == 0;
	pthread_mutex_unlock(&cons_mu);
	if (!listed || (k = calloc(1, sizeof(*k))) == NULL)
		return;
	k->h = h;
	snprintf(k->domain, sizeof(k->domain), "%s", domain);
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	if (virEventAddTimeout(0, closing_run, k, NULL) < 0) {
		free(k);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CONSOLE_CLOSE_MS / 1000;
	pthread_mutex_lock(&k->mu);
	while (!k->done && pthread_cond_timedwait(&k->cv, &k->mu,
	    &until) == 0)
		;
	/* An event thread that does not come round in time frees it. */
	k->abandoned = !k->done;
	pthread_mutex_unlock(&k->mu);
	if (k->done)
		free(k);
}

/* A leftover domain of the same name (a jitsud that crashed) is ours:
 * end it so the create can take the name. */
static void
clear_leftover(struct lv_host *h, const char *name)
{
	virDomainPtr d;

	if ((d = virDomainLookupByName(h->conn, name)) == NULL)
		return;
	if (virDomainIsActive(d) == 1)
		virDomainDestroy(d);
	virDomainFree(d);
}

static uint64_t now_ms(void);

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The reply's text says where the start's time went (the bench reads
 * it from the log). */
static void
run_start(struct lv_host *h, struct req *r, struct lv_msg *m)
{
	virDomainPtr d;
	uint64_t t0 = now_us(), t1, t2;

	if (r->op == LV_OP_CREATE || r->op == LV_OP_PRECREATE) {
		clear_leftover(h, r->domain);
		d = virDomainCreateXML(h->conn, r->xml, VIR_DOMAIN_START_PAUSED);
	} else if ((d = virDomainLookupByName(h->conn, r->domain)) != NULL &&
	    virDomainCreateWithFlags(d, VIR_DOMAIN_START_PAUSED) < 0) {
		virDomainFree(d);
		d = NULL;
	}
	if (d == NULL) {
		error_text(m->text, sizeof(m->text), "cannot start");
		return;
	}
	virDomainGetUUIDString(d, m->uuid);
	t1 = now_us();
	/* A defined domain may have no console: it then needs
	 * ready = tcp, which needs none. */
	if (console_open(h, d, m) < 0 && r->op != LV_OP_START) {
		virDomainDestroy(d);
		virDomainFree(d);
		return;
	}
	t2 = now_us();
	if (r->op == LV_OP_PRECREATE) {
		virDomainFree(d);
		m->result = 0;
		snprintf(m->text, sizeof(m->text), "create %.1f ms, console "
		    "%.1f ms", (double)(t1 - t0) / 1e3, (double)(t2 - t1) / 1e3);
		return;
	}
	if (virDomainResume(d) < 0) {
		error_text(m->text, sizeof(m->text), "cannot resume");
		console_close(h, m->domain);
		virDomainDestroy(d);
		virDomainFree(d);
		return;
	}
	virDomainFree(d);
	m->result = 0;
	snprintf(m->text, sizeof(m->text), "create %.1f ms, console %.1f ms, "
	    "resume %.1f ms", (double)(t1 - t0) / 1e3, (double)(t2 - t1) / 1e3,
	    (double)(now_us() - t2) / 1e3);
}

/*
 * libvirt 9.0 puts an <interface type='ethernet'>'s host-side addresses
 * on its tap again at every resume, fails on the one already there and
 * leaves the domain paused. The same "cont" through the monitor resumes
 * it (libvirt follows QEMU's RESUME event; the domain is marked tainted
 * by a custom monitor command).
 */
static int
resume(virDomainPtr d)
{
	const char *e;
	char *out = NULL;
	int st, reason;

	if (virDomainResume(d) == 0)
		return 0;
	if ((e = virGetLastErrorMessage()) == NULL ||
	    strstr(e, "Failed to add IP address") == NULL ||
	    virDomainGetState(d, &st, &reason, 0) < 0 || st != VIR_DOMAIN_PAUSED ||
	    virDomainQemuMonitorCommand(d, "{\"execute\":\"cont\"}", &out,
	    0) < 0)
		return -1;
	free(out);
	return 0;
}

static void
run(struct lv_host *h, struct req *r)
{
	struct lv_msg m;
	virDomainPtr d;
	int st, reason, e = 0;

	reply_init(&m, h, r);
	if (r->op == LV_OP_CREATE || r->op == LV_OP_PRECREATE ||
	    r->op == LV_OP_START) {
		run_start(h, r, &m);
		post(&m);
		return;
	}
	if ((d = virDomainLookupByName(h->conn, r->domain)) == NULL) {
		/* Gone is what a destroy wants and what a lookup reports. */
		virErrorPtr err = virGetLastError();
		if (err != NULL && err->code == VIR_ERR_NO_DOMAIN) {
			m.result = r->op == LV_OP_LOOKUP ? LV_DOM_GONE :
			    r->op == LV_OP_DESTROY ? 0 : -1;
			snprintf(m.text, sizeof(m.text), "no such domain");
		} else
			error_text(m.text, sizeof(m.text), "lookup");
		post(&m);
		return;
	}
	virDomainGetUUIDString(d, m.uuid);
	switch (r->op) {
	case LV_OP_DESTROY:
		console_close(h, r->domain);
		e = virDomainDestroy(d);
		break;
	case LV_OP_SHUTDOWN:
		/* Its last lines are not worth a hung daemon. */
		console_close(h, r->domain);
		e = virDomainShutdown(d);
		break;
	case LV_OP_SUSPEND:
		e = virDomainSuspend(d);
		break;
	case LV_OP_RESUME:
		e = resume(d);
		break;
	case LV_OP_LOOKUP:
		if (virDomainGetState(d, &st, &reason, 0) < 0)
			e = -1;
		else
			m.result = st == VIR_DOMAIN_PAUSED ? LV_DOM_PAUSED :
			    st == VIR_DOMAIN_SHUTOFF ? LV_DOM_GONE : LV_DOM_RUNNING;
		break;
	default:
		break;
	}
	if (r->op != LV_OP_LOOKUP)
		m.result = e < 0 ? -1 : 0;
	if (e < 0)
		error_text(m.text, sizeof(m.text), "failed");
	virDomainFree(d);
	post(&m);
}

/* Under mu: with no connection, starts fail now (placement then goes
 * elsewhere); the rest wait for the host. */
static void
fail_starts(struct lv_host *h, const char *why)
{
	struct req **pp = &h->qhead, *r;
	struct lv_msg m;

	h->qtail = NULL;
	while ((r = *pp) != NULL) {
		if (r->op != LV_OP_CREATE && r->op != LV_OP_PRECREATE &&
		    r->op != LV_OP_START) {
			h->qtail = r;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		reply_init(&m, h, r);
		snprintf(m.text, sizeof(m.text), "host %s unreachable: %s",
		    h->name, why);
		post(&m);
		free(r->xml);
		free(r);
	}
}

static void
host_msg(struct lv_host *h, bool up, const struct lv_msg *from)
{
	struct lv_msg m;

	msg_init(&m, LV_MSG_HOST, h);
	m.up = up;
	if (from != NULL) {
		m.kvm = from->kvm;
		memcpy(m.text, from->text, sizeof(m.text));
	}
	post(&m);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *
worker(void *arg)
{
	struct lv_host *h = arg;
	uint64_t next_try = 0, backoff = BACKOFF_FIRST_MS, t;
	struct lv_msg m;
	struct timespec ts;
	struct req *r;
	bool was_up = true;	/* so the first failure is reported */

	pthread_mutex_lock(&h->mu);
	for (;;) {
		if (h->conn != NULL && h->lost) {
			h->reachable = false;
			pthread_mutex_unlock(&h->mu);
			host_close(h);
			msg_init(&m, LV_MSG_HOST, h);
			snprintf(m.text, sizeof(m.text), "connection lost");
			host_msg(h, false, &m);
			pthread_mutex_lock(&h->mu);
			was_up = false;
			next_try = 0;
			continue;
		}
		if (h->conn == NULL && now_ms() >= next_try) {
			pthread_mutex_unlock(&h->mu);
			msg_init(&m, LV_MSG_HOST, h);
			t = now_ms();
			if (host_open(h, &m) == 0) {
				log_info("libvirt: host %s: connected to %s in %llu ms%s",
				    h->name, h->uri, (unsigned long long)(now_ms() - t),
				    m.kvm ? " (kvm)" : "");
				host_msg(h, true, &m);
				pthread_mutex_lock(&h->mu);
				h->lost = false;
				h->reachable = true;
				backoff = BACKOFF_FIRST_MS;
				was_up = true;
				continue;
			}
			if (was_up)
				host_msg(h, false, &m);
			was_up = false;
			pthread_mutex_lock(&h->mu);
			fail_starts(h, m.text);
			next_try = now_ms() + backoff;
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			    backoff * 2;
			continue;
		}
		if (h->conn != NULL && (r = h->qhead) != NULL) {
			if ((h->qhead = r->next) == NULL)
				h->qtail = NULL;
			h->busy = true;
			pthread_mutex_unlock(&h->mu);
			run(h, r);
			free(r->xml);
			free(r);
			pthread_mutex_lock(&h->mu);
			h->busy = false;
			continue;
		}
		if (h->conn == NULL) {
			fail_starts(h, "reconnecting");
			t = next_try;
			ts.tv_sec = (time_t)(t / 1000);
			ts.tv_nsec = (long)(t % 1000) * 1000000;
			pthread_cond_timedwait(&h->cv, &h->mu, &ts);
		} else
			pthread_cond_wait(&h->cv, &h->mu);
	}
	return NULL;
}

/* Our threads take no signals: jitsud's loop takes them through a
 * signalfd, which only works while every thread blocks them (and the
 * loop may block them only after the first host was made). */
static int
thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r == 0)
		pthread_detach(*t);
	return -r;
}

/* At exit: give queued destroys a moment, so no transient domain of
 * ours outlives jitsud on a reachable host. */
static void
drain_at_exit(void)
{
	uint64_t end = now_ms() + DRAIN_MS;
	struct lv_host *h;
	bool pending;

	do {
		pending = false;
		for (h = side.hosts; h != NULL; h = h->next) {
			pthread_mutex_lock(&h->mu);
			pending |= h->reachable && (h->qhead != NULL || h->busy);
			pthread_mutex_unlock(&h->mu);
		}
		if (pending)
			usleep(5000);
	} while (pending && now_ms() < end);
}

int
lv_side_init(struct loop *l, lv_msg_fn fn, void *arg)
{
	pthread_t t;
	int r;

	if (side.started)
		return 0;
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
		return -EIO;
	virSetErrorFunc(NULL, quiet);
	if ((side.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return -errno;
	side.fn = fn;
	side.arg = arg;
	if ((r = loop_add(l, side.efd, EPOLLIN, drain, NULL)) < 0)
		return r;
	if ((r = thread_start(&t, event_thread, NULL)) < 0)
		return r;
	atexit(drain_at_exit);
	side.started = true;
	return 0;
}

struct lv_host *
lv_host_get(const char *name, const char *uri)
{
	struct lv_host *h;

	for (h = side.hosts; h != NULL; h = h->next)
		if (strcmp(h->name, name) == 0 && strcmp(h->uri, uri) == 0)
			return h;
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->name = strdup(name)) == NULL || (h->uri = strdup(uri)) == NULL)
		goto fail;
	h->lifecycle = -1;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (thread_start(&h->thr, worker, h) < 0)
		goto fail;
	h->next = side.hosts;
	side.hosts = h;
	return h;
fail:
	if (h != NULL) {
		free(h->name);
		free(h->uri);
	}
	free(h);
	return NULL;
}

int
lv_host_submit(struct lv_host *h, enum lv_op op, const char *domain,
    const char *xml, void *ctx, uint32_t tag)
{
	struct req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (xml != NULL && (r->xml = strdup(xml)) == NULL)) {
		free(r);
		return -ENOMEM;
	}
	r->op = op;
	r->ctx = ctx;
	r->tag = tag;
	snprintf(r->domain, sizeof(r->domain), "%s", domain);
	pthread_mutex_lock(&h->mu);
	if (h->qtail != NULL)
		h->qtail->next = r;
	else
		h->qhead = r;
	h->qtail = r;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return 0;
}

#else /* !HAVE_LIBVIRT */

int
lv_side_init(struct loop *l, lv_msg_fn fn, void *arg)
{
	(void)l;
	(void)fn;
	(void)arg;
	(void)drain;
	(void)msg_init;
	(void)post;
	return -ENOTSUP;
}

struct lv_host *
lv_host_get(const char *name, const char *uri)
{
	(void)name;
	(void)uri;
	return NULL;
}

int
lv_host_submit(struct lv_host *h, enum lv_op op, const char *domain,
    const char *xml, void *ctx, uint32_t tag)
{
	(void)tag;
	(void)h;
	(void)op;
	(void)domain;
	(void)xml;
	(void)ctx;
	return -ENOTSUP;
}

#endif
