/*
 * filter.c - seccomp filters for the sandbox (see filter.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <seccomp.h>

#include "sandbox/errmsg.h"
#include "sandbox/filter.h"
#include "uk/unix/syscalls.h"

#define CALL(n)	{ SCMP_SYS(n), #n },

/* A uk app declares every call it makes, from its execve to its exit. */
static const struct filter_call strict_calls[] = {
	UK_UNIX_SYSCALLS(CALL)
};

/* Denied in default mode, grouped by why. */
static const struct filter_call denied_calls[] = {
	/* the file system view and the namespaces the jail set up */
	CALL(mount) CALL(umount2) CALL(pivot_root) CALL(chroot)
	CALL(move_mount) CALL(open_tree) CALL(fsopen) CALL(fsconfig)
	CALL(fsmount) CALL(fspick) CALL(mount_setattr)
	CALL(unshare) CALL(setns)
	/* other processes' memory and state */
	CALL(ptrace) CALL(process_vm_readv) CALL(process_vm_writev)
	CALL(kcmp) CALL(pidfd_getfd) CALL(perf_event_open)
	/* the host kernel itself */
	CALL(kexec_load) CALL(kexec_file_load) CALL(init_module)
	CALL(finit_module) CALL(delete_module) CALL(reboot) CALL(swapon)
	CALL(swapoff) CALL(acct) CALL(settimeofday) CALL(clock_settime)
	CALL(clock_adjtime) CALL(adjtimex) CALL(syslog) CALL(iopl)
	CALL(ioperm) CALL(quotactl) CALL(vhangup) CALL(lookup_dcookie)
	CALL(uselib) CALL(personality)
	/* large attack surfaces a network service does not need */
	CALL(bpf) CALL(userfaultfd) CALL(keyctl) CALL(add_key)
	CALL(request_key) CALL(io_uring_setup) CALL(io_uring_enter)
	CALL(io_uring_register) CALL(open_by_handle_at)
	CALL(name_to_handle_at) CALL(fanotify_init)
	/* the network past the sockets jitsud handed over: connect() on an
	 * accepted socket (after AF_UNSPEC) or on the held listener reaches
	 * jitsud's own network namespace */
	CALL(connect)
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const struct filter_call *
filter_strict_calls(size_t *n)
{
	*n = NELEM(strict_calls);
	return strict_calls;
}

const struct filter_call *
filter_denied_calls(size_t *n)
{
	*n = NELEM(denied_calls);
	return denied_calls;
}

static const char *const names[SANDBOX_FILTER_COUNT] = {
	[SANDBOX_FILTER_NONE] = "none",
	[SANDBOX_FILTER_DEFAULT] = "default",
	[SANDBOX_FILTER_STRICT] = "strict",
};

const char *
filter_name(enum sandbox_filter f)
{
	return f < SANDBOX_FILTER_COUNT ? names[f] : "?";
}

int
filter_parse(const char *s)
{
	int f;

	for (f = 0; f < SANDBOX_FILTER_COUNT; f++)
		if (strcmp(s, names[f]) == 0)
			return f;
	return -EINVAL;
}

/* libseccomp returns -EDOM... for calls this arch lacks: not an error for
 * a portable list. */
static int
add(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	int e;

	if (nr < 0)
		return 0;
	e = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	return e == -EDOM ? 0 : e;
}

/* The kernel reads ioctl's request and the send calls' flags as 32-bit
 * values: compare only those bits, or a caller sets a high bit and the
 * rule no longer matches what the kernel acts on. */
#define LOW32	0xffffffffULL

static int
masked(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned arg,
    uint64_t mask, uint64_t value)
{
	struct scmp_arg_cmp cmp = { .arg = arg, .op = SCMP_CMP_MASKED_EQ,
	    .datum_a = mask, .datum_b = value };

	return add(ctx, action, nr, 1, &cmp);
}

/* The address families a network service needs: UNIX, INET, INET6. Any
 * other (vsock, whose ports are not per network namespace; netlink;
 * packet; ...) fails as on a kernel without it. Rules for one call are
 * or'ed: family 0, 3..9 (AF_INET6 is 10) and everything above 10. */
static int
deny_families(scmp_filter_ctx ctx, int nr)
{
	struct scmp_arg_cmp	cmp;
	uint64_t		f;
	int			e;

	for (f = 0; f < AF_INET6; f++) {
		if (f == AF_UNIX || f == AF_INET)
			continue;
		cmp = (struct scmp_arg_cmp){ .arg = 0, .op = SCMP_CMP_EQ,
		    .datum_a = f };
		if ((e = add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1, &cmp)) < 0)
			return e;
	}
	/* 64-bit: a value with high bits set is above 10 too */
	cmp = (struct scmp_arg_cmp){ .arg = 0, .op = SCMP_CMP_GT,
	    .datum_a = AF_INET6 };
	return add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1, &cmp);
}

/* MSG_FASTOPEN makes a send a connect (sendto's address on a TCP socket
 * left unconnected by AF_UNSPEC): denied in both filters. Argument
 * index of the flags: sendto 3, sendmsg 2, sendmmsg 3. */
