/*
 * backend/exec.c - `backend = exec`: the unikernel is a process in the
 * sandbox (sandbox/), socket-activated.
 *
 * At config load jitsud binds and listens on every address x port of the
 * service and keeps those sockets for the service's whole life. A start
 * hands them to the process (LISTEN_FDS), so connections that arrive
 * while it is stopped or booting wait in the kernel's backlog: nothing
 * is proxied and nothing is dropped. While no process serves them,
 * jitsud watches the sockets: a connection attempt is itself a want.
 * The process's exit is seen at once through its pidfd; its stdout and
 * stderr come to jitsud's log, one line at a time, with its name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/instance.h"
#include "backend/uid.h"
#include "config/values.h"
#include "core/log.h"
#include "net/net.h"
#include "sandbox/sandbox.h"
#include "control/proto.h"
#include "sandbox/files.h"
#include "service/persist.h"
#include "service/service.h"

#define EXEC_BACKLOG	1024
#define EXEC_MAX_FDS	(CFG_MAX_PORTS * 8)
#define LOG_LINE_MAX	512

struct exec_svc {
	struct service	*svc;
	int		*fds;		/* held sockets, nfds of them */
	char		*fdnames;
	int		 nfds;
	bool		 watching;
	/* The jail, prepared at the first start rather than at config load:
	 * ~1.5 KiB and a cgroup per service that was never wanted is too
	 * much at 10,000 registered services; the first start pays ~0.4 ms
	 * (on tmpfs) once. */
	struct sandbox	*sb;
	char		*argbuf;	/* args split in place */
	const char	*args[SANDBOX_MAX_ARGS + 1];
	int		 statusfd;	/* registered in the loop, or -1 */
	int		 pidfd;		/* registered in the loop, or -1 */
	int		 logfd;		/* read end of this instance's
					   stdout+stderr, until EOF */
	char		*line;		/* LOG_LINE_MAX, made on first use */
	size_t		 linelen;
	bool		 killed;	/* we sent the fatal signal */
	struct timer	 grace;
	char		*old_root;	/* adopted: the root folder the
					   earlier jitsud made for it */
};

static void grace_expired(struct loop *, struct timer *, void *);
static void exec_free(struct service *, struct exec_svc *);

static struct exec_svc *
X(struct service *s)
{
	return s->bk;
}

/* --- the unikernel's output, into our log --- */

static void
log_flush_line(struct exec_svc *x)
{
	if (x->linelen == 0)
		return;
	x->line[x->linelen] = '\0';
	svc_log_line(x->svc, x->line);
	x->linelen = 0;
}

static void
log_close(struct exec_svc *x)
{
	if (x->logfd == -1)
		return;
	log_flush_line(x);
	loop_del(svc_loop(x->svc), x->logfd);
	close(x->logfd);
	x->logfd = -1;
}

static void
log_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct exec_svc *x = arg;
	char buf[4096];
	ssize_t n, i;

	(void)l;
	(void)ev;
	/* The line buffer costs memory only for services that print. */
	if (x->line == NULL && (x->line = malloc(LOG_LINE_MAX)) == NULL) {
		log_close(x);
		return;
	}
	/* Bounded per wake-up: a chatty unikernel cannot starve DNS. */
	for (int round = 0; round < 4; round++) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0) {
			/* EOF: every holder of the write end (the instance
			 * and anything it forked) is gone. */
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				log_close(x);
			return;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' || x->linelen == LOG_LINE_MAX - 1)
				log_flush_line(x);
			if (buf[i] != '\n')
				x->line[x->linelen++] = buf[i];
		}
	}
}

/* --- held sockets --- */

static void
held_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct exec_svc *x = arg;

	(void)l;
	(void)fd;
	(void)ev;
	/* The state machine turns this off once someone serves the
	 * sockets, so level-triggered readiness cannot spin. */
	svc_want(x->svc, "connection");
	if (x->watching && x->svc->state == SVC_FAILED)
		net_reset_pending(fd);
}

static void
exec_watch(struct service *s, bool on)
{
	struct exec_svc *x = X(s);
	int i;

	if (x == NULL || x->watching == on)
		return;
	for (i = 0; i < x->nfds; i++) {
		if (on)
			loop_add(svc_loop(s), x->fds[i], EPOLLIN, held_readable, x);
		else
			loop_del(svc_loop(s), x->fds[i]);
	}
	x->watching = on;
}

