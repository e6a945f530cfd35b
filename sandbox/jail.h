/*
 * jail.h - the child's side of a sandboxed start: what runs between clone3
 * and execve (steps 7-16 of sandbox.h). Pure system calls on data jitsud
 * prepared; no allocation, no stdio.
 */
#ifndef SANDBOX_JAIL_H
#define SANDBOX_JAIL_H

#include <stdbool.h>
#include <stdint.h>

struct root;
struct filter_prog;

#define JAIL_MAX_FDS	64	/* listening sockets handed to one process */

enum jail_step {
	JAIL_WAIT,		/* for jitsud's "go" */
	JAIL_IDS,		/* groups, gid, uid */
	JAIL_CGROUPNS,
	JAIL_HOSTNAME,
	JAIL_FDS,
	JAIL_ROOT,		/* bind the skeleton onto itself */
	JAIL_BINDS,		/* image, devices, libraries */
	JAIL_READONLY,
	JAIL_TMP,
	JAIL_PROC,
	JAIL_CHROOT,
	JAIL_PROCESS,		/* signals, rlimits, session */
	JAIL_CAPS,
	JAIL_NNP,
	JAIL_SECCOMP,
	JAIL_EXEC,
	JAIL_NSTEPS
};

struct jail {
	const struct root		*root;
	const char			*hostname;
	char *const			*argv;
	char *const			*envp;
	const struct filter_prog	*filter;
	const int			*fds;
	int				 nfds;
	int				 out_fd;
	int				 err_fd;
	int				 sock;	/* "go" in, a jail_report out */
	int				 cap_last;
	bool				 trace;
};

/* The one message a child sends: a failure (step < JAIL_NSTEPS, errno),
 * or with tracing, step == JAIL_NSTEPS and the time each step ended, just
 * before execve. */
struct jail_report {
	int32_t		step;
	int32_t		err;
	uint64_t	ns[JAIL_NSTEPS];
};

const char *jail_step_name(int step);
/* Runs the jail and execs; on failure reports and _exit(127)s. */
void	jail_run(const struct jail *j) __attribute__((noreturn));

#endif
