/*
 * cgroup.c - per-service control groups on cgroup v1 (or hybrid) and v2.
 * See cgroup.h for the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "sandbox/cgroup.h"
#include "sandbox/errmsg.h"
#include "sandbox/files.h"

static const char *const ctrl_names[CG_NCTRL] = {
	[CG_MEMORY] = "memory",
	[CG_PIDS] = "pids",
	[CG_CPU] = "cpu",
	[CG_FREEZER] = "freezer",
};

const char *
cg_ctrl_name(enum cg_ctrl c)
{
	return c < CG_NCTRL ? ctrl_names[c] : "?";
}

int
cg_layout_of_magic(unsigned long magic)
{
	if (magic == CGROUP2_SUPER_MAGIC)
		return CG_V2;
	if (magic == TMPFS_MAGIC)
		return CG_V1;
	return -ENOENT;
}

/* Does LIST (LEN bytes of words separated by SEP) hold the word W? */
static bool
list_has(const char *list, size_t len, char sep, const char *w)
{
	size_t		 wl = strlen(w);
	const char	*p = list, *end = list + len, *c;

	while (p < end) {
		if ((c = memchr(p, sep, end - p)) == NULL)
			c = end;
		if ((size_t)(c - p) == wl && memcmp(p, w, wl) == 0)
			return true;
		p = c + 1;
	}
	return false;
}

