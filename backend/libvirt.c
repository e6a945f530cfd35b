/*
 * backend/libvirt.c - `backend = libvirt`: the unikernel is a libvirt
 * domain on one of the service's hosts. This file runs on jitsud's loop
 * only and never calls libvirt: requests go to the host's worker thread
 * and everything comes back as messages (backend/libvirt_host.c).
 *
 * The service's front: DNS answers the service's address on jitsud's own
 * host, where jitsud listens on its ports from config load (like the
 * exec backend's held sockets). A connection to a stopped service is a
 * wake-up; connections that arrive while the domain boots wait in the
 * listen backlog, held by the kernel; once the guest is ready they are
 * accepted and relayed to it with splice(2), wherever it runs.
 *
 * A service whose hosts are all this machine's libvirtd is reached
 * directly instead, as the qemu backend's are: the guest has the
 * service's own address, routed to a tap jitsud holds while the guest is
 * away (connections wait in its queue; a SYN copied to a packet socket
 * is the wake-up), and once QEMU has the guest's own tap (persistent,
 * made by jitsud, opened by libvirt by name: libvirt 9.0 cannot be
 * handed a descriptor) the route moves there and the held frames follow,
 * behind a sacrificial frame and the gateway's ARP request (uk-vm-facts
 * 7.1). No relay, no copy.
 *
 * A start: placement picks the reachable host with the most free
 * capacity among the service's hosts, the guest gets the lowest free
 * address of that host's network (or its own, direct), and the host's worker creates the
 * transient domain paused, opens its console, and resumes it. The ready
 * line on the console (or a TCP connection to the guest, ready = tcp)
 * makes it running. domain = names a defined domain instead, which is
 * started as it is (its network is the operator's; nothing is relayed).
 *
 * Host failures: a host whose connection drops is down for placement;
 * its instances are marked unknown, not lost (a libvirtd that dies
 * leaves its QEMUs running, and their relays keep working); when the
 * host is back, a lookup says whether each is still there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/libvirt.h"
#include "backend/qemu.h"
#include "backend/vm_idle.h"
#include "config/values.h"
#include "control/proto.h"
#include "core/log.h"
#include "net/net.h"
#include "service/persist.h"
#include "service/service.h"

#define BACKLOG		128
#define ACCEPT_MAX	64	/* per wake-up */
#define PROBE_RETRY_MS	10

/* The loop's view of a host: placement state and the guests' pool. */
struct hostrec {
	struct lv_host		*h;
	char			*name, *uri;
	struct lv_place_host	 place;
	struct lv_pool		 pool;
	bool			 kvm;
};

/* I_WARMING, I_WARM: precreate = yes, a paused domain made ahead of
 * the want (the service is stopped); a start then only resumes it. */
enum inst { I_NONE, I_WARMING, I_WARM, I_STARTING, I_UP, I_STOPPING };

struct lv_svc {
	struct service	*svc;		/* NULL once released */
	int		*hv;		/* candidate hosts, into hosts[] */
	int		 nhv;
	int		 on;		/* host of the instance, -1 none */
	enum inst	 inst;
	char		 dom[96];
	char		 uuid[40];	/* of the instance, "" until known */
	char		 stopped[40];	/* a stopped event seen before the
					 * create reply */
	char		 early[40];	/* the ready line, seen before it */
	struct in_addr	 guest;
	bool		 has_guest;
	uint64_t	 mem;
	bool		 unknown;	/* its host is unreachable */
	bool		 killed;	/* we asked it to end */
	bool		 serving, watching, quiet;
	int		 lfd[CFG_MAX_PORTS];
	uint16_t	 lport[CFG_MAX_PORTS];
	int		 nl;
	struct lv_relay	*relay;
	/* direct: hold is where the guest's frames wait while it is away
	 * (jitsud holds its queue), vm the tap libvirt opens for QEMU;
	 * attached while the route points at vm. */
	bool		 direct, attached;
	bool		 adopted;	/* from an earlier jitsud's record */
	struct net_tap	 hold, vm;
	uint64_t	 packets;	/* vm's counters at the last idle look */
	char		*image;		/* absolute: libvirtd's cwd is not ours */
	struct timer	 grace, probe;
	int		 probefd;
	int		 refs;		/* requests in flight */
	bool		 resume_when_made; /* a want came while pre-creating */
	uint32_t	 gen;		/* of the instance: a reply to an
					 * earlier one's create is not its */
	struct lv_svc	*next;		/* all of them */
};

static struct {
	struct hostrec	**hosts;
	int		 nhosts;
	struct lv_svc	*all;
	bool		 untuned;
} B;

static struct lv_svc *
L(struct service *s)
{
	return s->bk;
}

static struct hostrec *
on_host(const struct lv_svc *x)
{
	return x->on >= 0 ? B.hosts[x->on] : NULL;
}

/* --- the front sockets --- */

static void
update_interest(struct lv_svc *x)
{
	uint32_t ev = x->serving || (x->watching && !x->quiet) ? EPOLLIN : 0;

	for (int i = 0; i < x->nl; i++)
		loop_mod(svc_loop(x->svc), x->lfd[i], ev);
}

static void
accept_all(struct lv_svc *x, int fd, uint16_t port)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int c, n;

	dst.sin_addr = x->guest;
	dst.sin_port = htons(port);
	for (n = 0; n < ACCEPT_MAX; n++) {
		if ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC)) == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("service %s: accept", x->svc->name);
			return;
		}
		svc_on_first_conn(x->svc);
		lv_relay_add(x->relay, c, &dst);
	}
}

