/*
 * syscalls.h - every system call a uk app makes on the unix target, from
 * the execve that starts it to its exit, as an X-macro list for the
 * `sandbox = strict` seccomp allowlist:
 *
 *	#define ALLOW(name) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(name), 0);
 *	UK_UNIX_SYSCALLS(ALLOW)
 *
 * Found with strace -f on hello.unix and memhog.unix (static glibc 2.36,
 * socket-activated) and checked by tests/integration/21-uk-strict.sh,
 * which runs them under exactly this list with SCMP_ACT_KILL_PROCESS.
 * Keep it in step with the uk/unix sources: a call added there without its
 * name here kills the app under the strict sandbox.
 *
 * Not here, on purpose: socket, bind, listen (uk_listen binds by itself
 * only when run by hand, never when the host passed sockets), and any
 * file access beyond glibc's start-up readlink of /proc/self/exe.
 */
#ifndef UK_UNIX_SYSCALLS_H
#define UK_UNIX_SYSCALLS_H

#define UK_UNIX_SYSCALLS(X)						\
	/* the filter is loaded before execve, so execve itself */	\
	X(execve)							\
	/* static glibc start-up */					\
	X(brk) X(arch_prctl) X(set_tid_address) X(set_robust_list)	\
	X(rseq) X(prlimit64) X(readlink) X(getrandom) X(mprotect)	\
	/* SIGPIPE ignored */						\
	X(rt_sigaction)							\
	/* uk_malloc/uk_free: large blocks are mapped */		\
	X(mmap) X(munmap)						\
	/* uk_listen over LISTEN_FDS sockets */				\
	X(getpid) X(getsockopt) X(getsockname) X(fcntl)			\
	/* connections */						\
	X(accept4) X(setsockopt) X(read) X(sendto) X(close)		\
	/* uk_wait, uk_clock_ns (the vDSO's fallback) */		\
	X(epoll_create1) X(epoll_ctl) X(epoll_wait) X(clock_gettime)	\
	/* console, uk_exit */						\
	X(write) X(exit_group)

#endif
