/*
 * cgroup.h - per-service control groups, on cgroup v1 (or hybrid) and v2.
 *
 * Layout, detected once (statfs magic of /sys/fs/cgroup):
 *   v2      /sys/fs/cgroup is cgroup2: one tree, controllers enabled down
 *           the path; limits in memory.max, pids.max, cpu.max; freezing
 *           with cgroup.freeze; the child is placed by clone3's
 *           CLONE_INTO_CGROUP so limits hold from its first instruction.
 *   v1      /sys/fs/cgroup is a tmpfs of v1 hierarchies (legacy or hybrid:
 *           a hybrid's cgroup2 at /sys/fs/cgroup/unified has no limit
 *           controllers, so it is ignored). One folder per hierarchy we use
 *           (memory, pids, freezer, and cpu only with a cpu limit); the
 *           parent writes the child's pid into each before letting it run.
 *
 * Every service cgroup nests under jitsud's own (from /proc/self/cgroup),
 * never at the root: OWN/GROUP/SERVICE, GROUP being "jitsu" by default.
 */
#ifndef SANDBOX_CGROUP_H
#define SANDBOX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cg_layout { CG_NONE = 0, CG_V1, CG_V2 };

/* What a service's cgroup is used for; on v1 each is its own hierarchy. */
enum cg_ctrl { CG_MEMORY, CG_PIDS, CG_CPU, CG_FREEZER, CG_NCTRL };

struct cg_host {
	enum cg_layout	 layout;	/* CG_NONE: no cgroups, see none_why */
	char		 none_why[128];
	/* OWN/GROUP: v1 one per hierarchy (NULL when not mounted); v2 in
	 * base[0] only. */
	char		*base[CG_NCTRL];
};

struct cg {
	enum cg_layout	 layout;
	char		*dir[CG_NCTRL];	/* v1 per hierarchy; v2 dir[0] */
	int		 fd;		/* v2: the folder, for clone3 */
};

struct cg_limits {
	uint64_t	memory;		/* bytes; 0 = no limit */
	uint64_t	pids;		/* tasks; 0 = no limit */
	uint32_t	cpu_milli;	/* thousandths of a CPU; 0 = no limit */
};

/* One control-file write of a limit plan. */
struct cg_write {
	enum cg_ctrl	ctrl;
	const char	*file;
	char		value[48];
	bool		required;	/* false: skipped if the file is absent */
};
#define CG_MAX_WRITES	8
/* cpu quotas are set over this period (v1 cpu.cfs_period_us, v2 cpu.max) */
#define CG_CPU_PERIOD_US 100000

/* Pure helpers (unit-tested). */
/* CG_V1 for a tmpfs of hierarchies, CG_V2 for cgroup2, -ENOENT else. */
int	cg_layout_of_magic(unsigned long magic);
/* The cgroup path of controller CTRL (v1 name, e.g. "cpu" in
 * "1:cpu,cpuacct:/a") or, CTRL NULL, of the v2 line "0::/a", in the text
 * of /proc/self/cgroup. */
int	cg_proc_path(const char *text, const char *ctrl, char *out, size_t len);
/* In the text of /proc/self/mountinfo, the mount point and mount root of
 * the v1 hierarchy holding CTRL, or (CTRL NULL) of cgroup2. */
int	cg_mount_find(const char *text, const char *ctrl, char *mnt,
	    char *root, size_t len);
/* MNT + (OWN relative to the mount root MROOT) + /GROUP [+ /SVC]. */
int	cg_join(char *out, size_t len, const char *mnt, const char *mroot,
	    const char *own, const char *group, const char *svc);
/* The writes that set LIM on LAYOUT (unlimited values are written too, so
 * a new configuration resets an old limit). Returns how many. */
int	cg_limit_plan(enum cg_layout layout, const struct cg_limits *lim,
	    struct cg_write *w, int max);
/* The value of KEY in "key value" lines (memory.events, cgroup.events,
 * memory.oom_control). */
int	cg_parse_key(const char *text, const char *key, uint64_t *val);
const char *cg_ctrl_name(enum cg_ctrl c);

/* Host set-up: finds the layout (or takes FORCE, CG_NONE = detect), own
 * cgroups and mount points, and creates OWN/GROUP. On v2 it enables the
 * memory, pids and cpu controllers down to GROUP (moving jitsud into a
 * leaf OWN/GROUP-daemon if its own cgroup refuses them while it holds a
 * process). With no cgroup file system it succeeds with layout CG_NONE:
 * services then run without limits or freezing, and cg_create refuses
 * limits with the reason. */
int	cg_host_init(struct cg_host *h, enum cg_layout force, const char *group,
	    char *err, size_t errlen);
/* Removes OWN/GROUP when empty. */
void	cg_host_fini(struct cg_host *h);

/* Creates OWN/GROUP/SVC and applies LIM. */
int	cg_create(const struct cg_host *h, const char *svc,
	    const struct cg_limits *lim, struct cg *cg, char *err, size_t errlen);
/* Removes the service cgroup (it must be empty) and frees CG. */
void	cg_destroy(struct cg *cg);
/* Moves PID into every hierarchy (v1), or into the v2 cgroup. */
int	cg_attach(const struct cg *cg, pid_t pid, char *err, size_t errlen);
/* Starts freezing or thaws; non-blocking. */
int	cg_freeze(const struct cg *cg, bool frozen);
/* 1 when every task is frozen, 0 when not (yet), or -errno. */
int	cg_frozen(const struct cg *cg);
/* v2 cgroup.kill: SIGKILL to every task. -EOPNOTSUPP on v1. */
int	cg_kill(const struct cg *cg);
int	cg_memory_current(const struct cg *cg, uint64_t *bytes);
/* How many times the OOM killer killed a task of the cgroup. */
int	cg_oom_kills(const struct cg *cg, uint64_t *n);
/* The folder holding controller C's files, NULL when there is none. */
const char *cg_dir(const struct cg *cg, enum cg_ctrl c);

#endif
