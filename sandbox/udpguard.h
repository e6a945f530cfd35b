/*
 * udpguard.h - a held UDP socket answers only those who sent to it.
 *
 * A service is handed its UDP sockets, bound in jitsud's network
 * namespace: sendto() with any address would reach any address there
 * (jitsud's DNS port, which starts other tenants' services, among them).
 * seccomp cannot read sendmsg's address, and `strict` simply forbids
 * sendto with an address (filter.h); for `default`, four cgroup BPF
 * programs decide per datagram:
 *
 *   recvmsg4/6  a datagram read from a guarded socket with its source
 *               address: (socket cookie, address, port) is remembered;
 *   sendmsg4/6  a datagram sent with an address from a guarded socket:
 *               allowed only to a remembered (cookie, address, port),
 *               else the call fails with EPERM.
 *
 * Sockets not guarded (jitsud's own, everyone else's) pass at the cost of
 * one hash lookup. A socket belongs to the cgroup of the process that
 * made it, jitsud's, so the programs are attached to jitsud's own cgroup
 * v2 (the root one on a hybrid host), which also covers the leaf jitsud
 * may move itself to. They are attached through BPF links: they go when
 * jitsud's descriptors do, even if it is killed.
 *
 * Peers are remembered in an LRU map of UDPGUARD_PEERS entries shared by
 * all services: under a flood of distinct sources the oldest peers are
 * forgotten (a reply to one then fails), never a wrong one allowed.
 * IPv4 addresses are kept in their v4-mapped IPv6 form, so a dual-stack
 * socket's replies match whichever hook sees them.
 *
 * Needs Linux >= 5.7 (cgroup BPF links; recvmsg hooks since 5.2) and a
 * cgroup2 mount; hand-assembled, no libbpf.
 */
#ifndef SANDBOX_UDPGUARD_H
#define SANDBOX_UDPGUARD_H

#include <stddef.h>
#include <stdint.h>

#define UDPGUARD_PEERS		65536
#define UDPGUARD_SOCKETS	65536

struct udpguard {
	int	held;		/* map: guarded socket cookies; -1: none */
	int	peers;		/* map: (cookie, address, port) that sent */
	int	links[4];	/* recvmsg4, recvmsg6, sendmsg4, sendmsg6 */
};

/* Loads and attaches the programs to jitsud's own cgroup v2. On failure
 * G is left off (held == -1) and ERR says why. */
int	udpguard_init(struct udpguard *g, char *err, size_t errlen);
void	udpguard_fini(struct udpguard *g);
/* Guards the UDP socket FD (other sockets are left alone: 0). Sets
 * *COOKIE for udpguard_forget when it guarded one. */
int	udpguard_add(struct udpguard *g, int fd, uint64_t *cookie);
void	udpguard_forget(struct udpguard *g, uint64_t cookie);

#endif