static void
exec_reset_held(struct service *s)
{
	struct exec_svc *x = X(s);
	int i, n = 0;

	for (i = 0; i < x->nfds; i++)
		n += net_reset_pending(x->fds[i]);
	if (n > 0)
		log_info("service %s: reset %d held connection%s", s->name, n,
		    n == 1 ? "" : "s");
}

static int
exec_connections(struct service *s)
{
	const struct cfg_service *c = s->cfg;
	int i, j, n = 0, r;

	for (i = 0; i < c->naddrs; i++)
		for (j = 0; j < c->nports; j++)
			if (c->ports[j].proto == IPPROTO_TCP &&
			    (r = net_count_established(&c->addrs[i],
			    c->ports[j].port, &n)) < 0)
				return r;
	return n;
}

/*
 * For metrics: connections in the held sockets' accept queues. TCP_INFO
 * on a listening socket reports its accept queue length in tcpi_unacked
 * (what sock_diag calls idiag_rqueue): one getsockopt per socket, no
 * netlink dump. UDP sockets fail the call and are skipped.
 */
static long
exec_held(struct service *s)
{
	struct exec_svc *x = X(s);
	struct tcp_info ti;
	socklen_t len;
	long n = 0;
	int i;

	if (x == NULL)
		return -ENOENT;
	for (i = 0; i < x->nfds; i++) {
		len = sizeof(ti);
		if (getsockopt(x->fds[i], IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
		    ti.tcpi_state == TCP_LISTEN)
			n += ti.tcpi_unacked;
	}
	return n;
}

static void
close_fds(struct exec_svc *x)
{
	for (int i = 0; i < x->nfds; i++)
		close(x->fds[i]);
	x->nfds = 0;
}

/* One sandbox host per jitsud: cgroup layout, the shared empty network
 * namespace, compiled seccomp filters. Made at the first exec service. */
static struct sandbox_host host;
static bool host_ready;
static char rundir[128];
static struct timer gc_timer;
static struct loop *gc_loop;
/* Root folders of adopted instances: the garbage collection below must
 * leave them alone. */
static char **adopted_roots;
static int nadopted_roots;

static bool
pid_alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static bool
root_adopted(const char *path)
{
	for (int i = 0; i < nadopted_roots; i++)
		if (strcmp(adopted_roots[i], path) == 0)
			return true;
	return false;
}

/*
 * Folders of jitsuds that died without cleaning up: every root in them
 * that no adopted instance uses goes. Runs once, from the first turn of
 * the loop, so every service has had its chance to adopt by then.
 */
static void
gc_rundirs(struct loop *l, struct timer *t, void *arg)
{
	char path[512], sub[1024];
	struct dirent *d, *e;
	DIR *top, *dir;
	char *end;
	long pid;

	(void)l;
	(void)t;
	(void)arg;
	snprintf(path, sizeof(path), "%s/sandbox", backend_run());
	if ((top = opendir(path)) == NULL)
		return;
	while ((d = readdir(top)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid == (long)getpid() ||
		    pid_alive(pid))
			continue;
		snprintf(path, sizeof(path), "%s/sandbox/%s", backend_run(),
		    d->d_name);
		if ((dir = opendir(path)) == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (!root_adopted(sub))
				rm_tree(sub);
		}
		closedir(dir);
		rmdir(path);	/* fails while an adopted root is inside */
	}
	closedir(top);
}

static int
host_get(struct loop *l, char *why, size_t whylen)
{
	if (host_ready)
		return 0;
	/* tmpfs: removing a root folder costs 0.07 ms there, 2.6 ms on
	 * the ext4 /run of some hosts. */
	struct sandbox_host_conf conf = { .rundir = rundir,
	    .cgroup = backend_cgroup(), .tmpfs_rundir = true };

	/* Roots go in a folder of this jitsud's own: a restarted jitsud
	 * must not remake the root of an instance it adopts (unlinking a
	 * mount point in another mount namespace detaches that mount). */
	if ((size_t)snprintf(rundir, sizeof(rundir), "%s/sandbox/%ld",
	    backend_run(), (long)getpid()) >= sizeof(rundir)) {
		snprintf(why, whylen, "run folder %s: name too long",
		    backend_run());
		return -1;
	}
	if (sandbox_host_init(&host, &conf, why, whylen) < 0)
		return -1;
	host_ready = true;
	timer_init(&gc_timer, gc_rundirs, NULL);
	gc_loop = l;
	loop_timer_add(l, &gc_timer, 0);
	return 0;
}

const struct cg_host *
backend_cg_host(struct loop *l, char *why, size_t whylen)
{
	return host_get(l, why, whylen) < 0 ? NULL : &host.cg;
}

static enum sandbox_filter
filter_of(enum cfg_sandbox s)
{
	switch (s) {
	case SANDBOX_STRICT:
		return SANDBOX_FILTER_STRICT;
	case SANDBOX_NONE:
		return SANDBOX_FILTER_NONE;
	default:
		return SANDBOX_FILTER_DEFAULT;
	}
}

static int
sandbox_setup(struct service *s, struct exec_svc *x, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct sandbox_spec spec;
	char *save, *w;
	int64_t uid;
	int n = 0, r;

	if (host_get(svc_loop(s), why, whylen) < 0)
		return -EPERM;
	memset(&spec, 0, sizeof(spec));
	if (c->args != NULL) {
		if ((x->argbuf = strdup(c->args)) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		for (w = strtok_r(x->argbuf, " \t", &save);
		    w != NULL && n < SANDBOX_MAX_ARGS;
		    w = strtok_r(NULL, " \t", &save))
			x->args[n++] = w;
	}
	x->args[n] = NULL;
	spec.name = c->name;
	spec.image = c->image;
	spec.args = x->args;
	/* one allocator for every backend: no QEMU or other service
	 * shares it (backend/uid.h) */
	if ((uid = uid_take(uid_pool(), c->name)) < 0) {
		snprintf(why, whylen, "no free uid in uid_base/uid_range: %s",
		    strerror((int)-uid));
		return (int)uid;
	}
	spec.uid = (uid_t)uid;
	spec.limits.memory = c->memory;
	spec.limits.pids = c->pids;
	spec.limits.cpu_milli = c->cpu * 10;
	spec.tmp_size = c->tmp;
	spec.filter = filter_of(c->sandbox);
	/* A network namespace of its own, made here once (~0.7 ms, ~136 KiB
	 * of kernel memory) and kept across its instances: in a shared one
	 * two tenants would meet through abstract unix socket names. */
	spec.private_net = true;
	if ((x->sb = calloc(1, sizeof(*x->sb))) == NULL) {
		uid_put(uid_pool(), c->name);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	if ((r = sandbox_prepare(x->sb, &host, &spec, why, whylen)) < 0) {
		uid_put(uid_pool(), c->name);
		free(x->sb);
		x->sb = NULL;
		return r;
	}
	return 0;
}

/* Undoes sandbox_setup: kills and reaps a running instance, gives the
 * uid back. */
static void
sandbox_teardown(struct service *s, struct exec_svc *x)
{
	if (x->sb == NULL)
		return;
	sandbox_release(x->sb);
	uid_put(uid_pool(), s->cfg->name);
}

/* What sandbox_prepare would refuse about the image, said at config load
 * (a missing or non-executable image fails the service at once, with
 * the path in the message) without preparing the jail yet. */
static int
image_check(struct service *s, char *why, size_t whylen)
{
	struct image_info img;
	int r;

	if (host_get(svc_loop(s), why, whylen) < 0)
		return -EPERM;
	if ((r = image_inspect(s->cfg->image, &img, why, whylen)) < 0)
		return r;
	image_free(&img);
	return 0;
}

/* --- the instance --- */

static void
instance_gone(struct exec_svc *x)
{
	struct loop *l = svc_loop(x->svc);

	if (x->old_root != NULL) {
		char *parent = strdup(x->old_root), *slash;

		rm_tree(x->old_root);
		for (int i = 0; i < nadopted_roots; i++)
			if (adopted_roots[i] == x->old_root)
				adopted_roots[i] = adopted_roots[--nadopted_roots];
		free(x->old_root);
		x->old_root = NULL;
		/* the dead jitsud's folder goes with its last root */
		if (parent != NULL && (slash = strrchr(parent, '/')) != NULL) {
			*slash = '\0';
			rmdir(parent);
		}
		free(parent);
	}
	loop_timer_del(l, &x->grace);
	if (x->statusfd != -1) {
		loop_del(l, x->statusfd);
		x->statusfd = -1;
	}
	if (x->pidfd != -1) {
		loop_del(l, x->pidfd);
		x->pidfd = -1;
	}
}

static void
status_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct exec_svc *x = arg;
	char err[SANDBOX_ERRLEN] = "";
	int r;

	(void)ev;
	if ((r = sandbox_exec_result(x->sb, err, sizeof(err))) == 0)
		return;
	loop_del(l, fd);
	x->statusfd = -1;
	if (r > 0)
		svc_on_ready(x->svc);
	else if (r < 0) {
		/* The jail failed: the child exits on its own; the pidfd
		 * cleans up, the failure is reported now with its reason. */
		x->killed = true;
		svc_on_start_error(x->svc, err[0] ? err : "sandbox failed");
	}
}

/*
 * After an instance is gone, the held sockets must be as jitsud made
 * them: the instance shared them and may have broken one (connect()
 * with AF_UNSPEC stops a listener, which then wakes the watch for ever;
 * connect() ties a UDP socket to one peer). A broken one is made anew
 * on the same address and port; its queued connections, if any, were
 * lost with it.
 */
static void
repair_held(struct exec_svc *x)
{
	const struct cfg_service *c = x->svc->cfg;
	const struct cfg_port *p;
	struct loop *l = svc_loop(x->svc);
	char a[64];
	int i, j, k = 0, fd;

	for (i = 0; i < c->naddrs; i++)
		for (j = 0; j < c->nports && k < x->nfds; j++, k++) {
			p = &c->ports[j];
			if (net_held_ok(x->fds[k], &c->addrs[i], p->port,
			    p->proto))
				continue;
			inet_ntop(c->addrs[i].family, &c->addrs[i].a, a,
			    sizeof(a));
			if (x->watching)
				loop_del(l, x->fds[k]);
			close(x->fds[k]);
			if ((fd = net_listen(&c->addrs[i], p->port, p->proto,
			    EXEC_BACKLOG)) < 0) {
				log_warnx("service %s: held socket %s %s port %u "
				    "was broken, and cannot be made anew: %s",
				    x->svc->name, p->proto == IPPROTO_UDP ?
				    "udp" : "tcp", a, p->port, strerror(-fd));
				/* A stand-in keeps the slot; the next exit
				 * tries again. */
				fd = socket(c->addrs[i].family, (p->proto ==
				    IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) |
				    SOCK_CLOEXEC, 0);
			} else
				log_warnx("service %s: held socket %s %s port %u "
				    "was broken by the instance: made anew",
				    x->svc->name, p->proto == IPPROTO_UDP ?
				    "udp" : "tcp", a, p->port);
			x->fds[k] = fd;
			if (x->watching && fd >= 0)
				loop_add(l, fd, EPOLLIN, held_readable, x);
		}
}

static void
pidfd_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct exec_svc *x = arg;
	struct sandbox_exit ex;
	bool crashed;

	(void)l;
	(void)fd;
	(void)ev;
	/* A process that dies before its exec is decided still has an
	 * unread status: settle that first, so a jail error is reported
	 * as such and not as a bare exit. */
	if (x->statusfd != -1)
		status_readable(l, x->statusfd, EPOLLIN, x);
	if (sandbox_reap(x->sb, &ex) == -EAGAIN)
		return;
	instance_gone(x);
	repair_held(x);
	if (ex.cause == SANDBOX_JAIL && x->killed && x->svc->state == SVC_FAILED)
		return;		/* already reported by status_readable */
	/* An exit or a signal is the unikernel's own business: stopped,
	 * and the next want starts it again. Hitting a limit of the
	 * sandbox (memory, seccomp) is a failure that backs off. */
	crashed = !x->killed && (ex.cause == SANDBOX_OOM ||
	    ex.cause == SANDBOX_SECCOMP || ex.cause == SANDBOX_JAIL);
	x->killed = false;
	svc_on_exit(x->svc, crashed, ex.reason[0] ? ex.reason : "exited");
}

static int
exec_start(struct service *s, char *why, size_t whylen)
{
	struct exec_svc *x = X(s);
	struct sandbox_io io = {
		.fds = x->fds, .nfds = x->nfds, .fdnames = x->fdnames,
	};
	int r, p[2];

	/* A pipe per instance, made here rather than held while stopped:
	 * two descriptors fewer per idle service, for ~2 us per start. The
	 * child's end blocks: a unikernel writing its log should not see
	 * EAGAIN because jitsud is busy for a moment. */
	log_close(x);
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -errno;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	io.out_fd = io.err_fd = p[1];
	if (x->sb == NULL && (r = sandbox_setup(s, x, why, whylen)) < 0) {
		close(p[0]);
		close(p[1]);
		return r;
	}
	x->killed = false;
	r = sandbox_spawn(x->sb, &io, why, whylen);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	x->logfd = p[0];
	x->linelen = 0;
	loop_add(svc_loop(s), x->logfd, EPOLLIN, log_readable, x);
	x->statusfd = x->sb->statusfd;
	x->pidfd = x->sb->pidfd;
	if (loop_add(svc_loop(s), x->statusfd, EPOLLIN, status_readable, x) < 0 ||
	    loop_add(svc_loop(s), x->pidfd, EPOLLIN, pidfd_readable, x) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(errno));
		sandbox_kill(x->sb, SIGKILL);
		return -EIO;
	}
	return 0;
}