static void
front_readable(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct lv_svc *x = arg;
	struct service *s = x->svc;
	int i;

	(void)l;
	(void)ev;
	for (i = 0; i < x->nl && x->lfd[i] != fd; i++)
		;
	if (x->serving) {
		s->last_active = loop_now(l);
		accept_all(x, fd, x->lport[i]);
		return;
	}
	svc_want(s, "connection");
	if (s->state == SVC_FAILED)
		net_reset_pending(fd);
	/* A want that started nothing (queued under limits): stop hearing
	 * the same waiting connection until the start comes. */
	if (!x->serving && s->state == SVC_STOPPED) {
		x->quiet = true;
		update_interest(x);
	}
}

/* --- the direct path --- */

/* QEMU has the guest's tap now: frames for the guest go there. For a
 * boot, the sacrificial frame and the ARP request go first, before any
 * real frame can, then the route, then what waited in the hold tap. */
static void
direct_attach(struct lv_svc *x, bool boot)
{
	int moved = 0, r;

	if (!x->direct || x->attached)
		return;
	if (boot)
		net_tap_prime(&x->vm);
	if ((r = net_tap_route(&x->vm)) < 0)
		log_warnx("service %s: route to tap %s: %s", x->svc->name,
		    x->vm.name, strerror(-r));
	if ((r = net_tap_move(&x->hold, &x->vm, &moved)) < 0)
		log_warnx("service %s: held frames to tap %s: %s", x->svc->name,
		    x->vm.name, strerror(-r));
	x->attached = true;
	net_tap_packets(&x->vm, &x->packets);
	log_debug("service %s: tap %s has the guest, %d held frame(s) moved",
	    x->svc->name, x->vm.name, moved);
}

/* The guest is going or gone: new connections wait in the hold tap
 * again and wake the next start. */
static void
direct_detach(struct lv_svc *x)
{
	int r;

	if (!x->direct || !x->attached || x->svc == NULL)
		return;
	if ((r = net_tap_route(&x->hold)) < 0)
		log_warnx("service %s: route to tap %s: %s", x->svc->name,
		    x->hold.name, strerror(-r));
	x->attached = false;
}

static void
direct_wake(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct lv_svc *x = arg;

	(void)l;
	(void)ev;
	/* The copies only say "someone knocked"; the frames themselves
	 * wait in the tap. A failed service in back-off resets them. */
	if (net_tap_watch_drain(fd == x->hold.pfd ? &x->hold : &x->vm) > 0)
		svc_want(x->svc, "connection");
}

/* Both taps of the guest's, made at config load: vm first, since it
 * drops a route to the guest an earlier jitsud may have left through
 * it, and hold then makes the route afresh (a conflict otherwise). */
static int
direct_open(struct lv_svc *x, char *why, size_t whylen)
{
	struct loop *l = svc_loop(x->svc);
	struct in_addr gw;
	uint8_t mac[6];
	char hold[16], vm[16];
	int r;

	vm_idle_track();
	inet_pton(AF_INET, QEMU_GATEWAY, &gw);
	qemu_guest_mac(&x->guest, mac);
	snprintf(hold, sizeof(hold), "jh%08x", ntohl(x->guest.s_addr));
	snprintf(vm, sizeof(vm), "jl%08x", ntohl(x->guest.s_addr));
	if ((r = net_tap_make_named(&x->vm, vm, &gw, &x->guest, mac)) < 0) {
		snprintf(why, whylen, "tap %s: %s", vm, strerror(-r));
		return r;
	}
	if ((r = net_tap_open(&x->hold, hold, &gw, &x->guest, mac)) < 0) {
		snprintf(why, whylen, "tap %s: %s%s", hold, strerror(-r),
		    r == -EEXIST ? " (the guest's address is routed "
		    "elsewhere already)" : "");
		return r;
	}
	if ((r = net_tap_set_mac(&x->vm, x->hold.mac)) < 0 ||
	    (r = loop_add(l, x->hold.pfd, EPOLLIN, direct_wake, x)) < 0 ||
	    (r = loop_add(l, x->vm.pfd, EPOLLIN, direct_wake, x)) < 0) {
		snprintf(why, whylen, "tap %s: %s", vm, strerror(-r));
		return r;
	}
	return 0;
}

static void
direct_close(struct lv_svc *x)
{
	struct loop *l = svc_loop(x->svc);

	if (x->hold.pfd != -1)
		loop_del(l, x->hold.pfd);
	if (x->vm.pfd != -1)
		loop_del(l, x->vm.pfd);
	/* The hold tap takes the route and the neighbour entry with it. */
	net_tap_close(&x->hold);
	net_tap_remove(&x->vm);
}

/* Every host of the service is this machine's libvirtd, and one IPv4
 * address: the guest can have it. */
static bool
can_be_direct(const struct cfg_service *c)
{
	if (c->image == NULL || c->naddrs != 1 || c->addrs[0].family != AF_INET)
		return false;
	for (int i = 0; i < c->nhostv; i++)
		if (!lv_uri_is_local(c->hostp[i]->uri))
			return false;
	return true;
}

/* --- the instance --- */

/* It is gone (or given up for): free what it held, before the state
 * machine hears of it, which may start the next one at once. */
static void
instance_gone(struct lv_svc *x)
{
	struct hostrec *hr = on_host(x);

	if (x->svc != NULL) {
		loop_timer_del(svc_loop(x->svc), &x->grace);
		loop_timer_del(svc_loop(x->svc), &x->probe);
	}
	if (x->probefd != -1) {
		if (x->svc != NULL)
			loop_del(svc_loop(x->svc), x->probefd);
		close(x->probefd);
		x->probefd = -1;
	}
	if (hr != NULL) {
		hr->place.used -= x->mem;
		if (x->has_guest)
			lv_pool_put(&hr->pool, x->guest);
		hr->place.pool_full = false;
	}
	direct_detach(x);
	x->has_guest = false;
	x->on = -1;
	x->inst = I_NONE;
	x->uuid[0] = x->stopped[0] = x->early[0] = '\0';
	x->unknown = x->serving = x->resume_when_made = false;
	x->mem = 0;
	if (x->svc != NULL)
		update_interest(x);
}

