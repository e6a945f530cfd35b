/*
 * sandbox_run - drives the sandbox library the way the exec backend does,
 * for tests/integration/1x-sandbox-*.sh: prepare, spawn, watch the status
 * socket and the pidfd with poll, report, release.
 *
 *   sandbox_run [options] -- IMAGE [ARG...]
 *     -n NAME     service name (default sbx<pid>)
 *     -g GROUP    cgroup group under our own cgroup (default jitsu-test)
 *     -r RUNDIR   skeleton roots (default /run/jitsu/sandbox-test)
 *     -u UID      host uid of root inside (default: the host picks one)
 *     -m BYTES    memory limit (K, M, G suffixes)
 *     -p N        pids limit
 *     -c MILLI    cpu limit in thousandths of a cpu
 *     -f FILTER   strict | default | none (default: default)
 *     -P          mount /proc
 *     -N          private network namespace
 *     -2          use cgroup v2 (on a hybrid host: its unified hierarchy)
 *     -M          a private tmpfs on RUNDIR (sandbox_host_conf.tmpfs_rundir)
 *     -l ADDR:PORT  listen on a TCP socket here and hand it over (repeat)
 *     -o FILE     the child's stdout and stderr (default: our stderr)
 *     -i          then read commands on stdin: freeze, frozen, thaw,
 *                 kill SIG, mem, quit
 *     -t SECS     kill the child after SECS (default 30)
 *     -w FILE     after prepare, wait for FILE to exist before the spawn
 *     -x N        first prepare N other sandboxes x1..xN (host-picked
 *                 uids, printed as "uid xI U") and release x1; then try a
 *                 second sandbox named like the first ("dup: MSG")
 *
 * Prints, one per line: "pid N", "cgroup CTRL DIR", "exec ok" or
 * "exec failed: MSG", "exit CAUSE STATUS: REASON" (CAUSE: exited,
 * signaled, oom, seccomp, jail), answers to commands, "error: MSG".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "sandbox/sandbox.h"

static const char *const causes[] = {
	[SANDBOX_EXITED] = "exited",
	[SANDBOX_SIGNALED] = "signaled",
	[SANDBOX_OOM] = "oom",
	[SANDBOX_SECCOMP] = "seccomp",
	[SANDBOX_JAIL] = "jail",
};

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static uint64_t
size_arg(const char *s)
{
	char		*end;
	uint64_t	 v = strtoull(s, &end, 10);

	switch (*end) {
	case 'G': case 'g': v <<= 10; /* FALLTHROUGH */
	case 'M': case 'm': v <<= 10; /* FALLTHROUGH */
	case 'K': case 'k': v <<= 10; break;
	}
	return v;
}

