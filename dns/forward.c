/*
 * dns/forward.c - forwarding queries for names outside every zone to the
 * `forward =` upstream. Each forwarded query gets a fresh random ID and
 * its own connected UDP socket: the kernel picks a random source port
 * and drops datagrams from any other address, and we additionally accept
 * only a reply whose ID and question match ours. The number in flight is
 * bounded (forward_max): past it, and on timeout, the client gets
 * SERVFAIL. The slot table is allocated once.
 *
 * Forwarding is a service offered to some clients, not to the world
 * (RFC 5358): a client outside forward_clients, or a query with RD clear
 * (it did not ask for recursion, RFC 1034 4.3.1), gets REFUSED. Each
 * client (an IPv4 address or an IPv6 /64) has a rate (forward_rate, a
 * GCRA bucket with one second of burst) and a cap on queries in flight
 * (forward_per_client), so one client can neither flood the upstream
 * through us nor take every slot. Clients live in a fixed, direct-mapped
 * table with a secret hash key: no allocation, O(1); two clients that
 * collide while both have queries in flight share one budget, which an
 * attacker cannot arrange without the key. A reply larger than the
 * client's UDP size (512, or its EDNS size) goes out as header and
 * question with TC set, so it is never an amplifier; RA is set on
 * forwarded replies (we offer that client recursion) whatever the
 * upstream said.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rate.h"
#include "dns/edns.h"
#include "dns/transport.h"
#include "dns/wire.h"

struct fwd_slot {
	struct dns_forwarder	*fwd;
	int			 fd;		/* -1: free */
	uint16_t		 client_id, our_id;
	bool			 client_edns, client_do;
	struct dns_question	 q;
	struct fwd_client	 client;
	struct timer		 timeout;
	struct fwd_slot		*next_free;
};

#define PEERS		4096	/* direct-mapped client table */

struct fwd_peer {
	uint8_t		 addr[16];	/* IPv4, or IPv6 /64 */
	uint8_t		 family;
	uint32_t	 inflight;
	struct rate	 r;		/* forward_rate's bucket */
};

struct dns_forwarder {
	struct dns_server	*srv;
	struct fwd_peer		 peers[PEERS];
	uint64_t		 key[2];
	struct fwd_slot		*slots;
	uint32_t		 nslots, inflight;
	struct fwd_slot		*free;
	uint16_t		 ids[256];	/* random IDs, refilled in bulk */
	unsigned		 nids;
	uint8_t			 buf[DNS_UDP_BUF];
};

static uint16_t
fwd_random_id(struct dns_forwarder *f)
{
	if (f->nids == 0) {
		/* getrandom never fails for small sizes once the pool is
		 * initialised; a short read leaves older values, which are
		 * still unpredictable to an off-path attacker. */
		if (getrandom(f->ids, sizeof(f->ids), 0) < 0)
			log_warn("dns: getrandom");
		f->nids = 256;
	}
	return f->ids[--f->nids];
}

size_t
dns_error_reply(const uint8_t *req, size_t len, uint16_t rcode, uint8_t *resp,
    size_t cap)
{
	size_t off = DNS_HDR_LEN;
	struct dns_question q;

	if (len < DNS_HDR_LEN || cap < DNS_HDR_LEN)
		return 0;
	memcpy(resp, req, DNS_HDR_LEN);
	resp[2] = (uint8_t)((req[2] & (DNS_F2_OPCODE | DNS_F2_RD)) | DNS_F2_QR);
	resp[3] = (uint8_t)(rcode & DNS_F3_RCODE);
	dns_hdr_set_ancount(resp, 0);
	dns_hdr_set_nscount(resp, 0);
	dns_hdr_set_arcount(resp, 0);
	if (dns_hdr_qdcount(req) == 1 &&
	    dns_question_read(req, len, &off, &q) == 0 && off <= cap) {
		memcpy(resp + DNS_HDR_LEN, req + DNS_HDR_LEN, off - DNS_HDR_LEN);
		return off;
	}
	dns_hdr_set_qdcount(resp, 0);
	return DNS_HDR_LEN;
}

