/*
 * control/metrics.h - jitsud's numbers in the Prometheus text format
 * (version 0.0.4), and the boot-time histograms behind one of them.
 *
 * Rendering is a pure function of a plain snapshot (struct metrics_view),
 * so tests check the text without a daemon; control/metrics_http.c takes
 * the snapshot from the live DNS server and service manager and serves
 * it at GET /metrics.
 *
 * Every name starts with jitsu_; the list with meanings is in jitsud(8).
 */
#ifndef CONTROL_METRICS_H
#define CONTROL_METRICS_H

#include <stdint.h>
#include <sys/types.h>

#include "dns/server.h"
#include "service/service.h"

/* Fixed bucket bounds of the boot histogram, in ms (le = bound / 1000 s):
 * fixed so an observation is a short scan with no allocation, and so
 * histograms from every jitsud aggregate. */
#define METRICS_BOOT_NBUCKETS	12
extern const uint32_t metrics_boot_bounds_ms[METRICS_BOOT_NBUCKETS];

/* Boot times (a service's first want -> running) of one backend. */
struct metrics_hist {
	char		 backend[16];
	uint64_t	 bucket[METRICS_BOOT_NBUCKETS + 1];	/* not cumulative;
							 * the last is > top */
	uint64_t	 count;
	uint64_t	 sum_ns;
};

void	metrics_hist_observe(struct metrics_hist *, uint64_t ns);

/* The daemon's histograms, one per backend name, process-wide (one
 * jitsud per process). service/service.c calls this when a start
 * reaches running. */
void	metrics_observe_boot(const char *backend, uint64_t ns);
const struct metrics_hist *metrics_boot_hists(int *n);

/* One service, as the renderer sees it. */
struct metrics_svc {
	const char	*name;
	const char	*backend;
	uint64_t	 starts, stops, failures;
	long		 held;		/* < 0: not counted (no such backend op) */
	unsigned long long memory;	/* bytes; 0: no instance or unknown */
};

struct metrics_view {
	const struct dns_counters *dns;
	const struct svc_counters *mgr;
	uint64_t		 by_state[SVC_NSTATES];
	const struct metrics_svc *svcs;
	int			 nsvcs;
	const struct metrics_hist *hists;
	int			 nhists;
};

/* The text into *out (malloc'd, NUL-terminated; the caller frees it).
 * Returns its length or -ENOMEM. */
ssize_t	metrics_render(const struct metrics_view *, char **out);

#endif
