/*
 * service/service.c - the runtime of the services: applying svc_next()'s
 * decisions, timers (boot timeout, idle), limits and the start queue,
 * back-off after failures. See service.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/metrics.h"
#include "control/proto.h"
#include "core/log.h"
#include "service/budget.h"
#include "service/persist.h"
#include "service/service.h"

struct svc_manager {
	struct loop		*loop;
	struct dns_db		*db;
	struct service		**svcs;
	int			 n;
	struct svc_limits	 lim;
	uint32_t		 nstarting, ninstances;
	struct service		*qhead, *qtail;
	uint32_t		 qlen;
	struct svc_counters	 ctr;
	char			*statedir;	/* instance records, or NULL */
	struct service		*khead, *ktail;	/* wants to act on */
	struct timer		 kick;
	struct budget		*budget;	/* made on first use */
	uint64_t		 last_deny_log;
};

static void dispatch(struct service *, enum svc_event);

struct loop *
svc_loop(const struct service *s)
{
	return s->mgr->loop;
}

static uint64_t
now_ns(const struct service *s)
{
	return loop_now_fresh(s->mgr->loop);
}

/* States in which an instance exists and counts against max_running. */
static bool
has_instance(enum svc_state st)
{
	return st == SVC_STARTING || st == SVC_RUNNING ||
	    st == SVC_SUSPENDED || st == SVC_STOPPING;
}

/* States in which nobody serves the held sockets, so jitsud watches
 * them for a connection that should wake the service. */
static bool
watches_held(enum svc_state st)
{
	return st == SVC_STOPPED || st == SVC_SUSPENDED || st == SVC_FAILED;
}

/* Keep the instance record in step with the state: present while an
 * instance exists (running, suspended, stopping), gone otherwise. */
static void
persist(struct service *s, enum svc_state from)
{
	struct svc_manager *m = s->mgr;
	char rec[SVC_RECORD_MAX];
	size_t len = 0;
	int r = 0;

	if (m->statedir == NULL || s->ops->record == NULL)
		return;
	/* Written when an instance comes up (booted or adopted) and removed
	 * when it is gone; suspend and resume need no write (adoption asks
	 * the cgroup whether it is frozen), which keeps file system work
	 * off the resume path. */
	if (!has_instance(s->state)) {
		if (has_instance(from))
			r = svc_record_write(m->statedir, s->name, NULL, 0);
	} else if ((from == SVC_STARTING || from == SVC_STOPPED) &&
	    (s->state == SVC_RUNNING || s->state == SVC_SUSPENDED)) {
		r |= ctl_rec_add(rec, sizeof(rec), &len, "version", "1");
		r |= ctl_rec_add(rec, sizeof(rec), &len, "backend", "%s",
		    s->ops->name);
		r |= ctl_rec_add(rec, sizeof(rec), &len, "shape", "%016llx",
		    (unsigned long long)svc_shape_hash(s->cfg));
		r |= s->ops->record(s, rec, sizeof(rec), &len);
		if (r == 0)
			r = svc_record_write(m->statedir, s->name, rec, len);
	}
	if (r < 0)
		log_warnx("service %s: cannot record the instance in %s: %s",
		    s->name, m->statedir, strerror(-r));
}

/*
 * Every state change goes through here: one log line with the time spent
 * in the state left, the counters, the DNS answer status, the timers and
 * the watching of held sockets follow from the new state.
 */
