/*
 * backend/qemu.c - `backend = qemu`: the unikernel is a QEMU microvm.
 *
 * At config load jitsud makes the service's tap (net/tap.c: the guest's
 * /32 routed to it, a permanent neighbour entry, the gateway address),
 * holds it open and puts a sacrificial frame at the head of its queue.
 * Frames for the guest then wait in the tap while the VM is stopped or
 * booting; a start hands the same queue to QEMU (-netdev tap,fd=3), so
 * the client's SYN is the guest's first real frame once its driver is
 * up, and the frame QEMU drops at that moment is the sacrificial one
 * (uk-vm-facts 7.1). While nobody serves the tap, a packet socket on it
 * hears each SYN (or UDP datagram) without taking it from the queue:
 * that is the wake-up. When QEMU ends, the queue is taken out and put
 * back behind a fresh sacrificial frame, so the next boot drops nothing.
 *
 * QEMU's exit is seen at once through its pidfd; its serial console
 * and its own messages (stderr) come to jitsud's log line by line;
 * readiness is the ready_line on the console, or a TCP connection to the
 * service that succeeds (ready = tcp). QMP pauses (stop), resumes
 * (cont), powers down and quits.
 *
 * QEMU outlives a jitsud that crashes, and the next jitsud adopts it
 * (service/persist.h). Everything jitsud needs from a running VM can be
 * had again: QMP and the console are unix sockets QEMU listens on, in a
 * folder per instance under RUN/qemu (a socketpair or a pipe would
 * die with the old jitsud); the tap is the one QEMU holds, whose queue
 * jitsud takes a copy of (pidfd_getfd of QEMU_FD_TAP), so held frames,
 * the route and the neighbour entry never went away. What is lost: the
 * console lines a guest prints while no jitsud is connected (QEMU drops
 * them rather than block the guest), and QEMU's own messages after the
 * adoption (its stderr pipe died with the old jitsud), and the exit
 * status of an adopted QEMU (init, its parent now, collects it).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/instance.h"
#include "backend/uid.h"
#include "backend/qemu.h"
#include "backend/qemu_cgroup.h"
#include "backend/vm_idle.h"
#include "control/proto.h"
#include "config/values.h"
#include "core/log.h"
#include "net/net.h"
#include "sandbox/files.h"
#include "sandbox/sandbox.h"
#include "service/persist.h"
#include "service/service.h"

#define QEMU_BIN	"qemu-system-x86_64"
#define LINE_MAX_LEN	512
#define PROBE_RETRY_MS	10
/* Where each instance's QMP and console sockets live: one folder per
 * instance (mkdtemp), so two jitsuds on a host, or an instance and its
 * successor, never share a path; recorded for the next jitsud. */
/* RUN/qemu (backend_run()): one folder per instance. */
static const char *
qemu_rundir(void)
{
	static char dir[300];

	snprintf(dir, sizeof(dir), "%s/qemu", backend_run());
	return dir;
}
/* How long an adopting jitsud waits for QEMU's QMP to answer. */
#define ADOPT_QMP_MS	2000

struct qemu_svc;

/* One of QEMU's output streams, split into lines. */
struct conlog {
	struct qemu_svc	*q;
	int		 fd;		/* read end, in the loop, or -1 */
	bool		 console;	/* the guest's serial, not QEMU's stderr */
	char		 line[LINE_MAX_LEN];
	size_t		 len;
};

struct qemu_svc {
	struct service	*svc;
	struct net_tap	 tap;
	struct qemu_spec spec;
	char		 qemu[256];
	char		 argbuf[4096];
	char		*argv[QEMU_ARGV_MAX];
	pid_t		 pid;		/* 0: no instance */
	int		 pidfd;		/* in the loop, or -1 */
	bool		 adopted;	/* not our child: no exit status */
	char		 run[96];	/* the instance's socket folder, or "";
					 * its sockets' names must fit sun_path */
	struct conlog	 out, err;
	struct qmp	 qmp;
	bool		 killed;	/* we asked it to end */
	struct timer	 grace;
	int		 probefd;	/* ready = tcp: connect in flight */
	struct timer	 probe;
	uint64_t	 packets;	/* tap counters at the last idle look */
	struct qemu_cg	 cg;		/* memory = guest + overhead, pids */
};

static struct qemu_svc *
Q(struct service *s)
{
	return s->bk;
}

/* --- QEMU's output --- */

