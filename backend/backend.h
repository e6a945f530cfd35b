/*
 * backend/backend.h - the contract between the service state machine and
 * the ways of running a unikernel (a sandboxed process, a QEMU microVM,
 * a libvirt domain). One small ops table per backend, chosen by
 * `backend =`. Every call returns at once: long operations complete
 * later through the svc_on_*() callbacks in service/service.h.
 */
#ifndef BACKEND_BACKEND_H
#define BACKEND_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct service;

struct backend_ops {
	const char	*name;
	/* Config load: pre-create what can be (sockets, cgroups, taps) so
	 * that start is short. May be called with the instance of an older
	 * config still running (it is then kept): see adopt. */
	int	(*prepare)(struct service *, char *why, size_t whylen);
	/* Start an instance; 0 means under way: the backend then calls
	 * svc_on_ready(), or svc_on_exit()/svc_on_start_error(). */
	int	(*start)(struct service *, char *why, size_t whylen);
	/* Stop per the service's stop mode; force = kill now. Completion is
	 * reported with svc_on_exit(). */
	int	(*stop)(struct service *, bool force);
	int	(*suspend)(struct service *);
	int	(*resume)(struct service *);
	/* Reset the connections waiting for a unikernel that will not come
	 * (after a failed start), so clients see a reset, not a hang. */
	void	(*reset_held)(struct service *);
	/* Established connections to the instance, for the idle rule, or
	 * a negative errno if they cannot be counted. */
	int	(*connections)(struct service *);
	/* Watch the held sockets for a connection attempt (a wake-up)
	 * while no instance is serving them. */
	void	(*watch)(struct service *, bool on);
	/* The instance's process id (the process, or QEMU), 0 if none. */
	long	(*pid)(struct service *);
	/* Memory used by the instance in bytes, or 0 if unknown. */
	unsigned long long (*memory)(struct service *);
	/* Optional: connections waiting in the held sockets' backlogs (not
	 * yet accepted by an instance), or a negative errno. Metrics only. */
	long	(*held)(struct service *);
	/* Re-adoption (service/persist.h). record: append the lines that
	 * identify the running instance. adopt: instead of prepare, take
	 * over the instance a record describes: verify its identity, take
	 * its held sockets back from it, and return 1 (it runs) or 2 (it is
	 * frozen); 0 if there is nothing alive to adopt (prepare follows);
	 * with keep false, end a verified instance instead and return 0;
	 * -1 if the record names what is not an instance of jitsud's (it
	 * was forged or tampered with): nothing is touched, and jitsud
	 * warns. */
	int	(*record)(struct service *, char *rec, size_t cap, size_t *len);
	int	(*adopt)(struct service *, const char *rec, size_t len, bool keep,
		    char *why, size_t whylen);
	/* Optional: more "key=value" lines for `jitsuctl status` (where
	 * the instance runs, whether its state is known). */
	int	(*describe)(struct service *, char *rec, size_t cap, size_t *len);
	/* The service is removed or jitsud exits: free everything. */
	void	(*release)(struct service *);
};

extern const struct backend_ops backend_none;
extern const struct backend_ops backend_exec;
extern const struct backend_ops backend_qemu;
extern const struct backend_ops backend_libvirt;

const struct backend_ops *backend_for(enum cfg_backend);
/* jitsud's run folder (`run =`: instances' folders go in RUN/sandbox and
 * RUN/qemu) and its cgroup name (`cgroup =`). Set once, before the first
 * service is prepared; later calls that change them are refused with
 * -EBUSY, since instances already live under the first. */
int	backend_set_paths(const char *run, const char *cgroup);
const char *backend_run(void);
const char *backend_cgroup(void);
/* The cgroups every backend's instances go in (OWN/`cgroup =`/NAME),
 * found and made once (the exec backend's sandbox host holds them):
 * two set-ups of one group would each move jitsud on cgroup v2. NULL
 * with *why when the host cannot be set up. */
struct cg_host;
struct loop;
const struct cg_host *backend_cg_host(struct loop *, char *why, size_t whylen);
/* At exit, after every service is released: the exec backend's shared
 * sandbox state and its run folder. */
void	backend_exec_shutdown(void);

#endif
