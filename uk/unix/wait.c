/*
 * wait.c - uk_watch and uk_wait over one level-triggered epoll set. A
 * listener's several sockets share its handle in the epoll data, and
 * their events are merged into one uk_event.
 */
#include <sys/epoll.h>
#include <errno.h>
#include <limits.h>

#include "uk/include/uk.h"
#include "uk/unix/unix.h"

/* Events taken from the kernel per uk_wait call. */
#define WAIT_BATCH	64

static int	 ep = -1;

/* Made on first use: an app that never waits never pays for it. */
static int
epoll_fd(void)
{
	if (ep < 0)
		ep = epoll_create1(EPOLL_CLOEXEC);
	return ep;
}

int
uk_watch(int handle, unsigned events)
{
	struct uk_unix_handle	*x;
	struct epoll_event	 e;
	int			 i, op;

	if ((x = uk_unix_get(handle, UH_ANY)) == NULL)
		return UK_EBADF;
	events &= UK_EV_READ | UK_EV_WRITE | UK_EV_HUP;
	if (events == x->watch && (events != 0) == (x->registered != 0))
		return 0;	/* the common case: no system call */
	if (epoll_fd() < 0)
		return uk_unix_err(errno);
	if (events == 0) {
		/* Removed, not just masked: epoll reports hang-ups even for
		 * an empty mask, and a level-triggered one would spin. */
		uk_unix_unwatch(handle, 0);
		x->watch = 0;
		return 0;
	}
	e.events = (events & UK_EV_READ ? EPOLLIN : 0) |
	    (events & UK_EV_WRITE ? EPOLLOUT : 0);
	e.data.u64 = (uint64_t)handle;
	op = x->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	for (i = 0; i < x->nfd; i++)
		if (epoll_ctl(ep, op, x->fd[i], &e) != 0)
			return uk_unix_err(errno);
	x->registered = 1;
	x->watch = events;
	return 0;
}

void
uk_unix_unwatch(int handle, int closing)
{
	struct uk_unix_handle	*x;
	int			 i;

	if ((x = uk_unix_get(handle, UH_ANY)) == NULL || !x->registered)
		return;
	/* A connection's socket leaves the set by itself when closed, which
	 * saves a system call per connection. A passed listener's does not:
	 * the manager holds the same open file. */
	if (!closing || x->kind == UH_LISTENER)
		for (i = 0; i < x->nfd; i++)
			epoll_ctl(ep, EPOLL_CTL_DEL, x->fd[i], NULL);
	x->registered = 0;
}

static int
timeout_ms(uint64_t deadline_ns)
{
	uint64_t	 now, ms;

	if (deadline_ns == UINT64_MAX)
		return -1;
	now = uk_clock_ns();
	if (deadline_ns <= now)
		return 0;
	/* Round up: waking before the deadline would be a wasted turn. */
	ms = (deadline_ns - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int
uk_wait(uint64_t deadline_ns, struct uk_event *ev, int max)
{
	struct epoll_event	 eb[WAIT_BATCH];
	struct uk_unix_handle	*x;
	unsigned		 e;
	int			 i, j, n, out = 0, h;

	if (ev == NULL || max <= 0)
		return UK_EINVAL;
	if (epoll_fd() < 0)
		return uk_unix_err(errno);
	n = epoll_wait(ep, eb, max < WAIT_BATCH ? max : WAIT_BATCH,
	    timeout_ms(deadline_ns));
	if (n < 0)
		return errno == EINTR ? 0 : uk_unix_err(errno);
	for (i = 0; i < n; i++) {
		h = (int)eb[i].data.u64;
		if ((x = uk_unix_get(h, UH_ANY)) == NULL)
			continue;
		e = 0;
		if (eb[i].events & EPOLLIN)
			e |= UK_EV_READ;
		if (eb[i].events & EPOLLOUT)
			e |= UK_EV_WRITE;
		if (eb[i].events & (EPOLLHUP | EPOLLERR))
			e |= UK_EV_HUP | (x->watch & UK_EV_READ);
		e &= x->watch | UK_EV_HUP;
		if (e == 0)
			continue;
		/* Only a listener has several sockets to merge. */
		for (j = 0; x->nfd > 1 && j < out; j++)
			if (ev[j].handle == h)
				break;
		if (j < out && x->nfd > 1) {
			ev[j].events |= e;
			continue;
		}
		ev[out].handle = h;
		ev[out].events = e;
		out++;
	}
	return out;
}
