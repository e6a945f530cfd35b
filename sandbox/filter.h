/*
 * filter.h - the seccomp filters of the sandbox, built with libseccomp.
 *
 *   strict   an allowlist: exactly the calls a uk app declares it makes,
 *            from its execve to its exit (uk/unix/syscalls.h); any other
 *            call kills the whole process (SIGSYS), so jitsud can say why
 *            it died. sendto only without an address and MSG_FASTOPEN:
 *            a uk app answers on connections it accepted, never sends to
 *            an address of its choosing.
 *   default  a denylist for general programs: calls that reach past the
 *            sandbox or widen the kernel's attack surface (mount, namespaces,
 *            ptrace, bpf, modules, kexec, keyctl, io_uring, ...) fail with
 *            EPERM; clone3 fails with ENOSYS so libc falls back to clone,
 *            whose flags can be checked. The network past the sockets
 *            jitsud hands over is closed: connect (EPERM), MSG_FASTOPEN
 *            on the send calls (EPERM), the SIOCGSKNS ioctl (EPERM), and
 *            every address family but UNIX, INET and INET6 (EAFNOSUPPORT;
 *            vsock ports are not per network namespace). Replies on a
 *            held UDP socket are the cgroup hook's business (udpguard.h).
 *            Unknown (newer) calls are allowed.
 *   none     no filter.
 *
 * Both filters are compiled to BPF once per jitsud and kept, so loading one
 * in the child is a single seccomp(2) call, not a libseccomp run (which
 * costs about a millisecond for a list this size).
 */
#ifndef SANDBOX_FILTER_H
#define SANDBOX_FILTER_H

#include <stddef.h>
#include <linux/filter.h>

enum sandbox_filter {
	SANDBOX_FILTER_NONE = 0,
	SANDBOX_FILTER_DEFAULT,
	SANDBOX_FILTER_STRICT,
	SANDBOX_FILTER_COUNT
};

struct filter_prog {
	struct sock_filter	*insns;
	unsigned short		 len;
};

struct filter_call {
	int		 nr;	/* libseccomp's number: negative if not on this arch */
	const char	*name;
};

/* "none", "default", "strict" and back; -EINVAL for anything else. */
const char *filter_name(enum sandbox_filter f);
int	filter_parse(const char *s);
/* The calls strict mode allows. */
const struct filter_call *filter_strict_calls(size_t *n);
/* The calls default mode denies outright (clone, ioctl, socket,
 * socketpair and the send calls get argument rules on top). */
const struct filter_call *filter_denied_calls(size_t *n);
/* Compiles F to BPF. FILTER_NONE gives an empty program. */
int	filter_compile(enum sandbox_filter f, struct filter_prog *prog,
	    char *err, size_t errlen);
void	filter_free(struct filter_prog *prog);

#endif
