/*
 * sandbox.c - host set-up, per-service preparation and the life of an
 * instance after its start (see sandbox.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "sandbox/errmsg.h"
#include "sandbox/files.h"
#include "sandbox/sandbox.h"

bool
sandbox_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > SANDBOX_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '-' || name[i] == '_' || name[i] == '.'))
			return false;
	return true;
}

/* A new empty network namespace, held by an fd. jitsud (single-threaded)
 * steps into it and back: ~0.7 ms. */
static int
new_netns(int hostnet)
{
	int fd, e;

	if (unshare(CLONE_NEWNET) == -1)
		return -errno;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	e = fd == -1 ? -errno : fd;
	if (setns(hostnet, CLONE_NEWNET) == -1) {
		e = -errno;
		if (fd != -1)
			close(fd);
	}
	return e;
}

/* See sandbox_host_conf.tmpfs_rundir. */
static int
private_tmpfs(const char *dir, char *err, size_t errlen)
{
	if (unshare(CLONE_NEWNS) == -1)
		return errmsg(err, errlen, errno, "mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == -1)
		return errmsg(err, errlen, errno, "make / a slave mount");
	/* ~15 empty inodes per service; nothing here is ever executed */
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "mode=0755,size=8m") == -1)
		return errmsg(err, errlen, errno, "tmpfs on %s", dir);
	return 0;
}

