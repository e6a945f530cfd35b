/*
 * service/service.h - the registered services and their lifecycle.
 *
 * The manager keeps one struct service per configured service, indexed
 * like the config (so the DNS db's service numbers point here). The DNS
 * path calls svc_want(), which never blocks: it only moves the state
 * machine and asks a backend to start, which completes later through the
 * svc_on_*() callbacks. Every state change goes through one function that
 * logs "service www: starting -> running (12.3 ms)" and stamps the time,
 * so per-phase boot timings fall out for free.
 *
 * Limits: at most max_starting services boot at once and max_running are
 * up at once; over either, starts wait in a bounded FIFO queue (over its
 * bound, the want is dropped and counted). Failed starts back off
 * exponentially from `backoff` up to 64x; an instance that ends by
 * itself within min_uptime of its start, or leaving connections it never
 * accepted, has failed too. Each service starts at most start_limit
 * times per start_window (operator starts exempt); past it, it is failed
 * until a start is allowed again.
 */
#ifndef SERVICE_SERVICE_H
#define SERVICE_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/backend.h"
#include "config/config.h"
#include "core/loop.h"
#include "core/rate.h"
#include "dns/db.h"
#include "service/state.h"

enum svc_phase {
	PH_WANTED,	/* first query or connection that asked for it */
	PH_STARTED,	/* start issued to the backend */
	PH_RUNNING,	/* the backend said it is up */
	PH_FIRST_CONN,	/* the first held connection was taken */
	PH_N
};

struct svc_manager;

#define SVC_LOG_LINES	10
#define SVC_LOG_LEN	200
struct svc_logring {
	char		 line[SVC_LOG_LINES][SVC_LOG_LEN];
	unsigned	 next;		/* total lines ever added */
};

struct service {
	struct svc_manager	*mgr;
	const struct cfg_service *cfg;
	const char		*name;
	int			 index;
	enum svc_state		 state;
	uint64_t		 since;		/* ns, entry into state */
	uint64_t		 last_active;	/* ns, last query/conn */
	uint64_t		 phase[PH_N];	/* ns, of the last start */
	uint64_t		 backoff_until;
	uint64_t		 start_tat;	/* start_limit's GCRA clock */
	uint32_t		 failures;	/* in a row */
	bool			 operator_start; /* exempt from start_limit */
	bool			 unserved;	/* it ended leaving connections
						   it never accepted */
	bool			 prepared;	/* backend prepare done */
	bool			 want_after_stop;
	bool			 queued;
	struct service		*qnext;
	bool			 kicked;	/* a want waits for the kick */
	struct service		*knext;
	struct timer		 idle_timer, boot_timer;
	char			*reason;	/* why it last failed, or NULL */
	const struct backend_ops *ops;
	void			*bk;		/* backend state */
	struct svc_logring	*log;		/* last lines, made on first */
	struct rate		 lograte;	/* log_rate, log_burst */
	uint64_t		 log_suppressed; /* lines not logged since */
	uint64_t		 nlog_suppressed; /* ever */
	struct timer		 lognote;	/* says how many, once a second */
	uint64_t		 nstarts, nfailures, nstops;
	uint64_t		 last_boot_ns;	/* want -> running */
};

struct svc_limits {
	uint32_t	 max_starting, max_running, start_queue;
	uint64_t	 backoff_ms;
	uint64_t	 log_every_ns;		/* 0: log every line */
	uint32_t	 log_burst;
	uint64_t	 start_every_ns;	/* 0: no start budget */
	uint32_t	 start_burst;
	uint64_t	 min_uptime_ms;		/* an exit sooner is a failure */
	uint32_t	 start_limit;		/* per start_window; 0 = off */
	uint64_t	 start_window_ms;
};

struct svc_counters {
	uint64_t	 wants, starts, failures, queued, queue_full;
	uint64_t	 budget_denied;	/* wants over a client's start budget */
};

struct svc_manager *svc_manager_new(struct loop *);
void		 svc_manager_free(struct svc_manager *);
/*
 * Make the manager serve cfg's services. Services that keep their name
 * and their running-relevant keys keep their instance; removed ones are
 * stopped and released; new ones are prepared. db gets each service's
 * answer status. On a prepare error, returns -1 with *why and changes
 * nothing that was running.
 */
int		 svc_manager_apply(struct svc_manager *, const struct config *,
		    struct dns_db *, char *why, size_t whylen);
/* Stop every instance now (jitsud exits). */
void		 svc_manager_shutdown(struct svc_manager *);
int		 svc_count(const struct svc_manager *);
struct service	*svc_get(struct svc_manager *, int index);
struct service	*svc_find(struct svc_manager *, const char *name);
const struct svc_counters *svc_counters(const struct svc_manager *);
struct loop	*svc_loop(const struct service *);

const struct svc_limits *svc_limits(const struct svc_manager *);

/* A DNS query (or connection) wants the service. Never blocks. */
void		 svc_want(struct service *, const char *why);
/*
 * The same from a client at FAMILY/ADDR (4 or 16 bytes; NULL: unknown,
 * no budget): a want that would start the service (stopped, suspended,
 * failed past its back-off) takes a token of the client's start budget
 * (source_start_budget, source_start_refill; an IPv6 client is its /64)
 * and is dropped when there is none. The answer the client got stands;
 * the service stays as it is. Operator starts never pass here.
 */
void		 svc_want_from(struct service *, const char *why, int family,
		    const void *addr);
/* Operator actions; 0 or a negative errno (-EBUSY: not in a state that
 * allows it). */
int		 svc_start(struct service *);
int		 svc_stop(struct service *);
int		 svc_suspend(struct service *);
int		 svc_resume(struct service *);

/* A line the unikernel printed: its control bytes escaped (log_escape),
 * kept for `jitsuctl status`, and logged within log_rate/log_burst; the
 * lines over it are counted and a "suppressed N lines" note says so. */
void		 svc_log_line(struct service *, const char *line);
/* Log the note for lines suppressed so far, if any (the instance ended;
 * a timer also does it a second after the first suppressed line). */
void		 svc_log_flush(struct service *);
void		 svc_log_note(struct loop *, struct timer *, void *service);
/* Describe the service as "key=value" lines for the control socket;
 * full adds phases, the failure reason and the last log lines. */
int		 svc_describe(struct service *, char *rec, size_t cap, size_t *len,
		    bool full);

/* Backend callbacks. */
void		 svc_on_ready(struct service *);
void		 svc_on_first_conn(struct service *);
/* The instance is gone; crashed = it ended badly; reason for the log. */
void		 svc_on_exit(struct service *, bool crashed, const char *reason);
void		 svc_on_start_error(struct service *, const char *reason);

#endif
