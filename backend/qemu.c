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
 * (stdout) and its own messages (stderr) come to jitsud's log line by
 * line; readiness is the ready_line on the console, or a TCP connection
 * to the service that succeeds (ready = tcp). QMP, on a socketpair made
 * per start, pauses (stop), resumes (cont), powers down and quits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/qemu.h"
#include "config/values.h"
#include "core/log.h"
#include "net/net.h"
#include "sandbox/sandbox.h"
#include "service/service.h"

#define QEMU_BIN	"qemu-system-x86_64"
#define LINE_MAX_LEN	512
#define PROBE_RETRY_MS	10

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
	struct conlog	 out, err;
	struct qmp	 qmp;
	bool		 killed;	/* we asked it to end */
	struct timer	 grace;
	int		 probefd;	/* ready = tcp: connect in flight */
	struct timer	 probe;
	uint64_t	 packets;	/* tap counters at the last idle look */
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
	if (waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG) == -1 ||
	    si.si_pid == 0)
		return;
	instance_gone(q);
	/* isa-debug-exit makes a guest's exit(n) QEMU's 2n+1. */
	if (si.si_code == CLD_EXITED && si.si_status > 1 && (si.si_status & 1))
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
child(struct qemu_svc *q, pid_t parent, int qmpfd, int outw, int errw)
{
	static const char msg[] = "cannot execute QEMU\n";
	int from[5], to[5] = { 0, 1, 2, QEMU_FD_TAP, QEMU_FD_QMP }, i, null;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	/* QEMU must not outlive jitsud, even one that crashed. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* Its own session: a ^C meant for jitsud's terminal is jitsud's. */
	setsid();
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		_exit(127);
	from[0] = null;
	from[1] = outw;
	from[2] = errw;
	from[3] = q->tap.fd;
	from[4] = qmpfd;
	/* Out of the way of the targets first, then into place (dup2
	 * clears close-on-exec on the copy). */
	for (i = 0; i < 5; i++)
		if ((from[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 16)) == -1)
			_exit(127);
	for (i = 0; i < 5; i++)
		if (dup2(from[i], to[i]) == -1)
			_exit(127);
	syscall(SYS_close_range, 5U, ~0U, 0U);
	execv(q->qemu, q->argv);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

static int
spawn(struct service *s, char *why, size_t whylen)
{
	struct qemu_svc *q = Q(s);
	struct loop *l = svc_loop(s);
	int sp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	pid_t parent = getpid(), pid;
	int r;

	q->killed = false;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    pipe2(outp, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		r = -errno;
		snprintf(why, whylen, "pipes: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		r = -errno;
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(q, parent, sp[1], outp[1], errp[1]);
	close(sp[1]);
	close(outp[1]);
	close(errp[1]);
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
		close(sp[0]);
		close(outp[0]);
		close(errp[0]);
		return r;
	}
	q->pid = pid;
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	q->out.fd = outp[0];
	q->out.len = 0;
	q->err.fd = errp[0];
	q->err.len = 0;
	if ((r = loop_add(l, q->out.fd, EPOLLIN, conlog_readable, &q->out)) < 0 ||
	    (r = loop_add(l, q->err.fd, EPOLLIN, conlog_readable, &q->err)) < 0 ||
	    (r = qmp_open(&q->qmp, l, sp[0], qmp_msg, q)) < 0) {
		snprintf(why, whylen, "event loop: %s", strerror(-r));
		if (q->qmp.fd == -1)
			close(sp[0]);
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
	for (int i = 0; i < 2; i++) {
		if (sp[i] != -1)
			close(sp[i]);
		if (outp[i] != -1)
			close(outp[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
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

/* Idle rule: the tap's frame counters moved since the last look. A VM's
 * connections are not the host's sockets (its clients may be anywhere),
 * but all their frames cross the tap. */
static int
qemu_connections(struct service *s)
{
	struct qemu_svc *q = Q(s);
	uint64_t now = 0;
	int r;

	if (q == NULL)
		return 0;
	if ((r = net_tap_packets(&q->tap, &now)) < 0)
		return r;
	r = now != q->packets;
	q->packets = now;
	return r;
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

static void
qemu_release(struct service *s)
{
	struct qemu_svc *q = Q(s);
	siginfo_t si;

	if (q == NULL)
		return;
	if (q->pid != 0) {
		/* jitsud is leaving or the service goes: no QEMU outlives
		 * it. Killed, it is gone within milliseconds. */
		kill(q->pid, SIGKILL);
		waitid(P_PIDFD, (id_t)q->pidfd, &si, WEXITED);
	}
	instance_gone(q);
	loop_del(svc_loop(s), q->tap.pfd);
	net_tap_close(&q->tap);
	free(q);
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

static int
qemu_prepare(struct service *s, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct qemu_svc *q;
	struct in_addr gw;
	char tapname[16], a[INET_ADDRSTRLEN];
	int i, r;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
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
	/* The uid the exec backend's sandbox would give this service: one
	 * per service, so VMs cannot signal one another. */
	if (geteuid() == 0)
		q->spec.uid = SANDBOX_UID_BASE + (unsigned)s->index;
	qemu_guest_mac(&q->spec.addr, q->spec.mac);
	if ((r = qemu_argv(&q->spec, q->argbuf, sizeof(q->argbuf), q->argv,
	    QEMU_ARGV_MAX)) < 0) {
		snprintf(why, whylen, "QEMU command line too long");
		goto fail;
	}
	qemu_tap_name(&q->spec.addr, tapname);
	if ((r = net_tap_open(&q->tap, tapname, &gw, &q->spec.addr,
	    q->spec.mac)) < 0) {
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
	log_info("service %s: tap %s, guest %s mac %02x:%02x:%02x:%02x:%02x:%02x, "
	    "%s", s->name, q->tap.name, a, q->spec.mac[0], q->spec.mac[1],
	    q->spec.mac[2], q->spec.mac[3], q->spec.mac[4], q->spec.mac[5],
	    q->spec.kvm ? "kvm" : "tcg");
	return 0;
fail:
	net_tap_close(&q->tap);
	free(q);
	return r;
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
	.release = qemu_release,
};
