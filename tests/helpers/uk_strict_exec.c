/*
 * uk_strict_exec.c - runs a uk unix app under exactly the seccomp
 * allowlist it declares (uk/unix/syscalls.h), killing it on any other
 * call, so tests prove the list is complete.
 *
 *   uk_strict_exec PROGRAM [ARG...]
 *
 * exec keeps the pid, so it can sit between systemd-socket-activate
 * and the app without breaking LISTEN_PID.
 */
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

#include "uk/unix/syscalls.h"

int
main(int argc, char **argv)
{
	scmp_filter_ctx	 ctx;
	int		 r = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: uk_strict_exec PROGRAM [ARG...]\n");
		return 2;
	}
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		fprintf(stderr, "uk_strict_exec: seccomp_init failed\n");
		return 1;
	}
#define ALLOW(name) \
	if (r == 0) \
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(name), 0);
	UK_UNIX_SYSCALLS(ALLOW)
#undef ALLOW
	/* libseccomp sets no_new_privs before loading. */
	if (r != 0 || (r = seccomp_load(ctx)) != 0) {
		fprintf(stderr, "uk_strict_exec: seccomp: error %d\n", r);
		return 1;
	}
	execv(argv[1], argv + 1);
	return 127;	/* exec failed; exit_group is on the list */
}
