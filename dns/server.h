/*
 * dns/server.h - jitsud's DNS transports: UDP (recvmmsg/sendmmsg in
 * batches), TCP (RFC 7766 framing, several queries per connection,
 * pipelining, idle timeout, a per-message deadline, caps per address and
 * in all with eviction, an accept pause at EMFILE) and the forwarder for
 * names outside every zone (forward_clients only, RD=1 only, per-client
 * rate and in-flight cap, TC-truncated to the client's UDP size). The answers themselves come from dns_query(), a
 * pure function; this layer only moves bytes and tells the daemon which
 * service a query touched.
 */
#ifndef DNS_SERVER_H
#define DNS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/loop.h"
#include "dns/db.h"
#include "dns/query.h"

struct dns_server;

/* Called for each answered query that hit a service (qi->service >= 0),
 * with the client's address (FAMILY AF_INET or AF_INET6, ADDR its 4 or
 * 16 bytes, a v4-mapped client as IPv4; NULL when unknown). Runs on the
 * DNS path: it must not block. */
typedef void (*dns_hit_fn)(void *arg, const struct dns_qinfo *qi, int family,
    const void *addr);

struct dns_counters {
	uint64_t	 queries_udp, queries_tcp;
	uint64_t	 dropped;		/* malformed, no reply sent */
	uint64_t	 by_rcode[24];
	uint64_t	 by_qtype[8];		/* see dns_qtype_bucket() */
	uint64_t	 truncated;
	uint64_t	 forwarded, forward_timeouts, forward_refused;
	uint64_t	 tcp_accepted, tcp_rejected, tcp_idle_closed;
	/* forwarding refused by policy: not in forward_clients, RD clear,
	 * over forward_rate, forward_per_client in flight */
	uint64_t	 forward_denied, forward_norec, forward_ratelimited,
			 forward_client_full;
	uint64_t	 forward_truncated;
	uint64_t	 tcp_evicted, tcp_per_address_rejected, tcp_accept_paused;
};

struct dns_server_opts {
	uint32_t	 tcp_clients;
	uint64_t	 tcp_idle_ms;
	struct cfg_addr	 forward;		/* family 0: no forwarding */
	uint32_t	 forward_max;
	uint64_t	 forward_timeout_ms;
	/* Copied by dns_server_set_opts; none: loopback only. */
	const struct cfg_cidr *forward_clients;
	int		 nforward_clients;
	uint32_t	 forward_rate;		/* per client per s; 0 = off */
	uint32_t	 forward_per_client;
	uint32_t	 tcp_per_address;
	uint64_t	 tcp_message_timeout_ms;
};

struct dns_server *dns_server_new(struct loop *, dns_hit_fn, void *arg);
void	 dns_server_free(struct dns_server *);
/*
 * Make the server listen on exactly these addresses (UDP and TCP on
 * each). Sockets already open on an address are kept, so a reload does
 * not drop queries; new ones are opened; the rest are closed. On error
 * nothing changes and a negative errno is returned with *why set.
 */
int	 dns_server_listen(struct dns_server *, const struct cfg_addr *, int n,
	    char *why, size_t whylen);
void	 dns_server_set_opts(struct dns_server *, const struct dns_server_opts *);
/* The db is borrowed; the caller swaps it on reload and frees the old. */
void	 dns_server_set_db(struct dns_server *, const struct dns_db *);
const struct dns_counters *dns_server_counters(const struct dns_server *);
int	 dns_qtype_bucket(uint16_t qtype);
extern const char *const dns_qtype_bucket_names[8];

#endif
