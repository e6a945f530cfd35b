/*
 * backend/none.c - `backend = none`: a plain DNS record. There is no
 * instance; a want makes it "running" at once so the state is honest
 * about there being nothing to wait for, and idle takes it back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "service/service.h"

static int
none_start(struct service *s, char *why, size_t len)
{
	(void)why;
	(void)len;
	svc_on_ready(s);
	return 0;
}

static int
none_stop(struct service *s, bool force)
{
	(void)force;
	svc_on_exit(s, false, NULL);
	return 0;
}

static int
none_nop(struct service *s)
{
	(void)s;
	return 0;
}

const struct backend_ops backend_none = {
	.name = "none",
	.start = none_start,
	.stop = none_stop,
	.suspend = none_nop,
	.resume = none_nop,
};

const struct backend_ops *
backend_for(enum cfg_backend b)
{
	switch (b) {
	case BACKEND_EXEC:
		return &backend_exec;
	case BACKEND_QEMU:
		return &backend_qemu;
	case BACKEND_LIBVIRT:
		return &backend_libvirt;
	default:
		return &backend_none;
	}
}

static char run_path[256] = "/run/jitsu";
static char cgroup_name[64] = "jitsu";
static bool paths_set;

int
backend_set_paths(const char *run, const char *cgroup)
{
	if (paths_set)
		return strcmp(run, run_path) == 0 &&
		    strcmp(cgroup, cgroup_name) == 0 ? 0 : -EBUSY;
	if ((size_t)snprintf(run_path, sizeof(run_path), "%s", run) >=
	    sizeof(run_path) || (size_t)snprintf(cgroup_name,
	    sizeof(cgroup_name), "%s", cgroup) >= sizeof(cgroup_name))
		return -ENAMETOOLONG;
	paths_set = true;
	return 0;
}

const char *
backend_run(void)
{
	return run_path;
}

const char *
backend_cgroup(void)
{
	return cgroup_name;
}
