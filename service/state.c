/* service/state.c - see state.h. */
#include "service/state.h"

static const char *const state_names[SVC_NSTATES] = {
	"stopped", "starting", "running", "suspended", "stopping", "failed"
};

static const char *const event_names[EV_NEVENTS] = {
	"want", "ready", "exited", "crashed", "start-error", "boot-timeout",
	"idle", "stop", "suspend", "resume", "stopped"
};

const char *
svc_state_name(enum svc_state s)
{
	return (unsigned)s < SVC_NSTATES ? state_names[s] : "?";
}

const char *
svc_event_name(enum svc_event e)
{
	return (unsigned)e < EV_NEVENTS ? event_names[e] : "?";
}

#define STAY(s)		((struct svc_step){ (s), ACT_NONE })
#define GO(s, a)	((struct svc_step){ (s), (a) })

struct svc_step
svc_next(enum svc_state s, enum svc_event e, enum cfg_stop mode,
    bool backoff_over)
{
	switch (s) {
	case SVC_STOPPED:
		if (e == EV_WANT || e == EV_RESUME)
			return GO(SVC_STARTING, ACT_START);
		return STAY(s);
	case SVC_STARTING:
		switch (e) {
		case EV_READY:
			return GO(SVC_RUNNING, ACT_NONE);
		case EV_EXITED:
		case EV_CRASHED:
			/* Ending before it was ready is a failed start,
			 * even with exit status 0. */
			return GO(SVC_FAILED, ACT_FAIL);
		case EV_START_ERROR:
			return GO(SVC_FAILED, ACT_FAIL);
		case EV_BOOT_TIMEOUT:
			return GO(SVC_FAILED, ACT_KILL);
		case EV_STOP:
			return GO(SVC_STOPPING, ACT_KILL);
		default:
			return STAY(s);	/* a want joins the boot in flight */
		}
	case SVC_RUNNING:
		switch (e) {
		case EV_IDLE:
			if (mode == STOP_SUSPEND)
				return GO(SVC_SUSPENDED, ACT_SUSPEND);
			return GO(SVC_STOPPING, ACT_STOP);
		case EV_SUSPEND:
			return GO(SVC_SUSPENDED, ACT_SUSPEND);
		case EV_STOP:
			return GO(SVC_STOPPING, ACT_STOP);
		case EV_EXITED:
			return GO(SVC_STOPPED, ACT_CLEANUP);
		case EV_CRASHED:
			return GO(SVC_FAILED, ACT_FAIL);
		default:
			return STAY(s);
		}
	case SVC_SUSPENDED:
		switch (e) {
		case EV_WANT:
		case EV_RESUME:
			return GO(SVC_RUNNING, ACT_RESUME);
		case EV_STOP:
			return GO(SVC_STOPPING, ACT_KILL);
		case EV_EXITED:
			return GO(SVC_STOPPED, ACT_CLEANUP);
		case EV_CRASHED:
			return GO(SVC_FAILED, ACT_FAIL);
		default:
			return STAY(s);
		}
	case SVC_STOPPING:
		switch (e) {
		case EV_STOPPED:
		case EV_EXITED:
		case EV_CRASHED:
			/* Whatever way it ended, we asked it to. */
			return GO(SVC_STOPPED, ACT_CLEANUP);
		default:
			/* A want while stopping waits: the caller re-issues
			 * it when the stop completes. */
			return STAY(s);
		}
	case SVC_FAILED:
		if ((e == EV_WANT && backoff_over) || e == EV_RESUME)
			return GO(SVC_STARTING, ACT_START);
		if (e == EV_STOP)
			return GO(SVC_STOPPED, ACT_NONE);
		return STAY(s);
	case SVC_NSTATES:
		break;
	}
	return STAY(s);
}