static void
grace_expired(struct loop *l, struct timer *t, void *arg)
{
	struct exec_svc *x = arg;

	(void)l;
	(void)t;
	log_info("service %s: still running after %llu ms grace: killing",
	    x->svc->name, (unsigned long long)x->svc->cfg->grace_ms);
	sandbox_kill(x->sb, SIGKILL);
}

static int
exec_stop(struct service *s, bool force)
{
	struct exec_svc *x = X(s);

	if (x == NULL || x->pidfd == -1) {
		svc_on_exit(s, false, "not running");
		return 0;
	}
	x->killed = true;
	if (force || s->cfg->stop != STOP_SHUTDOWN)
		return sandbox_kill(x->sb, SIGKILL);
	/* The image is pid 1 of its namespace: without a SIGTERM handler
	 * it ignores SIGTERM, and the grace timer ends it. */
	loop_timer_add(svc_loop(s), &x->grace, s->cfg->grace_ms * NSEC_PER_MSEC);
	return sandbox_kill(x->sb, SIGTERM);
}

static int
exec_suspend(struct service *s)
{
	return sandbox_freeze(X(s)->sb) < 0 ? -EIO : 0;
}

static int
exec_resume(struct service *s)
{
	return sandbox_thaw(X(s)->sb);
}

static unsigned long long
exec_memory(struct service *s)
{
	uint64_t b = 0;

	if (X(s) == NULL || X(s)->sb == NULL ||
	    sandbox_memory_current(X(s)->sb, &b) < 0)
		return 0;
	return b;
}

