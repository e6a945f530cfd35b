/* Unit tests of the pure service state machine (service/state.c). */
#include <stdio.h>
#include <string.h>

#include "service/state.h"
#include "tests/lib/t.h"

#define NEXT(s, e)	svc_next((s), (e), STOP_DESTROY, true)

static void
want_starts_a_stopped_service(void)
{
	struct svc_step st = NEXT(SVC_STOPPED, EV_WANT);

	T_EQ(st.next, SVC_STARTING);
	T_EQ(st.act, ACT_START);
}

static void
wants_while_starting_share_the_boot(void)
{
	struct svc_step st = NEXT(SVC_STARTING, EV_WANT);

	T_EQ(st.next, SVC_STARTING);
	T_EQ(st.act, ACT_NONE);
	st = NEXT(SVC_RUNNING, EV_WANT);
	T_EQ(st.next, SVC_RUNNING);
	T_EQ(st.act, ACT_NONE);
}

static void
ready_means_running(void)
{
	T_EQ(NEXT(SVC_STARTING, EV_READY).next, SVC_RUNNING);
	T_EQ(NEXT(SVC_STOPPED, EV_READY).next, SVC_STOPPED);	/* stale */
}

static void
dying_while_starting_is_failure(void)
{
	T_EQ(NEXT(SVC_STARTING, EV_EXITED).next, SVC_FAILED);
	T_EQ(NEXT(SVC_STARTING, EV_EXITED).act, ACT_FAIL);
	T_EQ(NEXT(SVC_STARTING, EV_CRASHED).next, SVC_FAILED);
	T_EQ(NEXT(SVC_STARTING, EV_START_ERROR).next, SVC_FAILED);
	T_EQ(NEXT(SVC_STARTING, EV_BOOT_TIMEOUT).next, SVC_FAILED);
	T_EQ(NEXT(SVC_STARTING, EV_BOOT_TIMEOUT).act, ACT_KILL);
}

static void
exit_while_running(void)
{
	T_EQ(NEXT(SVC_RUNNING, EV_EXITED).next, SVC_STOPPED);
	T_EQ(NEXT(SVC_RUNNING, EV_CRASHED).next, SVC_FAILED);
}

static void
idle_follows_stop_mode(void)
{
	struct svc_step st;

	st = svc_next(SVC_RUNNING, EV_IDLE, STOP_DESTROY, true);
	T_EQ(st.next, SVC_STOPPING);
	T_EQ(st.act, ACT_STOP);
	st = svc_next(SVC_RUNNING, EV_IDLE, STOP_SHUTDOWN, true);
	T_EQ(st.next, SVC_STOPPING);
	st = svc_next(SVC_RUNNING, EV_IDLE, STOP_SUSPEND, true);
	T_EQ(st.next, SVC_SUSPENDED);
	T_EQ(st.act, ACT_SUSPEND);
}

static void
suspended_resumes_on_want(void)
{
	struct svc_step st = NEXT(SVC_SUSPENDED, EV_WANT);

	T_EQ(st.next, SVC_RUNNING);
	T_EQ(st.act, ACT_RESUME);
}

static void
stopping_ends_stopped_whatever_happens(void)
{
	T_EQ(NEXT(SVC_STOPPING, EV_STOPPED).next, SVC_STOPPED);
	T_EQ(NEXT(SVC_STOPPING, EV_CRASHED).next, SVC_STOPPED);
	T_EQ(NEXT(SVC_STOPPING, EV_EXITED).next, SVC_STOPPED);
	T_EQ(NEXT(SVC_STOPPING, EV_WANT).next, SVC_STOPPING);
}

static void
failed_waits_for_backoff(void)
{
	struct svc_step st;

	st = svc_next(SVC_FAILED, EV_WANT, STOP_DESTROY, false);
	T_EQ(st.next, SVC_FAILED);
	T_EQ(st.act, ACT_NONE);
	st = svc_next(SVC_FAILED, EV_WANT, STOP_DESTROY, true);
	T_EQ(st.next, SVC_STARTING);
	T_EQ(st.act, ACT_START);
	/* an operator start ignores the back-off */
	T_EQ(svc_next(SVC_FAILED, EV_RESUME, STOP_DESTROY, false).next,
	    SVC_STARTING);
}

static void
operator_actions(void)
{
	T_EQ(NEXT(SVC_RUNNING, EV_SUSPEND).next, SVC_SUSPENDED);
	T_EQ(NEXT(SVC_SUSPENDED, EV_RESUME).next, SVC_RUNNING);
	T_EQ(NEXT(SVC_RUNNING, EV_STOP).next, SVC_STOPPING);
	T_EQ(NEXT(SVC_SUSPENDED, EV_STOP).act, ACT_KILL);
	T_EQ(NEXT(SVC_STARTING, EV_STOP).next, SVC_STOPPING);
	T_EQ(NEXT(SVC_FAILED, EV_STOP).next, SVC_STOPPED);
	T_EQ(NEXT(SVC_STOPPED, EV_SUSPEND).next, SVC_STOPPED);
}

/*
 * The whole table, edge by edge: every (state, event, stop mode, back-off
 * over) the machine can be asked about, against the transitions written
 * out here. Any edge that changes fails, not only ones that leave the
 * state range.
 */
