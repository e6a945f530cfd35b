/* backend/qemu_cgroup.c - see qemu_cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/qemu.h"
#include "backend/qemu_cgroup.h"

int
qemu_cg_make(struct qemu_cg *q, struct loop *l, const char *name,
    uint64_t guest, char *why, size_t whylen)
{
	const struct cg_host *h;
	struct cg_limits lim = { 0 };
	int c, r;

	/* An unprivileged jitsud (a developer's) has no cgroups to give:
	 * its QEMU runs as before, as that user. */
	if (q->made || geteuid() != 0)
		return 0;
	if ((h = backend_cg_host(l, why, whylen)) == NULL)
		return -EPERM;
	if (h->layout == CG_NONE)
		return 0;
	lim.memory = (guest ? guest : QEMU_DEFAULT_MEMORY) + QEMU_CG_OVERHEAD;
	lim.pids = QEMU_CG_PIDS;
	if ((r = cg_create(h, name, &lim, &q->cg, why, whylen)) < 0)
		return r;
	q->made = true;
	for (c = 0; c < CG_NCTRL; c++) {
		if (q->cg.dir[c] == NULL)
			continue;
		if (asprintf(&q->procs[c], "%s/cgroup.procs", q->cg.dir[c]) ==
		    -1) {
			q->procs[c] = NULL;
			qemu_cg_remove(q);
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

int
qemu_cg_enter(const struct qemu_cg *q)
{
	int c, fd;
	ssize_t w;

	for (c = 0; q->made && c < CG_NCTRL; c++) {
		if (q->procs[c] == NULL)
			continue;
		/* "0" is the writer itself, on v1 and v2 alike. */
		if ((fd = open(q->procs[c], O_WRONLY | O_CLOEXEC)) == -1)
			return -1;
		w = write(fd, "0", 1);
		close(fd);
		if (w != 1)
			return -1;
	}
	return 0;
}

void
qemu_cg_remove(struct qemu_cg *q)
{
	int c;

	if (!q->made)
		return;
	cg_destroy(&q->cg);
	for (c = 0; c < CG_NCTRL; c++) {
		free(q->procs[c]);
		q->procs[c] = NULL;
	}
	q->made = false;
}
