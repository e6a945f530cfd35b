/*
 * backend/libvirt.h - `backend = libvirt`: the pure parts (the domain XML,
 * the guests' addresses on a host, placement across hosts), the libvirt
 * side (backend/libvirt_host.c: one thread per host, messages back to the
 * loop) and the splice relay (backend/libvirt_relay.c). The ops table is
 * backend_libvirt in backend/backend.h.
 *
 * Threads. jitsud's loop never calls libvirt: virConnectOpen takes ~4 s
 * here and a domain start ~300 ms, and any call can hang on a remote host
 * that stopped answering. Each host has a worker thread that owns its
 * virConnectPtr and runs requests from a FIFO; libvirt's own default
 * event loop runs in one more thread (domain lifecycle events, console
 * streams, keepalives, the close callback). Both only post messages
 * (struct lv_msg) to a queue that an eventfd in jitsud's loop drains, so
 * every decision is taken on the loop thread, and a dead host stalls
 * only its own worker.
 */
#ifndef BACKEND_LIBVIRT_H
#define BACKEND_LIBVIRT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/loop.h"

#define LV_DOMAIN_PREFIX	"jitsu-"
#define LV_DEFAULT_MEMORY	(64ULL << 20)

/* --- the domain XML (backend/libvirt_xml.c) --- */

struct lv_spec {
	const char	*name;		/* the domain's */
	bool		 kvm;		/* else TCG (domain type 'qemu') */
	/* The start-path settings (check='none'); false reproduces
	 * libvirt's defaults for before/after measurements. */
	bool		 tuned;
	const char	*image;
	const char	*initrd;	/* or NULL */
	const char	*cmdline;	/* appended after ip= gw=, or NULL */
	struct in_addr	 guest, gateway;
	uint8_t		 prefix;	/* of the guests' network */
	uint64_t	 memory;	/* bytes; 0: LV_DEFAULT_MEMORY */
	uint32_t	 cpus;		/* 0: 1 */
	uint8_t		 mac[6];
	/* A tap jitsud made that libvirt opens by name (managed='no'), for
	 * a guest reached directly; NULL: libvirt makes one, with the
	 * gateway as the host side's point-to-point address. */
	const char	*tap;
};

/* The transient domain for spec, NUL-terminated in buf. Every value is
 * escaped. Returns its length, or -ENOSPC. */
int	lv_domain_xml(const struct lv_spec *, char *buf, size_t len);
/* s with & < > ' " as entities, appended at buf[*off]; false (and
 * *off unchanged) when it does not fit. */
bool	lv_xml_escape(char *buf, size_t len, size_t *off, const char *s);

/* --- the guests' addresses on a host (backend/libvirt_place.c) --- */

/*
 * A host's network: .1 is the gateway (the host side of every guest's
 * tap, as a point-to-point address with the guest as peer), the guests
 * get the lowest free addresses from .2 up to the last before broadcast.
 */
struct lv_pool {
	uint32_t	 base;		/* host order */
	uint8_t		 prefix;
	uint32_t	 size;		/* addresses in the network */
	uint32_t	 used;
	uint8_t		*bits;		/* made on the first get */
};
void	lv_pool_init(struct lv_pool *, struct in_addr base, uint8_t prefix);
void	lv_pool_free(struct lv_pool *);
/* 0, -ENOSPC when full, -ENOMEM. */
int	lv_pool_get(struct lv_pool *, struct in_addr *);
void	lv_pool_put(struct lv_pool *, struct in_addr);
/* Mark a as given out (a guest an earlier jitsud placed): 0, -EEXIST,
 * -ERANGE when a is not a guest address of the network, -ENOMEM. */
int	lv_pool_take(struct lv_pool *, struct in_addr a);
struct in_addr lv_pool_gateway(const struct lv_pool *);

/* --- placement --- */

enum lv_hstate {
	LV_HOST_CONNECTING,	/* first connection (or a retry) under way */
	LV_HOST_UP,
	LV_HOST_DOWN,		/* unreachable; retried with back-off */
};

struct lv_place_host {
	enum lv_hstate	 state;
	uint64_t	 capacity;	/* bytes; 0 = unlimited */
	uint64_t	 used;
	bool		 pool_full;	/* no guest address left */
};