struct dns_forwarder *
fwd_new(struct dns_server *srv)
{
	struct dns_forwarder *f;
	uint32_t i, n = srv->opts.forward_max ? srv->opts.forward_max : 1;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->slots = calloc(n, sizeof(*f->slots))) == NULL) {
		free(f);
		return NULL;
	}
	f->srv = srv;
	f->nslots = n;
	if (getrandom(f->key, sizeof(f->key), 0) < 0)
		log_warn("dns: getrandom");
	for (i = 0; i < n; i++) {
		f->slots[i].fwd = f;
		f->slots[i].fd = -1;
		f->slots[i].next_free = (i + 1 < n) ? &f->slots[i + 1] : NULL;
	}
	f->free = &f->slots[0];
	return f;
}

static void
slot_release(struct fwd_slot *s)
{
	struct dns_forwarder *f = s->fwd;

	loop_timer_del(f->srv->loop, &s->timeout);
	if (s->fd != -1) {
		loop_del(f->srv->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	if (s->client.peer_slot >= 0 &&
	    f->peers[s->client.peer_slot].inflight > 0)
		f->peers[s->client.peer_slot].inflight--;
	s->next_free = f->free;
	f->free = s;
	f->inflight--;
}

void
fwd_free(struct dns_forwarder *f)
{
	uint32_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nslots; i++)
		if (f->slots[i].fd != -1)
			slot_release(&f->slots[i]);
	free(f->slots);
	free(f);
}

static void
reply_client(struct dns_server *srv, const struct fwd_client *c,
    const uint8_t *buf, size_t len)
{
	if (c->udp_fd != -1)
		(void)udp_send_reply(c->udp_fd, c, buf, len);
	else
		(void)tcp_send_reply(srv, c->tcp_fd, c->tcp_serial, buf, len);
}

static void
fail_client(struct dns_server *srv, const struct fwd_client *c,
    const uint8_t *req, size_t len)
{
	uint8_t resp[DNS_UDP_BUF];
	size_t n;

	srv->ctr.by_rcode[DNS_R_SERVFAIL]++;
	if ((n = dns_error_reply(req, len, DNS_R_SERVFAIL, resp, sizeof(resp))))
		reply_client(srv, c, resp, n);
}

static void
fwd_timeout(struct loop *l, struct timer *t, void *arg)
{
	struct fwd_slot *s = arg;
	struct dns_forwarder *f = s->fwd;
	uint8_t req[DNS_HDR_LEN + DNS_NAME_MAX + 4];
	size_t n;

	(void)l;
	(void)t;
	f->srv->ctr.forward_timeouts++;
	/* Rebuild a minimal request to echo the question in SERVFAIL. */
	memset(req, 0, DNS_HDR_LEN);
	dns_hdr_set_id(req, s->client_id);
	dns_hdr_set_qdcount(req, 1);
	memcpy(req + DNS_HDR_LEN, s->q.name, s->q.namelen);
	n = DNS_HDR_LEN + s->q.namelen;
	dns_put16(req + n, s->q.qtype);
	dns_put16(req + n + 2, s->q.qclass);
	n += 4;
	fail_client(f->srv, &s->client, req, n);
	slot_release(s);
}

/*
 * The upstream's reply in f->buf does not fit the client's UDP size: keep
 * header and question (qend is where the question ends), set TC, and add
 * our OPT if the client sent one. The client retries over TCP.
 */
static size_t
truncate_for_udp(struct dns_forwarder *f, const struct fwd_slot *s,
    size_t qend)
{
	size_t n = qend;

	f->srv->ctr.forward_truncated++;
	f->buf[2] |= DNS_F2_TC;
	dns_hdr_set_ancount(f->buf, 0);
	dns_hdr_set_nscount(f->buf, 0);
	dns_hdr_set_arcount(f->buf, 0);
	if (s->client_edns && n + DNS_OPT_LEN <= s->client.udp_limit) {
		dns_edns_put(f->buf + n, dns_hdr_rcode(f->buf), s->client_do);
		dns_hdr_set_arcount(f->buf, 1);
		n += DNS_OPT_LEN;
	}
	return n;
}

static void
fwd_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct fwd_slot *s = arg;
	struct dns_forwarder *f = s->fwd;
	struct dns_question q;
	size_t off = DNS_HDR_LEN;
	ssize_t n;

	(void)l;
	(void)ev;
	for (;;) {
		n = recv(fd, f->buf, sizeof(f->buf), MSG_DONTWAIT);
		if (n < 0)
			return;	/* EAGAIN, or ICMP refusal: let it time out */
		/* Anything that is not the reply to our question is ignored:
		 * a spoofed answer must guess the port, the ID and the
		 * question, and arrive before the real one. */
		if ((size_t)n < DNS_HDR_LEN || !dns_hdr_qr(f->buf) ||
		    dns_hdr_id(f->buf) != s->our_id ||
		    dns_hdr_qdcount(f->buf) != 1 ||
		    dns_question_read(f->buf, (size_t)n, &off, &q) != 0 ||
		    q.qtype != s->q.qtype || q.qclass != s->q.qclass ||
		    !dns_name_equal(q.name, q.namelen, s->q.name, s->q.namelen)) {
			off = DNS_HDR_LEN;
			continue;
		}
		dns_hdr_set_id(f->buf, s->client_id);
		f->buf[3] |= DNS_F3_RA;
		if (s->client.udp_fd != -1 && (size_t)n > s->client.udp_limit)
			n = (ssize_t)truncate_for_udp(f, s, off);
		if (dns_hdr_rcode(f->buf) < 24)
			f->srv->ctr.by_rcode[dns_hdr_rcode(f->buf)]++;
		reply_client(f->srv, &s->client, f->buf, (size_t)n);
		slot_release(s);
		return;
	}
}

