/* Unit tests of the pure service state machine (service/state.c). */
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

static void
every_edge_lands_in_a_state(void)
{
	for (int s = 0; s < SVC_NSTATES; s++)
		for (int e = 0; e < EV_NEVENTS; e++)
			for (int m = 0; m < 3; m++) {
				struct svc_step st = svc_next(s, e, m, e & 1);
				T_ASSERT((unsigned)st.next < SVC_NSTATES);
				T_ASSERT(st.act <= ACT_CLEANUP);
			}
	T_ASSERT(svc_state_name(SVC_SUSPENDED)[0] == 's');
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
	T_RUN(every_edge_lands_in_a_state);
	return t_done();
}
