/*
 * sandbox.h - the process jail of the exec backend.
 *
 * A service's image runs as an ordinary Linux process, isolated the way
 * Firecracker's jailer isolates its VMM. Everything that can be made ahead
 * is made when the configuration is loaded (sandbox_prepare), so a start
 * (sandbox_spawn) is one clone3, a handful of small writes and an execve,
 * and nothing here waits on the child: jitsud's event loop learns of the
 * exec (statusfd) and of the exit (pidfd) through epoll.
 *
 * Made once per jitsud (sandbox_host_init):
 *   - the cgroup layout (v1/hybrid or v2) and OWN/jitsu under jitsud's own
 *     cgroup; on v2 the memory, pids and cpu controllers enabled down to it;
 *   - one empty network namespace shared by services (creating one costs
 *     ~0.7 ms and 136 KiB, serialised in the kernel): a service has only
 *     the sockets it is handed; its lo stays down, nothing routes;
 *   - the seccomp filters, compiled to BPF.
 * Made once per service (sandbox_prepare):
 *   - the image checked (executable by the sandbox uid; static or dynamic);
 *   - OWN/jitsu/NAME cgroup(s) with the memory, pids and cpu limits;
 *   - the skeleton root folder RUNDIR/NAME (see root.h);
 *   - optionally a private empty network namespace (spec.private_net).
 *
 * The start, in this order:
 *   jitsud
 *    1. a socketpair: jitsud -> child "go", child -> jitsud status
 *    2. enter the service's network namespace (setns; back after clone)
 *    3. clone3: new user, pid, mount, uts, ipc namespaces; a pidfd; signal
 *       handlers reset; on v2 straight into the service cgroup
 *    4. v1: write the pid into each hierarchy's cgroup.procs
 *    5. uid_map/gid_map: 0 inside = spec.uid outside, nothing else mapped
 *    6. "go" - limits and identity are in place before the child runs
 *   the child
 *    7. drop supplementary groups, become uid/gid 0 (= spec.uid outside)
 *    8. new cgroup namespace (its own cgroup becomes its "/")
 *    9. hostname = service name
 *   10. descriptors: the listening sockets at 3.., stdout/stderr to the
 *       given fds, stdin /dev/null; every other descriptor closed
 *   11. root: bind the skeleton, the image and what it needs, make all of
 *       it read-only, mount a private /tmp (and /proc), chroot into it
 *       (not pivot_root, which costs ~3 ms of RCU grace period: see
 *       jail.c for why chroot holds once capabilities are gone)
 *   12. signals unblocked and at default; RLIMIT_CORE 0, RLIMIT_NOFILE soft
 *       at most 1024; a new session
 *   13. drop every capability: bounding set, ambient set, securebits so
 *       that uid 0 gains none at exec, then the current sets
 *   14. no_new_privs
 *   15. the seccomp filter (last: the steps above use calls it denies)
 *   16. execve the image with a clean environment: LISTEN_FDS, LISTEN_PID=1
 *       (the image is pid 1 of its pid namespace: getpid() is 1),
 *       LISTEN_FDNAMES, PATH, and the service's own variables.
 *
 * Notes for the caller:
 *   - jitsud must be single-threaded (CLONE_NEWUSER requires it) and must
 *     not ignore SIGCHLD (the pidfd wait needs a zombie).
 *   - The image is pid 1 of its namespace: SIGTERM with no handler
 *     installed is ignored, so a graceful stop falls back to SIGKILL.
 *   - One host uid per service, so services cannot signal or ptrace each
 *     other even outside their namespaces: jitsud sets spec.uid from
 *     backend/uid.h; left 0, the host hands out the lowest free uid from
 *     conf.uid_base (taken back at release). The range must belong to
 *     nobody else: useradd starts /etc/subuid ranges (rootless
 *     containers) at 100000 too, so on such hosts set uid_base past them.
 *   - One live sandbox per name and host: the cgroup and root folder are
 *     named after it. Release the old one before preparing a new one.
 *   - Services sharing the empty network namespace share its abstract
 *     unix socket names; jitsud gives every service private_net.
 *   - Under the default filter a handed UDP socket replies only to who
 *     sent to it (udpguard.h, set up with the host; sandbox_guard).
 *   - Needs Linux >= 5.12 (clone3 CLONE_INTO_CGROUP, close_range,
 *     mount_setattr).
 */
