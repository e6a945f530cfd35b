/*
 * service/describe.c - what the operator sees of a service: its record
 * for jitsuctl, and the last lines its unikernel printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/values.h"
#include "control/proto.h"
#include "core/log.h"
#include "service/service.h"

void
svc_log_flush(struct service *s)
{
	if (s->log_suppressed == 0)
		return;
	log_info("%s: suppressed %llu lines (over log_rate)", s->name,
	    (unsigned long long)s->log_suppressed);
	s->log_suppressed = 0;
	loop_timer_del(svc_loop(s), &s->lognote);
}

void
svc_log_note(struct loop *l, struct timer *t, void *arg)
{
	(void)l;
	(void)t;
	svc_log_flush(arg);
}

void
svc_log_line(struct service *s, const char *line)
{
	const struct svc_limits *lim = svc_limits(s->mgr);
	size_t len = strlen(line);
	char esc[1024];

	/* The ring is made on the first line: a registered service that
	 * never ran costs nothing for it. It keeps the latest lines even
	 * in a flood: status shows what the service says now. */
	if (s->log != NULL || (s->log = calloc(1, sizeof(*s->log))) != NULL) {
		log_escape(s->log->line[s->log->next % SVC_LOG_LINES],
		    SVC_LOG_LEN, line, len);
		s->log->next++;
	}
	if (!rate_take(&s->lograte, loop_now(svc_loop(s)), lim->log_every_ns,
	    lim->log_burst)) {
		/* The note comes a second later even if the service falls
		 * silent (or its last lines come after its exit). */
		if (s->log_suppressed++ == 0)
			loop_timer_add(svc_loop(s), &s->lognote, NSEC_PER_SEC);
		s->nlog_suppressed++;
		return;
	}
	svc_log_flush(s);
	log_escape(esc, sizeof(esc), line, len);
	log_info("%s: %s", s->name, esc);
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

int
svc_describe(struct service *s, char *rec, size_t cap, size_t *len, bool full)
{
	const struct cfg_service *c = s->cfg;
	uint64_t now = loop_now(svc_loop(s));
	char addrs[512] = "", a[64];
	size_t off = 0;
	int i, r = 0;

	for (i = 0; i < c->naddrs; i++) {
		inet_ntop(c->addrs[i].family, &c->addrs[i].a, a, sizeof(a));
		off += (size_t)snprintf(addrs + off, sizeof(addrs) - off, "%s%s",
		    i ? "," : "", a);
		if (off >= sizeof(addrs))
			break;
	}
	r |= ctl_rec_add(rec, cap, len, "name", "%s", s->name);
	r |= ctl_rec_add(rec, cap, len, "state", "%s", svc_state_name(s->state));
	r |= ctl_rec_add(rec, cap, len, "backend", "%s", s->ops->name);
	r |= ctl_rec_add(rec, cap, len, "addresses", "%s", addrs);
	r |= ctl_rec_add(rec, cap, len, "pid", "%ld",
	    s->ops->pid ? s->ops->pid(s) : 0L);
	r |= ctl_rec_add(rec, cap, len, "since_s", "%.3f",
	    (double)(now - s->since) / 1e9);
	r |= ctl_rec_add(rec, cap, len, "starts", "%llu",
	    (unsigned long long)s->nstarts);
	r |= ctl_rec_add(rec, cap, len, "boot_ms", "%.3f", ms(s->last_boot_ns));
	r |= ctl_rec_add(rec, cap, len, "memory", "%llu", s->ops->memory &&
	    s->state != SVC_STOPPED ? s->ops->memory(s) : 0ULL);
	if (s->ops->describe != NULL && s->prepared)
		r |= s->ops->describe(s, rec, cap, len);
	if (!full)
		return r ? -ENOSPC : 0;
	for (i = 0; i < c->ndns; i++)
		r |= ctl_rec_add(rec, cap, len, "dns", "%s", c->dns[i].name);
	r |= ctl_rec_add(rec, cap, len, "image", "%s", c->image ? c->image : "");
	r |= ctl_rec_add(rec, cap, len, "stop", "%s", cfg_stop_name(c->stop));
	r |= ctl_rec_add(rec, cap, len, "idle_s", "%.3f", (double)c->idle_ms / 1e3);
	r |= ctl_rec_add(rec, cap, len, "failures", "%llu",
	    (unsigned long long)s->nfailures);
	r |= ctl_rec_add(rec, cap, len, "idle_for_s", "%.3f",
	    (double)(now - s->last_active) / 1e9);
	if (s->phase[PH_STARTED]) {
		r |= ctl_rec_add(rec, cap, len, "phase_wanted_to_started_ms", "%.3f",
		    ms(s->phase[PH_STARTED] - s->phase[PH_WANTED]));
		if (s->phase[PH_RUNNING] >= s->phase[PH_STARTED])
			r |= ctl_rec_add(rec, cap, len,
			    "phase_started_to_running_ms", "%.3f",
			    ms(s->phase[PH_RUNNING] - s->phase[PH_STARTED]));
		if (s->phase[PH_FIRST_CONN] >= s->phase[PH_RUNNING] &&
		    s->phase[PH_RUNNING])
			r |= ctl_rec_add(rec, cap, len,
			    "phase_running_to_first_conn_ms", "%.3f",
			    ms(s->phase[PH_FIRST_CONN] - s->phase[PH_RUNNING]));
	}
	if (s->reason != NULL)
		r |= ctl_rec_add(rec, cap, len, "last_failure", "%s", s->reason);
	r |= ctl_rec_add(rec, cap, len, "log_suppressed", "%llu",
	    (unsigned long long)s->nlog_suppressed);
	if (s->log != NULL) {
		unsigned first = s->log->next > SVC_LOG_LINES ?
		    s->log->next - SVC_LOG_LINES : 0;
		for (unsigned k = first; k < s->log->next; k++)
			r |= ctl_rec_add(rec, cap, len, "log", "%s",
			    s->log->line[k % SVC_LOG_LINES]);
	}
	return r ? -ENOSPC : 0;
}