static void
line_done(struct conlog *c)
{
	struct service *s = c->q->svc;
	char msg[LINE_MAX_LEN + 8];

	if (c->len > 0 && c->line[c->len - 1] == '\r')
		c->len--;
	c->line[c->len] = '\0';
	c->len = 0;
	if (!c->console) {
		/* "waiting for connection" at each boot: noise, not news. */
		if (strstr(c->line, ": info: ") != NULL) {
			log_debug("service %s: qemu: %s", s->name, c->line);
			return;
		}
		snprintf(msg, sizeof(msg), "qemu: %s", c->line);
		svc_log_line(s, msg);
		return;
	}
	svc_log_line(s, c->line);
	if (s->state == SVC_STARTING && s->cfg->ready == READY_LINE &&
	    strcmp(c->line, s->cfg->ready_line) == 0)
		svc_on_ready(s);
}

static void
conlog_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct conlog *c = arg;
	char buf[4096];
	ssize_t n, i;

	(void)ev;
	/* Bounded per wake-up: a chatty guest cannot starve DNS. */
	for (int round = 0; round < 4 && c->fd == fd; round++) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				/* QEMU closed it: it is exiting, and the
				 * pidfd will say so. */
				loop_del(l, fd);
				close(fd);
				c->fd = -1;
			}
			return;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' || c->len == LINE_MAX_LEN - 1)
				line_done(c);
			if (buf[i] != '\n')
				c->line[c->len++] = buf[i];
		}
	}
}

