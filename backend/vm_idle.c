/*
 * backend/vm_idle.c - the idle rule for VM guests: the established TCP
 * connections to the guest now (conntrack), or frames through its tap
 * since the last look (connections that came and went meanwhile).
 */
#include <string.h>

#include "backend/vm_idle.h"
#include "core/log.h"
#include "net/conntrack.h"

void
vm_idle_track(void)
{
	static bool said;
	int r;

	if ((r = net_ct_track()) < 0 && !said) {
		said = true;
		log_warnx("conntrack: cannot track this namespace's flows: %s; "
		    "VM idle counts tap frames, so a quiet open connection "
		    "may be cut", strerror(-r));
	}
}

int
vm_idle_connections(const struct net_tap *tap, uint64_t *packets)
{
	static bool said;
	int n = -1, moved;

	/* Frames since the last look stand for the connections that came
	 * and went between two looks, as bytes moved do for a relay. */
	moved = net_tap_moved(tap, packets);
	if (net_ct_track() == 0)
		n = net_ct_established(&tap->guest);
	if (n >= 0)
		return n + (moved > 0);
	if (!said) {
		said = true;
		log_warnx("conntrack: the table cannot be read: %s; VM idle "
		    "counts tap frames only", strerror(-n));
	}
	return moved;
}
