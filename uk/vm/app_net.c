/*
 * app_net.c - the uk.h TCP calls and uk_wait on the vm target: handles
 * are uk/net handles; uk_wait pumps the NIC, runs the stack's timers,
 * and halts the CPU until an interrupt (NIC or LAPIC timer) when nothing
 * is ready. An idle guest therefore costs the host a timer-less hlt, not
 * a spinning vCPU (under TCG a polling guest burns a whole host core).
 */
#include "uk/include/uk.h"
#include "uk/vm/clock.h"
#include "uk/vm/cpu.h"
#include "uk/vm/netif.h"
#include "uk/vm/start.h"

#define NHANDLES	(NET_MAX_LISTEN + NET_MAX_CONN)

static unsigned	watch[NHANDLES];
static bool	said_ready;

int
uk_listen(uint16_t port)
{
	int	 h;

	if (!netif_up())
		return UK_ENOENT;
	h = net_listen(&netif_stack, port);
	if (h >= 0 && !said_ready) {
		/* The host's qemu backend waits for exactly this line. */
		uk_console_write("uk: ready\n", 10);
		said_ready = true;
		start_report();
	}
	return h;
}

int
uk_accept(int listener)
{
	if (!netif_up())
		return UK_EBADF;
	return net_accept(&netif_stack, listener, uk_clock_ns());
}

long
uk_read(int conn, void *buf, size_t len)
{
	if (!netif_up())
		return UK_EBADF;
	return net_read(&netif_stack, conn, buf, len, uk_clock_ns());
}

long
uk_write(int conn, const void *buf, size_t len)
{
	if (!netif_up())
		return UK_EBADF;
	return net_write(&netif_stack, conn, buf, len, uk_clock_ns());
}

int
uk_close(int handle)
{
	int	 r;

	if (!netif_up())
		return UK_EBADF;
	r = net_close(&netif_stack, handle, uk_clock_ns());
	if (r == 0 && handle >= 0 && handle < NHANDLES)
		watch[handle] = 0;
	return r;
}

int
uk_watch(int handle, unsigned events)
{
	if (!netif_up() || handle < 0 || handle >= NHANDLES ||
	    !net_handle_valid(&netif_stack, handle))
		return UK_EBADF;
	watch[handle] = events & (UK_EV_READ | UK_EV_WRITE | UK_EV_HUP);
	return 0;
}

static int
collect(struct uk_event *ev, int max)
{
	unsigned	 e;
	int		 h, n = 0;

	if (!netif_up())
		return 0;
	for (h = 0; h < NHANDLES && n < max; h++) {
		if (watch[h] == 0)
			continue;
		/* HUP is reported to any watcher, like poll(2). */
		e = net_events(&netif_stack, h) & (watch[h] | UK_EV_HUP);
		if (e != 0) {
			ev[n].handle = h;
			ev[n].events = e;
			n++;
		}
	}
	return n;
}

int
uk_wait(uint64_t deadline, struct uk_event *ev, int max)
{
	uint64_t	 next, now;
	int		 n;

	if (max < 0 || (max > 0 && ev == NULL))
		return UK_EINVAL;
	for (;;) {
		next = netif_pump();
		n = collect(ev, max);
		now = uk_clock_ns();
		if (n > 0 || now >= deadline)
			return n;
		clock_wake_at(next < deadline ? next : deadline);
		/* An interrupt raised since the pump is pending (IF=0) and
		 * ends the hlt at once: no lost wake-up. */
		cpu_idle();
	}
}
