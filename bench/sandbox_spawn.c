/*
 * sandbox_spawn - what a sandboxed start costs, step by step.
 *
 *   sandbox_spawn [-n N] [-s SERVICES] [-F FDS] [-R RUNNING] PROBE [HELLO]
 *
 * PROBE is build/tests/helpers/sandbox_probe (static; run as "exit 0"),
 * HELLO build/uk/hello.unix (optional). Run it as root inside a network
 * namespace of its own (bench/sandbox_spawn does): hello listens on
 * 127.0.0.1:80 there. Reports p50/p90/p99 in microseconds of:
 *   - the floor: fork+execve+exit of the same image, no sandbox;
 *   - sandbox_spawn() returning, the exec done (status socket EOF) and the
 *     exit seen (pidfd), per filter, and with /proc;
 *   - each step of the jail (the child reports its clock before execve);
 *   - hello.unix: spawn -> first byte of the answer to a request queued in
 *     the backlog beforehand, sandboxed (strict) and plain fork+exec;
 *   - resume: thaw -> first byte of the answer to a request sent while
 *     frozen; and freeze -> FROZEN;
 *   - with RUNNING hello.unix instances up: host memory per instance, and
 *     spawn -> first byte against the same at 0 (target <= 1.5x);
 *   - the same spawn with SERVICES other services prepared and FDS extra
 *     descriptors open in jitsud, to show what scales with them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "sandbox/files.h"
#include "sandbox/sandbox.h"

#define MAXN	2000
#define BWRAP	"/usr/bin/bwrap"
#define BWRAP_RUNS 10

struct stats {
	double	v[MAXN];
	int	n;
};

static int	iters = 200;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
add(struct stats *s, uint64_t ns)
{
	if (s->n < MAXN)
		s->v[s->n++] = ns / 1000.0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(struct stats *s, int p)
{
	int i;

	if (s->n == 0)
		return 0;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp);
	i = (s->n * p + 99) / 100 - 1;
	return s->v[i < 0 ? 0 : i];
}

static void
row(const char *what, struct stats *s)
{
	printf("  %-44s %9.1f %9.1f %9.1f\n", what, pct(s, 50), pct(s, 90),
	    pct(s, 99));
	s->n = 0;
}

static void __attribute__((noreturn))
die(const char *what, const char *err)
{
	fprintf(stderr, "sandbox_spawn: %s: %s\n", what, err);
	exit(1);
}

static void
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, 10000) == -1 && errno == EINTR)
		;
}

/* One start to the end: spawn, exec result, exit. */
static void
one(struct sandbox *sb, const struct sandbox_io *io, struct stats *ret,
    struct stats *exec, struct stats *exit_)
{
	struct sandbox_exit	ex;
	char			err[SANDBOX_ERRLEN];
	uint64_t		t0, t;
	int			r;

	t0 = now_ns();
	if (sandbox_spawn(sb, io, err, sizeof(err)) < 0)
		die("spawn", err);
	t = now_ns();
	if (ret)
		add(ret, t - t0);
	while ((r = sandbox_exec_result(sb, err, sizeof(err))) == 0)
		wait_readable(sb->statusfd);
	if (r < 0)
		die("exec", err);
	if (exec)
		add(exec, now_ns() - t0);
	while (sandbox_reap(sb, &ex) == -EAGAIN)
		wait_readable(sb->pidfd);
	if (exit_)
		add(exit_, now_ns() - t0);
	if (ex.cause != SANDBOX_EXITED || ex.status != 0)
		die("probe", ex.reason);
}

static void
prepare(struct sandbox *sb, struct sandbox_host *h, const char *name,
    const char *image, const char *const *args, enum sandbox_filter f,
    bool proc)
{
	struct sandbox_spec	sp;
	char			err[SANDBOX_ERRLEN];

	memset(&sp, 0, sizeof(sp));
	sp.name = name;
	sp.image = image;
	sp.args = args;
	sp.uid = 0;	/* the host picks */
	sp.limits.memory = 64 << 20;
	sp.limits.pids = 64;
	sp.filter = f;
	sp.proc = proc;
	if (sandbox_prepare(sb, h, &sp, err, sizeof(err)) < 0)
		die("prepare", err);
}