static long
exec_pid(struct service *s)
{
	return X(s) != NULL && X(s)->pidfd != -1 ? (long)X(s)->sb->pid : 0;
}

static void
exec_release(struct service *s)
{
	struct exec_svc *x = X(s);
	const struct cfg_service *c = s->cfg;

	if (x == NULL)
		return;
	exec_watch(s, false);
	instance_gone(x);
	sandbox_teardown(s, x);	/* kills and reaps */
	for (int i = 0; i < c->naddrs; i++)
		net_addr_remove(&c->addrs[i]);
	log_close(x);
	free(x->line);
	exec_free(s, x);
}

static void
exec_free(struct service *s, struct exec_svc *x)
{
	free(x->sb);
	close_fds(x);
	free(x->argbuf);
	free(x->fds);
	free(x->fdnames);
	free(x->old_root);
	free(x);
	s->bk = NULL;
}

/* The per-service state, with room for addresses x ports sockets and
 * their LISTEN_FDNAMES ("tcp-80:tcp-443"). */
static struct exec_svc *
exec_new(struct service *s, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct exec_svc *x;
	int i, j, n = c->naddrs * c->nports;
	size_t off = 0, namecap = (size_t)n * 12 + 1;

	if (n > EXEC_MAX_FDS) {
		snprintf(why, whylen, "too many sockets (%d addresses x %d ports)",
		    c->naddrs, c->nports);
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->fds = calloc((size_t)n + 1, sizeof(int))) == NULL ||
	    (x->fdnames = calloc(1, namecap)) == NULL) {
		if (x != NULL)
			free(x->fds);
		free(x);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	x->svc = s;
	x->statusfd = x->pidfd = x->logfd = -1;
	timer_init(&x->grace, grace_expired, x);
	s->bk = x;
	/* LISTEN_FDNAMES: proto-port, so an app can tell its sockets
	 * apart without getsockname. */
	for (i = 0; i < c->naddrs; i++)
		for (j = 0; j < c->nports; j++)
			off += (size_t)snprintf(x->fdnames + off, namecap - off,
			    "%s%s-%u", off ? ":" : "",
			    c->ports[j].proto == IPPROTO_UDP ? "udp" : "tcp",
			    c->ports[j].port);
	return x;
}

