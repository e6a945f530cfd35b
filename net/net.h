/*
 * net/net.h - the host-side networking jitsud manages for services:
 * listening sockets held for socket activation, the dummy interface that
 * carries non-loopback service addresses, and counting a service's
 * established connections (sock_diag) for the idle rule.
 *
 * All functions return a descriptor or 0 on success and a negative errno
 * on failure; nothing here logs.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

/* The dummy interface that carries service addresses outside 127/8. */
#define NET_DUMMY_IF	"jitsu0"

/* A listening socket on addr:port (TCP) or a bound one (UDP), blocking,
 * close-on-exec, SO_REUSEADDR; backlog for TCP. */
int	net_listen(const struct cfg_addr *, uint16_t port, int proto,
	    int backlog);
/* True if the address needs no set-up: loopback (127/8, ::1). */
bool	net_addr_is_loopback(const struct cfg_addr *);
/* Make sure the address is local: create NET_DUMMY_IF if needed (up) and
 * add addr as a /32 or /128 to it (to lo when the kernel has no dummy
 * driver). Idempotent (-EEXIST is success). */
int	net_addr_ensure(const struct cfg_addr *);
/* Remove an address added by net_addr_ensure; ignores a missing one. */
int	net_addr_remove(const struct cfg_addr *);
/*
 * Count established TCP connections whose local end is addr:port, and
 * add them to *count. Uses NETLINK_SOCK_DIAG in jitsud's namespace,
 * where the held sockets (and so the connections accepted from them by
 * the unikernel) live.
 */
int	net_count_established(const struct cfg_addr *, uint16_t port,
	    int *count);
/* Accept and reset (SO_LINGER 0) every connection waiting on a listening
 * socket. Returns how many were reset. Never blocks. */
int	net_reset_pending(int lfd);

#endif