static void
bench_floor(const char *probe)
{
	struct stats	s = { .n = 0 };
	char		*argv[] = { (char *)probe, "exit", "0", NULL };
	char		*envp[] = { "PATH=/usr/bin:/bin", NULL };
	uint64_t	 t0;
	pid_t		 p;
	int		 i;

	for (i = 0; i < iters; i++) {
		t0 = now_ns();
		if ((p = fork()) == 0) {
			execve(probe, argv, envp);
			_exit(127);
		}
		waitpid(p, NULL, 0);
		add(&s, now_ns() - t0);
	}
	row("floor: fork+execve+exit, no sandbox", &s);
}

static void
bench_filters(struct sandbox_host *h, const char *probe)
{
	static const char *const args[] = { "exit", "0", NULL };
	struct stats		 ret = { .n = 0 }, ex = { .n = 0 }, end = { .n = 0 };
	struct sandbox_io	 io = { .out_fd = -1, .err_fd = -1 };
	struct sandbox		 sb;
	char			 label[96];
	int			 f, proc, i;

	for (proc = 0; proc < 2; proc++) {
		for (f = 0; f < SANDBOX_FILTER_COUNT; f++) {
			if (proc && f != SANDBOX_FILTER_DEFAULT)
				continue;
			prepare(&sb, h, "bench", probe, args, f, proc);
			for (i = 0; i < iters; i++)
				one(&sb, &io, &ret, &ex, &end);
			sandbox_release(&sb);
			snprintf(label, sizeof(label), "filter %s%s: spawn() "
			    "returns", filter_name(f), proc ? " +/proc" : "");
			row(label, &ret);
			snprintf(label, sizeof(label), "filter %s%s: exec done",
			    filter_name(f), proc ? " +/proc" : "");
			row(label, &ex);
			snprintf(label, sizeof(label), "filter %s%s: exit seen",
			    filter_name(f), proc ? " +/proc" : "");
			row(label, &end);
		}
	}
}

static void
bench_steps(struct sandbox_host *h, const char *probe)
{
	static const char *const args[] = { "exit", "0", NULL };
	struct sandbox_io	 io = { .out_fd = -1, .err_fd = -1 };
	struct stats		 st[JAIL_NSTEPS + 3];
	struct sandbox		 sb;
	char			 label[96];
	uint64_t		 prev, t0, texec;
	char			 err[SANDBOX_ERRLEN];
	struct sandbox_exit	 ex;
	int			 i, k;

	memset(st, 0, sizeof(st));
	h->trace = true;
	prepare(&sb, h, "bench", probe, args, SANDBOX_FILTER_DEFAULT, false);
	for (i = 0; i < iters; i++) {
		t0 = now_ns();
		if (sandbox_spawn(&sb, &io, err, sizeof(err)) < 0)
			die("spawn", err);
		while (sandbox_exec_result(&sb, err, sizeof(err)) == 0)
			wait_readable(sb.statusfd);
		texec = now_ns();
		while (sandbox_reap(&sb, &ex) == -EAGAIN)
			wait_readable(sb.pidfd);
		add(&st[0], sb.t_cloned - t0);
		add(&st[1], sb.t_go - sb.t_cloned);
		/* the child may wake before jitsud stamps t_go */
		prev = sb.t_go;
		for (k = 0; k < JAIL_NSTEPS - 1; k++) {
			add(&st[2 + k], sb.trace_ns[k] > prev ?
			    sb.trace_ns[k] - prev : 0);
			prev = sb.trace_ns[k] > prev ? sb.trace_ns[k] : prev;
		}
		add(&st[JAIL_NSTEPS + 1], texec - prev);
	}
	sandbox_release(&sb);
	h->trace = false;
	row("jitsud: env, socketpair, setns, clone3", &st[0]);
	row("jitsud: cgroup.procs, uid/gid maps, go", &st[1]);
	for (k = 0; k < JAIL_NSTEPS - 1; k++) {
		snprintf(label, sizeof(label), "child: %s", jail_step_name(k));
		row(label, &st[2 + k]);
	}
	row("child: execve (until the status socket's EOF)",
	    &st[JAIL_NSTEPS + 1]);
}

static int
listen_on(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET,
	    .sin_port = htons(port) };
	int			s, one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 64) == -1)
		die("bind 127.0.0.1 (run in a netns of its own)",
		    strerror(errno));
	return s;
}