#ifndef SANDBOX_SANDBOX_H
#define SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/cgroup.h"
#include "sandbox/filter.h"
#include "sandbox/image.h"
#include "sandbox/jail.h"
#include "sandbox/root.h"
#include "sandbox/udpguard.h"

#define SANDBOX_ERRLEN		256
#define SANDBOX_NAME_MAX	63	/* also the hostname: HOST_NAME_MAX 64 */
#define SANDBOX_UID_BASE	100000
#define SANDBOX_UID_RANGE	65536	/* uids the host hands out */
#define SANDBOX_RUNDIR		"/run/jitsu/sandbox"
#define SANDBOX_CGROUP		"jitsu"
#define SANDBOX_MAX_FDS		JAIL_MAX_FDS
#define SANDBOX_MAX_ARGS	64
#define SANDBOX_MAX_ENV		64
#define SANDBOX_FDNAMES_MAX	2048

struct sandbox_host_conf {
	const char	*rundir;	/* skeleton roots; NULL: SANDBOX_RUNDIR */
	const char	*cgroup;	/* NULL: SANDBOX_CGROUP */
	uid_t		 uid_base;	/* 0: SANDBOX_UID_BASE */
	enum cg_layout	 cgroup_layout;	/* CG_NONE: detect */
	/* Put jitsud in a mount namespace of its own (host mounts still
	 * propagate in; its own never leak out) with a tmpfs on rundir: the
	 * skeletons then cost nothing to make and remove (on a disk file
	 * system ~1-3 ms each) and vanish with jitsud. */
	bool		 tmpfs_rundir;
	bool		 trace;		/* children report each step's time */
};

struct sandbox;

struct sandbox_host {
	struct cg_host		 cg;
	struct sandbox		*prepared;	/* list, for names and uids */
	uid_t			 uid_base;
	uint64_t		 uids[SANDBOX_UID_RANGE / 64];	/* handed out */
	char			*rundir;
	int			 hostnet;	/* jitsud's network namespace */
	int			 emptynet;	/* the shared empty one */
	struct filter_prog	 filters[SANDBOX_FILTER_COUNT];
	/* Replies on held UDP sockets under the default filter (see
	 * udpguard.h); off (guard.held -1) with the reason in guard_why. */
	struct udpguard		 guard;
	char			 guard_why[SANDBOX_ERRLEN];
	int			 cap_last;
	bool			 trace;
};

struct sandbox_spec {
	const char		*name;	/* [A-Za-z0-9_.-], not starting with '.' */
	const char		*image;
	const char *const	*args;	/* after argv[0]; NULL-terminated or NULL */
	const char *const	*env;	/* extra KEY=VALUE; NULL-terminated or NULL */
	uid_t			 uid;	/* root inside is this outside; 0: pick */
	struct cg_limits	 limits;
	enum sandbox_filter	 filter;
	bool			 private_net;
	bool			 proc;	/* mount /proc (of its pid namespace) */
	uint64_t		 tmp_size;	/* /tmp cap in bytes; 0: default */
};

/* What the process is handed at start. */
struct sandbox_io {
	const int	*fds;		/* listening sockets: become 3, 4, ... */
	int		 nfds;
	const char	*fdnames;	/* LISTEN_FDNAMES ("a:b"), NULL: unset */
	int		 out_fd;	/* its stdout; -1: /dev/null */
	int		 err_fd;	/* its stderr; -1: /dev/null */
};

enum sandbox_cause {
	SANDBOX_EXITED,		/* exit(status) */
	SANDBOX_SIGNALED,	/* killed by signal `status` */
	SANDBOX_OOM,		/* killed by the OOM killer at its memory limit */
	SANDBOX_SECCOMP,	/* made a call its filter kills (SIGSYS) */
	SANDBOX_JAIL,		/* the jail failed before exec; see reason */
};

struct sandbox_exit {
	enum sandbox_cause	cause;
	int			status;	/* exit status or signal number */
	char			reason[SANDBOX_ERRLEN];	/* "killed by ..." */
};