/*
 * Where a start of need bytes goes, among the hosts hosts[cand[i]]: the
 * reachable one with the most free capacity (the first listed on a tie).
 * Hosts still connecting count only when no host is up with room, so a
 * start at jitsud's start-up waits for the first connection instead of
 * failing. Returns the chosen index into hosts, -ENOSPC when hosts are
 * reachable but full, -EHOSTDOWN when none is reachable.
 */
int	lv_place(const struct lv_place_host *hosts, const int *cand, int ncand,
	    uint64_t need);
/* True for a URI naming this machine's own daemon: no host part
 * (qemu:///system, xen:///, qemu+unix:///system?socket=...). Its
 * guests can be reached through a tap of jitsud's. */
bool	lv_uri_is_local(const char *uri);

/* --- the libvirt side (backend/libvirt_host.c) --- */

struct lv_host;

enum lv_op {
	LV_OP_CREATE,	/* create paused, open the console, resume */
	LV_OP_PRECREATE, /* the same, left paused */
	LV_OP_START,	/* an existing defined domain (domain =) */
	LV_OP_DESTROY,
	LV_OP_SHUTDOWN,
	LV_OP_SUSPEND,
	LV_OP_RESUME,
	LV_OP_LOOKUP,	/* after a reconnection: is it still there? */
};

/* Domain lifecycle events, as the loop needs them. */
enum lv_event {
	LV_EV_STARTED,
	LV_EV_SUSPENDED,
	LV_EV_RESUMED,
	LV_EV_STOPPED,		/* detail 1: it crashed or failed */
	LV_EV_OTHER,
};

/* What the loop hears from the libvirt side. */
enum lv_msg_kind {
	LV_MSG_REPLY,	/* a request finished: result, id, text */
	LV_MSG_EVENT,	/* a domain lifecycle event: event, detail */
	LV_MSG_LINE,	/* a line from a domain's console */
	LV_MSG_HOST,	/* the host went up or down: up, text */
};

struct lv_msg {
	enum lv_msg_kind kind;
	struct lv_host	*host;
	enum lv_op	 op;		/* REPLY */
	void		*ctx;		/* REPLY: the request's */
	uint32_t	 tag;		/* REPLY: the request's */
	int		 result;	/* REPLY: 0 or -1; LOOKUP: LV_DOM_* */
	enum lv_event	 event;		/* EVENT; text says how */
	int		 detail;
	bool		 up;		/* HOST */
	bool		 kvm;		/* HOST: the host offers KVM */
	char		 domain[96];
	/* The domain's UUID: a transient domain gets a new one at each
	 * create, so it tells this instance's events from a former one's
	 * (ids are gone by the time a stopped event is read). */
	char		 uuid[40];
	char		 text[256];	/* error message, or console line */
};

/* LOOKUP results. */
enum { LV_DOM_GONE = 0, LV_DOM_RUNNING = 1, LV_DOM_PAUSED = 2 };

typedef void (*lv_msg_fn)(const struct lv_msg *, void *arg);

/*
 * Start the libvirt side once: its event thread and the eventfd that
 * brings messages to fn on the loop. 0 or -errno (-ENOTSUP when jitsud
 * was built without libvirt).
 */
int	lv_side_init(struct loop *, lv_msg_fn fn, void *arg);
/* The host for uri, made (and its thread started, connecting at once)
 * on first use; hosts live as long as jitsud. NULL when out of memory. */
struct lv_host *lv_host_get(const char *name, const char *uri);
const char *lv_host_name(const struct lv_host *);
/* Queue a request; 0 or -errno. domain and xml are copied. ctx and
 * tag come back in the reply. */
int	lv_host_submit(struct lv_host *, enum lv_op, const char *domain,
	    const char *xml, void *ctx, uint32_t tag);

/* --- the relay (backend/libvirt_relay.c) --- */

/*
 * Connections accepted on a service's front sockets, spliced to the
 * guest and back through two pipes each, by the loop. No copy through
 * user space; EOF in one direction is passed on with shutdown(SHUT_WR).
 */
struct lv_relay;
struct lv_relay *lv_relay_new(struct loop *, const char *name);
/* Relay a connection accepted from a client to dst (non-blocking
 * connect); on failure the client gets a reset. */
void	lv_relay_add(struct lv_relay *, int client, const struct sockaddr_in *dst);
/* Connections being relayed. */
int	lv_relay_count(const struct lv_relay *);
/* Bytes moved since the last call (idle rule). */
uint64_t lv_relay_moved(struct lv_relay *);
/* End every connection (with a reset) and free. */
void	lv_relay_free(struct lv_relay *);

#endif
