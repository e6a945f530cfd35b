/* core/loop.c - see loop.h. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"

struct io_slot {
	loop_io_fn	 fn;
	void		*arg;
};

struct loop {
	int		 epfd;
	bool		 stop;
	uint64_t	 now;
	struct io_slot	*io;		/* indexed by fd */
	int		 nio;
	struct timer	**heap;
	uint32_t	 nheap, capheap;
	int		 sigfd;
	sigset_t	 sigmask;
	loop_signal_fn	 sigfn[65];
	void		*sigarg[65];
};

uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

struct loop *
loop_new(void)
{
	struct loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	l->now = mono_ns();
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	if (l->sigfd != -1)
		close(l->sigfd);
	free(l->io);
	free(l->heap);
	free(l);
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

uint64_t
loop_now_fresh(struct loop *l)
{
	return l->now = mono_ns();
}

static int
io_grow(struct loop *l, int fd)
{
	struct io_slot *n;
	int cap;

	if (fd < l->nio)
		return 0;
	cap = l->nio ? l->nio : 64;
	while (cap <= fd)
		cap *= 2;
	if ((n = realloc(l->io, (size_t)cap * sizeof(*n))) == NULL)
		return -ENOMEM;
	memset(n + l->nio, 0, (size_t)(cap - l->nio) * sizeof(*n));
	l->io = n;
	l->nio = cap;
	return 0;
}

int
loop_add(struct loop *l, int fd, uint32_t events, loop_io_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int r;

	if (fd < 0 || fn == NULL)
		return -EINVAL;
	if ((r = io_grow(l, fd)) < 0)
		return r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -errno;
	l->io[fd].fn = fn;
	l->io[fd].arg = arg;
	return 0;
}

int
loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) == -1)
		return -errno;
	return 0;
}

int
loop_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nio || l->io[fd].fn == NULL)
		return -ENOENT;
	l->io[fd].fn = NULL;
	l->io[fd].arg = NULL;
	if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) == -1)
		return -errno;
	return 0;
}

/* --- timers: a min-heap on when; slot = index + 1 so 0 means idle --- */

void
timer_init(struct timer *t, loop_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

static void
heap_set(struct loop *l, uint32_t i, struct timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static void
heap_up(struct loop *l, uint32_t i)
{
	struct timer *t = l->heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (l->heap[p]->when <= t->when)
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void
heap_down(struct loop *l, uint32_t i)
{
	struct timer *t = l->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void
loop_timer_del(struct loop *l, struct timer *t)
{
	uint32_t i;

	if (t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	if (--l->nheap == i)
		return;
	struct timer *m = l->heap[l->nheap];
	heap_set(l, i, m);
	heap_down(l, i);
	heap_up(l, m->slot - 1);
}

void
loop_timer_at(struct loop *l, struct timer *t, uint64_t when)
{
	if (t->slot != 0)
		loop_timer_del(l, t);
	if (l->nheap == l->capheap) {
		uint32_t cap = l->capheap ? l->capheap * 2 : 64;
		struct timer **n = realloc(l->heap, cap * sizeof(*n));
		/*
		 * Out of memory for a timer is not recoverable in a sane way:
		 * a lost timer is a service that never idles out or a boot
		 * that never times out.
		 */
		if (n == NULL)
			abort();
		l->heap = n;
		l->capheap = cap;
	}
	t->when = when;
	heap_set(l, l->nheap, t);
	l->nheap++;
	heap_up(l, l->nheap - 1);
}

void
loop_timer_add(struct loop *l, struct timer *t, uint64_t delay_ns)
{
	loop_timer_at(l, t, l->now + delay_ns);
}

size_t
loop_timer_count(const struct loop *l)
{
	return l->nheap;
}

static void
run_timers(struct loop *l)
{
	/* Bound the work to timers due now, so a callback that re-arms at
	 * delay 0 cannot starve I/O. */
	uint64_t now = l->now;
	uint32_t budget = l->nheap;

	while (l->nheap > 0 && budget-- > 0 && l->heap[0]->when <= now) {
		struct timer *t = l->heap[0];
		loop_timer_del(l, t);
		t->fn(l, t, t->arg);
	}
}

/* --- signals --- */

static void
signal_read(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo < 65 && l->sigfn[si.ssi_signo] != NULL)
			l->sigfn[si.ssi_signo](l, (int)si.ssi_signo,
			    l->sigarg[si.ssi_signo]);
	}
}

int
loop_signal(struct loop *l, int signo, loop_signal_fn fn, void *arg)
{
	int fd, r;

	if (signo <= 0 || signo >= 65)
		return -EINVAL;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) == -1)
		return -errno;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -errno;
	if (l->sigfd == -1) {
		l->sigfd = fd;
		if ((r = loop_add(l, fd, EPOLLIN, signal_read, NULL)) < 0)
			return r;
	}
	l->sigfn[signo] = fn;
	l->sigarg[signo] = arg;
	return 0;
}

/* --- dispatch --- */

int
loop_once(struct loop *l, uint64_t max_wait)
{
	struct epoll_event evs[64];
	struct timespec ts;
	uint64_t wait = max_wait;
	int n, i;

	if (l->nheap > 0) {
		uint64_t now = mono_ns(), when = l->heap[0]->when;
		uint64_t d = when > now ? when - now : 0;
		if (d < wait)
			wait = d;
	}
	ts.tv_sec = (time_t)(wait / NSEC_PER_SEC);
	ts.tv_nsec = (long)(wait % NSEC_PER_SEC);
	/* epoll_pwait2 takes a timespec: timers keep sub-millisecond
	 * precision, which matters for boot timeouts measured in ms. */
	n = epoll_pwait2(l->epfd, evs, 64, &ts, NULL);
	if (n == -1 && errno == ENOSYS) {
		int ms = (int)((wait + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		n = epoll_wait(l->epfd, evs, 64, wait > INT32_MAX * NSEC_PER_MSEC ? -1 : ms);
	}
	if (n == -1) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	l->now = mono_ns();
	for (i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		/* An earlier callback may have closed this fd. */
		if (fd < l->nio && l->io[fd].fn != NULL)
			l->io[fd].fn(l, fd, evs[i].events, l->io[fd].arg);
	}
	run_timers(l);
	return n;
}

int
loop_run(struct loop *l)
{
	int r;

	l->stop = false;
	while (!l->stop)
		if ((r = loop_once(l, 60 * NSEC_PER_SEC)) < 0)
			return r;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}
