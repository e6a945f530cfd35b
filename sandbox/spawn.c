/*
 * spawn.c - jitsud's side of a start (steps 1-6 of sandbox.h) and what it
 * learns afterwards from the status socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "sandbox/errmsg.h"
#include "sandbox/files.h"
#include "sandbox/sandbox.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
sandbox_env(char **envp, int max, char *buf, size_t buflen, int nfds,
    const char *fdnames, char *const *extra, int nextra)
{
	int	n = 0, i, w;

	/* LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES, PATH, extra, NULL */
	if (nextra + 5 > max)
		return -E2BIG;
	if (nfds > 0) {
		w = snprintf(buf, buflen, "LISTEN_FDS=%d", nfds);
		if (w < 0 || (size_t)w + 1 > buflen)
			return -E2BIG;
		envp[n++] = buf;
		buf += w + 1;
		buflen -= w + 1;
		/* the image is pid 1 of its pid namespace */
		envp[n++] = "LISTEN_PID=1";
		if (fdnames != NULL) {
			w = snprintf(buf, buflen, "LISTEN_FDNAMES=%s", fdnames);
			if (w < 0 || (size_t)w + 1 > buflen)
				return -E2BIG;
			envp[n++] = buf;
		}
	}
	envp[n++] = "PATH=/usr/bin:/bin";
	for (i = 0; i < nextra; i++)
		envp[n++] = extra[i];
	envp[n] = NULL;
	return n;
}

static int
write_map(pid_t pid, const char *file, uid_t id)
{
	char	path[64], map[48];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)id);
	return file_write(path, NULL, map);
}

/* Undoes a start that failed after clone3: the child is blocked reading
 * "go", so it dies at once and the wait is short. */
static void
abort_child(struct sandbox *sb, int sock)
{
	siginfo_t si;

	pidfd_send_signal(sb->pidfd, SIGKILL, NULL, 0);
	waitid(P_PIDFD, sb->pidfd, &si, WEXITED);
	close(sb->pidfd);
	close(sock);
	sb->pid = 0;
	sb->pidfd = -1;
}

int
sandbox_spawn(struct sandbox *sb, const struct sandbox_io *io, char *err,
    size_t errlen)
{
	struct sandbox_host	*h = sb->host;
	struct clone_args	 ca;
	struct jail		 j;
	char			*envp[SANDBOX_MAX_ENV + 5];
	char			 envbuf[SANDBOX_FDNAMES_MAX + 64];
	int			 sv[2], pidfd = -1, netns, e;
	long			 pid;

	if (sb->pid > 0)
		return errmsgx(err, errlen, EBUSY, "%s is running", sb->name);
	if (io->nfds < 0 || io->nfds > SANDBOX_MAX_FDS)
		return errmsg(err, errlen, E2BIG, "%d sockets", io->nfds);
	if (io->fdnames != NULL && strlen(io->fdnames) > SANDBOX_FDNAMES_MAX)
		return errmsg(err, errlen, E2BIG, "LISTEN_FDNAMES");
	sb->t_start = now_ns();
	if ((e = sandbox_guard(sb, io->fds, io->nfds, err, errlen)) < 0)
		return e;
	if ((e = sandbox_env(envp, SANDBOX_MAX_ENV + 5, envbuf, sizeof(envbuf),
	    io->nfds, io->fdnames, sb->env, sb->nenv)) < 0)
		return errmsg(err, errlen, -e, "environment");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return errmsg(err, errlen, errno, "socketpair");

	memset(&j, 0, sizeof(j));
	j.root = &sb->root;
	j.hostname = sb->name;
	j.argv = sb->argv;
	j.envp = envp;
	j.filter = &h->filters[sb->filter];
	j.fds = io->fds;
	j.nfds = io->nfds;
	j.out_fd = io->out_fd;
	j.err_fd = io->err_fd;
	j.sock = sv[1];
	j.cap_last = h->cap_last;
	j.trace = h->trace;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
	    CLONE_NEWIPC | CLONE_PIDFD | CLONE_CLEAR_SIGHAND;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	if (sb->cg.fd != -1) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = sb->cg.fd;
	}
	/* clone3 has no "join this namespace": jitsud (single-threaded)
	 * steps into the empty one for the instant of the clone. */
	netns = sb->netns != -1 ? sb->netns : h->emptynet;
	if (setns(netns, CLONE_NEWNET) == -1) {
		e = errmsg(err, errlen, errno, "setns to the service network "
		    "namespace");
		goto fail;
	}
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		jail_run(&j);
	e = errno;
	if (setns(h->hostnet, CLONE_NEWNET) == -1) {
		/* jitsud would go on in the wrong namespace: the caller must
		 * treat this as fatal */
		e = errmsg(err, errlen, errno, "setns back to jitsud's network "
		    "namespace");
		if (pid > 0) {
			sb->pid = pid;
			sb->pidfd = pidfd;
			close(sv[1]);
			abort_child(sb, sv[0]);
			return e;
		}
		goto fail;
	}
	if (pid == -1) {
		e = errmsg(err, errlen, e, "clone3");
		goto fail;
	}
	sb->t_cloned = now_ns();
	sb->pid = pid;
	sb->pidfd = pidfd;
	close(sv[1]);
	if (sb->cg.fd == -1 && (e = cg_attach(&sb->cg, pid, err, errlen)) < 0)
		goto fail_child;
	if ((e = write_map(pid, "uid_map", sb->uid)) < 0 ||
	    (e = write_map(pid, "gid_map", sb->uid)) < 0) {
		e = errmsg(err, errlen, -e, "uid/gid map of %ld", pid);
		goto fail_child;
	}
	if (send(sv[0], "g", 1, MSG_NOSIGNAL) != 1) {
		e = errmsg(err, errlen, errno, "start %s", sb->name);
		goto fail_child;
	}
	sb->t_go = now_ns();
	sb->statusfd = sv[0];
	sb->jail_step = -1;
	sb->jail_err = 0;
	memset(sb->trace_ns, 0, sizeof(sb->trace_ns));
	return 0;
fail_child:
	abort_child(sb, sv[0]);
	return e;
fail:
	close(sv[0]);
	close(sv[1]);
	return e;
}

static int
jail_error(struct sandbox *sb, char *err, size_t errlen)
{
	return errmsg(err, errlen, sb->jail_err, "%s: sandbox set-up failed "
	    "at %s", sb->name, jail_step_name(sb->jail_step));
}

int
sandbox_exec_result(struct sandbox *sb, char *err, size_t errlen)
{
	struct jail_report	rep;
	ssize_t			n;

	if (sb->statusfd == -1)
		return sb->jail_step >= 0 ? jail_error(sb, err, errlen) : 1;
	for (;;) {
		n = recv(sb->statusfd, &rep, sizeof(rep), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == -1)
			return errmsg(err, errlen, errno, "status of %s",
			    sb->name);
		if (n != sizeof(rep))
			break;	/* EOF: the close-on-exec end went at exec */
		if (rep.step == JAIL_NSTEPS) {
			memcpy(sb->trace_ns, rep.ns, sizeof(sb->trace_ns));
			continue;
		}
		sb->jail_step = rep.step;
		sb->jail_err = rep.err;
		break;
	}
	close(sb->statusfd);
	sb->statusfd = -1;
	return sb->jail_step >= 0 ? jail_error(sb, err, errlen) : 1;
}