static const char request[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";

/* A client whose connection waits in the backlog with a request sent. */
static int
queued_request_to(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET,
	    .sin_port = htons(port) };
	int			c;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    write(c, request, sizeof(request) - 1) != sizeof(request) - 1)
		die("client", strerror(errno));
	return c;
}

static int
queued_request(void)
{
	return queued_request_to(80);
}

static void
first_byte(int c)
{
	char b[512];

	wait_readable(c);
	if (read(c, b, sizeof(b)) <= 0)
		die("client", "no answer");
}

static void
bench_hello(struct sandbox_host *h, const char *hello, struct stats *at0)
{
	struct stats		 sand = { .n = 0 }, plain = { .n = 0 };
	struct stats		 fr = { .n = 0 }, res = { .n = 0 };
	struct sandbox_exit	 ex;
	struct sandbox_io	 io = { .nfds = 1, .out_fd = -1, .err_fd = -1 };
	struct sandbox		 sb;
	char			 err[SANDBOX_ERRLEN];
	char			*argv[] = { (char *)hello, NULL };
	char			*envp[] = { "LISTEN_FDS=1", "LISTEN_PID=0", NULL };
	char			 pidenv[32];
	uint64_t		 t0;
	pid_t			 p;
	int			 ls = listen_on(80), c, i, r;
	int			 devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	io.fds = &ls;
	prepare(&sb, h, "hello", hello, NULL, SANDBOX_FILTER_STRICT, false);
	for (i = 0; i < iters; i++) {
		c = queued_request();
		t0 = now_ns();
		if (sandbox_spawn(&sb, &io, err, sizeof(err)) < 0)
			die("spawn", err);
		first_byte(c);
		add(&sand, now_ns() - t0);
		close(c);
		sandbox_kill(&sb, SIGKILL);
		while (sandbox_reap(&sb, &ex) == -EAGAIN)
			wait_readable(sb.pidfd);
		if (sb.statusfd != -1)
			sandbox_exec_result(&sb, NULL, 0);
	}
	*at0 = sand;
	row("hello.unix strict: spawn -> first byte", &sand);

	for (i = 0; i < iters; i++) {
		c = queued_request();
		t0 = now_ns();
		if ((p = fork()) == 0) {
			snprintf(pidenv, sizeof(pidenv), "LISTEN_PID=%d",
			    (int)getpid());
			envp[1] = pidenv;
			dup2(ls, 3);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execve(hello, argv, envp);
			_exit(127);
		}
		first_byte(c);
		add(&plain, now_ns() - t0);
		close(c);
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
	}
	row("hello.unix floor: fork+exec -> first byte", &plain);

	/* bubblewrap with a comparable jail: new user, pid, ipc, uts, net,
	 * cgroup namespaces, only the image read-only, /dev, a /tmp; the
	 * image is its pid 2 (bwrap stays as pid 1). Its init needs ~1.7 s
	 * to die after the kill (the teardown of the network namespace it
	 * made): each run waits for the last one's to be gone, untimed, and
	 * runs are few. */
	for (i = 0; i < iters && i < BWRAP_RUNS && access(BWRAP, X_OK) == 0;
	    i++) {
		char	 port[32], info[256], *cp;
		char	*bw[] = { BWRAP, "--unshare-all", "--ro-bind",
		    (char *)hello, "/app/hello.unix", "--dev", "/dev", "--tmpfs",
		    "/tmp", "--new-session", "--die-with-parent", "--info-fd",
		    "4", "--setenv", "LISTEN_FDS", "1", "--setenv", "LISTEN_PID",
		    "2", "/app/hello.unix", port, NULL };
		int	 bl = listen_on(8000 + i), inf[2], inner = -1;

		snprintf(port, sizeof(port), "port=%d", 8000 + i);
		if (pipe(inf) == -1)
			die("pipe", strerror(errno));
		c = queued_request_to(8000 + i);
		t0 = now_ns();
		if ((p = fork()) == 0) {
			dup2(bl, 3);
			dup2(inf[1], 4);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execve(BWRAP, bw, envp + 2);
			_exit(127);
		}
		close(inf[1]);
		first_byte(c);
		add(&plain, now_ns() - t0);
		close(c);
		close(bl);
		memset(info, 0, sizeof(info));
		if (read(inf[0], info, sizeof(info) - 1) > 0 &&
		    (cp = strstr(info, "\"child-pid\":")) != NULL)
			inner = pidfd_open(atoi(cp + 12), 0);
		close(inf[0]);
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
		if (inner != -1) {
			wait_readable(inner);
			close(inner);
		}
	}
	if (plain.n > 0)
		row("hello.unix bwrap --unshare-all (<= 10 runs)", &plain);

	/* resume: freeze a running hello, queue a request, thaw */
	if (sandbox_spawn(&sb, &io, err, sizeof(err)) < 0)
		die("spawn", err);
	c = queued_request();
	first_byte(c);
	close(c);
	for (i = 0; i < iters; i++) {
		t0 = now_ns();
		if ((r = sandbox_freeze(&sb)) < 0)
			die("freeze", strerror(-r));
		while (r == 0)
			r = sandbox_frozen(&sb);
		add(&fr, now_ns() - t0);
		c = queued_request();
		t0 = now_ns();
		if ((r = sandbox_thaw(&sb)) < 0)
			die("thaw", strerror(-r));
		first_byte(c);
		add(&res, now_ns() - t0);
		close(c);
	}
	row("freeze -> FROZEN (hello idle)", &fr);
	row("resume: thaw -> first byte", &res);
	sandbox_release(&sb);
	close(ls);
	close(devnull);
}

