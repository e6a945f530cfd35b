/*
 * root.h - the file system a sandboxed process sees.
 *
 * At prepare time jitsud makes a skeleton folder RUNDIR/NAME on the host:
 * empty mount points and symlinks only, no mounts (every mount held in
 * jitsud's namespace is copied by each clone(CLONE_NEWNS): ~2 us per mount
 * per start, so 1,000 prepared roots would cost 2 ms on every start). The
 * child then builds its root from it in its own mount namespace:
 *
 *   /app/IMAGE       the image, bind-mounted
 *   /dev/{null,zero,full,random,urandom}   the host's nodes, bind-mounted
 *   /usr, /lib*, /bin, /sbin, /etc/ld.so.cache   dynamic images only
 *   everything above read-only and nosuid (mount_setattr, recursive)
 *   /tmp             a private tmpfs: nosuid, nodev, noexec, size-capped
 *   /proc            the new pid namespace's procfs, when asked for
 *
 * and chroots into it (see jail.c: why not pivot_root).
 */
#ifndef SANDBOX_ROOT_H
#define SANDBOX_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/image.h"

#define ROOT_MAX_BINDS	16
#define ROOT_TMP_SIZE	(16ULL << 20)	/* default /tmp cap; memory is
					 * charged to the service's cgroup */

struct root_bind {
	char		*src;	/* host path */
	char		*dst;	/* mount point: host path under dir */
};

struct root {
	char		*dir;	/* the skeleton RUNDIR/NAME */
	char		*exe;	/* the image's path inside: /app/BASE */
	char		*tmp;	/* DIR/tmp */
	char		*proc;	/* DIR/proc, NULL: no /proc */
	char		 tmpopts[64];
	struct root_bind binds[ROOT_MAX_BINDS];
	int		 nbinds;
};

/* Creates RUNDIR/NAME for IMG (replacing a leftover one) and the plan the
 * child follows. TMP_SIZE 0 means ROOT_TMP_SIZE. */
int	root_prepare(struct root *r, const char *rundir, const char *name,
	    const struct image_info *img, bool proc, uint64_t tmp_size,
	    char *err, size_t errlen);
/* Removes the skeleton and frees R. */
void	root_remove(struct root *r);

#endif
