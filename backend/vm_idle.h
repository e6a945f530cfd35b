/*
 * backend/vm_idle.h - the idle rule for a VM guest behind a tap (qemu,
 * and libvirt's direct path): the established TCP connections to the
 * guest's address, as the exec backend counts its process's sockets, so
 * that idle means the same on every backend. Counted from conntrack
 * (net/conntrack.h): a quiet open connection keeps the guest up.
 */
#ifndef JITSU_BACKEND_VM_IDLE_H
#define JITSU_BACKEND_VM_IDLE_H

#include <stdint.h>

#include "net/net.h"

/* A tap for a guest is set up: make sure its flows are tracked from now
 * on (once per jitsud; a failure is logged once). */
void	vm_idle_track(void);

/* The idle rule's count for the guest behind tap: its established TCP
 * connections (a quiet one included), plus one if frames went through
 * the tap since the last look (*packets): connections that opened and
 * closed between two looks. Where conntrack cannot be read, the frames
 * alone. */
int	vm_idle_connections(const struct net_tap *tap, uint64_t *packets);

#endif