static long
mem_available_kib(void)
{
	char	buf[4096], *p;

	if (file_read("/proc/meminfo", buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "MemAvailable:")) == NULL)
		return 0;
	return atol(p + 13);
}

/* Start -> first byte with NRUN hello.unix instances already running
 * (on another port), and what each running instance costs the host. */
static void
bench_running(struct sandbox_host *h, const char *hello, int nrun,
    struct stats *at0)
{
	static const char *const args81[] = { "port=81", NULL };
	struct sandbox_io	 io = { .nfds = 1, .out_fd = -1, .err_fd = -1 };
	struct sandbox_exit	 ex;
	struct stats		 st = { .n = 0 };
	struct sandbox		*run, sb;
	char			 name[32], label[96], err[SANDBOX_ERRLEN];
	long			 m0, m1;
	uint64_t		 t0;
	int			 l81 = listen_on(81), l80 = listen_on(80), i, c;
	double			 p0 = pct(at0, 50);

	if ((run = calloc(nrun, sizeof(*run))) == NULL)
		die("calloc", strerror(errno));
	for (i = 0; i < nrun; i++) {
		snprintf(name, sizeof(name), "run%d", i);
		prepare(&run[i], h, name, hello, args81, SANDBOX_FILTER_STRICT,
		    false);
	}
	io.fds = &l81;
	sleep(1);
	m0 = mem_available_kib();
	for (i = 0; i < nrun; i++) {
		if (sandbox_spawn(&run[i], &io, err, sizeof(err)) < 0)
			die("spawn", err);
		while (sandbox_exec_result(&run[i], err, sizeof(err)) == 0)
			wait_readable(run[i].statusfd);
	}
	/* each has come as far as waiting for a connection */
	for (i = 0; i < 20; i++) {
		c = queued_request_to(81);
		first_byte(c);
		close(c);
	}
	sleep(1);
	m1 = mem_available_kib();
	printf("  %d hello.unix running: host memory %.0f KiB each "
	    "(MemAvailable)\n", nrun, (double)(m0 - m1) / nrun);

	io.fds = &l80;
	prepare(&sb, h, "hello", hello, NULL, SANDBOX_FILTER_STRICT, false);
	for (i = 0; i < iters; i++) {
		c = queued_request_to(80);
		t0 = now_ns();
		if (sandbox_spawn(&sb, &io, err, sizeof(err)) < 0)
			die("spawn", err);
		first_byte(c);
		add(&st, now_ns() - t0);
		close(c);
		sandbox_kill(&sb, SIGKILL);
		while (sandbox_reap(&sb, &ex) == -EAGAIN)
			wait_readable(sb.pidfd);
	}
	sandbox_release(&sb);
	snprintf(label, sizeof(label), "hello.unix spawn -> first byte, %d "
	    "running", nrun);
	printf("  %-44s %9.1f %9.1f %9.1f  (%.2fx the p50 at 0)\n", label,
	    pct(&st, 50), pct(&st, 90), pct(&st, 99), p0 > 0 ?
	    pct(&st, 50) / p0 : 0);
	for (i = 0; i < nrun; i++)
		sandbox_release(&run[i]);	/* kills and reaps */
	free(run);
	close(l80);
	close(l81);
}

