/*
 * dns/transport.h - internals shared by the DNS transports (udp.c,
 * tcp.c, forward.c, server.c). Not for use outside dns/.
 */
#ifndef DNS_TRANSPORT_H
#define DNS_TRANSPORT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "dns/server.h"

/*
 * Messages per recvmmsg/sendmmsg. Nearly all of a UDP answer's cost is
 * the kernel's per-message send path; what a bigger batch buys is fewer
 * wake-ups, here and in the client, which then reads a longer burst of
 * replies per wake-up. Measured with bench/dns: 32 -> 128 cut jitsud's
 * CPU per query ~3% and dnsperf's ~4%. 128 costs ~680 KB of buffers.
 */
#define DNS_UDP_BATCH	128
#define DNS_UDP_BUDGET	256	/* messages per wake-up before other fds */
#define DNS_UDP_BUF	4096	/* largest UDP request we read / reply we send */
#define DNS_TCP_MAX	65535

struct dns_listener {
	struct dns_server *srv;
	struct cfg_addr	 addr;
	int		 udp_fd;
	int		 tcp_fd;
	struct timer	 accept_pause;	/* armed: accepts paused (EMFILE) */
	bool		 pktinfo;	/* bound to a wildcard: echo the
					   destination address in replies */
	bool		 keep;		/* mark during dns_server_listen */
};

struct tcp_conn;
struct udp_batch;
struct dns_forwarder;

/* Where a forwarded reply goes back to. */
struct fwd_client {
	int			 udp_fd;	/* -1 for TCP */
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	union {
		struct in_pktinfo	v4;
		struct in6_pktinfo	v6;
	}			 pi;
	int			 pifamily;	/* 0: no pktinfo */
	int			 tcp_fd;
	uint64_t		 tcp_serial;
	uint16_t		 udp_limit;	/* largest UDP reply it takes */
	int32_t			 peer_slot;	/* forward.c's per-client entry */
};

struct dns_server {
	struct loop		*loop;
	dns_hit_fn		 hit;
	void			*hitarg;
	const struct dns_db	*db;
	struct dns_server_opts	 opts;
	struct dns_listener	**ls;
	int			 nls;
	struct dns_counters	 ctr;
	struct udp_batch	*batch;
	struct tcp_conn		**conns;	/* by fd */
	int			 nconns_cap;
	uint32_t		 ntcp;
	uint64_t		 tcp_serial;
	struct dns_forwarder	*fwd;
	struct cfg_cidr		*fwd_clients;	/* owned copy */
	int			 nfwd_clients;
	uint64_t		 last_fd_warn;	/* rate limit of EMFILE logs */
};

/* Source address bytes of a sockaddr (4 or 16), or NULL. */
const uint8_t *dns_peer_bytes(const struct sockaddr_storage *, int *family);

/* server.c: answer one request from peer; counts it and reports a
 * service hit with the peer's address. */
size_t	dns_server_answer(struct dns_server *, const uint8_t *req, size_t len,
	    uint8_t *resp, size_t cap, bool udp,
	    const struct sockaddr_storage *peer, struct dns_qinfo *qi);

/* udp.c */
void	udp_readable(struct loop *, int fd, uint32_t ev, void *arg);
int	udp_send_reply(int fd, const struct fwd_client *, const uint8_t *buf,
	    size_t len);
struct udp_batch *udp_batch_new(void);
void	udp_batch_free(struct udp_batch *);

/* tcp.c */
void	tcp_acceptable(struct loop *, int fd, uint32_t ev, void *arg);
void	tcp_accept_resume(struct loop *, struct timer *, void *arg);
/* Queue a reply on a live connection; 0, or -ENOENT if it is gone. */
int	tcp_send_reply(struct dns_server *, int fd, uint64_t serial,
	    const uint8_t *buf, size_t len);
void	tcp_close_all(struct dns_server *);

/* forward.c */
struct dns_forwarder *fwd_new(struct dns_server *);
void	fwd_free(struct dns_forwarder *);
/* Forward req for client c; on failure the client gets SERVFAIL. */
void	fwd_submit(struct dns_server *, const uint8_t *req, size_t len,
	    const struct fwd_client *c);
/* Build a reply with rcode to req (header + question echoed). */
size_t	dns_error_reply(const uint8_t *req, size_t len, uint16_t rcode,
	    uint8_t *resp, size_t cap);

#endif