static void
refuse_client(struct dns_server *srv, const struct fwd_client *c,
    const uint8_t *req, size_t len)
{
	uint8_t resp[DNS_UDP_BUF];
	size_t n;

	srv->ctr.by_rcode[DNS_R_REFUSED]++;
	if ((n = dns_error_reply(req, len, DNS_R_REFUSED, resp, sizeof(resp))))
		reply_client(srv, c, resp, n);
}

/* SipHash would do; this keyed mix is enough to keep an off-path
 * client from choosing which entry it lands on. */
static uint32_t
peer_hash(const struct dns_forwarder *f, const uint8_t *a, size_t n)
{
	uint64_t h = f->key[0];

	for (size_t i = 0; i < n; i++) {
		h ^= a[i];
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	h ^= f->key[1];
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The client's entry; -1 if it has no address we can key on. */
static int32_t
peer_find(struct dns_forwarder *f, const struct sockaddr_storage *ss)
{
	int family;
	const uint8_t *a = dns_peer_bytes(ss, &family);
	size_t n = family == AF_INET ? 4 : 8;	/* IPv6: its /64 */
	struct fwd_peer *p;
	uint32_t i;

	if (a == NULL)
		return -1;
	i = peer_hash(f, a, n) & (PEERS - 1);
	p = &f->peers[i];
	if (p->family != family || memcmp(p->addr, a, n) != 0) {
		if (p->inflight > 0)
			return (int32_t)i;	/* shared, see above */
		memset(p, 0, sizeof(*p));
		p->family = (uint8_t)family;
		memcpy(p->addr, a, n);
	}
	return (int32_t)i;
}

static bool
client_allowed(const struct dns_server *srv, const struct fwd_client *c)
{
	int family;
	const uint8_t *a = dns_peer_bytes(&c->peer, &family);

	for (int i = 0; a != NULL && i < srv->nfwd_clients; i++)
		if (cfg_cidr_match(&srv->fwd_clients[i], family, a))
			return true;
	return false;
}

/* Logs a forward socket failure at most once a second: at the descriptor
 * limit every forwarded query would otherwise write a line. */
static void
warn_fd(struct dns_server *srv)
{
	uint64_t now = loop_now(srv->loop);

	if (now - srv->last_fd_warn < NSEC_PER_SEC && srv->last_fd_warn)
		return;
	srv->last_fd_warn = now;
	log_warn("dns: forward socket (logged once a second)");
}

void
fwd_submit(struct dns_server *srv, const uint8_t *req, size_t len,
    const struct fwd_client *cin)
{
	struct dns_forwarder *f = srv->fwd;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct fwd_slot *s;
	struct fwd_client cl = *cin, *c = &cl;
	struct dns_edns e;
	size_t off = DNS_HDR_LEN;
	const struct cfg_addr *up = &srv->opts.forward;
	struct fwd_peer *p;

	/* Policy first, cheapest checks first: this runs only for names
	 * outside every zone. */
	if (!client_allowed(srv, c)) {
		srv->ctr.forward_denied++;
		refuse_client(srv, c, req, len);
		return;
	}
	if (len < DNS_HDR_LEN || !dns_hdr_rd(req)) {
		srv->ctr.forward_norec++;
		refuse_client(srv, c, req, len);
		return;
	}
	if (f == NULL || up->family == 0 || f->free == NULL ||
	    len > sizeof(f->buf)) {
		srv->ctr.forward_refused++;
		fail_client(srv, c, req, len);
		return;
	}
	if ((c->peer_slot = peer_find(f, &c->peer)) >= 0) {
		p = &f->peers[c->peer_slot];
		if (srv->opts.forward_rate > 0 &&
		    !rate_take(&p->r, loop_now(srv->loop),
		    NSEC_PER_SEC / srv->opts.forward_rate,
		    srv->opts.forward_rate + 1)) {	/* a second's burst */
			srv->ctr.forward_ratelimited++;
			refuse_client(srv, c, req, len);
			return;
		}
		if (p->inflight >= srv->opts.forward_per_client) {
			srv->ctr.forward_client_full++;
			fail_client(srv, c, req, len);
			return;
		}
	}
	s = f->free;
	if (dns_question_read(req, len, &off, &s->q) != 0 ||
	    dns_edns_parse(req, len, off, &e) < 0) {
		fail_client(srv, c, req, len);
		return;
	}
	/* What the client can take over UDP (RFC 6891 6.2.5: below 512
	 * means 512); our own buffer bounds it above. */
	c->udp_limit = DNS_UDP_MIN;
	if (e.present && e.size > DNS_UDP_MIN)
		c->udp_limit = e.size < DNS_UDP_BUF ? e.size : DNS_UDP_BUF;
	s->client_edns = e.present;
	s->client_do = e.do_bit;
	memset(&ss, 0, sizeof(ss));
	if (up->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_addr = up->a.v4;
		sin->sin_port = htons(up->port);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = up->a.v6;
		sin6->sin6_port = htons(up->port);
		sl = sizeof(*sin6);
	}
	s->fd = socket(up->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1 || connect(s->fd, (struct sockaddr *)&ss, sl) == -1 ||
	    loop_add(srv->loop, s->fd, EPOLLIN, fwd_readable, s) < 0) {
		warn_fd(srv);
		if (s->fd != -1)
			close(s->fd);
		s->fd = -1;
		fail_client(srv, c, req, len);
		return;
	}
	f->free = s->next_free;
	f->inflight++;
	if (c->peer_slot >= 0)
		f->peers[c->peer_slot].inflight++;
	s->client = *c;
	s->client_id = dns_hdr_id(req);
	s->our_id = fwd_random_id(f);
	timer_init(&s->timeout, fwd_timeout, s);
	loop_timer_add(srv->loop, &s->timeout,
	    srv->opts.forward_timeout_ms * NSEC_PER_MSEC);
	memcpy(f->buf, req, len);
	dns_hdr_set_id(f->buf, s->our_id);
	if (send(s->fd, f->buf, len, MSG_DONTWAIT) < 0)
		log_debug("dns: forward send: %s", strerror(errno));
	srv->ctr.forwarded++;
}