static void
bench_scale(struct sandbox_host *h, const char *probe, int nsvc, int nfd)
{
	static const char *const args[] = { "exit", "0", NULL };
	struct sandbox_io	 io = { .out_fd = -1, .err_fd = -1 };
	struct stats		 ex = { .n = 0 }, prep = { .n = 0 };
	struct sandbox		*many, sb;
	char			 name[32], label[96];
	uint64_t		 t0;
	int			*fds, i;

	if ((many = calloc(nsvc, sizeof(*many))) == NULL ||
	    (fds = calloc(nfd, sizeof(*fds))) == NULL)
		die("calloc", strerror(errno));
	for (i = 0; i < nsvc; i++) {
		snprintf(name, sizeof(name), "other%d", i);
		t0 = now_ns();
		prepare(&many[i], h, name, probe, args, SANDBOX_FILTER_DEFAULT,
		    false);
		add(&prep, now_ns() - t0);
	}
	snprintf(label, sizeof(label), "sandbox_prepare (one of %d)", nsvc);
	row(label, &prep);
	for (i = 0; i < nfd; i++)
		if ((fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		    -1)
			die("socket", strerror(errno));
	prepare(&sb, h, "bench", probe, args, SANDBOX_FILTER_DEFAULT, false);
	for (i = 0; i < iters; i++)
		one(&sb, &io, NULL, &ex, NULL);
	sandbox_release(&sb);
	snprintf(label, sizeof(label), "exec done, %d prepared, %d fds open",
	    nsvc, nfd);
	row(label, &ex);
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	t0 = now_ns();
	for (i = 0; i < nsvc; i++)
		sandbox_release(&many[i]);
	printf("  (released %d services in %.1f ms)\n", nsvc,
	    (now_ns() - t0) / 1e6);
	free(many);
	free(fds);
}

int
main(int argc, char **argv)
{
	struct sandbox_host_conf hc = { .rundir = "/run/jitsu/sandbox-bench",
	    .cgroup = "jitsu-bench", .tmpfs_rundir = true };
	struct sandbox_host	 h;
	char			 err[SANDBOX_ERRLEN];
	int			 c, nsvc = 1000, nfd = 2000, nrun = 1000;
	static struct stats	 at0;
	struct rlimit		 rl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "n:s:F:R:")) != -1) {
		switch (c) {
		case 'R': nrun = atoi(optarg); break;
		case 'n': iters = atoi(optarg); break;
		case 's': nsvc = atoi(optarg); break;
		case 'F': nfd = atoi(optarg); break;
		default: return 2;
		}
	}
	if (iters < 1 || iters > MAXN || optind >= argc) {
		fprintf(stderr, "usage: sandbox_spawn [-n N] [-s SERVICES] "
		    "[-F FDS] [-R RUNNING] PROBE [HELLO]\n");
		return 2;
	}
	/* jitsud raises its own limit for thousands of held sockets */
	rl.rlim_cur = rl.rlim_max = nfd + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("setrlimit", strerror(errno));
	if (sandbox_host_init(&h, &hc, err, sizeof(err)) < 0)
		die("host", err);
	printf("sandbox start costs, %d runs each, microseconds "
	    "(cgroup layout %s)\n", iters, h.cg.layout == CG_V2 ? "v2" :
	    h.cg.layout == CG_V1 ? "v1" : "none");
	printf("  %-44s %9s %9s %9s\n", "", "p50", "p90", "p99");
	bench_floor(argv[optind]);
	bench_filters(&h, argv[optind]);
	printf("steps of a start (filter default, no /proc):\n");
	bench_steps(&h, argv[optind]);
	if (optind + 1 < argc) {
		printf("hello.unix (request queued in the backlog first):\n");
		bench_hello(&h, argv[optind + 1], &at0);
		if (nrun > 0)
			bench_running(&h, argv[optind + 1], nrun, &at0);
	}
	printf("scale:\n");
	bench_scale(&h, argv[optind], nsvc, nfd);
	sandbox_host_fini(&h);
	return 0;
}