static struct svc_step
expected(enum svc_state s, enum svc_event e, enum cfg_stop mode, bool over)
{
	struct svc_step stay = { s, ACT_NONE };

	switch (s) {
	case SVC_STOPPED:
		if (e == EV_WANT || e == EV_RESUME)
			return (struct svc_step){ SVC_STARTING, ACT_START };
		return stay;
	case SVC_STARTING:
		if (e == EV_READY)
			return (struct svc_step){ SVC_RUNNING, ACT_NONE };
		if (e == EV_EXITED || e == EV_CRASHED || e == EV_START_ERROR)
			return (struct svc_step){ SVC_FAILED, ACT_FAIL };
		if (e == EV_BOOT_TIMEOUT)
			return (struct svc_step){ SVC_FAILED, ACT_KILL };
		if (e == EV_STOP)
			return (struct svc_step){ SVC_STOPPING, ACT_KILL };
		return stay;
	case SVC_RUNNING:
		if (e == EV_IDLE && mode == STOP_SUSPEND)
			return (struct svc_step){ SVC_SUSPENDED, ACT_SUSPEND };
		if (e == EV_IDLE || e == EV_STOP)
			return (struct svc_step){ SVC_STOPPING, ACT_STOP };
		if (e == EV_SUSPEND)
			return (struct svc_step){ SVC_SUSPENDED, ACT_SUSPEND };
		if (e == EV_EXITED)
			return (struct svc_step){ SVC_STOPPED, ACT_CLEANUP };
		if (e == EV_CRASHED)
			return (struct svc_step){ SVC_FAILED, ACT_FAIL };
		return stay;
	case SVC_SUSPENDED:
		if (e == EV_WANT || e == EV_RESUME)
			return (struct svc_step){ SVC_RUNNING, ACT_RESUME };
		if (e == EV_STOP)
			return (struct svc_step){ SVC_STOPPING, ACT_KILL };
		if (e == EV_EXITED)
			return (struct svc_step){ SVC_STOPPED, ACT_CLEANUP };
		if (e == EV_CRASHED)
			return (struct svc_step){ SVC_FAILED, ACT_FAIL };
		return stay;
	case SVC_STOPPING:
		if (e == EV_STOPPED || e == EV_EXITED || e == EV_CRASHED)
			return (struct svc_step){ SVC_STOPPED, ACT_CLEANUP };
		return stay;
	case SVC_FAILED:
		if ((e == EV_WANT && over) || e == EV_RESUME)
			return (struct svc_step){ SVC_STARTING, ACT_START };
		if (e == EV_STOP)
			return (struct svc_step){ SVC_STOPPED, ACT_NONE };
		return stay;
	default:
		return stay;
	}
}

static void
every_edge_as_specified(void)
{
	static const enum cfg_stop modes[] = {
		STOP_DESTROY, STOP_SHUTDOWN, STOP_SUSPEND
	};
	int bad = 0;

	for (int s = 0; s < SVC_NSTATES; s++)
		for (int e = 0; e < EV_NEVENTS; e++)
			for (int m = 0; m < 3; m++)
				for (int o = 0; o < 2; o++) {
					struct svc_step got = svc_next(s, e,
					    modes[m], o);
					struct svc_step want = expected(s, e,
					    modes[m], o);
					if (got.next != want.next ||
					    got.act != want.act) {
						fprintf(stderr, "edge %s --%s--> "
						    "%s act %d, want %s act %d\n",
						    svc_state_name(s),
						    svc_event_name(e),
						    svc_state_name(got.next),
						    got.act,
						    svc_state_name(want.next),
						    want.act);
						bad++;
					}
				}
	T_EQ(bad, 0);
}

static void
names_are_exact(void)
{
	static const char *const states[SVC_NSTATES] = {
		"stopped", "starting", "running", "suspended", "stopping",
		"failed"
	};
	static const char *const events[EV_NEVENTS] = {
		"want", "ready", "exited", "crashed", "start-error",
		"boot-timeout", "idle", "stop", "suspend", "resume", "stopped"
	};

	T_EQ(SVC_NSTATES, 6);
	T_EQ(EV_NEVENTS, 11);
	for (int s = 0; s < SVC_NSTATES; s++)
		T_ASSERT(strcmp(svc_state_name(s), states[s]) == 0);
	for (int e = 0; e < EV_NEVENTS; e++)
		T_ASSERT(strcmp(svc_event_name(e), events[e]) == 0);
	T_ASSERT(strcmp(svc_state_name(SVC_NSTATES), "?") == 0);
	T_ASSERT(strcmp(svc_event_name(EV_NEVENTS), "?") == 0);
}

int
main(void)
{
	T_RUN(want_starts_a_stopped_service);
	T_RUN(wants_while_starting_share_the_boot);
	T_RUN(ready_means_running);
	T_RUN(dying_while_starting_is_failure);
	T_RUN(exit_while_running);
	T_RUN(idle_follows_stop_mode);
	T_RUN(suspended_resumes_on_want);
	T_RUN(stopping_ends_stopped_whatever_happens);
	T_RUN(failed_waits_for_backoff);
	T_RUN(operator_actions);
	T_RUN(every_edge_as_specified);
	T_RUN(names_are_exact);
	return t_done();
}