static void
conlog_close(struct conlog *c, struct loop *l)
{
	if (c->fd == -1)
		return;
	/* What QEMU wrote before it died is still in the pipe. */
	conlog_readable(l, c->fd, EPOLLIN, c);
	if (c->fd != -1) {
		loop_del(l, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (c->len > 0)
		line_done(c);
}

/* --- QMP --- */

static void
qmp_msg(struct qmp *qp, const struct qmp_msg *m, const char *cmd, void *arg)
{
	struct qemu_svc *q = arg;

	(void)qp;
	if (m->kind == QMP_ERROR) {
		log_warnx("service %s: qmp %s: %s: %s", q->svc->name,
		    cmd ? cmd : "?", m->name, m->desc);
		/* A VM that would not continue is paused for good while
		 * the state says running: end it, the next want boots. */
		if (cmd != NULL && strcmp(cmd, "cont") == 0 && q->pid != 0)
			kill(q->pid, SIGKILL);
	} else if (m->kind == QMP_EVENT)
		log_debug("service %s: qmp event %s", q->svc->name, m->name);
}

/* --- ready = tcp --- */

static void probe_start(struct qemu_svc *);

static void
probe_stop(struct qemu_svc *q)
{
	loop_timer_del(svc_loop(q->svc), &q->probe);
	if (q->probefd != -1) {
		loop_del(svc_loop(q->svc), q->probefd);
		close(q->probefd);
		q->probefd = -1;
	}
}

static void
probe_done(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct qemu_svc *q = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)ev;
	(void)fd;
	getsockopt(q->probefd, SOL_SOCKET, SO_ERROR, &err, &len);
	probe_stop(q);
	if (err == 0) {
		svc_on_ready(q->svc);
		return;
	}
	/* Refused: the guest's stack is up but not yet listening. */
	loop_timer_add(l, &q->probe, PROBE_RETRY_MS * NSEC_PER_MSEC);
}

static void
probe_timer(struct loop *l, struct timer *t, void *arg)
{
	(void)l;
	(void)t;
	probe_start(arg);
}

static uint16_t
probe_port(const struct cfg_service *c)
{
	for (int i = 0; i < c->nports; i++)
		if (c->ports[i].proto == IPPROTO_TCP)
			return c->ports[i].port;
	return 80;
}

/* The probe's SYN is held in the tap like a client's and answered once
 * the guest listens, so one connect usually suffices. */
static void
probe_start(struct qemu_svc *q)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	if (q->pid == 0 || q->svc->state != SVC_STARTING)
		return;
	sin.sin_addr = q->spec.addr;
	sin.sin_port = htons(probe_port(q->svc->cfg));
	if ((q->probefd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    (connect(q->probefd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) ||
	    loop_add(svc_loop(q->svc), q->probefd, EPOLLOUT, probe_done, q) < 0) {
		log_warn("service %s: ready probe", q->svc->name);
		if (q->probefd != -1)
			close(q->probefd);
		q->probefd = -1;
		loop_timer_add(svc_loop(q->svc), &q->probe,
		    PROBE_RETRY_MS * NSEC_PER_MSEC);
	}
}

/* --- the tap --- */

static void
requeue(struct qemu_svc *q, enum net_hold mode, int *wake)
{
	int resets = 0, r, w;

	/* A fresh head of the queue only when no QEMU can read it away. */
	r = net_tap_requeue(&q->tap, mode, q->pid == 0, &w, &resets);
	if (r < 0)
		log_warnx("service %s: tap %s: %s", q->svc->name, q->tap.name,
		    strerror(-r));
	if (resets > 0)
		log_info("service %s: reset %d held connection%s",
		    q->svc->name, resets, resets == 1 ? "" : "s");
	if (wake != NULL)
		*wake = w;
}

static void
wake_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct qemu_svc *q = arg;

	(void)l;
	(void)fd;
	(void)ev;
	/* The copies only say "someone knocked"; the frames themselves
	 * wait in the tap. A failed service in back-off resets them. */
	if (net_tap_watch_drain(&q->tap) > 0)
		svc_want(q->svc, "connection");
}

static void
qemu_watch(struct service *s, bool on)
{
	struct qemu_svc *q = Q(s);
	int r;

	if (q != NULL && (r = net_tap_watch(&q->tap, on)) < 0)
		log_warnx("service %s: watch tap %s: %s", s->name, q->tap.name,
		    strerror(-r));
}

static void
qemu_reset_held(struct service *s)
{
	if (Q(s) != NULL)
		requeue(Q(s), NET_HOLD_RESET, NULL);
}

/* --- the instance's sockets --- */

static int
run_path(const char *run, const char *what, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s",
	    run, what) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* A folder of ours: a record names it, and a record is only a file. */
static bool
run_is_ours(const char *run)
{
	size_t n = strlen(qemu_rundir());

	return strncmp(run, qemu_rundir(), n) == 0 && run[n] == '/' &&
	    strstr(run, "/..") == NULL;
}

static void
run_remove(const char *run)
{
	struct sockaddr_un sun;

	if (run[0] == '\0' || !run_is_ours(run))
		return;
	if (run_path(run, "qmp", &sun) == 0)
		unlink(sun.sun_path);
	if (run_path(run, "console", &sun) == 0)
		unlink(sun.sun_path);
	if (run_path(run, "instance", &sun) == 0)
		unlink(sun.sun_path);
	rmdir(run);
}

/*
 * The instance's identity, in its folder from the fork on: the record in
 * `state =` is written only once the VM is up, so a jitsud that dies
 * while a QEMU boots leaves one nobody records, holding the tap. The
 * next jitsud finds it here when it cannot make the tap (see
 * end_unrecorded).
 */
static void
run_identify(const char *run, pid_t pid)
{
	struct sockaddr_un sun;
	char buf[64];
	int fd, n;

	if (run_path(run, "instance", &sun) < 0 ||
	    (fd = open(sun.sun_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return;
	n = snprintf(buf, sizeof(buf), "%ld %llu\n", (long)pid,
	    instance_starttime(pid));
	if (write(fd, buf, (size_t)n) != n)
		unlink(sun.sun_path);
	close(fd);
}

/* A listening (server) or connected (client) socket at run/what. */
static int
run_socket(const char *run, const char *what, bool server)
{
	struct sockaddr_un sun;
	int fd, r;

	if ((r = run_path(run, what, &sun)) < 0)
		return r;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	if (server ? bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 1) == -1 :
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* --- the instance --- */

static void
instance_gone(struct qemu_svc *q)
{
	struct loop *l = svc_loop(q->svc);

	loop_timer_del(l, &q->grace);
	probe_stop(q);
	qmp_close(&q->qmp);
	conlog_close(&q->out, l);
	conlog_close(&q->err, l);
	if (q->pidfd != -1) {
		loop_del(l, q->pidfd);
		close(q->pidfd);
		q->pidfd = -1;
	}
	q->pid = 0;
	q->adopted = false;
	qemu_cg_remove(&q->cg);
	run_remove(q->run);
	q->run[0] = '\0';
}

static void
pidfd_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct qemu_svc *q = arg;
	struct service *s = q->svc;
	siginfo_t si;
	char why[96];
	bool crashed;
	int wake = 0;

	(void)l;
	(void)ev;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG) == -1) {
		/* Adopted: its parent is init, which has the status; the
		 * pidfd is readable only once it is gone. */
		if (errno != ECHILD)
			return;
		si.si_code = 0;
	} else if (si.si_pid == 0)
		return;
	instance_gone(q);
	if (si.si_code == 0)
		snprintf(why, sizeof(why), "adopted QEMU exited");
	/* isa-debug-exit makes a guest's exit(n) QEMU's 2n+1. */
	else if (si.si_code == CLD_EXITED && si.si_status > 1 && (si.si_status & 1))
		snprintf(why, sizeof(why), "guest exited with status %d",
		    si.si_status >> 1);
	else if (si.si_code == CLD_EXITED)
		snprintf(why, sizeof(why), "QEMU exited with status %d",
		    si.si_status);
	else
		snprintf(why, sizeof(why), "QEMU killed by signal %d (%s)",
		    si.si_status, strsignal(si.si_status));
	/* As for a process: an exit or a kill while running is stopped,
	 * and the next want boots it again. QEMU dumping core is QEMU
	 * failing, which backs off. */
	crashed = !q->killed && si.si_code == CLD_DUMPED;
	q->killed = false;
	/* Before the state machine hears of it: a want held during the
	 * stop may start the next QEMU from inside svc_on_exit, and that
	 * one must find the sacrificial frame first in the queue. */
	requeue(q, NET_HOLD_KEEP, &wake);
	svc_on_exit(s, crashed, why);
	if (wake > 0 && s->state == SVC_STOPPED)
		svc_want(s, "connection held while stopping");
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
child(struct qemu_svc *q, int qmpfd, int confd, int errw)
{
	static const char msg[] = "cannot execute QEMU\n";
	int from[6], to[6] = { 0, 1, 2, QEMU_FD_TAP, QEMU_FD_QMP,
	    QEMU_FD_CONSOLE }, i, null;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	/* No parent-death signal: QEMU outlives a jitsud that crashes,
	 * to be adopted by the next; a jitsud that exits ends it. Its own
	 * session: a ^C meant for jitsud's terminal is jitsud's. */
	setsid();
	/* Before QEMU allocates anything: no QEMU without its limit. */
	if (qemu_cg_enter(&q->cg) < 0)
		_exit(127);
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		_exit(127);
	from[0] = null;
	from[1] = errw;		/* QEMU prints nothing of the guest's */
	from[2] = errw;
	from[3] = q->tap.fd;
	from[4] = qmpfd;
	from[5] = confd;
	/* Out of the way of the targets first, then into place (dup2
	 * clears close-on-exec on the copy). */
	for (i = 0; i < 6; i++)
		if ((from[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 16)) == -1)
			_exit(127);
	for (i = 0; i < 6; i++)
		if (dup2(from[i], to[i]) == -1)
			_exit(127);
	syscall(SYS_close_range, 6U, ~0U, 0U);
	execv(q->qemu, q->argv);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* The instance's socket folder, QMP and console: QEMU gets the
 * listening sockets, jitsud keeps a connection to each, made before the
 * fork so nothing races QEMU's start. */
static int
run_make(struct qemu_svc *q, int lfd[2], int cfd[2], char *why, size_t whylen)
{
	int r, i;

	lfd[0] = lfd[1] = cfd[0] = cfd[1] = -1;
	if ((r = mkdir_p(qemu_rundir(), 0700)) < 0) {
		snprintf(why, whylen, "%s: %s", qemu_rundir(), strerror(-r));
		return r;
	}
	if ((size_t)snprintf(q->run, sizeof(q->run), "%s/%.40s.XXXXXX",
	    qemu_rundir(), q->svc->name) >= sizeof(q->run)) {
		snprintf(why, whylen, "%s: name too long for a socket folder",
		    qemu_rundir());
		q->run[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (mkdtemp(q->run) == NULL) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", q->run, strerror(errno));
		q->run[0] = '\0';
		return r;
	}
	for (i = 0; i < 2; i++) {
		const char *what = i == 0 ? "qmp" : "console";
		if ((lfd[i] = r = run_socket(q->run, what, true)) < 0 ||
		    (cfd[i] = r = run_socket(q->run, what, false)) < 0) {
			snprintf(why, whylen, "%s/%s: %s", q->run, what,
			    strerror(-r));
			for (i = 0; i < 2; i++) {
				if (lfd[i] >= 0)
					close(lfd[i]);
				if (cfd[i] >= 0)
					close(cfd[i]);
			}
			run_remove(q->run);
			q->run[0] = '\0';
			return r;
		}
	}
	return 0;
}

static int
spawn(struct service *s, char *why, size_t whylen)
{
	struct qemu_svc *q = Q(s);
	struct loop *l = svc_loop(s);
	int lfd[2], cfd[2], errp[2] = { -1, -1 };
	pid_t pid;
	int r, i;

	q->killed = false;
	if ((r = qemu_cg_make(&q->cg, l, s->name, s->cfg->memory, why,
	    whylen)) < 0)
		return r;
	if ((r = run_make(q, lfd, cfd, why, whylen)) < 0) {
		qemu_cg_remove(&q->cg);
		return r;
	}
	if (pipe2(errp, O_CLOEXEC) == -1) {
		r = -errno;
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		r = -errno;
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(q, lfd[0], lfd[1], errp[1]);
	close(lfd[0]);
	close(lfd[1]);
	close(errp[1]);
	lfd[0] = lfd[1] = errp[1] = -1;
	if ((q->pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		r = -errno;
	else
		r = loop_add(l, q->pidfd, EPOLLIN, pidfd_readable, q);
	if (r < 0) {
		snprintf(why, whylen, "pidfd: %s", strerror(-r));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (q->pidfd != -1)
			close(q->pidfd);
		q->pidfd = -1;
		goto fail;
	}
	q->pid = pid;
	run_identify(q->run, pid);
	fcntl(cfd[1], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	q->out.fd = cfd[1];
	q->out.len = 0;
	q->err.fd = errp[0];
	q->err.len = 0;
	if ((r = loop_add(l, q->out.fd, EPOLLIN, conlog_readable, &q->out)) < 0 ||
	    (r = loop_add(l, q->err.fd, EPOLLIN, conlog_readable, &q->err)) < 0 ||
	    (r = qmp_open(&q->qmp, l, cfd[0], qmp_msg, q)) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(-r));
		if (q->qmp.fd == -1)
			close(cfd[0]);
		/* The pidfd reports the end. */
		q->killed = true;
		kill(pid, SIGKILL);
		return r;
	}
	net_tap_packets(&q->tap, &q->packets);
	if (s->cfg->ready == READY_TCP)
		probe_start(q);
	return 0;
fail:
	for (i = 0; i < 2; i++) {
		if (lfd[i] != -1)
			close(lfd[i]);
		if (cfd[i] != -1)
			close(cfd[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
	run_remove(q->run);
	q->run[0] = '\0';
	qemu_cg_remove(&q->cg);
	return r;
}

/* svc_want acts after the I/O batch that asked for the start: the DNS
 * answer has left before this fork. */
static int
qemu_start(struct service *s, char *why, size_t whylen)
{
	return spawn(s, why, whylen);
}

static void
grace_expired(struct loop *l, struct timer *t, void *arg)
{
	struct qemu_svc *q = arg;

	(void)l;
	(void)t;
	if (q->pid == 0)
		return;
	log_info("service %s: QEMU still running after %llu ms grace: killing",
	    q->svc->name, (unsigned long long)q->svc->cfg->grace_ms);
	kill(q->pid, SIGKILL);
}

static int
qemu_stop(struct service *s, bool force)
{
	struct qemu_svc *q = Q(s);

	if (q == NULL || q->pid == 0) {
		svc_on_exit(s, false, "not running");
		return 0;
	}
	q->killed = true;
	if (!force) {
		/* With acpi=off a powerdown reaches only guests that look
		 * for it some other way; the grace timer ends the rest. */
		if (qmp_send(&q->qmp, s->cfg->stop == STOP_SHUTDOWN ?
		    "system_powerdown" : "quit") == 0) {
			loop_timer_add(svc_loop(s), &q->grace,
			    s->cfg->grace_ms * NSEC_PER_MSEC);
			return 0;
		}
	}
	return kill(q->pid, SIGKILL) == -1 ? -errno : 0;
}

static int
qemu_suspend(struct service *s)
{
	struct qemu_svc *q = Q(s);

	return q != NULL && q->pid != 0 ? qmp_send(&q->qmp, "stop") : -ESRCH;
}

static int
qemu_resume(struct service *s)
{
	struct qemu_svc *q = Q(s);

	if (q == NULL || q->pid == 0)
		return -ESRCH;
	net_tap_packets(&q->tap, &q->packets);
	/* Frames that came while it was paused wait in the tap; QEMU reads
	 * them on cont. */
	return qmp_send(&q->qmp, "cont");
}

/* Idle rule: the guest's established connections (backend/vm_idle.h). */
static int
qemu_connections(struct service *s)
{
	struct qemu_svc *q = Q(s);

	return q == NULL ? 0 : vm_idle_connections(&q->tap, &q->packets);
}

static unsigned long long
qemu_memory(struct service *s)
{
	struct qemu_svc *q = Q(s);
	unsigned long long size = 0, rss = 0;
	char path[64];
	FILE *f;

	if (q == NULL || q->pid == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)q->pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static long
qemu_pid(struct service *s)
{
	return Q(s) != NULL ? (long)Q(s)->pid : 0;
}

/* Frees Q and gives its uid back to the allocator. */
static void
qemu_free(struct qemu_svc *q)
{
	if (q->spec.uid != 0)
		uid_put(uid_pool(), q->svc->name);
	free(q);
}

static void
qemu_release(struct service *s)
{
	struct qemu_svc *q = Q(s);

	if (q == NULL)
		return;
	/* jitsud is leaving or the service goes: no QEMU outlives it.
	 * Killed, it is gone within milliseconds. */
	if (q->pid != 0)
		instance_end(q->pidfd);
	instance_gone(q);
	loop_del(svc_loop(s), q->tap.pfd);
	net_tap_close(&q->tap);
	qemu_free(q);
	s->bk = NULL;
}

/* The binary on PATH, so a start execs without a search. */
static int
find_qemu(char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		if ((e = strchr(p, ':')) == NULL)
			e = p + strlen(p);
		snprintf(out, len, "%.*s/%s", (int)(e - p), p, QEMU_BIN);
		if (e > p && access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Whether this QEMU has its seccomp filter (-sandbox): it parses the
 * option before -version, and refuses it when built without. Asked once
 * per jitsud, at the first prepare (~10 ms). */
static bool
qemu_has_seccomp(const char *qemu)
{
	static int known = -1;
	int st, null;
	pid_t pid;

	if (known != -1)
		return known;
	if ((pid = fork()) == 0) {
		if ((null = open("/dev/null", O_RDWR)) != -1) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(qemu, qemu, "-sandbox", "on", "-version", (char *)NULL);
		_exit(127);
	}
	known = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
	if (!known)
		log_warnx("%s has no seccomp filter (-sandbox): VMs run "
		    "without it", qemu);
	return known;
}

/* 0, or -errno of opening /dev/kvm. */
static int
kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd == -1)
		return -errno;
	close(fd);
	return 0;
}

/* Everything but the tap: the spec and the command line. */
static struct qemu_svc *
qemu_new(struct service *s, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct qemu_svc *q;
	struct in_addr gw;
	char a[INET_ADDRSTRLEN];
	int i, r;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	q->svc = s;
	q->pidfd = q->probefd = q->out.fd = q->err.fd = q->qmp.fd = -1;
	q->tap.fd = q->tap.pfd = -1;
	q->out.q = q->err.q = q;
	q->out.console = true;
	timer_init(&q->grace, grace_expired, q);
	timer_init(&q->probe, probe_timer, q);
	r = -EINVAL;
	for (i = 0; i < c->naddrs; i++) {
		if (c->addrs[i].family == AF_INET) {
			q->spec.addr = c->addrs[i].a.v4;
			continue;
		}
		/* DNS would answer AAAA for an address nothing routes. */
		snprintf(why, whylen, "IPv6 addresses are not routed to VMs "
		    "(yet): give the service its IPv4 address only");
		goto fail;
	}
	inet_ntop(AF_INET, &q->spec.addr, a, sizeof(a));
	inet_pton(AF_INET, QEMU_GATEWAY, &gw);
	if ((ntohl(q->spec.addr.s_addr) >> 24) == 127) {
		snprintf(why, whylen, "address %s is loopback; a VM needs an "
		    "address the host can route to it", a);
		goto fail;
	}
	if ((r = find_qemu(q->qemu, sizeof(q->qemu))) < 0) {
		snprintf(why, whylen, "%s not found on PATH", QEMU_BIN);
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		const char *f = i == 0 ? c->image : c->initrd;
		if (f != NULL && access(f, R_OK) == -1) {
			r = -errno;
			snprintf(why, whylen, "%s: %s", f, strerror(errno));
			goto fail;
		}
	}
	q->spec.qemu = q->qemu;
	q->spec.name = s->name;
	if (c->accel == ACCEL_KVM && (r = kvm_usable()) < 0) {
		snprintf(why, whylen, "accel = kvm: /dev/kvm: %s", strerror(-r));
		goto fail;
	}
	q->spec.kvm = c->accel == ACCEL_KVM ||
	    (c->accel == ACCEL_AUTO && kvm_usable() == 0);
	q->spec.image = c->image;
	q->spec.initrd = c->initrd;
	q->spec.cmdline = c->cmdline;
	q->spec.gateway = gw;
	q->spec.memory = c->memory;
	q->spec.cpus = c->cpus;
	q->spec.seccomp = qemu_has_seccomp(q->qemu);
	/* One uid per service from the allocator every backend shares:
	 * no VM and no exec sandbox can signal another's processes. */
	if (geteuid() == 0) {
		int64_t uid = uid_take(uid_pool(), s->name);

		if (uid < 0) {
			r = (int)uid;
			snprintf(why, whylen, "no free uid in uid_base/uid_range: "
			    "%s", strerror(-r));
			goto fail;
		}
		q->spec.uid = (unsigned)uid;
	}
	qemu_guest_mac(&q->spec.addr, q->spec.mac);
	if ((r = qemu_argv(&q->spec, q->argbuf, sizeof(q->argbuf), q->argv,
	    QEMU_ARGV_MAX)) < 0) {
		snprintf(why, whylen, "QEMU command line too long");
		goto fail;
	}
	return q;
fail:
	qemu_free(q);
	return NULL;
}

static void
log_tap(struct service *s, struct qemu_svc *q)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &q->spec.addr, a, sizeof(a));
	log_info("service %s: tap %s, guest %s mac %02x:%02x:%02x:%02x:%02x:%02x, "
	    "%s", s->name, q->tap.name, a, q->spec.mac[0], q->spec.mac[1],
	    q->spec.mac[2], q->spec.mac[3], q->spec.mac[4], q->spec.mac[5],
	    q->spec.kvm ? "kvm" : "tcg");
}

/*
 * The tap is busy: a QEMU of this service that no record names holds it
 * (an earlier jitsud died while it booted). End each such instance whose
 * identity file still names a live process that holds a tap named
 * tapname, and remove its folder. Returns how many were ended.
 */
static int
end_unrecorded(const struct service *s, const char *tapname)
{
	char prefix[48], path[400], buf[64];
	unsigned long long st;
	struct dirent *e;
	struct ifreq ifr;
	int n = 0, fd, pidfd, tfd;
	ssize_t len;
	long pid;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "%.40s.", s->name);
	if ((d = opendir(qemu_rundir())) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    strlen(e->d_name) != strlen(prefix) + 6)
			continue;
		snprintf(path, sizeof(path), "%s/%s/instance", qemu_rundir(),
		    e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[len > 0 ? len : 0] = '\0';
		if (sscanf(buf, "%ld %llu", &pid, &st) != 2 ||
		    (pidfd = instance_open((pid_t)pid, st, buf,
		    sizeof(buf))) < 0)
			continue;
		/* Ours only if it holds this service's tap. */
		memset(&ifr, 0, sizeof(ifr));
		tfd = (int)syscall(SYS_pidfd_getfd, pidfd, QEMU_FD_TAP, 0);
		if (tfd != -1 && ioctl(tfd, TUNGETIFF, &ifr) == 0 &&
		    strncmp(ifr.ifr_name, tapname, IFNAMSIZ) == 0) {
			log_info("service %s: ending QEMU pid %ld, left booting "
			    "by an earlier jitsud", s->name, pid);
			instance_end(pidfd);
			snprintf(path, sizeof(path), "%s/%s", qemu_rundir(),
			    e->d_name);
			run_remove(path);
			n++;
		}
		if (tfd != -1)
			close(tfd);
		close(pidfd);
	}
	closedir(d);
	return n;
}

static int
qemu_prepare(struct service *s, char *why, size_t whylen)
{
	struct qemu_svc *q;
	char tapname[16], a[INET_ADDRSTRLEN];
	int r;

	if ((q = qemu_new(s, why, whylen)) == NULL)
		return -EINVAL;
	vm_idle_track();
	inet_ntop(AF_INET, &q->spec.addr, a, sizeof(a));
	qemu_tap_name(&q->spec.addr, tapname);
	r = net_tap_open(&q->tap, tapname, &q->spec.gateway, &q->spec.addr,
	    q->spec.mac);
	if (r == -EBUSY && end_unrecorded(s, tapname) > 0)
		r = net_tap_open(&q->tap, tapname, &q->spec.gateway,
		    &q->spec.addr, q->spec.mac);
	if (r < 0) {
		snprintf(why, whylen, "tap %s for %s: %s", tapname, a,
		    strerror(-r));
		goto fail;
	}
	if ((r = loop_add(svc_loop(s), q->tap.pfd, EPOLLIN, wake_readable,
	    q)) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(-r));
		goto fail;
	}
	s->bk = q;
	requeue(q, NET_HOLD_KEEP, NULL);
	log_tap(s, q);
	return 0;
fail:
	net_tap_close(&q->tap);
	qemu_free(q);
	return r;
}

/* --- re-adoption --- */

static int
qemu_record(struct service *s, char *rec, size_t cap, size_t *len)
{
	struct qemu_svc *q = Q(s);
	int r = 0;

	if (q == NULL || q->pid == 0 || q->run[0] == '\0')
		return -ESRCH;
	r |= ctl_rec_add(rec, cap, len, "pid", "%ld", (long)q->pid);
	r |= ctl_rec_add(rec, cap, len, "starttime", "%llu",
	    instance_starttime(q->pid));
	r |= ctl_rec_add(rec, cap, len, "tap", "%s", q->tap.name);
	r |= ctl_rec_add(rec, cap, len, "tapfd", "%d", QEMU_FD_TAP);
	r |= ctl_rec_add(rec, cap, len, "run", "%s", q->run);
	return r ? -ENOSPC : 0;
}

/* After a verified instance could not be taken over, or no longer fits:
 * end it, and what it left. */
static int
adopt_fail(struct qemu_svc *q, int pidfd, const char *run)
{
	instance_end(pidfd);
	close(pidfd);
	run_remove(run);
	if (q != NULL) {
		qmp_close(&q->qmp);
		if (q->out.fd != -1) {
			loop_del(svc_loop(q->svc), q->out.fd);
			close(q->out.fd);
		}
		loop_del(svc_loop(q->svc), q->tap.pfd);
		net_tap_close(&q->tap);
		qemu_free(q);
	}
	return 0;
}

static int
qemu_adopt(struct service *s, const char *rec, size_t len, bool keep,
    char *why, size_t whylen)
{
	struct qemu_svc *q = NULL;
	struct loop *l = svc_loop(s);
	char v[128], run[80] = "", tapname[16];
	unsigned long long st;
	bool running = false;
	int pidfd, fd, tapfd, r;
	pid_t pid;

	if (svc_record_get(rec, len, "run", v, sizeof(v)) && run_is_ours(v) &&
	    strlen(v) < sizeof(run))
		memcpy(run, v, strlen(v) + 1);
	if (!svc_record_get(rec, len, "pid", v, sizeof(v)) ||
	    (pid = (pid_t)strtol(v, NULL, 10)) <= 1) {
		run_remove(run);
		return 0;
	}
	svc_record_get(rec, len, "starttime", v, sizeof(v));
	st = strtoull(v, NULL, 10);
	if ((pidfd = instance_open(pid, st, why, whylen)) < 0) {
		run_remove(run);
		return pidfd == -2 ? -1 : 0;
	}
	if (!keep) {
		snprintf(why, whylen, "the configuration changed: ended QEMU "
		    "pid %ld", (long)pid);
		return adopt_fail(NULL, pidfd, run);
	}
	if ((q = qemu_new(s, why, whylen)) == NULL)
		return adopt_fail(NULL, pidfd, run);
	q->out.fd = -1;
	/* The same queue QEMU reads: what is held in it stays held. */
	svc_record_get(rec, len, "tapfd", v, sizeof(v));
	tapfd = v[0] ? atoi(v) : QEMU_FD_TAP;
	qemu_tap_name(&q->spec.addr, tapname);
	if ((fd = (int)syscall(SYS_pidfd_getfd, pidfd, tapfd, 0)) == -1) {
		snprintf(why, whylen, "QEMU pid %ld: its tap: %s: ended it",
		    (long)pid, strerror(errno));
		return adopt_fail(q, pidfd, run);
	}
	if ((r = net_tap_adopt(&q->tap, fd, tapname, &q->spec.gateway,
	    &q->spec.addr, q->spec.mac)) < 0) {
		snprintf(why, whylen, "QEMU pid %ld: tap %s: %s: ended it",
		    (long)pid, tapname, strerror(-r));
		return adopt_fail(q, pidfd, run);
	}
	if ((r = loop_add(l, q->tap.pfd, EPOLLIN, wake_readable, q)) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(-r));
		return adopt_fail(q, pidfd, run);
	}
	/* QMP answers, or the VM cannot be managed: ended, booted anew. */
	if ((fd = r = run_socket(run, "qmp", false)) < 0 ||
	    (r = qmp_status(fd, ADOPT_QMP_MS, &running)) < 0 ||
	    (r = qmp_attach(&q->qmp, l, fd, qmp_msg, q)) < 0) {
		if (fd >= 0 && q->qmp.fd == -1)
			close(fd);
		snprintf(why, whylen, "QEMU pid %ld: qmp in %s: %s: ended it",
		    (long)pid, run[0] ? run : "(none)", strerror(-r));
		return adopt_fail(q, pidfd, run);
	}
	/* The console may be had again too; without it the VM still
	 * serves, only its lines are not logged. */
	if ((fd = run_socket(run, "console", false)) >= 0) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		q->out.fd = fd;
		if (loop_add(l, fd, EPOLLIN, conlog_readable, &q->out) < 0) {
			close(fd);
			q->out.fd = -1;
		}
	}
	if (q->out.fd == -1)
		log_warnx("service %s: QEMU pid %ld: no console: its lines are "
		    "not logged", s->name, (long)pid);
	if (loop_add(l, pidfd, EPOLLIN, pidfd_readable, q) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(errno));
		return adopt_fail(q, pidfd, run);
	}
	q->pid = pid;
	q->pidfd = pidfd;
	q->adopted = true;
	/* Its cgroup is the one the last jitsud made: found again, so it
	 * goes when this QEMU does. */
	if (qemu_cg_make(&q->cg, l, s->name, s->cfg->memory, v,
	    sizeof(v)) < 0)
		log_warnx("service %s: QEMU pid %ld: its cgroup: %s", s->name,
		    (long)pid, v);
	memcpy(q->run, run, sizeof(run));
	s->bk = q;
	net_tap_packets(&q->tap, &q->packets);
	/* Frames for a paused VM wait in the tap; the watch hears them
	 * (the state machine turns it off when the VM runs). */
	if (!running)
		net_tap_watch(&q->tap, true);
	log_tap(s, q);
	snprintf(why, whylen, "adopted QEMU pid %ld%s", (long)pid,
	    running ? "" : " (paused)");
	return running ? 1 : 2;
}

const struct backend_ops backend_qemu = {
	.name = "qemu",
	.prepare = qemu_prepare,
	.start = qemu_start,
	.stop = qemu_stop,
	.suspend = qemu_suspend,
	.resume = qemu_resume,
	.reset_held = qemu_reset_held,
	.connections = qemu_connections,
	.watch = qemu_watch,
	.pid = qemu_pid,
	.memory = qemu_memory,
	.record = qemu_record,
	.adopt = qemu_adopt,
	.release = qemu_release,
};