static void
set_state(struct service *s, enum svc_state to, const char *why)
{
	struct svc_manager *m = s->mgr;
	enum svc_state from = s->state;
	uint64_t now = now_ns(s);
	double ms = (double)(now - s->since) / 1e6;

	if (from == to)
		return;
	if (why != NULL && *why != '\0')
		log_info("service %s: %s -> %s (%.1f ms): %s", s->name,
		    svc_state_name(from), svc_state_name(to), ms, why);
	else
		log_info("service %s: %s -> %s (%.1f ms)", s->name,
		    svc_state_name(from), svc_state_name(to), ms);
	m->nstarting += (to == SVC_STARTING) - (from == SVC_STARTING);
	m->ninstances += has_instance(to) - has_instance(from);
	s->state = to;
	s->since = now;

	if (from == SVC_STARTING)
		loop_timer_del(m->loop, &s->boot_timer);
	if (from == SVC_RUNNING)
		loop_timer_del(m->loop, &s->idle_timer);
	if (to == SVC_RUNNING) {
		if (from == SVC_STARTING) {
			s->phase[PH_RUNNING] = now;
			s->last_boot_ns = now - s->phase[PH_WANTED];
			metrics_observe_boot(s->ops->name, s->last_boot_ns);
			log_info("service %s: up %.1f ms after it was wanted "
			    "(queued %.1f ms, booting %.1f ms)", s->name,
			    (double)s->last_boot_ns / 1e6,
			    (double)(s->phase[PH_STARTED] - s->phase[PH_WANTED]) / 1e6,
			    (double)(now - s->phase[PH_STARTED]) / 1e6);
		}
		s->last_active = now;
		if (s->cfg->idle_ms > 0)
			loop_timer_add(m->loop, &s->idle_timer,
			    s->cfg->idle_ms * NSEC_PER_MSEC);
	}
	if (m->db != NULL && s->cfg->failed_answer == FAILED_SERVFAIL)
		dns_db_set_service_status(m->db, s->index, to == SVC_FAILED ?
		    DNS_SVC_SERVFAIL : DNS_SVC_OK);
	if (watches_held(from) != watches_held(to) && s->ops->watch != NULL)
		s->ops->watch(s, watches_held(to));
	persist(s, from);
}

/* --- the start queue --- */

static bool
can_start(const struct svc_manager *m)
{
	return m->nstarting < m->lim.max_starting &&
	    m->ninstances < m->lim.max_running;
}

static void
enqueue(struct service *s)
{
	struct svc_manager *m = s->mgr;

	if (s->queued)
		return;
	if (m->qlen >= m->lim.start_queue) {
		m->ctr.queue_full++;
		log_warnx("service %s: start queue full (%u), want dropped",
		    s->name, m->qlen);
		return;
	}
	s->queued = true;
	s->qnext = NULL;
	if (m->qtail)
		m->qtail->qnext = s;
	else
		m->qhead = s;
	m->qtail = s;
	m->qlen++;
	m->ctr.queued++;
	log_debug("service %s: start queued (%u waiting)", s->name, m->qlen);
}

static struct service *
dequeue(struct svc_manager *m)
{
	struct service *s;

	while ((s = m->qhead) != NULL) {
		m->qhead = s->qnext;
		if (m->qhead == NULL)
			m->qtail = NULL;
		m->qlen--;
		if (s->queued) {
			s->queued = false;
			return s;
		}
	}
	return NULL;
}

static void
pump_queue(struct svc_manager *m)
{
	struct service *s;

	while (can_start(m) && (s = dequeue(m)) != NULL)
		dispatch(s, EV_WANT);
}

/* --- actions --- */

static void do_fail(struct service *, const char *);

/*
 * An instance recorded by an earlier jitsud: adopt it if its record still
 * matches the service (backend, shape) and the backend verifies it is
 * the same live process; end it if it is ours but no longer fits.
 * Returns 1 when adopted.
 */