static int
read_cap_last(void)
{
	char	buf[16];
	int	n;

	if (file_read("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) <= 0)
		return CAP_LAST_CAP;
	n = atoi(buf);
	return n > 0 && n < 64 ? n : CAP_LAST_CAP;
}

int
sandbox_host_init(struct sandbox_host *h, const struct sandbox_host_conf *conf,
    char *err, size_t errlen)
{
	const char	*rundir = conf->rundir ? conf->rundir : SANDBOX_RUNDIR;
	int		 f, e;

	memset(h, 0, sizeof(*h));
	h->hostnet = h->emptynet = -1;
	/* first, so that a failure below finds the guard's fds set (-1);
	 * not fatal: only services with UDP sockets under the default
	 * filter need it, and they are refused with this reason */
	if (udpguard_init(&h->guard, h->guard_why, sizeof(h->guard_why)) < 0)
		h->guard.held = -1;
	h->trace = conf->trace;
	h->uid_base = conf->uid_base ? conf->uid_base : SANDBOX_UID_BASE;
	h->cap_last = read_cap_last();
	if ((e = mkdir_p(rundir, 0755)) < 0)
		return errmsg(err, errlen, -e, "mkdir %s", rundir);
	if (conf->tmpfs_rundir && (e = private_tmpfs(rundir, err, errlen)) < 0)
		return e;
	if ((h->rundir = realpath(rundir, NULL)) == NULL)
		return errmsg(err, errlen, errno, "%s", rundir);
	/* the child binds its root from here after dropping to its uid */
	if ((e = path_searchable(h->rundir, err, errlen)) < 0)
		goto fail;
	if ((e = cg_host_init(&h->cg, conf->cgroup_layout,
	    conf->cgroup ? conf->cgroup : SANDBOX_CGROUP, err, errlen)) < 0)
		goto fail;
	if ((h->hostnet = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) ==
	    -1) {
		e = errmsg(err, errlen, errno, "/proc/self/ns/net");
		goto fail;
	}
	if ((h->emptynet = new_netns(h->hostnet)) < 0) {
		e = errmsg(err, errlen, -h->emptynet, "empty network namespace");
		h->emptynet = -1;
		goto fail;
	}
	for (f = 0; f < SANDBOX_FILTER_COUNT; f++)
		if ((e = filter_compile(f, &h->filters[f], err, errlen)) < 0)
			goto fail;
	return 0;
fail:
	sandbox_host_fini(h);
	return e;
}

void
sandbox_host_fini(struct sandbox_host *h)
{
	int f;

	for (f = 0; f < SANDBOX_FILTER_COUNT; f++)
		filter_free(&h->filters[f]);
	udpguard_fini(&h->guard);
	if (h->emptynet != -1)
		close(h->emptynet);
	if (h->hostnet != -1)
		close(h->hostnet);
	h->emptynet = h->hostnet = -1;
	cg_host_fini(&h->cg);
	free(h->rundir);
	h->rundir = NULL;
}

static int
count(const char *const *v, int max)
{
	int n = 0;

	while (v != NULL && v[n] != NULL)
		if (++n > max)
			return -E2BIG;
	return n;
}

/* A NULL-terminated copy of FIRST (if any) followed by V[0..N-1]. */
static char **
copy_vec(const char *first, const char *const *v, int n)
{
	char	**out;
	int	  i, o = 0;

	if ((out = calloc(n + 2, sizeof(*out))) == NULL)
		return NULL;
	if (first != NULL && (out[o++] = strdup(first)) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if ((out[o++] = strdup(v[i])) == NULL)
			goto fail;
	return out;
fail:
	for (i = 0; i < o; i++)
		free(out[i]);
	free(out);
	return NULL;
}

static void
free_vec(char **v)
{
	int i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* SB's uid: UID, or with UID 0 the lowest one no prepared sandbox holds. */
static int
take_uid(struct sandbox *sb, uid_t uid, char *err, size_t errlen)
{
	struct sandbox_host	*h = sb->host;
	unsigned		 i;

	if (uid != 0) {
		sb->uid = uid;
		return 0;
	}
	for (i = 0; i < SANDBOX_UID_RANGE; i++)
		if (!(h->uids[i / 64] & (1ULL << (i % 64))))
			break;
	if (i == SANDBOX_UID_RANGE)
		return errmsgx(err, errlen, EAGAIN, "%s: all %d sandbox uids "
		    "are in use", sb->name, SANDBOX_UID_RANGE);
	h->uids[i / 64] |= 1ULL << (i % 64);
	sb->uid = h->uid_base + i;
	sb->uid_auto = true;
	return 0;
}

static void
unlink_prepared(struct sandbox *sb)
{
	struct sandbox_host	*h = sb->host;
	struct sandbox		**pp;
	unsigned		  i;

	for (pp = &h->prepared; *pp != NULL; pp = &(*pp)->next)
		if (*pp == sb) {
			*pp = sb->next;
			break;
		}
	if (sb->uid_auto) {
		i = sb->uid - h->uid_base;
		h->uids[i / 64] &= ~(1ULL << (i % 64));
		sb->uid_auto = false;
	}
}

int
sandbox_guard(struct sandbox *sb, const int *fds, int nfds, char *err,
    size_t errlen)
{
	uint64_t	cookie;
	int		i, j, e;

	if (sb->filter != SANDBOX_FILTER_DEFAULT)
		return 0;
	for (i = 0; i < nfds; i++) {
		if ((e = udpguard_add(&sb->host->guard, fds[i], &cookie)) == 0)
			continue;
		if (e == -EOPNOTSUPP)
			return errmsgx(err, errlen, EOPNOTSUPP, "%s: a UDP "
			    "socket under sandbox = default needs the reply "
			    "guard, which could not be loaded: %s", sb->name,
			    sb->host->guard_why);
		if (e < 0)
			return errmsg(err, errlen, -e, "%s: guard UDP socket",
			    sb->name);
		for (j = 0; j < sb->nguarded && sb->guarded[j] != cookie; j++)
			;
		if (j == sb->nguarded && sb->nguarded < SANDBOX_MAX_FDS)
			sb->guarded[sb->nguarded++] = cookie;
	}
	return 0;
}

int
sandbox_prepare(struct sandbox *sb, struct sandbox_host *h,
    const struct sandbox_spec *spec, char *err, size_t errlen)
{
	struct sandbox	*o;
	int		 nargs, e;

	memset(sb, 0, sizeof(*sb));
	sb->host = h;
	sb->netns = sb->pidfd = sb->statusfd = sb->cg.fd = -1;
	sb->jail_step = -1;
	if (spec->name == NULL || !sandbox_name_valid(spec->name))
		return errmsgx(err, errlen, EINVAL, "service name \"%s\": use "
		    "letters, digits, '-', '_', '.' (at most %d)",
		    spec->name ? spec->name : "", SANDBOX_NAME_MAX);
	snprintf(sb->name, sizeof(sb->name), "%s", spec->name);
	for (o = h->prepared; o != NULL; o = o->next)
		if (strcmp(o->name, sb->name) == 0)
			return errmsgx(err, errlen, EEXIST, "%s: already "
			    "prepared (release it first)", sb->name);
	if (spec->filter >= SANDBOX_FILTER_COUNT)
		return errmsg(err, errlen, EINVAL, "%s: filter", sb->name);
	if ((nargs = count(spec->args, SANDBOX_MAX_ARGS)) < 0 ||
	    (sb->nenv = count(spec->env, SANDBOX_MAX_ENV)) < 0)
		return errmsgx(err, errlen, E2BIG, "%s: more than %d arguments "
		    "or variables", sb->name, SANDBOX_MAX_ARGS);
	sb->filter = spec->filter;
	sb->memory = spec->limits.memory;
	if ((e = image_inspect(spec->image, &sb->img, err, errlen)) < 0)
		return e;
	if (sb->filter == SANDBOX_FILTER_STRICT && sb->img.kind != IMAGE_STATIC) {
		e = errmsgx(err, errlen, EINVAL, "%s: the strict filter needs a "
		    "static image (a dynamic loader or script interpreter makes "
		    "calls outside the list); use sandbox = default",
		    sb->img.path);
		goto fail;
	}
	if ((e = root_prepare(&sb->root, h->rundir, sb->name, &sb->img,
	    spec->proc, spec->tmp_size, err, errlen)) < 0)
		goto fail;
	if ((e = cg_create(&h->cg, sb->name, &spec->limits, &sb->cg, err,
	    errlen)) < 0)
		goto fail;
	if (spec->private_net && (sb->netns = new_netns(h->hostnet)) < 0) {
		e = errmsg(err, errlen, -sb->netns, "%s: network namespace",
		    sb->name);
		sb->netns = -1;
		goto fail;
	}
	sb->argv = copy_vec(sb->root.exe, spec->args, nargs);
	sb->env = copy_vec(NULL, spec->env, sb->nenv);
	if (sb->argv == NULL || sb->env == NULL) {
		e = errmsg(err, errlen, ENOMEM, "%s", sb->name);
		goto fail;
	}
	if (cg_oom_kills(&sb->cg, &sb->oom_kills) < 0)
		sb->oom_kills = 0;
	if ((e = take_uid(sb, spec->uid, err, errlen)) < 0)
		goto fail;
	sb->next = h->prepared;
	h->prepared = sb;
	return 0;
fail:
	sandbox_release(sb);
	return e;
}

void
sandbox_release(struct sandbox *sb)
{
	siginfo_t si;

	if (sb->pid > 0) {
		sandbox_kill(sb, SIGKILL);
		if (waitid(P_PIDFD, sb->pidfd, &si, WEXITED) == -1 &&
		    errno == ECHILD) {
			/* An adopted instance is not our child: its pidfd
			 * turns readable once it has left its cgroups, which
			 * cg_destroy below can only remove then. SIGKILL
			 * makes that quick; the bound keeps a stuck exit
			 * from holding the loop. */
			struct pollfd p = { .fd = sb->pidfd, .events = POLLIN };
			(void)poll(&p, 1, 5000);
		}
		sb->pid = 0;
	}
	if (sb->pidfd != -1)
		close(sb->pidfd);
	if (sb->statusfd != -1)
		close(sb->statusfd);
	if (sb->netns != -1)
		close(sb->netns);
	sb->pidfd = sb->statusfd = sb->netns = -1;
	while (sb->nguarded > 0)
		udpguard_forget(&sb->host->guard, sb->guarded[--sb->nguarded]);
	unlink_prepared(sb);
	cg_destroy(&sb->cg);
	root_remove(&sb->root);
	image_free(&sb->img);
	free_vec(sb->argv);
	free_vec(sb->env);
	sb->argv = sb->env = NULL;
}

static void
describe(struct sandbox *sb, const siginfo_t *si, struct sandbox_exit *ex)
{
	uint64_t	oom = sb->oom_kills;
	char		lim[48] = "";

	if (cg_oom_kills(&sb->cg, &oom) < 0)
		oom = sb->oom_kills;
	ex->status = si->si_status;
	if (sb->jail_step >= 0) {
		ex->cause = SANDBOX_JAIL;
		errmsg(ex->reason, sizeof(ex->reason), sb->jail_err,
		    "sandbox set-up failed at %s",
		    jail_step_name(sb->jail_step));
	} else if (si->si_code == CLD_EXITED) {
		ex->cause = SANDBOX_EXITED;
		snprintf(ex->reason, sizeof(ex->reason), "exited with status %d",
		    si->si_status);
	} else if (si->si_status == SIGSYS) {
		ex->cause = SANDBOX_SECCOMP;
		snprintf(ex->reason, sizeof(ex->reason), "killed by seccomp "
		    "(SIGSYS): a system call outside the %s filter",
		    filter_name(sb->filter));
	} else if (si->si_status == SIGKILL && oom > sb->oom_kills) {
		ex->cause = SANDBOX_OOM;
		if (sb->memory > 0)
			snprintf(lim, sizeof(lim), " (memory limit %llu KiB)",
			    (unsigned long long)sb->memory >> 10);
		snprintf(ex->reason, sizeof(ex->reason), "killed by the OOM "
		    "killer%s", lim);
	} else {
		ex->cause = SANDBOX_SIGNALED;
		snprintf(ex->reason, sizeof(ex->reason), "killed by signal %d "
		    "(%s)", si->si_status, sigabbrev_np(si->si_status) ?
		    sigabbrev_np(si->si_status) : "?");
	}
	sb->oom_kills = oom;
}

int
sandbox_reap(struct sandbox *sb, struct sandbox_exit *ex)
{
	siginfo_t si;

	if (sb->pid <= 0)
		return -ESRCH;
	memset(&si, 0, sizeof(si));
	memset(ex, 0, sizeof(*ex));
	if (waitid(P_PIDFD, sb->pidfd, &si, WEXITED | WNOHANG) == -1) {
		if (errno != ECHILD)
			return -errno;
		/* gone, and its status with it: the instance is over all the
		 * same, and the caller must be able to clean up */
		ex->cause = SANDBOX_EXITED;
		ex->status = -1;
		snprintf(ex->reason, sizeof(ex->reason), "exited (status "
		    "collected elsewhere: is SIGCHLD ignored?)");
		if (sb->statusfd != -1)
			sandbox_exec_result(sb, NULL, 0);
		goto gone;
	}
	if (si.si_pid == 0)
		return -EAGAIN;
	/* a failure report sits in the socket even if nobody read it yet */
	if (sb->statusfd != -1)
		sandbox_exec_result(sb, NULL, 0);
	describe(sb, &si, ex);
gone:
	close(sb->pidfd);
	sb->pidfd = -1;
	sb->pid = 0;
	return 0;
}

int
sandbox_kill(struct sandbox *sb, int sig)
{
	int e = 0;

	if (sb->pid <= 0)
		return -ESRCH;
	if (sig == SIGKILL) {
		/* Killing pid 1 of the namespace kills the rest; cgroup.kill
		 * also gets any task that left it (none can, but it is one
		 * write). */
		cg_kill(&sb->cg);
	}
	if (pidfd_send_signal(sb->pidfd, sig, NULL, 0) == -1)
		e = -errno;
	/* a v1-frozen task cannot act on a signal, even SIGKILL */
	if (sig == SIGKILL && sb->cg.layout == CG_V1)
		cg_freeze(&sb->cg, false);
	return e;
}

int
sandbox_freeze(struct sandbox *sb)
{
	int e;

	if (sb->pid <= 0)
		return -ESRCH;
	if ((e = cg_freeze(&sb->cg, true)) < 0)
		return e;
	return cg_frozen(&sb->cg);
}

int
sandbox_frozen(struct sandbox *sb)
{
	return cg_frozen(&sb->cg);
}

int
sandbox_thaw(struct sandbox *sb)
{
	return cg_freeze(&sb->cg, false);
}

int
sandbox_memory_current(struct sandbox *sb, uint64_t *bytes)
{
	return cg_memory_current(&sb->cg, bytes);
}
