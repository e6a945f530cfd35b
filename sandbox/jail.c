/*
 * jail.c - the child between clone3 and execve (see sandbox.h, steps 7-16).
 *
 * It runs on a copy of jitsud's memory made by clone3 without CLONE_VM, so
 * it may read everything jitsud prepared, but it sticks to system calls:
 * libc's view of its own thread is stale after a raw clone3, which rules
 * out anything that looks at it (ids go through raw syscalls for that
 * reason: glibc's setuid family walks its thread list).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>

#include "sandbox/filter.h"
#include "sandbox/jail.h"
#include "sandbox/root.h"

#define JAIL_NOFILE	1024	/* select()-safe soft limit, as systemd does */

static const char *const step_names[JAIL_NSTEPS] = {
	[JAIL_WAIT] = "wait for jitsud",
	[JAIL_IDS] = "set uid/gid",
	[JAIL_CGROUPNS] = "cgroup namespace",
	[JAIL_HOSTNAME] = "hostname",
	[JAIL_FDS] = "descriptors",
	[JAIL_ROOT] = "bind root",
	[JAIL_BINDS] = "bind image and devices",
	[JAIL_READONLY] = "make root read-only",
	[JAIL_TMP] = "mount /tmp",
	[JAIL_PROC] = "mount /proc",
	[JAIL_CHROOT] = "chroot",
	[JAIL_PROCESS] = "signals and limits",
	[JAIL_CAPS] = "drop capabilities",
	[JAIL_NNP] = "no_new_privs",
	[JAIL_SECCOMP] = "seccomp filter",
	[JAIL_EXEC] = "execve",
};

const char *
jail_step_name(int step)
{
	return step >= 0 && step < JAIL_NSTEPS ? step_names[step] : "?";
}

struct ctx {
	const struct jail	*j;
	int			 sock;	/* moves with the descriptor shuffle */
	struct jail_report	 rep;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void __attribute__((noreturn))
fail(struct ctx *c, enum jail_step step, int e)
{
	c->rep.step = step;
	c->rep.err = e;
	send(c->sock, &c->rep, sizeof(c->rep), MSG_NOSIGNAL);
	_exit(127);
}

static void
done(struct ctx *c, enum jail_step step)
{
	c->rep.ns[step] = now_ns();
}

#define TRY(c, step, call) do {					\
	if ((call) == -1)					\
		fail((c), (step), errno);			\
} while (0)