static int
adopt(struct service *s)
{
	struct svc_manager *m = s->mgr;
	char rec[SVC_RECORD_MAX], v[64], shape[32], why[256] = "";
	int n, r;
	bool fits;

	if (m->statedir == NULL || s->ops->adopt == NULL)
		return 0;
	if ((n = svc_record_read(m->statedir, s->name, rec, sizeof(rec))) < 0) {
		/* A symlink, a FIFO, a file not of ours: never trusted. */
		log_warnx("service %s: instance record in %s refused: %s",
		    s->name, m->statedir, strerror(-n));
		svc_record_write(m->statedir, s->name, NULL, 0);
		return 0;
	}
	if (n == 0)
		return 0;
	snprintf(shape, sizeof(shape), "%016llx",
	    (unsigned long long)svc_shape_hash(s->cfg));
	fits = svc_record_get(rec, (size_t)n, "version", v, sizeof(v)) &&
	    strcmp(v, "1") == 0 &&
	    svc_record_get(rec, (size_t)n, "backend", v, sizeof(v)) &&
	    strcmp(v, s->ops->name) == 0 &&
	    svc_record_get(rec, (size_t)n, "shape", v, sizeof(v)) &&
	    strcmp(v, shape) == 0;
	r = s->ops->adopt(s, rec, (size_t)n, fits, why, sizeof(why));
	if (r < 0)
		log_warnx("service %s: instance record in %s refused: %s",
		    s->name, m->statedir, why);
	else if (r == 0 && why[0])
		log_info("service %s: not adopted: %s", s->name, why);
	if (r <= 0) {
		svc_record_write(m->statedir, s->name, NULL, 0);
		return 0;
	}
	s->prepared = true;
	s->nstarts++;
	set_state(s, r == 2 ? SVC_SUSPENDED : SVC_RUNNING, why[0] ? why :
	    "adopted");
	/* stopped -> suspended leaves the watch as it was (off, since the
	 * backend was just made): a connection must wake it too. */
	if (s->state == SVC_SUSPENDED && s->ops->watch != NULL)
		s->ops->watch(s, true);
	return 1;
}

/* Config-load work for the backend; retried at each start until it
 * succeeds, so an image that appears later is picked up. */
static int
prepare(struct service *s)
{
	char why[256] = "";

	if (!s->prepared && adopt(s))
		return 0;
	if (s->prepared || s->ops->prepare == NULL) {
		s->prepared = true;
		return 0;
	}
	if (s->ops->prepare(s, why, sizeof(why)) < 0) {
		do_fail(s, why[0] ? why : "cannot prepare");
		return -1;
	}
	s->prepared = true;
	if (s->ops->watch != NULL && watches_held(s->state))
		s->ops->watch(s, true);
	return 0;
}

/*
 * start_limit per start_window, per service, as a GCRA (one timestamp
 * per service, where a ring of start times would cost start_limit of
 * them at 10,000 services): start_limit starts at once, then one every
 * start_window / start_limit. True if a start may go now; else *retry
 * is when one may.
 */
static bool
start_allowed(struct service *s, uint64_t now, bool force, uint64_t *retry)
{
	const struct svc_limits *lim = &s->mgr->lim;
	uint64_t w, t, tau, tat;

	if (lim->start_limit == 0 || lim->start_window_ms == 0)
		return true;
	w = lim->start_window_ms * NSEC_PER_MSEC;
	t = w / lim->start_limit;
	tau = w - t;
	tat = s->start_tat > now ? s->start_tat : now;
	if (tat - now > tau && !force) {
		*retry = tat - tau;
		return false;
	}
	s->start_tat = tat + t;
	return true;
}

/* Over start_limit: failed until a start is allowed again, without
 * counting a failure of the instance (none was started). */
static void
start_refused(struct service *s, uint64_t now, uint64_t retry)
{
	const struct svc_limits *lim = &s->mgr->lim;
	char why[160];

	snprintf(why, sizeof(why), "more than %u starts in %llu ms "
	    "(start_limit, start_window)", lim->start_limit,
	    (unsigned long long)lim->start_window_ms);
	s->backoff_until = retry;
	free(s->reason);
	s->reason = strdup(why);
	set_state(s, SVC_FAILED, why);
	log_warnx("service %s: start refused: %s; next try in %llu ms at the "
	    "earliest", s->name, why,
	    (unsigned long long)((retry - now) / NSEC_PER_MSEC));
	if (s->prepared && s->ops->reset_held != NULL)
		s->ops->reset_held(s);
}