static void
ready(struct lv_svc *x)
{
	x->inst = I_UP;
	x->serving = x->has_guest;
	x->quiet = false;
	update_interest(x);
	svc_on_ready(x->svc);
}

static int
submit(struct lv_svc *x, enum lv_op op, const char *xml)
{
	int r;

	if ((r = lv_host_submit(on_host(x)->h, op, x->dom, xml, x, x->gen)) == 0)
		x->refs++;
	return r;
}

static void
probe_start(struct lv_svc *);

static void
probe_done(struct loop *l, int fd, uint32_t ev, void *arg)
{
	struct lv_svc *x = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)ev;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	loop_del(l, fd);
	close(fd);
	x->probefd = -1;
	if (err == 0 && x->inst == I_STARTING) {
		ready(x);
		return;
	}
	loop_timer_add(l, &x->probe, PROBE_RETRY_MS * NSEC_PER_MSEC);
}

static void
probe_timer(struct loop *l, struct timer *t, void *arg)
{
	(void)l;
	(void)t;
	probe_start(arg);
}

/* ready = tcp: a connection to the guest's first port that succeeds. */
static void
probe_start(struct lv_svc *x)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct loop *l = svc_loop(x->svc);

	if (x->inst != I_STARTING || (!x->has_guest && !x->direct) ||
	    x->svc->cfg->nports == 0)
		return;
	sin.sin_addr = x->guest;
	sin.sin_port = htons(x->svc->cfg->ports[0].port);
	if ((x->probefd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    (connect(x->probefd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) ||
	    loop_add(l, x->probefd, EPOLLOUT, probe_done, x) < 0) {
		if (x->probefd != -1)
			close(x->probefd);
		x->probefd = -1;
		loop_timer_add(l, &x->probe, PROBE_RETRY_MS * NSEC_PER_MSEC);
	}
}

static void
grace_expired(struct loop *l, struct timer *t, void *arg)
{
	struct lv_svc *x = arg;

	(void)l;
	(void)t;
	if (x->inst != I_STOPPING || on_host(x) == NULL)
		return;
	log_info("service %s: domain still running after %llu ms grace: "
	    "destroying", x->svc->name,
	    (unsigned long long)x->svc->cfg->grace_ms);
	submit(x, LV_OP_DESTROY, NULL);
}

/*
 * Place an instance and ask its host for the domain: as: I_STARTING
 * (created, console opened, resumed) or I_WARMING (created paused with
 * its console open, for precreate = yes).
 */
static int
place_and_create(struct lv_svc *x, enum inst as, char *why, size_t whylen)
{
	struct service *s = x->svc;
	const struct cfg_service *c = s->cfg;
	struct lv_place_host *ph;
	struct hostrec *hr;
	struct lv_spec sp;
	char *xml = NULL;
	int h, i, r, n;

	if ((ph = calloc((size_t)B.nhosts + 1, sizeof(*ph))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < B.nhosts; i++)
		ph[i] = B.hosts[i]->place;
	x->mem = c->memory ? c->memory : LV_DEFAULT_MEMORY;
	h = lv_place(ph, x->hv, x->nhv, x->mem);
	free(ph);
	if (h < 0) {
		snprintf(why, whylen, h == -ENOSPC ? "no host has %llu MiB free" :
		    "no host reachable", (unsigned long long)(x->mem >> 20));
		x->mem = 0;
		return h;
	}
	hr = B.hosts[h];
	x->on = h;
	x->gen++;
	hr->place.used += x->mem;
	x->killed = false;
	x->inst = as;
	if (c->image != NULL) {
		memset(&sp, 0, sizeof(sp));
		if (x->direct) {
			inet_pton(AF_INET, QEMU_GATEWAY, &sp.gateway);
			sp.prefix = 32;
			sp.tap = x->vm.name;
		} else if ((r = lv_pool_get(&hr->pool, &x->guest)) < 0) {
			hr->place.pool_full = r == -ENOSPC;
			snprintf(why, whylen, "host %s: no guest address left",
			    hr->name);
			goto fail;
		} else {
			x->has_guest = true;
			sp.gateway = lv_pool_gateway(&hr->pool);
			sp.prefix = hr->pool.prefix;
		}
		sp.name = x->dom;
		sp.kvm = hr->kvm && c->accel != ACCEL_TCG;
		sp.tuned = !B.untuned;
		sp.image = x->image;
		sp.initrd = c->initrd;
		sp.cmdline = c->cmdline;
		sp.guest = x->guest;
		sp.memory = x->mem;
		sp.cpus = c->cpus;
		qemu_guest_mac(&x->guest, sp.mac);
		for (n = 4096; ; n *= 2) {
			free(xml);
			if ((xml = malloc((size_t)n)) == NULL) {
				r = -ENOMEM;
				snprintf(why, whylen, "out of memory");
				goto fail;
			}
			if (lv_domain_xml(&sp, xml, (size_t)n) >= 0)
				break;
		}
	}
	r = submit(x, c->image == NULL ? LV_OP_START : as == I_WARMING ?
	    LV_OP_PRECREATE : LV_OP_CREATE, xml);
	free(xml);
	if (r < 0) {
		snprintf(why, whylen, "libvirt: %s", strerror(-r));
		goto fail;
	}
	if (x->has_guest || x->direct) {
		char a[INET_ADDRSTRLEN];
		log_info("service %s: domain %s on host %s, guest %s%s%s%s",
		    s->name, x->dom, hr->name, inet_ntop(AF_INET, &x->guest, a,
		    sizeof(a)), x->direct ? " on tap " : "", x->direct ?
		    x->vm.name : "", as == I_WARMING ?
		    " (pre-created, paused)" : "");
	} else
		log_info("service %s: domain %s on host %s", s->name, x->dom,
		    hr->name);
	return 0;
fail:
	instance_gone(x);
	return r < 0 ? r : -EIO;
}

/* precreate = yes: while the service is stopped, a paused domain waits
 * for it. Made at config load and after each stop; a failure is logged
 * and the next start creates as usual. */
static void
rewarm(struct lv_svc *x)
{
	char why[200];

	if (x->svc == NULL || !x->svc->cfg->precreate || x->inst != I_NONE ||
	    x->svc->state != SVC_STOPPED || x->svc->cfg->image == NULL)
		return;
	if (place_and_create(x, I_WARMING, why, sizeof(why)) < 0)
		log_info("service %s: no pre-created domain: %s", x->svc->name,
		    why);
}

static int
libvirt_start(struct service *s, char *why, size_t whylen)
{
	struct lv_svc *x = L(s);
	int r;

	x->quiet = false;
	switch (x->inst) {
	case I_WARM:
		if (on_host(x)->place.state == LV_HOST_UP) {
			/* The whole start: QEMU runs, the guest boots. */
			x->inst = I_STARTING;
			x->killed = false;
			x->gen++;
			if ((r = submit(x, LV_OP_RESUME, NULL)) < 0) {
				snprintf(why, whylen, "libvirt: %s", strerror(-r));
				instance_gone(x);
				return r;
			}
			log_info("service %s: resuming pre-created domain %s on "
			    "host %s", s->name, x->dom, on_host(x)->name);
			direct_attach(x, true);
			if (s->cfg->ready == READY_TCP)
				probe_start(x);
			return 0;
		}
		/* Its host is away: the paused domain goes when it is back. */
		submit(x, LV_OP_DESTROY, NULL);
		instance_gone(x);
		break;
	case I_WARMING:
		/* Its create is under way: resumed when it is done. */
		x->inst = I_STARTING;
		x->resume_when_made = true;
		return 0;
	default:
		break;
	}
	return place_and_create(x, I_STARTING, why, whylen);
}

static int
libvirt_stop(struct service *s, bool force)
{
	struct lv_svc *x = L(s);
	struct hostrec *hr;

	if (x == NULL || x->inst == I_NONE) {
		svc_on_exit(s, false, "not running");
		return 0;
	}
	hr = on_host(x);
	x->killed = true;
	x->serving = false;
	update_interest(x);
	/* Connections from now on are the next start's. */
	direct_detach(x);
	if (hr->place.state != LV_HOST_UP) {
		/* The destroy waits in the host's queue for its return;
		 * the service need not. */
		submit(x, LV_OP_DESTROY, NULL);
		instance_gone(x);
		svc_on_exit(s, false, "host unreachable; destroy queued for "
		    "its return");
		rewarm(x);
		return 0;
	}
	x->inst = I_STOPPING;
	if (!force && s->cfg->stop == STOP_SHUTDOWN) {
		loop_timer_add(svc_loop(s), &x->grace,
		    s->cfg->grace_ms * NSEC_PER_MSEC);
		return submit(x, LV_OP_SHUTDOWN, NULL);
	}
	return submit(x, LV_OP_DESTROY, NULL);
}

static int
libvirt_suspend(struct service *s)
{
	struct lv_svc *x = L(s);

	if (x == NULL || x->inst != I_UP || on_host(x)->place.state != LV_HOST_UP)
		return -ESRCH;
	/* New connections wait in the backlog while it is paused. */
	x->serving = false;
	update_interest(x);
	return submit(x, LV_OP_SUSPEND, NULL);
}

static int
libvirt_resume(struct service *s)
{
	struct lv_svc *x = L(s);
	int r;

	if (x == NULL || x->inst != I_UP || on_host(x)->place.state != LV_HOST_UP)
		return -ESRCH;
	/* Relayed connections queue in the guest's tap until QEMU runs
	 * again, a millisecond later. */
	if ((r = submit(x, LV_OP_RESUME, NULL)) < 0)
		return r;
	x->serving = x->has_guest;
	x->quiet = false;
	update_interest(x);
	return 0;
}

static void
libvirt_reset_held(struct service *s)
{
	struct lv_svc *x = L(s);
	int wake, resets;

	for (int i = 0; x != NULL && i < x->nl; i++)
		net_reset_pending(x->lfd[i]);
	if (x != NULL && x->direct)
		net_tap_requeue(&x->hold, NET_HOLD_RESET, false, &wake, &resets);
}

/* Idle rule: relayed connections open, or bytes moved since the last
 * look; direct, the guest's established connections, as for qemu
 * (backend/vm_idle.h) (a domain = service counts as idle). */
static int
libvirt_connections(struct service *s)
{
	struct lv_svc *x = L(s);

	if (x != NULL && x->direct)
		return vm_idle_connections(&x->vm, &x->packets);
	if (x == NULL || x->relay == NULL)
		return 0;
	return lv_relay_count(x->relay) + (lv_relay_moved(x->relay) > 0);
}

static void
libvirt_watch(struct service *s, bool on)
{
	struct lv_svc *x = L(s);
	int r;

	if (x == NULL)
		return;
	x->watching = on;
	x->quiet = false;
	update_interest(x);
	/* Stopped, the SYN comes to the hold tap; suspended, to the
	 * guest's own, whose paused QEMU does not read it. */
	if (x->direct && ((r = net_tap_watch(&x->hold, on)) < 0 ||
	    (r = net_tap_watch(&x->vm, on)) < 0))
		log_warnx("service %s: watch taps: %s", s->name, strerror(-r));
}

static int
libvirt_describe(struct service *s, char *rec, size_t cap, size_t *len)
{
	struct lv_svc *x = L(s);
	char a[INET_ADDRSTRLEN];
	int r = 0;

	if (x != NULL && x->direct)
		r |= ctl_rec_add(rec, cap, len, "path", "direct, taps %s %s",
		    x->hold.name, x->vm.name);
	else if (x != NULL && x->relay != NULL)
		r |= ctl_rec_add(rec, cap, len, "path", "relayed");
	if (x == NULL || x->inst == I_NONE)
		return r;
	r |= ctl_rec_add(rec, cap, len, "host", "%s", on_host(x)->name);
	r |= ctl_rec_add(rec, cap, len, "domain", "%s", x->dom);
	if (x->has_guest || x->direct)
		r |= ctl_rec_add(rec, cap, len, "guest", "%s",
		    inet_ntop(AF_INET, &x->guest, a, sizeof(a)));
	/* A running service whose host is unreachable: its domain may or
	 * may not still run; the relay keeps trying it. */
	r |= ctl_rec_add(rec, cap, len, "instance", "%s", x->unknown ?
	    "unknown" : x->inst == I_WARM ? "pre-created" : x->inst ==
	    I_WARMING ? "pre-creating" : "known");
	if (x->relay != NULL)
		r |= ctl_rec_add(rec, cap, len, "relayed", "%d",
		    lv_relay_count(x->relay));
	return r;
}

/* --- messages from the libvirt side --- */

static struct lv_svc *
find(struct lv_host *h, const char *dom)
{
	struct lv_svc *x;

	for (x = B.all; x != NULL; x = x->next)
		if (x->svc != NULL && x->on >= 0 && B.hosts[x->on]->h == h &&
		    strcmp(x->dom, dom) == 0)
			return x;
	return NULL;
}

static struct hostrec *
hostrec_of(struct lv_host *h)
{
	for (int i = 0; i < B.nhosts; i++)
		if (B.hosts[i]->h == h)
			return B.hosts[i];
	return NULL;
}

static void
unref(struct lv_svc *x)
{
	struct lv_svc **pp;

	if (--x->refs > 0 || x->svc != NULL)
		return;
	for (pp = &B.all; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	free(x->hv);
	free(x->image);
	free(x);
}

static void
on_reply(const struct lv_msg *m)
{
	struct lv_svc *x = m->ctx;
	struct service *s = x->svc;
	char why[300];

	if (s == NULL) {
		unref(x);
		return;
	}
	x->refs--;
	switch (m->op) {
	case LV_OP_PRECREATE:
		if (m->tag != x->gen ||
		    (x->inst != I_WARMING && x->inst != I_STARTING))
			break;
		if (m->result < 0 && x->inst == I_WARMING) {
			log_warnx("service %s: cannot pre-create: %s", s->name,
			    m->text);
			instance_gone(x);
			break;
		}
		if (m->result < 0) {
			snprintf(why, sizeof(why), "%s", m->text);
			instance_gone(x);
			svc_on_start_error(s, why);
			break;
		}
		snprintf(x->uuid, sizeof(x->uuid), "%s", m->uuid);
		log_info("service %s: domain %s pre-created: %s", s->name,
		    x->dom, m->text);
		if (x->inst == I_WARMING) {
			x->inst = I_WARM;
			break;
		}
		x->resume_when_made = false;
		x->gen++;
		direct_attach(x, true);
		submit(x, LV_OP_RESUME, NULL);
		if (s->cfg->ready == READY_TCP)
			probe_start(x);
		break;
	case LV_OP_CREATE:
	case LV_OP_START:
		if (x->inst != I_STARTING || m->tag != x->gen)
			break;		/* a stop came first; its destroy follows */
		if (m->result < 0) {
			snprintf(why, sizeof(why), "%s", m->text);
			instance_gone(x);
			svc_on_start_error(s, why);
			break;
		}
		snprintf(x->uuid, sizeof(x->uuid), "%s", m->uuid);
		log_info("service %s: domain %s started: %s", s->name, x->dom,
		    m->text);
		if (x->stopped[0] != '\0' && strcmp(x->stopped, x->uuid) == 0) {
			instance_gone(x);
			svc_on_exit(s, false, "domain ended at once");
			break;
		}
		direct_attach(x, true);
		if (s->cfg->ready == READY_TCP)
			probe_start(x);
		else if (s->cfg->ready == READY_EXEC ||
		    strcmp(x->early, x->uuid) == 0)
			ready(x);
		break;
	case LV_OP_DESTROY:
		if (m->result < 0)
			log_warnx("service %s: destroy: %s", s->name, m->text);
		else if (x->inst == I_STOPPING) {
			/* The stopped event may have been lost with the
			 * connection: the reply is enough. */
			instance_gone(x);
			svc_on_exit(s, false, "destroyed");
			rewarm(x);
		}
		break;
	case LV_OP_RESUME:
		if (x->inst == I_STARTING && m->tag == x->gen && m->result < 0) {
			/* The resume of a pre-created domain was its start. */
			snprintf(why, sizeof(why), "resume: %s", m->text);
			submit(x, LV_OP_DESTROY, NULL);
			instance_gone(x);
			svc_on_start_error(s, why);
			break;
		}
		/* FALLTHROUGH */
	case LV_OP_SUSPEND:
	case LV_OP_SHUTDOWN:
		if (m->result < 0)
			log_warnx("service %s: %s: %s", s->name,
			    m->op == LV_OP_SUSPEND ? "suspend" : m->op ==
			    LV_OP_RESUME ? "resume" : "shutdown", m->text);
		break;
	case LV_OP_LOOKUP:
		if (!x->unknown || x->inst == I_NONE)
			break;
		if (m->result == LV_DOM_GONE) {
			instance_gone(x);
			svc_on_exit(s, false, x->adopted ? "domain ended while "
			    "jitsud was away" : "domain ended while its host "
			    "was unreachable");
		} else if (m->result > 0) {
			x->unknown = false;
			log_info("service %s: domain %s still %s on host %s",
			    s->name, x->dom, m->result == LV_DOM_PAUSED ?
			    "paused" : "running", hostrec_of(m->host)->name);
			/* Adopted as running (the record does not say
			 * frozen): make it so rather than lie. */
			if (x->adopted && m->result == LV_DOM_PAUSED &&
			    s->state == SVC_RUNNING)
				submit(x, LV_OP_RESUME, NULL);
		}
		x->adopted = false;
		break;
	}
}

/* The instance an event or a console line speaks of, NULL for none or
 * a former one. *early: it came before the create's reply, which the
 * worker posts only after the resume, so the uuid is not known yet and
 * what matters is kept for the reply to check. */
static struct lv_svc *
instance_of(const struct lv_msg *m, bool *early)
{
	struct lv_svc *x = find(m->host, m->domain);

	if (x == NULL || x->inst == I_NONE)
		return NULL;
	*early = x->uuid[0] == '\0';
	return *early || strcmp(x->uuid, m->uuid) == 0 ? x : NULL;
}

static void
on_event(const struct lv_msg *m)
{
	struct lv_svc *x;
	struct service *s;
	bool crashed, early;

	if ((x = instance_of(m, &early)) == NULL)
		return;
	s = x->svc;
	if (early) {
		if (m->event == LV_EV_STOPPED)
			snprintf(x->stopped, sizeof(x->stopped), "%s", m->uuid);
		return;
	}
	log_debug("service %s: event %d %s", s->name, m->event, m->text);
	if (m->event != LV_EV_STOPPED)
		return;
	if (x->inst == I_WARM || x->inst == I_WARMING) {
		/* Not an instance of the service's: nothing to tell it. */
		log_info("service %s: pre-created domain ended: %s", s->name,
		    m->text);
		instance_gone(x);
		return;
	}
	crashed = m->detail && !x->killed;
	instance_gone(x);
	svc_on_exit(s, crashed, m->text);
	rewarm(x);
}

static void
on_line(const struct lv_msg *m)
{
	struct lv_svc *x;
	struct service *s;
	bool is_ready, early;

	if ((x = instance_of(m, &early)) == NULL)
		return;
	s = x->svc;
	svc_log_line(s, m->text);
	is_ready = x->inst == I_STARTING && s->cfg->ready == READY_LINE &&
	    strcmp(m->text, s->cfg->ready_line) == 0;
	/* A guest that boots in a millisecond or two prints its ready
	 * line before the reply. */
	if (is_ready && early)
		snprintf(x->early, sizeof(x->early), "%s", m->uuid);
	else if (is_ready)
		ready(x);
}

static void
on_host_msg(const struct lv_msg *m)
{
	struct hostrec *hr = hostrec_of(m->host);
	struct lv_svc *x, *next;
	char why[300];

	if (hr == NULL)
		return;
	if (m->up) {
		hr->place.state = LV_HOST_UP;
		hr->kvm = m->kvm;
		log_info("libvirt: host %s up", hr->name);
		for (x = B.all; x != NULL; x = x->next) {
			if (x->svc != NULL && on_host(x) == hr && x->unknown)
				submit(x, LV_OP_LOOKUP, NULL);
			rewarm(x);
		}
		return;
	}
	log_warnx("libvirt: host %s down: %s", hr->name, m->text);
	hr->place.state = LV_HOST_DOWN;
	for (x = B.all; x != NULL; x = next) {
		next = x->next;
		if (x->svc == NULL || on_host(x) != hr || x->inst == I_NONE)
			continue;
		if (x->inst == I_WARM || x->inst == I_WARMING) {
			/* Made again on a host that is up, if any. */
			submit(x, LV_OP_DESTROY, NULL);
			instance_gone(x);
			rewarm(x);
			continue;
		}
		if (x->inst == I_STARTING && x->uuid[0] != '\0') {
			/* Its console went with the connection: this boot
			 * cannot be seen through. Fail it; the destroy waits
			 * for the host. (A create still in flight fails by
			 * itself.) */
			snprintf(why, sizeof(why), "host %s lost during the "
			    "start", hr->name);
			submit(x, LV_OP_DESTROY, NULL);
			instance_gone(x);
			svc_on_start_error(x->svc, why);
			continue;
		}
		if (x->inst == I_UP && !x->unknown) {
			x->unknown = true;
			log_warnx("service %s: domain %s on host %s: state "
			    "unknown until the host is back", x->svc->name,
			    x->dom, hr->name);
		}
	}
}

static void
on_msg(const struct lv_msg *m, void *arg)
{
	(void)arg;
	switch (m->kind) {
	case LV_MSG_REPLY:
		on_reply(m);
		break;
	case LV_MSG_EVENT:
		on_event(m);
		break;
	case LV_MSG_LINE:
		on_line(m);
		break;
	case LV_MSG_HOST:
		on_host_msg(m);
		break;
	}
}

/* --- set-up --- */

/* The loop's record of a configured host, made on first use and kept
 * (with its connection) for jitsud's life. */
static int
hostrec_get(const struct cfg_host *ch)
{
	struct hostrec *hr, **n;
	int i;

	for (i = 0; i < B.nhosts; i++)
		if (strcmp(B.hosts[i]->name, ch->name) == 0 &&
		    strcmp(B.hosts[i]->uri, ch->uri) == 0) {
			hr = B.hosts[i];
			hr->place.capacity = ch->memory;
			if (hr->pool.used == 0) {
				lv_pool_free(&hr->pool);
				lv_pool_init(&hr->pool, ch->network.base,
				    ch->network.prefix);
			}
			return i;
		}
	if ((n = realloc(B.hosts, (size_t)(B.nhosts + 1) * sizeof(*n))) == NULL)
		return -ENOMEM;
	B.hosts = n;
	if ((hr = calloc(1, sizeof(*hr))) == NULL ||
	    (hr->name = strdup(ch->name)) == NULL ||
	    (hr->uri = strdup(ch->uri)) == NULL ||
	    (hr->h = lv_host_get(ch->name, ch->uri)) == NULL) {
		if (hr != NULL) {
			free(hr->name);
			free(hr->uri);
		}
		free(hr);
		return -ENOMEM;
	}
	hr->place.state = LV_HOST_CONNECTING;
	hr->place.capacity = ch->memory;
	lv_pool_init(&hr->pool, ch->network.base, ch->network.prefix);
	B.hosts[B.nhosts] = hr;
	return B.nhosts++;
}

static void
svc_free(struct lv_svc *x)
{
	struct loop *l = svc_loop(x->svc);

	for (int i = 0; i < x->nl; i++) {
		loop_del(l, x->lfd[i]);
		close(x->lfd[i]);
	}
	x->nl = 0;
	lv_relay_free(x->relay);
	x->relay = NULL;
	if (x->direct)
		direct_close(x);
	x->svc->bk = NULL;
	x->svc = NULL;
	x->refs++;
	unref(x);
}

static int
front_open(struct lv_svc *x, char *why, size_t whylen)
{
	const struct cfg_service *c = x->svc->cfg;
	char a[64];
	int i, j, fd, r;

	for (i = 0; i < c->naddrs; i++) {
		cfg_addr_format(&c->addrs[i], a, sizeof(a));
		if ((r = net_addr_ensure(&c->addrs[i])) < 0) {
			snprintf(why, whylen, "address %s: %s", a, strerror(-r));
			return r;
		}
		for (j = 0; j < c->nports; j++) {
			if (x->nl == CFG_MAX_PORTS) {
				snprintf(why, whylen, "too many front sockets");
				return -ENOSPC;
			}
			if ((fd = net_listen(&c->addrs[i], c->ports[j].port,
			    IPPROTO_TCP, BACKLOG)) < 0) {
				snprintf(why, whylen, "tcp %s port %u: %s", a,
				    c->ports[j].port, strerror(-fd));
				return fd;
			}
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			x->lport[x->nl] = c->ports[j].port;
			x->lfd[x->nl++] = fd;
			if ((r = loop_add(svc_loop(x->svc), fd, 0, front_readable,
			    x)) < 0) {
				snprintf(why, whylen, "event loop: %s",
				    strerror(-r));
				return r;
			}
		}
	}
	return 0;
}

static int
libvirt_prepare(struct service *s, char *why, size_t whylen)
{
	const struct cfg_service *c = s->cfg;
	struct lv_svc *x;
	int i, h, r = 0;
	if ((r = lv_side_init(svc_loop(s), on_msg, NULL)) < 0) {
		snprintf(why, whylen, r == -ENOTSUP ? "jitsud was built without "
		    "libvirt (install libvirt-dev and rebuild)" :
		    "cannot start the libvirt side: %s", strerror(-r));
		return r;
	}
	B.untuned = getenv("JITSU_LIBVIRT_UNTUNED") != NULL;
	if (c->nhostv == 0 || c->hostp == NULL) {
		snprintf(why, whylen, "no host");
		return -EINVAL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->hv = calloc((size_t)c->nhostv, sizeof(int))) == NULL) {
		free(x);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	x->svc = s;
	x->on = -1;
	x->probefd = -1;
	x->hold.fd = x->hold.pfd = x->vm.fd = x->vm.pfd = -1;
	timer_init(&x->grace, grace_expired, x);
	timer_init(&x->probe, probe_timer, x);
	snprintf(x->dom, sizeof(x->dom), "%s%s", c->domain ? "" :
	    LV_DOMAIN_PREFIX, c->domain ? c->domain : s->name);
	x->next = B.all;
	B.all = x;
	s->bk = x;
	/* A path missing here may exist on a remote host: kept as given. */
	if (c->image != NULL && (x->image = realpath(c->image, NULL)) == NULL &&
	    (x->image = strdup(c->image)) == NULL) {
		snprintf(why, whylen, "out of memory");
		svc_free(x);
		return -ENOMEM;
	}
	for (i = 0; i < c->nhostv; i++) {
		if ((h = hostrec_get(c->hostp[i])) < 0) {
			snprintf(why, whylen, "out of memory");
			svc_free(x);
			return h;
		}
		x->hv[x->nhv++] = h;
	}
	if ((x->direct = can_be_direct(c))) {
		x->guest = c->addrs[0].a.v4;
		if ((r = direct_open(x, why, whylen)) < 0) {
			svc_free(x);
			return r;
		}
	} else if (c->image != NULL &&
	    ((x->relay = lv_relay_new(svc_loop(s), s->name)) == NULL ||
	    (r = front_open(x, why, whylen)) < 0)) {
		if (x->relay == NULL)
			snprintf(why, whylen, "out of memory");
		svc_free(x);
		return r < 0 ? r : -ENOMEM;
	}
	rewarm(x);
	return 0;
}

static void
libvirt_release(struct service *s)
{
	struct lv_svc *x = L(s);
	const struct cfg_service *c = s->cfg;

	if (x == NULL)
		return;
	if (x->inst != I_NONE && on_host(x) != NULL) {
		/* Queued: the worker runs it even after the service is
		 * gone, and at exit jitsud waits a moment for it. */
		submit(x, LV_OP_DESTROY, NULL);
	}
	instance_gone(x);
	for (int i = 0; i < c->naddrs && x->relay != NULL; i++)
		net_addr_remove(&c->addrs[i]);
	svc_free(x);
}

/* --- re-adoption --- */

/* Enough for a later jitsud to find the domain again: its host, name
 * and uuid, and the guest's address (a relayed guest's is taken back
 * from the pool). */
static int
libvirt_record(struct service *s, char *rec, size_t cap, size_t *len)
{
	struct lv_svc *x = L(s);
	char a[INET_ADDRSTRLEN];
	int r = 0;

	if (x == NULL || x->inst != I_UP || x->uuid[0] == '\0' ||
	    on_host(x) == NULL)
		return -ESRCH;
	r |= ctl_rec_add(rec, cap, len, "host", "%s", on_host(x)->name);
	r |= ctl_rec_add(rec, cap, len, "uri", "%s", on_host(x)->uri);
	r |= ctl_rec_add(rec, cap, len, "domain", "%s", x->dom);
	r |= ctl_rec_add(rec, cap, len, "uuid", "%s", x->uuid);
	r |= ctl_rec_add(rec, cap, len, "memory", "%llu",
	    (unsigned long long)x->mem);
	r |= ctl_rec_add(rec, cap, len, "path", "%s", x->direct ? "direct" :
	    x->relay != NULL ? "relayed" : "none");
	if (x->has_guest || x->direct)
		r |= ctl_rec_add(rec, cap, len, "guest", "%s",
		    inet_ntop(AF_INET, &x->guest, a, sizeof(a)));
	return r ? -ENOSPC : 0;
}

/*
 * A domain an earlier jitsud started outlives it under libvirtd. Take
 * it back without talking to libvirt here (hosts connect later, on
 * their threads): prepared as usual, the instance is up but unknown,
 * and the lookup every unknown instance gets when its host answers says
 * whether it still runs. Direct, the route is the guest's tap's again at
 * once (it kept it if nothing changed): its connections never stopped.
 */
static int
libvirt_adopt(struct service *s, const char *rec, size_t len, bool keep,
    char *why, size_t whylen)
{
	struct lv_svc *x;
	struct hostrec *hr = NULL;
	struct in_addr guest;
	char host[128], uri[1024], dom[96], uuid[40], path[16], v[64];
	bool has_guest;
	int i;

	if (!svc_record_get(rec, len, "host", host, sizeof(host)) ||
	    !svc_record_get(rec, len, "uri", uri, sizeof(uri)) ||
	    !svc_record_get(rec, len, "domain", dom, sizeof(dom)) ||
	    !svc_record_get(rec, len, "uuid", uuid, sizeof(uuid)) ||
	    !svc_record_get(rec, len, "path", path, sizeof(path)))
		return 0;
	has_guest = svc_record_get(rec, len, "guest", v, sizeof(v)) &&
	    inet_pton(AF_INET, v, &guest) == 1;
	if (libvirt_prepare(s, why, whylen) < 0)
		return 0;	/* prepared again, and failed, by the caller */
	x = L(s);
	for (i = 0; i < x->nhv && x->on < 0; i++)
		if (strcmp(B.hosts[x->hv[i]]->name, host) == 0 &&
		    strcmp(B.hosts[x->hv[i]]->uri, uri) == 0)
			x->on = x->hv[i];
	if ((hr = on_host(x)) == NULL) {
		snprintf(why, whylen, "domain %s is on host %s, no longer one "
		    "of the service's: left alone", dom, host);
		libvirt_release(s);
		return 0;
	}
	snprintf(x->dom, sizeof(x->dom), "%s", dom);
	snprintf(x->uuid, sizeof(x->uuid), "%s", uuid);
	svc_record_get(rec, len, "memory", v, sizeof(v));
	x->mem = strtoull(v, NULL, 10);
	hr->place.used += x->mem;
	x->inst = I_UP;
	x->unknown = x->adopted = true;
	if (!keep || strcmp(path, x->direct ? "direct" : x->relay != NULL ?
	    "relayed" : "none") != 0) {
		/* The release destroys it, once its host answers. */
		snprintf(why, whylen, "the configuration changed: domain %s "
		    "on host %s destroyed", dom, host);
		libvirt_release(s);
		return 0;
	}
	if (x->direct)
		direct_attach(x, false);
	else if (has_guest && lv_pool_take(&hr->pool, guest) == 0) {
		x->guest = guest;
		x->has_guest = true;
	}
	x->serving = x->has_guest;
	update_interest(x);
	if (hr->place.state == LV_HOST_UP)
		submit(x, LV_OP_LOOKUP, NULL);
	snprintf(why, whylen, "adopted domain %s on host %s; checked when "
	    "the host answers", dom, host);
	return 1;
}

const struct backend_ops backend_libvirt = {
	.name = "libvirt",
	.prepare = libvirt_prepare,
	.start = libvirt_start,
	.stop = libvirt_stop,
	.suspend = libvirt_suspend,
	.resume = libvirt_resume,
	.reset_held = libvirt_reset_held,
	.connections = libvirt_connections,
	.watch = libvirt_watch,
	.record = libvirt_record,
	.adopt = libvirt_adopt,
	.describe = libvirt_describe,
	.release = libvirt_release,
};
