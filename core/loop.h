/*
 * core/loop.h - jitsud's event loop: epoll for descriptors, a binary heap
 * of intrusive timers, signals through signalfd. Single-threaded.
 *
 * The contract (fixed, like redis' ae.c): a callback runs to completion
 * and must not block. Descriptors are registered once and their interest
 * changed with loop_mod; callbacks are looked up by fd in a flat table,
 * so dispatch is an index, not a search. Timers are embedded in their
 * owner (no allocation to arm one) and cost O(log n) to arm or cancel,
 * which keeps thousands of idle timers cheap. Time is CLOCK_MONOTONIC in
 * nanoseconds, read once per loop iteration (loop_now) and on demand
 * (loop_now_fresh).
 */
#ifndef CORE_LOOP_H
#define CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct timer;

typedef void (*loop_io_fn)(struct loop *, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_fn)(struct loop *, struct timer *, void *arg);
typedef void (*loop_signal_fn)(struct loop *, int signo, void *arg);

struct timer {
	uint64_t	 when;		/* monotonic ns */
	uint32_t	 slot;		/* heap index + 1; 0 = not armed */
	loop_timer_fn	 fn;
	void		*arg;
};

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

struct loop	*loop_new(void);
void		 loop_free(struct loop *);
/* Runs until loop_stop; returns 0, or negative errno if epoll fails. */
int		 loop_run(struct loop *);
void		 loop_stop(struct loop *);
/* One iteration, waiting at most max_wait_ns (tests use this). */
int		 loop_once(struct loop *, uint64_t max_wait_ns);

int		 loop_add(struct loop *, int fd, uint32_t events, loop_io_fn,
		    void *arg);
int		 loop_mod(struct loop *, int fd, uint32_t events);
int		 loop_del(struct loop *, int fd);

void		 timer_init(struct timer *, loop_timer_fn, void *arg);
/* Arms (or re-arms) the timer to fire delay_ns from loop_now(). */
void		 loop_timer_add(struct loop *, struct timer *, uint64_t delay_ns);
void		 loop_timer_at(struct loop *, struct timer *, uint64_t when_ns);
void		 loop_timer_del(struct loop *, struct timer *);
static inline bool
timer_pending(const struct timer *t)
{
	return t->slot != 0;
}
size_t		 loop_timer_count(const struct loop *);

/* Blocks signo for the process and delivers it through the loop. */
int		 loop_signal(struct loop *, int signo, loop_signal_fn, void *arg);

uint64_t	 loop_now(const struct loop *);
uint64_t	 loop_now_fresh(struct loop *);
uint64_t	 mono_ns(void);

#endif