static void
do_start(struct service *s)
{
	struct svc_manager *m = s->mgr;
	char why[200] = "";
	uint64_t now, retry = 0;

	if (!can_start(m)) {
		enqueue(s);
		return;
	}
	if (prepare(s) < 0)
		return;
	/* An operator's start is exempt, but counts. */
	now = now_ns(s);
	if (!start_allowed(s, now, s->operator_start, &retry)) {
		start_refused(s, now, retry);
		return;
	}
	s->nstarts++;
	m->ctr.starts++;
	set_state(s, SVC_STARTING, NULL);
	s->phase[PH_STARTED] = now_ns(s);
	s->phase[PH_RUNNING] = s->phase[PH_FIRST_CONN] = 0;
	loop_timer_add(m->loop, &s->boot_timer,
	    s->cfg->boot_timeout_ms * NSEC_PER_MSEC);
	if (s->ops->start(s, why, sizeof(why)) < 0)
		svc_on_start_error(s, why[0] ? why : "start failed");
}

static void
do_fail(struct service *s, const char *reason)
{
	struct svc_manager *m = s->mgr;
	uint64_t back;
	unsigned shift;

	/* In a row: an instance that ran min_uptime broke the row, unless
	 * it served nobody all along. */
	if (!s->unserved && s->phase[PH_RUNNING] != 0 &&
	    now_ns(s) - s->phase[PH_RUNNING] >= m->lim.min_uptime_ms * NSEC_PER_MSEC)
		s->failures = 0;
	s->unserved = false;
	s->failures++;
	s->nfailures++;
	m->ctr.failures++;
	shift = s->failures - 1 < 6 ? s->failures - 1 : 6;
	back = (m->lim.backoff_ms << shift) * NSEC_PER_MSEC;
	s->backoff_until = now_ns(s) + back;
	/* On the heap: most services never fail, and every byte of a
	 * registered service counts at 10,000 of them. */
	free(s->reason);
	s->reason = strdup(reason);
	set_state(s, SVC_FAILED, reason);
	log_warnx("service %s: failed: %s; next try in %llu ms at the earliest",
	    s->name, reason, (unsigned long long)(back / NSEC_PER_MSEC));
	/* The connections held for it would wait for nothing: reset them. */
	if (s->prepared && s->ops->reset_held != NULL)
		s->ops->reset_held(s);
}

static void
perform(struct service *s, struct svc_step st, const char *reason)
{
	switch (st.act) {
	case ACT_NONE:
		set_state(s, st.next, reason);
		break;
	case ACT_START:
		do_start(s);
		break;
	case ACT_RESUME:
		if (s->ops->resume == NULL || s->ops->resume(s) < 0) {
			/* A thaw that fails leaves a frozen instance: kill
			 * it and start afresh on the next want. */
			s->ops->stop(s, true);
			set_state(s, SVC_STOPPING, "resume failed");
			s->want_after_stop = true;
			break;
		}
		set_state(s, SVC_RUNNING, "resumed");
		break;
	case ACT_SUSPEND:
		if (s->ops->suspend == NULL || s->ops->suspend(s) < 0) {
			s->ops->stop(s, false);
			set_state(s, SVC_STOPPING, "suspend failed; stopping");
			break;
		}
		set_state(s, SVC_SUSPENDED, reason);
		break;
	case ACT_STOP:
		s->nstops++;
		set_state(s, SVC_STOPPING, reason);
		s->ops->stop(s, false);
		break;
	case ACT_KILL:
		if (st.next == SVC_FAILED) {
			s->ops->stop(s, true);
			do_fail(s, reason);
		} else {
			set_state(s, st.next, reason);
			s->ops->stop(s, true);
		}
		break;
	case ACT_FAIL:
		do_fail(s, reason ? reason : "failed");
		break;
	case ACT_CLEANUP:
		set_state(s, st.next, reason);
		break;
	}
}

static void
dispatch_why(struct service *s, enum svc_event ev, const char *reason)
{
	struct svc_manager *m = s->mgr;
	enum svc_state before = s->state;
	bool over = now_ns(s) >= s->backoff_until;
	struct svc_step st = svc_next(s->state, ev, s->cfg->stop, over);

	log_debug("service %s: %s in %s", s->name, svc_event_name(ev),
	    svc_state_name(s->state));
	perform(s, st, reason);
	if (s->state == SVC_STOPPED && s->want_after_stop) {
		s->want_after_stop = false;
		dispatch_why(s, EV_WANT, "wanted while stopping");
	}
	/* A start slot or an instance slot may have been freed. */
	if (before != s->state && m->qhead != NULL)
		pump_queue(m);
}