static int
exec_prepare(struct service *s, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct exec_svc *x;
	char a[64];
	int i, j, fd, r;

	if ((x = exec_new(s, why, whylen)) == NULL)
		return -ENOMEM;
	for (i = 0; i < c->naddrs; i++) {
		cfg_addr_format(&c->addrs[i], a, sizeof(a));
		if ((r = net_addr_ensure(&c->addrs[i])) < 0) {
			snprintf(why, whylen, "address %s: %s", a, strerror(-r));
			goto fail;
		}
		for (j = 0; j < c->nports; j++) {
			fd = net_listen(&c->addrs[i], c->ports[j].port,
			    c->ports[j].proto, EXEC_BACKLOG);
			if (fd < 0) {
				r = fd;
				snprintf(why, whylen, "%s %s port %u: %s",
				    c->ports[j].proto == IPPROTO_UDP ? "udp" : "tcp",
				    a, c->ports[j].port, strerror(-r));
				goto fail;
			}
			x->fds[x->nfds++] = fd;
		}
	}
	if ((r = image_check(s, why, whylen)) < 0)
		goto fail;
	return 0;
fail:
	exec_free(s, x);
	return r;
}

/* --- re-adoption --- */

static int
exec_record(struct service *s, char *rec, size_t cap, size_t *len)
{
	struct exec_svc *x = X(s);
	int r = 0;

	if (x == NULL || x->pidfd == -1)
		return -ESRCH;
	r |= ctl_rec_add(rec, cap, len, "pid", "%ld", (long)x->sb->pid);
	r |= ctl_rec_add(rec, cap, len, "starttime", "%llu",
	    instance_starttime(x->sb->pid));
	r |= ctl_rec_add(rec, cap, len, "sockets", "%d", x->nfds);
	r |= ctl_rec_add(rec, cap, len, "root", "%s",
	    x->old_root ? x->old_root : x->sb->root.dir);
	return r ? -ENOSPC : 0;
}