struct sandbox {
	struct sandbox_host	*host;
	struct sandbox		*next;		/* in host->prepared */
	bool			 uid_auto;	/* uid came from host->uids */
	char			 name[SANDBOX_NAME_MAX + 1];
	struct image_info	 img;
	struct root		 root;
	struct cg		 cg;
	char			**argv;		/* argv[0] is root.exe */
	char			**env;		/* the spec's extra variables */
	int			 nenv;
	uid_t			 uid;
	enum sandbox_filter	 filter;
	uint64_t		 memory;	/* limit, for messages */
	int			 netns;		/* private, or -1: the shared one */
	uint64_t		 oom_kills;	/* OOM counter when last read */
	uint64_t		 guarded[SANDBOX_MAX_FDS];	/* UDP cookies */
	int			 nguarded;

	/* The running instance: read-only for callers. */
	pid_t			 pid;		/* in jitsud's pid namespace; 0: none */
	int			 pidfd;		/* readable when it exits */
	int			 statusfd;	/* readable: exec done or jail failed */
	int			 jail_step;	/* failed step, or -1 */
	int			 jail_err;
	/* Start timing (CLOCK_MONOTONIC ns): jitsud's side always, the
	 * child's steps when the host traces. */
	uint64_t		 t_start, t_cloned, t_go;
	uint64_t		 trace_ns[JAIL_NSTEPS];
};

/* Pure: is NAME usable as a service's cgroup, folder and hostname? */
bool	sandbox_name_valid(const char *name);
/* Pure: fills ENVP (MAX slots) with a start's environment: LISTEN_FDS,
 * LISTEN_PID=1 and LISTEN_FDNAMES when NFDS > 0, PATH, then EXTRA, then
 * NULL; the LISTEN_ strings are written into BUF. Returns the count of
 * variables, or -E2BIG. */
int	sandbox_env(char **envp, int max, char *buf, size_t buflen, int nfds,
	    const char *fdnames, char *const *extra, int nextra);

int	sandbox_host_init(struct sandbox_host *h,
	    const struct sandbox_host_conf *conf, char *err, size_t errlen);
void	sandbox_host_fini(struct sandbox_host *h);

/* At configuration load. On failure SB needs no release. */
int	sandbox_prepare(struct sandbox *sb, struct sandbox_host *h,
	    const struct sandbox_spec *spec, char *err, size_t errlen);
/* Removes cgroups and root folder; kills and reaps a running instance
 * first (waiting the few milliseconds a SIGKILLed process takes to go). */
void	sandbox_release(struct sandbox *sb);

/* Under the default filter, puts the UDP sockets among FDS under the
 * guard (udpguard.h): replies only to who sent. Refuses (-EOPNOTSUPP,
 * the reason in ERR) when the guard could not be loaded. sandbox_spawn
 * does this for the sockets it hands over; call it for an instance
 * adopted from an earlier jitsud. */
int	sandbox_guard(struct sandbox *sb, const int *fds, int nfds, char *err,
	    size_t errlen);
/* Starts the image; sets sb->pid, sb->pidfd, sb->statusfd. -EBUSY if an
 * instance is running. Never waits on the child. */
int	sandbox_spawn(struct sandbox *sb, const struct sandbox_io *io,
	    char *err, size_t errlen);
/* Call when statusfd is readable: 1 the image was exec'd (or the process
 * died without a jail error: the pidfd will tell), 0 nothing yet, <0 the
 * jail failed at a step named in ERR. Closes statusfd once decided. */
int	sandbox_exec_result(struct sandbox *sb, char *err, size_t errlen);
/* Call when pidfd is readable: reaps the process, says why it ended, and
 * closes pidfd. -EAGAIN while it runs, -ESRCH with no instance. */
int	sandbox_reap(struct sandbox *sb, struct sandbox_exit *ex);

/* Signals the instance. SIGKILL kills every process of the service (pid
 * namespace; v2 cgroup.kill) and thaws a frozen v1 cgroup so it can die. */
int	sandbox_kill(struct sandbox *sb, int sig);
/* Freezes: 1 frozen now, 0 still freezing (poll sandbox_frozen), <0. */
int	sandbox_freeze(struct sandbox *sb);
int	sandbox_frozen(struct sandbox *sb);
int	sandbox_thaw(struct sandbox *sb);
int	sandbox_memory_current(struct sandbox *sb, uint64_t *bytes);

#endif