static void
dispatch(struct service *s, enum svc_event ev)
{
	dispatch_why(s, ev, NULL);
}

/* --- timers --- */

static void
boot_timeout(struct loop *l, struct timer *t, void *arg)
{
	struct service *s = arg;
	char why[96];

	(void)l;
	(void)t;
	snprintf(why, sizeof(why), "not ready after %llu ms (boot_timeout)",
	    (unsigned long long)s->cfg->boot_timeout_ms);
	dispatch_why(s, EV_BOOT_TIMEOUT, why);
}

static void
idle_check(struct loop *l, struct timer *t, void *arg)
{
	struct service *s = arg;
	uint64_t idle = s->cfg->idle_ms * NSEC_PER_MSEC;
	uint64_t now = loop_now(l);
	int conns;

	/* Queries only stamp last_active; the timer catches up here, so a
	 * busy service costs one timer operation per idle period, not one
	 * per query. */
	if (now - s->last_active < idle) {
		loop_timer_at(l, t, s->last_active + idle);
		return;
	}
	conns = s->ops->connections ? s->ops->connections(s) : 0;
	if (conns != 0) {
		/* Busy (or unknown: never cut what we cannot see). */
		if (conns < 0)
			log_debug("service %s: cannot count connections: %s",
			    s->name, strerror(-conns));
		s->last_active = now;
		loop_timer_add(l, t, idle);
		return;
	}
	dispatch_why(s, EV_IDLE, "idle");
}

/* --- public --- */

/* Would a want now start (or resume) the service? The cases svc_want
 * lets through to the kick. */
static bool
want_starts(const struct service *s, uint64_t now)
{
	switch (s->state) {
	case SVC_RUNNING:
	case SVC_STARTING:
		return false;
	case SVC_STOPPING:
		return !s->want_after_stop;
	case SVC_FAILED:
		if (now < s->backoff_until)
			return false;
		break;
	default:
		break;
	}
	return !s->kicked;
}

void
svc_want(struct service *s, const char *why)
{
	struct svc_manager *m = s->mgr;
	uint64_t now = loop_now(m->loop);

	m->ctr.wants++;
	s->last_active = now;
	/* One boot serves every concurrent want; a want joins the one
	 * already waiting for the kick. */
	if (!want_starts(s, now)) {
		if (s->state == SVC_STOPPING)
			s->want_after_stop = true;
		else if (s->state == SVC_FAILED && now < s->backoff_until &&
		    s->prepared && s->ops->reset_held != NULL)
			s->ops->reset_held(s);
		return;
	}
	if (s->state != SVC_SUSPENDED && !s->queued)
		s->phase[PH_WANTED] = now;
	log_debug("service %s: wanted (%s)", s->name, why);
	/*
	 * Act on it from a zero-delay timer, after the current I/O batch:
	 * the DNS answer (sendmmsg for the whole batch) leaves before the
	 * clone and exec of a start, or the thaw of a resume, so the DNS
	 * path never waits on a backend.
	 */
	s->kicked = true;
	s->knext = NULL;
	if (m->ktail)
		m->ktail->knext = s;
	else
		m->khead = s;
	m->ktail = s;
	if (!timer_pending(&m->kick))
		loop_timer_add(m->loop, &m->kick, 0);
}

