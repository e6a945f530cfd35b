/*
 * net/tap_hold.c - holding a VM's first connections in its tap.
 *
 * While jitsud holds the tap's descriptor, frames the host routes to the
 * guest queue in the tap until a reader takes them: that queue is where
 * a connection waits while the VM is stopped or booting. jitsud never
 * reads the frames it wants to keep; a packet socket on the tap gets a
 * copy of each wake-up frame (the kernel filter of net_frame_wake_filter)
 * and that copy is the wake-up. The one time jitsud takes frames out is
 * to put the sacrificial frame back at the head of the queue, or to
 * refuse held connections with resets. See net.h.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"

/* A tap's queue holds 500 frames (tun's default tx_queue_len); a
 * larger one is cut there. */
#define HOLD_MAX	1024
#define FRAME_MAX	65536

int
net_tap_watch(struct net_tap *t, bool on)
{
	struct sockaddr_ll sll;

	if (t->pfd == -1 || t->watching == on)
		return 0;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = t->ifindex;
	/* Rebinding to protocol 0 unhooks the socket from the device: a
	 * running VM's traffic is not even cloned for it. */
	sll.sll_protocol = on ? htons(ETH_P_ALL) : 0;
	if (bind(t->pfd, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		return -errno;
	t->watching = on;
	if (!on)
		net_tap_watch_drain(t);
	return 0;
}

int
net_tap_watch_drain(struct net_tap *t)
{
	char buf[128];
	int n = 0;

	while (recv(t->pfd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		n++;
	return n;
}

static int
inject(struct net_tap *t, const uint8_t *f, size_t len)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = t->ifindex;
	sll.sll_protocol = len >= 14 ? htons((uint16_t)(f[12] << 8 | f[13])) : 0;
	/* Our own packet socket does not hear what it sends: re-queued
	 * frames wake nobody. */
	if (sendto(t->pfd, f, len, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) == -1)
		return -errno;
	return 0;
}

struct held {
	uint8_t		*data;
	size_t		 len[HOLD_MAX];
	size_t		 used, cap;
	int		 n;
};

static int
held_add(struct held *h, const uint8_t *f, size_t len)
{
	uint8_t *p;
	size_t cap;

	if (h->n == HOLD_MAX)
		return 0;
	if (h->used + len > h->cap) {
		cap = h->cap ? h->cap * 2 : 64 * 1024;
		while (cap < h->used + len)
			cap *= 2;
		if ((p = realloc(h->data, cap)) == NULL)
			return -ENOMEM;
		h->data = p;
		h->cap = cap;
	}
	memcpy(h->data + h->used, f, len);
	h->used += len;
	h->len[h->n++] = len;
	return 0;
}

void
net_tap_prime(struct net_tap *t)
{
	static uint8_t f[128];
	size_t m;

	if ((m = net_frame_junk(f, sizeof(f), t->guest_mac)) > 0)
		inject(t, f, m);
	if ((m = net_frame_arp_request(f, sizeof(f), t->mac, &t->gateway,
	    t->guest_mac, &t->guest)) > 0)
		inject(t, f, m);
}

/* Take every frame out of from's queue and put it, per mode, into to's
 * (the same tap for a requeue; see net.h). */
static int
drain(struct net_tap *from, struct net_tap *to, enum net_hold mode,
    bool fresh, int *wake, int *resets, int *moved)
{
	static uint8_t f[FRAME_MAX], rst[64];
	struct held *h;
	size_t off = 0, m;
	ssize_t n;
	int i, r = 0;

	*wake = *resets = *moved = 0;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -ENOMEM;
	while ((n = read(from->fd, f, sizeof(f))) > 0) {
		switch (net_frame_kind(f, (size_t)n)) {
		case NET_FRAME_JUNK:
			continue;	/* one fresh one goes first below */
		case NET_FRAME_WAKE:
			(*wake)++;
			break;
		default:
			break;
		}
		if (mode == NET_HOLD_RESET) {
			/* Written to the tap, the reset reaches the host as
			 * if the guest had sent it. */
			if ((m = net_frame_tcp_reset(f, (size_t)n, rst,
			    sizeof(rst))) > 0 &&
			    write(from->fd, rst, m) == (ssize_t)m)
				(*resets)++;
		} else if ((r = held_add(h, f, (size_t)n)) < 0)
			break;
	}
	if (n < 0 && errno != EAGAIN && r == 0)
		r = -errno;
	if (fresh)
		net_tap_prime(to);
	for (i = 0; i < h->n; i++) {
		if (inject(to, h->data + off, h->len[i]) == 0)
			(*moved)++;
		off += h->len[i];
	}
	free(h->data);
	free(h);
	return r;
}

int
net_tap_requeue(struct net_tap *t, enum net_hold mode, bool fresh, int *wake,
    int *resets)
{
	int moved;

	return drain(t, t, mode, fresh, wake, resets, &moved);
}

int
net_tap_move(struct net_tap *from, struct net_tap *to, int *moved)
{
	int wake, resets;

	return drain(from, to, NET_HOLD_KEEP, false, &wake, &resets, moved);
}
