/*
 * backend/qemu_cgroup.h - each QEMU in a cgroup of its own (issue 11),
 * beside the exec services' under jitsud's `cgroup =` group: its memory
 * limited to the guest's RAM plus QEMU's own overhead, its tasks to
 * QEMU_CG_PIDS. The child enters it between fork and exec, so the limit
 * holds from QEMU's first allocation; the folder goes when QEMU has.
 */
#ifndef BACKEND_QEMU_CGROUP_H
#define BACKEND_QEMU_CGROUP_H

#include <stdint.h>

#include "core/loop.h"
#include "sandbox/cgroup.h"

/*
 * What QEMU needs beyond the guest's RAM, measured here (QEMU 7.2, TCG,
 * microvm, 64 MiB guests): the cgroup's peak charge was 17.4 MiB with
 * hello.vm serving 50 requests, and 78.4 MiB with memhog.vm holding
 * 60 MiB of touched guest memory, so QEMU itself (heap, device state,
 * the TCG translation cache it touched) is about 18 MiB. Its binary and
 * libraries (23 MiB resident) are charged too when this cgroup is the
 * first to read them. 64 MiB covers both with room for a busier guest's
 * translations; with KVM QEMU needs less.
 */
#define QEMU_CG_OVERHEAD	(64ULL << 20)
/* QEMU's threads: main, RCU, one per vCPU, the I/O worker pool (a
 * microvm has no disk to need it). Measured: 4 with one vCPU. */
#define QEMU_CG_PIDS		128

struct qemu_cg {
	struct cg	 cg;
	bool		 made;
	/* DIR/cgroup.procs of each hierarchy, for the child to write. */
	char		*procs[CG_NCTRL];
};

/* Creates (or, adopting, finds) the cgroup of service NAME and sets its
 * limits for a guest of GUEST bytes (0: QEMU's default); 0 or -errno
 * with *why. Without a cgroup file system, 0 and no cgroup. */
int	qemu_cg_make(struct qemu_cg *, struct loop *, const char *name,
	    uint64_t guest, char *why, size_t whylen);
/* In the child between fork and exec (async-signal-safe): move the
 * calling process into the cgroup; -1 when it cannot. */
int	qemu_cg_enter(const struct qemu_cg *);
/* Removes the cgroup (QEMU is gone) and frees what make made. */
void	qemu_cg_remove(struct qemu_cg *);

#endif