void
svc_want_from(struct service *s, const char *why, int family,
    const void *addr)
{
	struct svc_manager *m = s->mgr;
	uint64_t now = loop_now(m->loop);
	char a[64] = "?";

	if (addr == NULL || m->lim.start_every_ns == 0 ||
	    !want_starts(s, now)) {
		svc_want(s, why);
		return;
	}
	if (m->budget == NULL && (m->budget = budget_new()) == NULL) {
		svc_want(s, why);	/* no memory: no budget, as before */
		return;
	}
	if (budget_take(m->budget, family, addr, now, m->lim.start_every_ns,
	    m->lim.start_burst)) {
		svc_want(s, why);
		return;
	}
	m->ctr.wants++;
	m->ctr.budget_denied++;
	/* One line a second at most: the flood is the attack. */
	if (m->last_deny_log == 0 || now - m->last_deny_log >= NSEC_PER_SEC) {
		m->last_deny_log = now;
		inet_ntop(family, addr, a, sizeof(a));
		log_warnx("service %s: not started for %s (%s): its start "
		    "budget is spent (%llu denied so far)", s->name, a, why,
		    (unsigned long long)m->ctr.budget_denied);
	}
}

static void
kick(struct loop *l, struct timer *t, void *arg)
{
	struct svc_manager *m = arg;
	struct service *s;

	(void)l;
	(void)t;
	while ((s = m->khead) != NULL) {
		m->khead = s->knext;
		if (m->khead == NULL)
			m->ktail = NULL;
		s->kicked = false;
		/* It may have changed meanwhile (an operator's start). */
		if (s->state == SVC_STOPPED || s->state == SVC_SUSPENDED ||
		    s->state == SVC_FAILED)
			dispatch(s, EV_WANT);
	}
}

static void
unkick(struct svc_manager *m, struct service *s)
{
	struct service **pp, *prev = NULL;

	if (!s->kicked)
		return;
	for (pp = &m->khead; *pp != NULL; prev = *pp, pp = &(*pp)->knext)
		if (*pp == s) {
			*pp = s->knext;
			if (m->ktail == s)
				m->ktail = prev;
			break;
		}
	s->kicked = false;
}

int
svc_start(struct service *s)
{
	if (s->state == SVC_RUNNING || s->state == SVC_STARTING)
		return -EALREADY;
	if (s->state == SVC_STOPPING)
		return -EBUSY;
	s->phase[PH_WANTED] = now_ns(s);
	s->backoff_until = 0;
	s->operator_start = true;
	dispatch_why(s, EV_RESUME, "operator start");
	s->operator_start = false;
	return 0;
}

int
svc_stop(struct service *s)
{
	if (s->queued)
		s->queued = false;	/* dropped lazily from the queue */
	unkick(s->mgr, s);		/* a want not yet acted on goes too */
	if (s->state == SVC_STOPPED)
		return -EALREADY;
	dispatch_why(s, EV_STOP, "operator stop");
	return 0;
}

int
svc_suspend(struct service *s)
{
	if (s->state != SVC_RUNNING)
		return -EBUSY;
	dispatch_why(s, EV_SUSPEND, "operator suspend");
	return s->state == SVC_SUSPENDED ? 0 : -EIO;
}

int
svc_resume(struct service *s)
{
	if (s->state != SVC_SUSPENDED)
		return -EBUSY;
	dispatch_why(s, EV_RESUME, "operator resume");
	return 0;
}

void
svc_on_ready(struct service *s)
{
	if (s->state == SVC_STARTING)
		dispatch(s, EV_READY);
}

void
svc_on_first_conn(struct service *s)
{
	if (s->phase[PH_FIRST_CONN] == 0)
		s->phase[PH_FIRST_CONN] = now_ns(s);
}

/*
 * An instance that ends by itself soon after its start (min_uptime), or
 * leaving connections it never accepted in its held sockets, did not
 * serve: a failure, so it backs off instead of being started again at
 * once by the connection still waiting (issue 11: ~200 starts a second).
 */