static void
wait_go(struct ctx *c)
{
	char	go;
	ssize_t	n;

	do
		n = read(c->sock, &go, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		_exit(127);	/* jitsud gave up on us and says why itself */
	done(c, JAIL_WAIT);
}

static void
set_ids(struct ctx *c)
{
	/* Until now the child holds jitsud's credentials (host root, not
	 * mapped here); this makes it uid 0 of the namespace, spec.uid on the
	 * host. Supplementary groups would otherwise stay host root's. */
	TRY(c, JAIL_IDS, syscall(SYS_setgroups, 0, NULL));
	TRY(c, JAIL_IDS, syscall(SYS_setresgid, 0, 0, 0));
	TRY(c, JAIL_IDS, syscall(SYS_setresuid, 0, 0, 0));
	done(c, JAIL_IDS);
}

/*
 * Listening sockets to 3.., out/err to 1/2, /dev/null to 0, the status
 * socket right after the listeners (close-on-exec), all else closed.
 * Everything is first copied above the final range, so a source that
 * already sits inside it is never overwritten before it is used.
 */
static void
set_fds(struct ctx *c)
{
	const struct jail	*j = c->j;
	int			 hi[JAIL_MAX_FDS], null, out, err, sock;
	int			 top = 3 + j->nfds + 1, i;

	TRY(c, JAIL_FDS, null = open("/dev/null", O_RDWR | O_CLOEXEC));
	for (i = 0; i < j->nfds; i++)
		TRY(c, JAIL_FDS, hi[i] = fcntl(j->fds[i], F_DUPFD_CLOEXEC, top));
	TRY(c, JAIL_FDS, null = fcntl(null, F_DUPFD_CLOEXEC, top));
	TRY(c, JAIL_FDS, out = j->out_fd >= 0 ?
	    fcntl(j->out_fd, F_DUPFD_CLOEXEC, top) : null);
	TRY(c, JAIL_FDS, err = j->err_fd >= 0 ?
	    fcntl(j->err_fd, F_DUPFD_CLOEXEC, top) : null);
	TRY(c, JAIL_FDS, sock = fcntl(c->sock, F_DUPFD_CLOEXEC, top));
	c->sock = sock;
	for (i = 0; i < j->nfds; i++)
		TRY(c, JAIL_FDS, dup2(hi[i], 3 + i));
	TRY(c, JAIL_FDS, dup2(null, 0));
	TRY(c, JAIL_FDS, dup2(out, 1));
	TRY(c, JAIL_FDS, dup2(err, 2));
	TRY(c, JAIL_FDS, dup3(sock, top - 1, O_CLOEXEC));
	c->sock = top - 1;
	TRY(c, JAIL_FDS, close_range(top, ~0U, 0));
	done(c, JAIL_FDS);
}

static void
set_root(struct ctx *c)
{
	const struct root	*r = c->j->root;
	struct mount_attr	 ro = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID,
	};
	int			 i;

	/* The skeleton is a plain folder of the host's: a bind of it is a
	 * mount of our own, which the read-only flag can then cover whole. */
	TRY(c, JAIL_ROOT, mount(r->dir, r->dir, NULL, MS_BIND | MS_REC, NULL));
	done(c, JAIL_ROOT);
	for (i = 0; i < r->nbinds; i++)
		TRY(c, JAIL_BINDS, mount(r->binds[i].src, r->binds[i].dst, NULL,
		    MS_BIND | MS_REC, NULL));
	done(c, JAIL_BINDS);
	/* One call for the whole tree; it only adds flags, so flags the
	 * host locked (nodev, noexec, ...) stay. */
	TRY(c, JAIL_READONLY, mount_setattr(AT_FDCWD, r->dir, AT_RECURSIVE,
	    &ro, sizeof(ro)));
	done(c, JAIL_READONLY);
	TRY(c, JAIL_TMP, mount("tmpfs", r->tmp, "tmpfs",
	    MS_NOSUID | MS_NODEV | MS_NOEXEC, r->tmpopts));
	done(c, JAIL_TMP);
	/* the kernel mounts a procfs in a user namespace only where a full
	 * one is visible: the host's is, outside the root */
	if (r->proc != NULL)
		TRY(c, JAIL_PROC, mount("proc", r->proc, "proc",
		    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	done(c, JAIL_PROC);
	/*
	 * chroot, not pivot_root: pivot_root waits for an RCU grace period
	 * (~3 ms measured, most of a start's budget). The host's tree stays
	 * in this namespace but out of reach: every capability is dropped
	 * below (no second chroot, no mount), no descriptor points outside,
	 * ".." stops at the root, and mountinfo skips mounts outside it.
	 */
	TRY(c, JAIL_CHROOT, chroot(r->dir));
	TRY(c, JAIL_CHROOT, chdir("/"));
	done(c, JAIL_CHROOT);
}

static void
set_process(struct ctx *c)
{
	struct rlimit	rl;
	sigset_t	none;
	int		sig;

	/* clone3 reset handlers; ignored signals and the mask survive exec */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);	/* EINVAL for KILL, STOP, libc's own */
	sigemptyset(&none);
	TRY(c, JAIL_PROCESS, sigprocmask(SIG_SETMASK, &none, NULL));
	/* a core file could not be written (read-only root) but a piped
	 * core_pattern would run a host helper for every seccomp kill */
	rl.rlim_cur = rl.rlim_max = 0;
	TRY(c, JAIL_PROCESS, setrlimit(RLIMIT_CORE, &rl));
	TRY(c, JAIL_PROCESS, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur > JAIL_NOFILE) {
		rl.rlim_cur = JAIL_NOFILE;
		TRY(c, JAIL_PROCESS, setrlimit(RLIMIT_NOFILE, &rl));
	}
	TRY(c, JAIL_PROCESS, setsid());
	done(c, JAIL_PROCESS);
}

static void
drop_caps(struct ctx *c)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct	data[2];
	int				cap;

	for (cap = 0; cap <= c->j->cap_last; cap++)
		TRY(c, JAIL_CAPS, prctl(PR_CAPBSET_DROP, cap, 0, 0, 0));
	TRY(c, JAIL_CAPS, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL,
	    0, 0, 0));
	/* uid 0 must not regain capabilities at execve */
	TRY(c, JAIL_CAPS, prctl(PR_SET_SECUREBITS,
	    SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
	    0, 0, 0));
	memset(data, 0, sizeof(data));
	TRY(c, JAIL_CAPS, syscall(SYS_capset, &hdr, data));
	done(c, JAIL_CAPS);
}

static void
load_filter(struct ctx *c)
{
	const struct filter_prog	*f = c->j->filter;
	struct sock_fprog		 prog;

	TRY(c, JAIL_NNP, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	done(c, JAIL_NNP);
	if (f->len > 0) {
		prog.len = f->len;
		prog.filter = f->insns;
		TRY(c, JAIL_SECCOMP, syscall(SYS_seccomp,
		    SECCOMP_SET_MODE_FILTER, 0, &prog));
	}
	done(c, JAIL_SECCOMP);
}

void
jail_run(const struct jail *j)
{
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.j = j;
	c.sock = j->sock;
	wait_go(&c);
	set_ids(&c);
	TRY(&c, JAIL_CGROUPNS, unshare(CLONE_NEWCGROUP));
	done(&c, JAIL_CGROUPNS);
	TRY(&c, JAIL_HOSTNAME, sethostname(j->hostname, strlen(j->hostname)));
	done(&c, JAIL_HOSTNAME);
	set_fds(&c);
	set_root(&c);
	set_process(&c);
	drop_caps(&c);
	load_filter(&c);
	if (j->trace) {
		c.rep.step = JAIL_NSTEPS;
		send(c.sock, &c.rep, sizeof(c.rep), MSG_NOSIGNAL);
	}
	execve(j->root->exe, j->argv, j->envp);
	fail(&c, JAIL_EXEC, errno);
}
