/* Unit tests of the event loop: timer heap order, cancel, fd dispatch. */
#include <stdlib.h>
#include <unistd.h>

#include "core/loop.h"
#include "tests/lib/t.h"

static int fired[64], nfired;

static void
on_timer(struct loop *l, struct timer *t, void *arg)
{
	(void)l;
	(void)t;
	fired[nfired++] = (int)(intptr_t)arg;
}

static void
timers_fire_in_order(void)
{
	struct loop *l = loop_new();
	struct timer t[40];
	int i;

	nfired = 0;
	/* Deadlines in a scrambled order; cancel every fifth. */
	for (i = 0; i < 40; i++) {
		timer_init(&t[i], on_timer, (void *)(intptr_t)i);
		loop_timer_at(l, &t[i], loop_now(l) - 1000000 + (uint64_t)((i * 17) % 40) * 1000);
	}
	for (i = 0; i < 40; i += 5)
		loop_timer_del(l, &t[i]);
	T_EQ(loop_timer_count(l), 32);
	loop_once(l, 0);
	T_EQ(nfired, 32);
	for (i = 1; i < nfired; i++)
		T_ASSERT((fired[i - 1] * 17) % 40 < (fired[i] * 17) % 40);
	for (i = 0; i < nfired; i++)
		T_ASSERT(fired[i] % 5 != 0);
	T_EQ(loop_timer_count(l), 0);
	loop_free(l);
}

static void
rearm_moves_timer(void)
{
	struct loop *l = loop_new();
	struct timer a, b;

	nfired = 0;
	timer_init(&a, on_timer, (void *)1);
	timer_init(&b, on_timer, (void *)2);
	loop_timer_add(l, &a, 0);
	loop_timer_add(l, &b, 0);
	loop_timer_add(l, &a, 3600 * NSEC_PER_SEC);	/* re-arm, far away */
	T_EQ(loop_timer_count(l), 2);
	loop_once(l, 0);
	T_EQ(nfired, 1);
	T_EQ(fired[0], 2);
	T_ASSERT(timer_pending(&a));
	T_ASSERT(!timer_pending(&b));
	loop_free(l);
}

static int io_seen;

static void
on_io(struct loop *l, int fd, uint32_t ev, void *arg)
{
	char c;

	(void)l;
	(void)arg;
	if (ev & EPOLLIN && read(fd, &c, 1) == 1)
		io_seen = c;
}

static void
fd_dispatch(void)
{
	struct loop *l = loop_new();
	int p[2];

	T_ASSERT(pipe(p) == 0);
	T_EQ(loop_add(l, p[0], EPOLLIN, on_io, NULL), 0);
	T_ASSERT(write(p[1], "x", 1) == 1);
	io_seen = 0;
	loop_once(l, NSEC_PER_SEC);
	T_EQ(io_seen, 'x');
	T_EQ(loop_del(l, p[0]), 0);
	T_ASSERT(loop_del(l, p[0]) < 0);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

int
main(void)
{
	T_RUN(timers_fire_in_order);
	T_RUN(rearm_moves_timer);
	T_RUN(fd_dispatch);
	return t_done();
}