static int
deny_fastopen(scmp_filter_ctx ctx, uint32_t action)
{
	int e;

	if ((e = masked(ctx, action, SCMP_SYS(sendto), 3, MSG_FASTOPEN,
	    MSG_FASTOPEN)) < 0 ||
	    (e = masked(ctx, action, SCMP_SYS(sendmsg), 2, MSG_FASTOPEN,
	    MSG_FASTOPEN)) < 0)
		return e;
	return masked(ctx, action, SCMP_SYS(sendmmsg), 3, MSG_FASTOPEN,
	    MSG_FASTOPEN);
}

static int
build_default(scmp_filter_ctx ctx)
{
	static const unsigned long nsflags[] = { CLONE_NEWUSER, CLONE_NEWNS,
	    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
	    CLONE_NEWCGROUP };
	/* pushing input into a terminal another process reads; a socket's
	 * network namespace as an fd (jitsud's, for a held socket) */
	static const unsigned long ioctls[] = { TIOCSTI, TIOCLINUX,
	    SIOCGSKNS };
	size_t			i;
	int			e;

	for (i = 0; i < NELEM(denied_calls); i++)
		if ((e = add(ctx, SCMP_ACT_ERRNO(EPERM), denied_calls[i].nr,
		    0, NULL)) < 0)
			return e;
	/* clone3's flags sit in memory seccomp cannot read: make libc fall
	 * back to clone, whose flags are an argument. */
	if ((e = add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0,
	    NULL)) < 0)
		return e;
	for (i = 0; i < NELEM(nsflags); i++)
		if ((e = masked(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 0,
		    nsflags[i], nsflags[i])) < 0)
			return e;
	for (i = 0; i < NELEM(ioctls); i++)
		if ((e = masked(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
		    LOW32, ioctls[i])) < 0)
			return e;
	if ((e = deny_families(ctx, SCMP_SYS(socket))) < 0 ||
	    (e = deny_families(ctx, SCMP_SYS(socketpair))) < 0)
		return e;
	return deny_fastopen(ctx, SCMP_ACT_ERRNO(EPERM));
}

/* A uk app sends only on connections it accepted: sendto with no
 * address and without MSG_FASTOPEN. With an address, the held UDP socket
 * would reach any address in jitsud's network namespace (its DNS port
 * among them); the call kills the process like any other outside the
 * list. */
static int
allow_sendto_connected(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp cmp[2] = {
		{ .arg = 3, .op = SCMP_CMP_MASKED_EQ, .datum_a = MSG_FASTOPEN,
		    .datum_b = 0 },
		{ .arg = 4, .op = SCMP_CMP_EQ, .datum_a = 0 },
	};

	return add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 2, cmp);
}

static int
build_strict(scmp_filter_ctx ctx)
{
	size_t	i;
	int	e;

	for (i = 0; i < NELEM(strict_calls); i++) {
		if (strict_calls[i].nr == SCMP_SYS(sendto))
			continue;
		if ((e = add(ctx, SCMP_ACT_ALLOW, strict_calls[i].nr, 0,
		    NULL)) < 0)
			return e;
	}
	return allow_sendto_connected(ctx);
}

/* libseccomp 2.5 can only export to a file descriptor: a memfd, read back. */
static int
export(scmp_filter_ctx ctx, struct filter_prog *prog)
{
	struct stat	st;
	ssize_t		n;
	int		fd, e;

	if ((fd = memfd_create("jitsu-seccomp", MFD_CLOEXEC)) == -1)
		return -errno;
	if ((e = seccomp_export_bpf(ctx, fd)) < 0)
		goto out;
	if (fstat(fd, &st) == -1) {
		e = -errno;
		goto out;
	}
	if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		e = -EINVAL;
		goto out;
	}
	if ((prog->insns = malloc(st.st_size)) == NULL) {
		e = -ENOMEM;
		goto out;
	}
	n = pread(fd, prog->insns, st.st_size, 0);
	if (n != st.st_size) {
		e = n == -1 ? -errno : -EIO;
		filter_free(prog);
		goto out;
	}
	prog->len = st.st_size / sizeof(struct sock_filter);
	e = 0;
out:
	close(fd);
	return e;
}

int
filter_compile(enum sandbox_filter f, struct filter_prog *prog, char *err,
    size_t errlen)
{
	scmp_filter_ctx	ctx;
	int		e;

	memset(prog, 0, sizeof(*prog));
	if (f == SANDBOX_FILTER_NONE)
		return 0;
	if (f >= SANDBOX_FILTER_COUNT)
		return errmsg(err, errlen, EINVAL, "filter %d", (int)f);
	ctx = seccomp_init(f == SANDBOX_FILTER_STRICT ?
	    SCMP_ACT_KILL_PROCESS : SCMP_ACT_ALLOW);
	if (ctx == NULL)
		return errmsg(err, errlen, ENOMEM, "seccomp_init");
	/* A call through another ABI (int 0x80, x32) must not slip past. */
	if ((e = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0 ||
	    /* a binary search instead of a chain of ~50 comparisons run on
	     * every system call */
	    (e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		goto out;
	e = f == SANDBOX_FILTER_STRICT ? build_strict(ctx) : build_default(ctx);
	if (e == 0)
		e = export(ctx, prog);
out:
	seccomp_release(ctx);
	if (e < 0)
		return errmsg(err, errlen, -e, "seccomp filter %s",
		    filter_name(f));
	return 0;
}

void
filter_free(struct filter_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}