static int
copy_span(char *out, size_t len, const char *p, size_t n)
{
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The next line of TEXT at *P: its start, and *EOL its end. */
static const char *
next_line(const char **p, const char **eol)
{
	const char *line = *p;

	if (*line == '\0')
		return NULL;
	*eol = strchrnul(line, '\n');
	*p = **eol ? *eol + 1 : *eol;
	return line;
}

int
cg_proc_path(const char *text, const char *ctrl, char *out, size_t len)
{
	const char *p = text, *line, *eol, *c1, *c2;

	/* "ID:CONTROLLERS:PATH"; v2's line is "0::PATH" */
	while ((line = next_line(&p, &eol)) != NULL) {
		if ((c1 = memchr(line, ':', eol - line)) == NULL ||
		    (c2 = memchr(c1 + 1, ':', eol - c1 - 1)) == NULL)
			continue;
		if (ctrl == NULL) {
			if (c1 - line != 1 || line[0] != '0' || c2 != c1 + 1)
				continue;
		} else if (!list_has(c1 + 1, c2 - c1 - 1, ',', ctrl))
			continue;
		return copy_span(out, len, c2 + 1, eol - c2 - 1);
	}
	return -ENOENT;
}

/* Copies a mountinfo field, decoding its \ooo escapes (space, tab, \n, \). */
static int
field_copy(char *out, size_t len, const char *p, size_t n)
{
	size_t	i, o = 0;
	char	c;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (c == '\\' && i + 3 < n &&
		    p[i + 1] >= '0' && p[i + 1] <= '3' &&
		    p[i + 2] >= '0' && p[i + 2] <= '7' &&
		    p[i + 3] >= '0' && p[i + 3] <= '7') {
			c = (p[i + 1] - '0') << 6 | (p[i + 2] - '0') << 3 |
			    (p[i + 3] - '0');
			i += 3;
		}
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Splits the next space-separated field off [*P, EOL). */
static bool
next_field(const char **p, const char *eol, const char **f, size_t *fl)
{
	const char *s = *p;

	while (s < eol && *s == ' ')
		s++;
	if (s == eol)
		return false;
	*f = s;
	while (s < eol && *s != ' ')
		s++;
	*fl = s - *f;
	*p = s;
	return true;
}

int
cg_mount_find(const char *text, const char *ctrl, char *mnt, char *root,
    size_t len)
{
	const char	*p = text, *line, *eol, *q, *f, *froot, *fmnt;
	const char	*ftype, *fsrc, *fsuper;
	size_t		 fl, lroot, lmnt, ltype, lsrc, lsuper;
	int		 i, e;

	/* ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SRC SUPER */
	while ((line = next_line(&p, &eol)) != NULL) {
		q = line;
		froot = fmnt = NULL;
		lroot = lmnt = 0;
		for (i = 0; next_field(&q, eol, &f, &fl); i++) {
			if (i == 3) {
				froot = f;
				lroot = fl;
			} else if (i == 4) {
				fmnt = f;
				lmnt = fl;
			} else if (i >= 6 && fl == 1 && *f == '-')
				break;
		}
		if (fmnt == NULL || !next_field(&q, eol, &ftype, &ltype) ||
		    !next_field(&q, eol, &fsrc, &lsrc) ||
		    !next_field(&q, eol, &fsuper, &lsuper))
			continue;
		if (ctrl == NULL) {
			if (ltype != 7 || memcmp(ftype, "cgroup2", 7) != 0)
				continue;
		} else if (ltype != 6 || memcmp(ftype, "cgroup", 6) != 0 ||
		    !list_has(fsuper, lsuper, ',', ctrl))
			continue;
		if ((e = field_copy(root, len, froot, lroot)) < 0 ||
		    (e = field_copy(mnt, len, fmnt, lmnt)) < 0)
			return e;
		return 0;
	}
	return -ENOENT;
}

int
cg_join(char *out, size_t len, const char *mnt, const char *mroot,
    const char *own, const char *group, const char *svc)
{
	size_t	rl = strlen(mroot);
	int	n;

	/* The mount shows the hierarchy from MROOT down (cgroup namespaces,
	 * containers): OWN must be under it. */
	if (strcmp(mroot, "/") != 0) {
		if (strncmp(own, mroot, rl) != 0 ||
		    (own[rl] != '/' && own[rl] != '\0'))
			return -ENOENT;
		own += rl;
	}
	while (*own == '/')
		own++;
	n = snprintf(out, len, "%s%s%s/%s%s%s", mnt, *own ? "/" : "", own,
	    group, svc ? "/" : "", svc ? svc : "");
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static void
plan_add(struct cg_write *w, int max, int *n, enum cg_ctrl c, const char *file,
    bool required, const char *value)
{
	if (*n >= max)
		return;
	w[*n].ctrl = c;
	w[*n].file = file;
	w[*n].required = required;
	snprintf(w[*n].value, sizeof(w[*n].value), "%s", value);
	(*n)++;
}

int
cg_limit_plan(enum cg_layout layout, const struct cg_limits *lim,
    struct cg_write *w, int max)
{
	uint64_t	quota = (uint64_t)lim->cpu_milli * CG_CPU_PERIOD_US / 1000;
	bool		mem = lim->memory > 0, pids = lim->pids > 0;
	bool		cpu = lim->cpu_milli > 0;
	char		m[24], t[24], q[48];
	int		n = 0;

	snprintf(m, sizeof(m), "%" PRIu64, lim->memory);
	snprintf(t, sizeof(t), "%" PRIu64, lim->pids);
	if (quota == 0 && cpu)
		quota = 1000;	/* the kernel's minimum quota, 1 ms */
	if (layout == CG_V1) {
		/* memsw (memory+swap, present with swap accounting only) must
		 * stay >= the memory limit: lift it, set memory, then pin it
		 * equal so swap cannot stretch the limit. */
		plan_add(w, max, &n, CG_MEMORY, "memory.memsw.limit_in_bytes",
		    false, "-1");
		plan_add(w, max, &n, CG_MEMORY, "memory.limit_in_bytes", mem,
		    mem ? m : "-1");
		if (mem)
			plan_add(w, max, &n, CG_MEMORY,
			    "memory.memsw.limit_in_bytes", false, m);
		plan_add(w, max, &n, CG_PIDS, "pids.max", pids, pids ? t : "max");
		snprintf(q, sizeof(q), "%u", CG_CPU_PERIOD_US);
		plan_add(w, max, &n, CG_CPU, "cpu.cfs_period_us", cpu, q);
		snprintf(q, sizeof(q), "%" PRIu64, quota);
		plan_add(w, max, &n, CG_CPU, "cpu.cfs_quota_us", cpu,
		    cpu ? q : "-1");
		return n;
	}
	plan_add(w, max, &n, CG_MEMORY, "memory.max", mem, mem ? m : "max");
	plan_add(w, max, &n, CG_MEMORY, "memory.swap.max", false,
	    mem ? "0" : "max");
	/* One OOM kill takes the whole service down: a half-killed service
	 * is worse than a restarted one. */
	plan_add(w, max, &n, CG_MEMORY, "memory.oom.group", false, "1");
	plan_add(w, max, &n, CG_PIDS, "pids.max", pids, pids ? t : "max");
	if (cpu)
		snprintf(q, sizeof(q), "%" PRIu64 " %u", quota, CG_CPU_PERIOD_US);
	else
		snprintf(q, sizeof(q), "max %u", CG_CPU_PERIOD_US);
	plan_add(w, max, &n, CG_CPU, "cpu.max", cpu, q);
	return n;
}

int
cg_parse_key(const char *text, const char *key, uint64_t *val)
{
	size_t		 kl = strlen(key);
	const char	*p = text, *line, *eol;
	char		*end;

	while ((line = next_line(&p, &eol)) != NULL) {
		if ((size_t)(eol - line) <= kl || strncmp(line, key, kl) != 0 ||
		    line[kl] != ' ')
			continue;
		errno = 0;
		*val = strtoull(line + kl + 1, &end, 10);
		if (errno != 0 || end == line + kl + 1)
			return -EINVAL;
		return 0;
	}
	return -ENOENT;
}

const char *
cg_dir(const struct cg *cg, enum cg_ctrl c)
{
	if (c >= CG_NCTRL)
		return NULL;
	return cg->layout == CG_V2 ? cg->dir[0] : cg->dir[c];
}

/* ---- host set-up ---- */

static int
read_at(const char *dir, const char *name, char *buf, size_t len)
{
	char	path[PATH_MAX];
	ssize_t	n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	n = file_read(path, buf, len);
	return n < 0 ? (int)n : 0;
}

/* Enables in DIR's cgroup.subtree_control those of the controllers we use
 * that DIR offers; cpu only with CPU (see cg_create). */
static int
v2_enable(const char *dir, bool cpu)
{
	const char *const want[] = { "memory", "pids", cpu ? "cpu" : "" };
	char	avail[512], line[64];
	size_t	i, n = 0;
	int	e;

	if ((e = read_at(dir, "cgroup.controllers", avail, sizeof(avail))) < 0)
		return e;
	avail[strcspn(avail, "\n")] = '\0';
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (*want[i] && list_has(avail, strlen(avail), ' ', want[i]))
			n += snprintf(line + n, sizeof(line) - n, "%s+%s",
			    n ? " " : "", want[i]);
	if (n == 0)
		return 0;
	return file_write(dir, "cgroup.subtree_control", line);
}

static int
v2_host_init(struct cg_host *h, const char *cgtext, const char *mitext,
    const char *group, char *err, size_t errlen)
{
	char	mnt[PATH_MAX], mroot[PATH_MAX], own[PATH_MAX];
	char	ownd[PATH_MAX], base[PATH_MAX], leaf[PATH_MAX];
	int	e;

	if ((e = cg_mount_find(mitext, NULL, mnt, mroot, sizeof(mnt))) < 0)
		return errmsg(err, errlen, -e, "cgroup2 mount not found");
	if ((e = cg_proc_path(cgtext, NULL, own, sizeof(own))) < 0)
		return errmsg(err, errlen, -e, "own cgroup v2 path");
	if ((e = cg_join(base, sizeof(base), mnt, mroot, own, group, NULL)) < 0)
		return errmsg(err, errlen, -e, "cgroup %s/%s", own, group);
	snprintf(ownd, sizeof(ownd), "%.*s", (int)(strrchr(base, '/') - base),
	    base);
	/* "No internal processes": a cgroup holding jitsud cannot hand its
	 * controllers down; move jitsud into a leaf beside the services. */
	if ((e = v2_enable(ownd, true)) == -EBUSY) {
		if ((size_t)snprintf(leaf, sizeof(leaf), "%s/%s-daemon", ownd,
		    group) >= sizeof(leaf))
			return errmsg(err, errlen, ENAMETOOLONG, "%s", ownd);
		if ((e = mkdir(leaf, 0755)) == -1 && errno != EEXIST)
			return errmsg(err, errlen, errno, "mkdir %s", leaf);
		if ((e = file_write(leaf, "cgroup.procs", "0")) < 0)
			return errmsg(err, errlen, -e, "move jitsud to %s", leaf);
		e = v2_enable(ownd, true);
	}
	if (e < 0)
		return errmsg(err, errlen, -e, "enable controllers in %s", ownd);
	if (mkdir(base, 0755) == -1 && errno != EEXIST)
		return errmsg(err, errlen, errno, "mkdir %s", base);
	if ((e = v2_enable(base, false)) < 0)
		return errmsg(err, errlen, -e, "enable controllers in %s", base);
	if ((h->base[0] = strdup(base)) == NULL)
		return errmsg(err, errlen, ENOMEM, "cgroup");
	return 0;
}

static int
base_path(char *out, size_t len, const char *cgtext, const char *mitext,
    const char *ctrl, const char *group)
{
	char	mnt[PATH_MAX], mroot[PATH_MAX], own[PATH_MAX];
	int	e;

	if ((e = cg_mount_find(mitext, ctrl, mnt, mroot, sizeof(mnt))) < 0 ||
	    (e = cg_proc_path(cgtext, ctrl, own, sizeof(own))) < 0)
		return e;
	return cg_join(out, len, mnt, mroot, own, group, NULL);
}

static int
v1_host_init(struct cg_host *h, const char *cgtext, const char *mitext,
    const char *group, char *err, size_t errlen)
{
	char	base[PATH_MAX];
	int	c, e;

	for (c = 0; c < CG_NCTRL; c++) {
		e = base_path(base, sizeof(base), cgtext, mitext, ctrl_names[c],
		    group);
		if (e == -ENOENT)
			continue;	/* hierarchy not mounted: no such limit */
		if (e < 0)
			return errmsg(err, errlen, -e, "cgroup %s", ctrl_names[c]);
		if (mkdir(base, 0755) == -1 && errno != EEXIST)
			return errmsg(err, errlen, errno, "mkdir %s", base);
		if ((h->base[c] = strdup(base)) == NULL)
			return errmsg(err, errlen, ENOMEM, "cgroup");
	}
	return 0;
}

int
cg_host_init(struct cg_host *h, enum cg_layout force, const char *group,
    char *err, size_t errlen)
{
	struct statfs	 sf;
	char		*cgtext = NULL, *mitext = NULL;
	int		 e;

	memset(h, 0, sizeof(*h));
	if (force != CG_NONE)
		h->layout = force;
	else {
		/* Not fatal: jitsud can run services without limits. Under
		 * `ip netns exec`, a fresh sysfs hides the cgroup mounts. */
		if (statfs("/sys/fs/cgroup", &sf) == -1)
			errmsg(h->none_why, sizeof(h->none_why), errno,
			    "statfs /sys/fs/cgroup");
		else if ((e = cg_layout_of_magic(sf.f_type)) < 0)
			snprintf(h->none_why, sizeof(h->none_why), "no cgroup "
			    "file system at /sys/fs/cgroup (is /sys remounted, "
			    "as by ip netns exec?)");
		else
			h->layout = e;
		if (h->layout == CG_NONE)
			return 0;
	}
	if ((e = file_read_all("/proc/self/cgroup", &cgtext)) < 0 ||
	    (e = file_read_all("/proc/self/mountinfo", &mitext)) < 0) {
		free(cgtext);
		return errmsg(err, errlen, -e, "read /proc/self");
	}
	if (h->layout == CG_V2)
		e = v2_host_init(h, cgtext, mitext, group, err, errlen);
	else
		e = v1_host_init(h, cgtext, mitext, group, err, errlen);
	free(cgtext);
	free(mitext);
	if (e < 0)
		cg_host_fini(h);
	return e;
}

void
cg_host_fini(struct cg_host *h)
{
	int c;

	for (c = 0; c < CG_NCTRL; c++) {
		if (h->base[c] != NULL)
			rmdir(h->base[c]);	/* fails while services remain */
		free(h->base[c]);
		h->base[c] = NULL;
	}
}

int
cg_create(const struct cg_host *h, const char *svc,
    const struct cg_limits *lim, struct cg *cg, char *err, size_t errlen)
{
	struct cg_write	 w[CG_MAX_WRITES];
	const char	*dir;
	char		 path[PATH_MAX];
	int		 c, i, n, e;

	memset(cg, 0, sizeof(*cg));
	cg->layout = h->layout;
	cg->fd = -1;
	if (h->layout == CG_NONE) {
		if (lim->memory == 0 && lim->pids == 0 && lim->cpu_milli == 0)
			return 0;
		return errmsgx(err, errlen, EOPNOTSUPP, "%s: limits need "
		    "cgroups: %s", svc, h->none_why);
	}
	for (c = 0; c < CG_NCTRL; c++) {
		/* A v1 cpu cgroup is a scheduler task group (per-cpu run
		 * queues the scheduler keeps balancing): without a quota it
		 * costs and buys nothing. */
		if (h->base[c] == NULL || (c == CG_CPU && h->layout == CG_V1 &&
		    lim->cpu_milli == 0))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", h->base[c],
		    svc) >= sizeof(path)) {
			e = errmsg(err, errlen, ENAMETOOLONG, "cgroup %s", svc);
			goto fail;
		}
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			e = errmsg(err, errlen, errno, "mkdir %s", path);
			goto fail;
		}
		if ((cg->dir[c] = strdup(path)) == NULL) {
			e = errmsg(err, errlen, ENOMEM, "cgroup");
			goto fail;
		}
	}
	/* v2: services become cpu task groups only once one has a quota */
	if (cg->layout == CG_V2 && lim->cpu_milli > 0 &&
	    (e = v2_enable(h->base[0], true)) < 0) {
		e = errmsg(err, errlen, -e, "cpu limit: enable cpu in %s",
		    h->base[0]);
		goto fail;
	}
	if (cg->layout == CG_V2 && cg->dir[0] != NULL &&
	    (cg->fd = open(cg->dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		e = errmsg(err, errlen, errno, "open %s", cg->dir[0]);
		goto fail;
	}
	n = cg_limit_plan(cg->layout, lim, w, CG_MAX_WRITES);
	for (i = 0; i < n; i++) {
		if ((dir = cg_dir(cg, w[i].ctrl)) == NULL) {
			if (!w[i].required)
				continue;
			e = errmsgx(err, errlen, EOPNOTSUPP, "%s limit: no %s "
			    "cgroup hierarchy is mounted", w[i].file,
			    cg_ctrl_name(w[i].ctrl));
			goto fail;
		}
		e = file_write(dir, w[i].file, w[i].value);
		if (e == -ENOENT && !w[i].required)
			continue;
		if (e < 0) {
			e = errmsg(err, errlen, -e, "%s limit: %s/%s = %s%s",
			    cg_ctrl_name(w[i].ctrl), dir, w[i].file, w[i].value,
			    e == -ENOENT ? " (controller not enabled here?)" :
			    "");
			goto fail;
		}
	}
	return 0;
fail:
	cg_destroy(cg);
	return e;
}

void
cg_destroy(struct cg *cg)
{
	int c;

	if (cg->fd != -1)
		close(cg->fd);
	cg->fd = -1;
	for (c = 0; c < CG_NCTRL; c++) {
		if (cg->dir[c] != NULL)
			rmdir(cg->dir[c]);
		free(cg->dir[c]);
		cg->dir[c] = NULL;
	}
}

int
cg_attach(const struct cg *cg, pid_t pid, char *err, size_t errlen)
{
	char	s[24];
	int	c, e;

	snprintf(s, sizeof(s), "%d", (int)pid);
	for (c = 0; c < CG_NCTRL; c++) {
		if (cg->dir[c] == NULL)
			continue;
		if ((e = file_write(cg->dir[c], "cgroup.procs", s)) < 0)
			return errmsg(err, errlen, -e, "%s/cgroup.procs",
			    cg->dir[c]);
	}
	return 0;
}

int
cg_freeze(const struct cg *cg, bool frozen)
{
	const char *dir = cg_dir(cg, CG_FREEZER);

	if (dir == NULL)
		return -EOPNOTSUPP;
	if (cg->layout == CG_V2)
		return file_write(dir, "cgroup.freeze", frozen ? "1" : "0");
	return file_write(dir, "freezer.state", frozen ? "FROZEN" : "THAWED");
}

int
cg_frozen(const struct cg *cg)
{
	const char	*dir = cg_dir(cg, CG_FREEZER);
	char		 buf[256];
	uint64_t	 v;
	int		 e;

	if (dir == NULL)
		return -EOPNOTSUPP;
	if (cg->layout == CG_V2) {
		if ((e = read_at(dir, "cgroup.events", buf, sizeof(buf))) < 0 ||
		    (e = cg_parse_key(buf, "frozen", &v)) < 0)
			return e;
		return v == 1;
	}
	/* v1 reads FREEZING until every task has stopped */
	if ((e = read_at(dir, "freezer.state", buf, sizeof(buf))) < 0)
		return e;
	return strncmp(buf, "FROZEN", 6) == 0;
}

int
cg_kill(const struct cg *cg)
{
	int e;

	if (cg->layout != CG_V2 || cg->dir[0] == NULL)
		return -EOPNOTSUPP;
	e = file_write(cg->dir[0], "cgroup.kill", "1");
	return e == -ENOENT ? -EOPNOTSUPP : e;	/* before Linux 5.14 */
}

int
cg_memory_current(const struct cg *cg, uint64_t *bytes)
{
	const char	*dir = cg_dir(cg, CG_MEMORY);
	char		 buf[32], *end;
	int		 e;

	if (dir == NULL)
		return -EOPNOTSUPP;
	e = read_at(dir, cg->layout == CG_V2 ? "memory.current" :
	    "memory.usage_in_bytes", buf, sizeof(buf));
	if (e < 0)
		return e == -ENOENT ? -EOPNOTSUPP : e;
	*bytes = strtoull(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

int
cg_oom_kills(const struct cg *cg, uint64_t *n)
{
	const char	*dir = cg_dir(cg, CG_MEMORY);
	char		 buf[512];
	int		 e;

	if (dir == NULL)
		return -EOPNOTSUPP;
	e = read_at(dir, cg->layout == CG_V2 ? "memory.events" :
	    "memory.oom_control", buf, sizeof(buf));
	if (e < 0)
		return e == -ENOENT ? -EOPNOTSUPP : e;
	return cg_parse_key(buf, "oom_kill", n);
}
