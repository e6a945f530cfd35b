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
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/values.h"
#include "core/log.h"
#include "net/net.h"
#include "sandbox/sandbox.h"
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
	bool		 sb_ready;	/* sandbox_prepare succeeded */
	struct sandbox	 sb;
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
};

static void grace_expired(struct loop *, struct timer *, void *);

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

static int
host_get(char *why, size_t whylen)
{
	if (host_ready)
		return 0;
	struct sandbox_host_conf conf = { .rundir = NULL };

	if (sandbox_host_init(&host, &conf, why, whylen) < 0)
		return -1;
	host_ready = true;
	return 0;
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
	int n = 0, r;

	if (host_get(why, whylen) < 0)
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
	spec.uid = SANDBOX_UID_BASE + (uid_t)s->index;
	spec.limits.memory = c->memory;
	spec.limits.pids = c->pids;
	spec.limits.cpu_milli = c->cpu * 10;
	spec.filter = filter_of(c->sandbox);
	if ((r = sandbox_prepare(&x->sb, &host, &spec, why, whylen)) < 0)
		return r;
	x->sb_ready = true;
	return 0;
}

/* --- the instance --- */

static void
instance_gone(struct exec_svc *x)
{
	struct loop *l = svc_loop(x->svc);

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
	if ((r = sandbox_exec_result(&x->sb, err, sizeof(err))) == 0)
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
	if (sandbox_reap(&x->sb, &ex) == -EAGAIN)
		return;
	instance_gone(x);
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
	x->killed = false;
	r = sandbox_spawn(&x->sb, &io, why, whylen);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	x->logfd = p[0];
	x->linelen = 0;
	loop_add(svc_loop(s), x->logfd, EPOLLIN, log_readable, x);
	x->statusfd = x->sb.statusfd;
	x->pidfd = x->sb.pidfd;
	if (loop_add(svc_loop(s), x->statusfd, EPOLLIN, status_readable, x) < 0 ||
	    loop_add(svc_loop(s), x->pidfd, EPOLLIN, pidfd_readable, x) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(errno));
		sandbox_kill(&x->sb, SIGKILL);
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
	sandbox_kill(&x->sb, SIGKILL);
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
		return sandbox_kill(&x->sb, SIGKILL);
	/* The image is pid 1 of its namespace: without a SIGTERM handler
	 * it ignores SIGTERM, and the grace timer ends it. */
	loop_timer_add(svc_loop(s), &x->grace, s->cfg->grace_ms * NSEC_PER_MSEC);
	return sandbox_kill(&x->sb, SIGTERM);
}

static int
exec_suspend(struct service *s)
{
	return sandbox_freeze(&X(s)->sb) < 0 ? -EIO : 0;
}

static int
exec_resume(struct service *s)
{
	return sandbox_thaw(&X(s)->sb);
}

static unsigned long long
exec_memory(struct service *s)
{
	uint64_t b = 0;

	if (X(s) == NULL || sandbox_memory_current(&X(s)->sb, &b) < 0)
		return 0;
	return b;
}

static long
exec_pid(struct service *s)
{
	return X(s) != NULL && X(s)->pidfd != -1 ? (long)X(s)->sb.pid : 0;
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
	if (x->sb_ready)
		sandbox_release(&x->sb);	/* kills and reaps */
	close_fds(x);
	for (int i = 0; i < c->naddrs; i++)
		net_addr_remove(&c->addrs[i]);
	log_close(x);
	free(x->line);
	free(x->fds);
	free(x->fdnames);
	free(x->argbuf);
	free(x);
	s->bk = NULL;
}

static int
exec_prepare(struct service *s, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct exec_svc *x;
	char a[64];
	int i, j, fd, r, n = c->naddrs * c->nports;
	size_t off = 0, namecap = (size_t)n * 12 + 1;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	x->svc = s;
	x->statusfd = x->pidfd = x->logfd = -1;
	timer_init(&x->grace, grace_expired, x);
	s->bk = x;
	if (n > EXEC_MAX_FDS) {
		snprintf(why, whylen, "too many sockets (%d addresses x %d ports)",
		    c->naddrs, c->nports);
		r = -E2BIG;
		goto fail;
	}
	if ((x->fds = calloc((size_t)n + 1, sizeof(int))) == NULL ||
	    (x->fdnames = calloc(1, namecap)) == NULL) {
		snprintf(why, whylen, "out of memory");
		r = -ENOMEM;
		goto fail;
	}
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
			/* LISTEN_FDNAMES: proto-port, so an app can tell
			 * its sockets apart without getsockname. */
			off += (size_t)snprintf(x->fdnames + off,
			    namecap - off, "%s%s-%u", off ? ":" : "",
			    c->ports[j].proto == IPPROTO_UDP ? "udp" : "tcp",
			    c->ports[j].port);
		}
	}
	if ((r = sandbox_setup(s, x, why, whylen)) < 0)
		goto fail;
	return 0;
fail:
	close_fds(x);
	free(x->argbuf);
	free(x->fds);
	free(x->fdnames);
	free(x);
	s->bk = NULL;
	return r;
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
	.memory = exec_memory,
	.held = exec_held,
	.release = exec_release,
};