static bool
failed_exit(struct service *s, const char *reason, char *why, size_t whylen)
{
	uint64_t min = s->mgr->lim.min_uptime_ms * NSEC_PER_MSEC, up;
	long held;

	if (s->state != SVC_RUNNING)
		return false;
	up = s->phase[PH_STARTED] != 0 ? now_ns(s) - s->phase[PH_STARTED] :
	    UINT64_MAX;
	if (up < min) {
		snprintf(why, whylen, "%s %.1f ms after its start (min_uptime "
		    "%llu ms)", reason, (double)up / 1e6,
		    (unsigned long long)s->mgr->lim.min_uptime_ms);
		return true;
	}
	if (s->phase[PH_FIRST_CONN] == 0 && s->ops->held != NULL &&
	    (held = s->ops->held(s)) > 0) {
		snprintf(why, whylen, "%s leaving %ld connection%s unaccepted",
		    reason, held, held == 1 ? "" : "s");
		s->unserved = true;
		return true;
	}
	return false;
}

void
svc_on_exit(struct service *s, bool crashed, const char *reason)
{
	char why[256];

	svc_log_flush(s);
	if (!crashed && failed_exit(s, reason, why, sizeof(why))) {
		crashed = true;
		reason = why;
	}
	dispatch_why(s, crashed ? EV_CRASHED : EV_EXITED, reason);
}

void
svc_on_start_error(struct service *s, const char *reason)
{
	dispatch_why(s, EV_START_ERROR, reason);
}

/* --- the manager --- */

struct svc_manager *
svc_manager_new(struct loop *l)
{
	struct svc_manager *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->loop = l;
	m->lim.max_starting = 32;
	m->lim.max_running = 4096;
	m->lim.start_queue = 4096;
	m->lim.backoff_ms = 1000;
	m->lim.min_uptime_ms = 1000;
	m->lim.start_limit = 10;
	m->lim.start_window_ms = 10000;
	timer_init(&m->kick, kick, m);
	return m;
}

int
svc_count(const struct svc_manager *m)
{
	return m->n;
}

struct service *
svc_get(struct svc_manager *m, int i)
{
	return (i >= 0 && i < m->n) ? m->svcs[i] : NULL;
}

struct service *
svc_find(struct svc_manager *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->svcs[i]->name, name) == 0)
			return m->svcs[i];
	return NULL;
}

const struct svc_counters *
svc_counters(const struct svc_manager *m)
{
	return &m->ctr;
}

const struct svc_limits *
svc_limits(const struct svc_manager *m)
{
	return &m->lim;
}

static bool
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The keys that shape a running instance: if any differs, a reload
 * replaces the instance; otherwise it is left alone. */
static bool
same_instance(const struct cfg_service *a, const struct cfg_service *b)
{
	return a->backend == b->backend && str_same(a->image, b->image) &&
	    str_same(a->args, b->args) && a->nports == b->nports &&
	    memcmp(a->ports, b->ports, sizeof(a->ports[0]) * (size_t)a->nports) == 0 &&
	    a->naddrs == b->naddrs &&
	    memcmp(a->addrs, b->addrs, sizeof(a->addrs[0]) * (size_t)a->naddrs) == 0 &&
	    a->memory == b->memory && a->pids == b->pids && a->cpu == b->cpu &&
	    a->tmp == b->tmp &&
	    a->sandbox == b->sandbox && a->cpus == b->cpus &&
	    a->accel == b->accel &&
	    str_same(a->cmdline, b->cmdline) && str_same(a->initrd, b->initrd) &&
	    str_same(a->uri, b->uri) && str_same(a->domain, b->domain);
}

static void
svc_release(struct service *s)
{
	struct svc_manager *m = s->mgr;

	if (has_instance(s->state))
		s->ops->stop(s, true);
	m->ninstances -= has_instance(s->state);
	m->nstarting -= s->state == SVC_STARTING;
	loop_timer_del(m->loop, &s->idle_timer);
	loop_timer_del(m->loop, &s->boot_timer);
	loop_timer_del(m->loop, &s->lognote);
	s->queued = false;
	unkick(m, s);
	if (s->prepared && s->ops->release != NULL)
		s->ops->release(s);
	svc_record_write(m->statedir, s->name, NULL, 0);
	free(s->log);
	free(s->reason);
	free(s);
}

