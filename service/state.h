/*
 * service/state.h - the service state machine as a pure function.
 *
 *   stopped --want--> starting --ready--> running --idle--> stopping --> stopped
 *                        |                   |  \--idle, stop=suspend--> suspended
 *                        |                   |                             |--want--> running
 *                        +--error/exit/timeout--> failed --want after back-off--> starting
 *
 * svc_next() says what a service in a state does on an event; the caller
 * (service/service.c) performs the action and records the transition.
 * Keeping the decisions here, free of clocks and I/O, lets the unit
 * tests walk every edge.
 */
#ifndef SERVICE_STATE_H
#define SERVICE_STATE_H

#include <stdbool.h>

#include "config/config.h"

enum svc_state {
	SVC_STOPPED, SVC_STARTING, SVC_RUNNING, SVC_SUSPENDED, SVC_STOPPING,
	SVC_FAILED, SVC_NSTATES
};

enum svc_event {
	EV_WANT,	/* a DNS query or a connection for the service */
	EV_READY,	/* the backend says the unikernel is up */
	EV_EXITED,	/* the unikernel ended by itself, cleanly */
	EV_CRASHED,	/* it ended badly: error exit, signal, OOM, seccomp */
	EV_START_ERROR,	/* the backend could not start it at all */
	EV_BOOT_TIMEOUT,
	EV_IDLE,	/* idle time passed with no query and no connection */
	EV_STOP,	/* operator: stop */
	EV_SUSPEND,	/* operator: suspend */
	EV_RESUME,	/* operator: resume */
	EV_STOPPED,	/* the backend finished stopping it */
	EV_NEVENTS
};

enum svc_action {
	ACT_NONE,
	ACT_START,	/* start now (the caller may queue it under limits) */
	ACT_RESUME,	/* thaw a suspended instance */
	ACT_SUSPEND,	/* freeze it */
	ACT_STOP,	/* destroy or shut down per stop = */
	ACT_KILL,	/* the instance must go now (failed boot) */
	ACT_FAIL,	/* record failure, reset held connections, back off */
	ACT_CLEANUP,	/* it is gone: release per-instance resources */
};

struct svc_step {
	enum svc_state	 next;
	enum svc_action	 act;
};

/* backoff_over: the failed service's back-off has expired. */
struct svc_step	 svc_next(enum svc_state, enum svc_event, enum cfg_stop,
		    bool backoff_over);
const char	*svc_state_name(enum svc_state);
const char	*svc_event_name(enum svc_event);

#endif