/*
 * True if root is exactly RUN/sandbox/PID/NAME, the root folder a jitsud
 * (PID) made for service NAME: anything else in a record, which an
 * instance's end would remove, is refused.
 */
static bool
root_is_ours(const char *root, const char *name)
{
	const char *run = backend_run(), *p;
	size_t n = strlen(run);

	if (strncmp(root, run, n) != 0 || strncmp(root + n, "/sandbox/", 9))
		return false;
	p = root + n + 9;
	if (*p < '1' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '/' && strcmp(p + 1, name) == 0;
}

static int
exec_adopt(struct service *s, const char *rec, size_t len, bool keep,
    char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct exec_svc *x;
	char v[4096];
	unsigned long long st;
	pid_t pid;
	int pidfd, i, j, k = 0, fd, r, n = c->naddrs * c->nports;

	if (!svc_record_get(rec, len, "pid", v, sizeof(v)) ||
	    (pid = (pid_t)strtol(v, NULL, 10)) <= 1)
		return 0;
	svc_record_get(rec, len, "starttime", v, sizeof(v));
	st = strtoull(v, NULL, 10);
	/* pid + start time: a pid reused by another process since is not
	 * ours, whatever it is; nor is one that runs as no instance uid. */
	if ((pidfd = instance_open(pid, st, why, whylen)) < 0)
		return pidfd == -2 ? -1 : 0;
	/* The root is removed when the instance ends: only the folder this
	 * backend makes for it (RUN/sandbox/PID/NAME) may be named. */
	if (!svc_record_get(rec, len, "root", v, sizeof(v)) ||
	    !root_is_ours(v, s->name)) {
		/* The process is a verified instance, the record around it
		 * was altered: end it (it holds the service's sockets), and
		 * leave its folder to the garbage collection of RUN. */
		instance_end(pidfd);
		close(pidfd);
		snprintf(why, whylen, "pid %ld: its root \"%.200s\" is not "
		    "%s/sandbox/PID/%s: record refused, instance ended",
		    (long)pid, v, backend_run(), s->name);
		return -1;
	}
	svc_record_get(rec, len, "sockets", v, sizeof(v));
	if (!keep || atoi(v) != n) {
		instance_end(pidfd);
		close(pidfd);
		snprintf(why, whylen, "the configuration changed: ended pid %ld",
		    (long)pid);
		return 0;
	}
	if ((x = exec_new(s, why, whylen)) == NULL) {
		close(pidfd);
		return 0;
	}
	/* Its listening sockets are at 3.. (LISTEN_FDS): take copies of
	 * them back, so connections keep queueing in the same sockets. */
	for (i = 0; i < c->naddrs; i++)
		for (j = 0; j < c->nports; j++, k++) {
			fd = (int)syscall(SYS_pidfd_getfd, pidfd, 3 + k, 0);
			if (fd == -1 || !net_held_ok(fd, &c->addrs[i],
			    c->ports[j].port, c->ports[j].proto)) {
				if (fd != -1)
					close(fd);
				snprintf(why, whylen, "pid %ld does not hold the "
				    "service's sockets: ended it", (long)pid);
				goto fail;
			}
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			x->fds[x->nfds++] = fd;
		}
	/* its UDP sockets under the reply guard of this jitsud (the last
	 * one's went with it) */
	if ((r = sandbox_setup(s, x, why, whylen)) < 0 ||
	    (r = sandbox_guard(x->sb, x->fds, x->nfds, why, whylen)) < 0)
		goto fail;
	x->sb->pid = pid;
	x->sb->pidfd = pidfd;
	x->sb->statusfd = -1;
	x->pidfd = pidfd;
	if (svc_record_get(rec, len, "root", v, sizeof(v)) &&
	    root_is_ours(v, s->name) && (x->old_root = strdup(v)) != NULL) {
		char **nr = realloc(adopted_roots, (size_t)(nadopted_roots + 1) *
		    sizeof(*nr));
		if (nr != NULL) {
			adopted_roots = nr;
			adopted_roots[nadopted_roots++] = x->old_root;
		}
	}
	if (loop_add(svc_loop(s), pidfd, EPOLLIN, pidfd_readable, x) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(errno));
		x->pidfd = -1;
		x->sb->pid = 0;
		x->sb->pidfd = -1;
		goto fail;
	}
	/* Its output went to a pipe that died with the old jitsud: lines
	 * it prints now are lost (uk apps ignore the SIGPIPE). */
	snprintf(why, whylen, "adopted pid %ld", (long)pid);
	return sandbox_frozen(x->sb) == 1 ? 2 : 1;
fail:
	instance_end(pidfd);
	close(pidfd);
	sandbox_teardown(s, x);
	exec_free(s, x);
	return 0;
}

void
backend_exec_shutdown(void)
{
	if (!host_ready)
		return;
	loop_timer_del(gc_loop, &gc_timer);
	sandbox_host_fini(&host);
	/* Empty once every service was released: then this jitsud leaves
	 * nothing behind. Roots of instances a crash left running stay. */
	rmdir(rundir);
	free(adopted_roots);
	adopted_roots = NULL;
	nadopted_roots = 0;
	host_ready = false;
}

const struct backend_ops backend_exec = {
	.name = "exec",
	.prepare = exec_prepare,
	.start = exec_start,
	.stop = exec_stop,
	.suspend = exec_suspend,
	.resume = exec_resume,
	.reset_held = exec_reset_held,
	.connections = exec_connections,
	.watch = exec_watch,
	.pid = exec_pid,
	.record = exec_record,
	.adopt = exec_adopt,
	.memory = exec_memory,
	.held = exec_held,
	.release = exec_release,
};