static struct service *
svc_new(struct svc_manager *m, const struct cfg_service *c, int index)
{
	struct service *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->mgr = m;
	s->cfg = c;
	s->name = c->name;
	s->index = index;
	s->state = SVC_STOPPED;
	s->since = loop_now(m->loop);
	s->ops = backend_for(c->backend);
	timer_init(&s->idle_timer, idle_check, s);
	timer_init(&s->boot_timer, boot_timeout, s);
	timer_init(&s->lognote, svc_log_note, s);
	return s;
}

int
svc_manager_apply(struct svc_manager *m, const struct config *cfg,
    struct dns_db *db, char *why, size_t whylen)
{
	struct service **nsv, *s;
	bool *kept;
	int i, j;

	(void)why;
	(void)whylen;
	m->lim.max_starting = cfg->d.max_starting;
	m->lim.max_running = cfg->d.max_running ? cfg->d.max_running : 1;
	m->lim.start_queue = cfg->d.start_queue;
	m->lim.backoff_ms = cfg->d.backoff_ms;
	m->lim.log_every_ns = cfg->d.log_rate ? NSEC_PER_SEC / cfg->d.log_rate :
	    0;
	m->lim.log_burst = cfg->d.log_burst;
	m->lim.start_every_ns = cfg->d.source_start_budget ?
	    cfg->d.source_start_refill_ms * NSEC_PER_MSEC : 0;
	m->lim.start_burst = cfg->d.source_start_budget;
	m->lim.min_uptime_ms = cfg->d.min_uptime_ms;
	m->lim.start_limit = cfg->d.start_limit;
	m->lim.start_window_ms = cfg->d.start_window_ms;
	free(m->statedir);
	m->statedir = cfg->d.state ? strdup(cfg->d.state) : NULL;
	nsv = calloc((size_t)cfg->nsvcs + 1, sizeof(*nsv));
	kept = calloc((size_t)m->n + 1, sizeof(*kept));
	if (nsv == NULL || kept == NULL) {
		free(nsv);
		free(kept);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	/* Keep the instances whose shape did not change. */
	for (i = 0; i < cfg->nsvcs; i++)
		for (j = 0; j < m->n; j++)
			if (!kept[j] && m->svcs[j]->prepared &&
			    strcmp(m->svcs[j]->name, cfg->svcs[i].name) == 0 &&
			    same_instance(m->svcs[j]->cfg, &cfg->svcs[i])) {
				kept[j] = true;
				nsv[i] = m->svcs[j];
			}
	/* Release the rest first: a changed service may reuse the same
	 * address and port, which its new sockets must be able to bind. */
	for (j = 0; j < m->n; j++)
		if (!kept[j]) {
			log_info("service %s: removed or changed; releasing",
			    m->svcs[j]->name);
			svc_release(m->svcs[j]);
		}
	free(m->svcs);
	free(kept);
	m->svcs = nsv;
	m->n = cfg->nsvcs;
	m->db = db;
	for (i = 0; i < cfg->nsvcs; i++) {
		if ((s = nsv[i]) != NULL) {
			s->cfg = &cfg->svcs[i];
			s->name = s->cfg->name;
			s->index = i;
			if (s->state == SVC_FAILED &&
			    s->cfg->failed_answer == FAILED_SERVFAIL)
				dns_db_set_service_status(db, i, DNS_SVC_SERVFAIL);
			continue;
		}
		if ((s = nsv[i] = svc_new(m, &cfg->svcs[i], i)) == NULL)
			fatalx("out of memory");
		/* A service that cannot be prepared (its image missing, its
		 * address taken) fails alone; the others are served. */
		prepare(s);
	}
	return 0;
}

void
svc_manager_shutdown(struct svc_manager *m)
{
	for (int i = 0; i < m->n; i++)
		svc_release(m->svcs[i]);
	free(m->svcs);
	m->svcs = NULL;
	m->n = 0;
}

void
svc_manager_free(struct svc_manager *m)
{
	if (m == NULL)
		return;
	svc_manager_shutdown(m);
	loop_timer_del(m->loop, &m->kick);
	budget_free(m->budget);
	free(m->statedir);
	free(m);
}