static int
listen_on(const char *spec)
{
	struct sockaddr_in	sin;
	char			host[64], *colon;
	int			s, one = 1;

	snprintf(host, sizeof(host), "%s", spec);
	if ((colon = strchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static void
command(struct sandbox *sb, char *line)
{
	uint64_t	mem;
	int		r;

	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "freeze") == 0) {
		if ((r = sandbox_freeze(sb)) >= 0)
			say("%s", r == 1 ? "frozen" : "freezing");
		else
			say("error: %s", strerror(-r));
	} else if (strcmp(line, "frozen") == 0) {
		r = sandbox_frozen(sb);
		say("frozen %d", r);
	} else if (strcmp(line, "thaw") == 0) {
		if ((r = sandbox_thaw(sb)) == 0)
			say("thawed");
		else
			say("error: %s", strerror(-r));
	} else if (strncmp(line, "kill ", 5) == 0) {
		if ((r = sandbox_kill(sb, atoi(line + 5))) == 0)
			say("killed");
		else
			say("error: %s", strerror(-r));
	} else if (strcmp(line, "mem") == 0) {
		if ((r = sandbox_memory_current(sb, &mem)) == 0)
			say("mem %llu", (unsigned long long)mem);
		else
			say("error: %s", strerror(-r));
	} else if (line[0] != '\0')
		say("error: unknown command %s", line);
}

int
main(int argc, char **argv)
{
	struct sandbox_host_conf hc = { .rundir = "/run/jitsu/sandbox-test",
	    .cgroup = "jitsu-test" };
	struct sandbox_spec	 sp = { .filter = SANDBOX_FILTER_DEFAULT };
	struct sandbox_io	 io = { .out_fd = 2, .err_fd = 2 };
	struct sandbox_host	 h;
	struct sandbox		 sb;
	struct sandbox_exit	 ex;
	struct pollfd		 pfd[3];
	char			 err[SANDBOX_ERRLEN], name[32], line[256];
	char			 names[256] = "";
	int			 fds[8], nfds = 0, interactive = 0, timeout = 30;
	const char		*waitfile = NULL;
	struct sandbox		 extra[8], dup;
	int			 nextra = 0;
	int			 c, r, i, done = 0, stdin_open = 1;
	time_t			 deadline;
	struct sigaction	 sa;

	snprintf(name, sizeof(name), "sbx%d", (int)getpid());
	sp.name = name;
	sp.uid = 0;	/* the host picks */
	while ((c = getopt(argc, argv, "n:g:r:u:m:p:c:f:PN2Ml:o:it:w:x:")) != -1) {
		switch (c) {
		case 'n': sp.name = optarg; break;
		case 'g': hc.cgroup = optarg; break;
		case 'r': hc.rundir = optarg; break;
		case 'u': sp.uid = atoi(optarg); break;
		case 'm': sp.limits.memory = size_arg(optarg); break;
		case 'p': sp.limits.pids = atoi(optarg); break;
		case 'c': sp.limits.cpu_milli = atoi(optarg); break;
		case 'f':
			if ((r = filter_parse(optarg)) < 0) {
				say("error: filter %s", optarg);
				return 2;
			}
			sp.filter = r;
			break;
		case 'P': sp.proc = true; break;
		case 'N': sp.private_net = true; break;
		case '2': hc.cgroup_layout = CG_V2; break;
		case 'M': hc.tmpfs_rundir = true; break;
		case 'l':
			if (nfds == 8 || (fds[nfds] = listen_on(optarg)) < 0) {
				say("error: listen %s", optarg);
				return 2;
			}
			snprintf(names + strlen(names), sizeof(names) -
			    strlen(names), "%sl%d", nfds ? ":" : "", nfds);
			nfds++;
			break;
		case 'o':
			io.out_fd = io.err_fd = open(optarg, O_WRONLY |
			    O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (io.out_fd == -1) {
				say("error: %s: %s", optarg, strerror(errno));
				return 2;
			}
			break;
		case 'i': interactive = 1; break;
		case 't': timeout = atoi(optarg); break;
		case 'w': waitfile = optarg; break;
		case 'x': nextra = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		say("error: no image");
		return 2;
	}
	sp.image = argv[optind];
	sp.args = (const char *const *)argv + optind + 1;
	io.fds = fds;
	io.nfds = nfds;
	io.fdnames = nfds ? names : NULL;

	if (sandbox_host_init(&h, &hc, err, sizeof(err)) < 0) {
		say("error: %s", err);
		return 2;
	}
	if (nextra > 8)
		nextra = 8;
	for (i = 0; i < nextra; i++) {
		struct sandbox_spec xs = sp;
		char xname[16];

		snprintf(xname, sizeof(xname), "x%d", i + 1);
		xs.name = xname;
		xs.uid = 0;
		if (sandbox_prepare(&extra[i], &h, &xs, err, sizeof(err)) < 0) {
			say("error: %s", err);
			return 2;
		}
		say("uid %s %u", xname, (unsigned)extra[i].uid);
	}
	if (nextra > 0)
		sandbox_release(&extra[0]);
	if (sandbox_prepare(&sb, &h, &sp, err, sizeof(err)) < 0) {
		say("error: %s", err);
		sandbox_host_fini(&h);
		return 2;
	}
	say("uid %s %u", sb.name, (unsigned)sb.uid);
	if (nextra > 0) {
		if (sandbox_prepare(&dup, &h, &sp, err, sizeof(err)) == 0) {
			say("dup: prepared");
			sandbox_release(&dup);
		} else
			say("dup: %s", err);
	}
	if (waitfile != NULL) {
		say("prepared");
		for (i = 0; i < timeout * 100 && access(waitfile, F_OK) != 0; i++)
			usleep(10000);
	}
	if (sandbox_spawn(&sb, &io, err, sizeof(err)) < 0) {
		say("error: %s", err);
		sandbox_release(&sb);
		sandbox_host_fini(&h);
		return 2;
	}
	say("pid %d", (int)sb.pid);
	if (h.cg.layout == CG_NONE)
		say("cgroup none: %s", h.cg.none_why);
	for (i = 0; i < CG_NCTRL; i++)
		if (cg_dir(&sb.cg, i) != NULL)
			say("cgroup %s %s", cg_ctrl_name(i), cg_dir(&sb.cg, i));
	/* a test that kills us must not leave the sandboxed child behind */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	deadline = time(NULL) + timeout;
	while ((!done || (interactive && stdin_open)) && !stop) {
		pfd[0].fd = sb.statusfd;
		pfd[1].fd = sb.pidfd;
		pfd[2].fd = interactive && stdin_open ? 0 : -1;
		for (i = 0; i < 3; i++)
			pfd[i].events = POLLIN;
		if (poll(pfd, 3, 1000) == -1 && errno != EINTR)
			break;
		if (sb.pid > 0 && time(NULL) > deadline) {
			say("timeout");
			sandbox_kill(&sb, SIGKILL);
			deadline = time(NULL) + 3600;
		}
		if (sb.statusfd != -1 && (pfd[0].revents & (POLLIN | POLLHUP))) {
			r = sandbox_exec_result(&sb, err, sizeof(err));
			if (r == 1)
				say("exec ok");
			else if (r < 0)
				say("exec failed: %s", err);
		}
		if (sb.pidfd != -1 && (pfd[1].revents & POLLIN) &&
		    sandbox_reap(&sb, &ex) == 0) {
			say("exit %s %d: %s", causes[ex.cause], ex.status,
			    ex.reason);
			done = 1;
		}
		if (pfd[2].fd == 0 && (pfd[2].revents & (POLLIN | POLLHUP))) {
			if (fgets(line, sizeof(line), stdin) == NULL ||
			    strncmp(line, "quit", 4) == 0)
				stdin_open = 0;
			else
				command(&sb, line);
		}
	}
	if (stop)
		say("stopped");
	for (i = 1; i < nextra; i++)
		sandbox_release(&extra[i]);
	sandbox_release(&sb);
	sandbox_host_fini(&h);
	return 0;
}
