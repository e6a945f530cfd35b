/*
 * backend/libvirt_place.c - where a libvirt start goes, and the guests'
 * addresses on each host. Pure; see libvirt.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/libvirt.h"

void
lv_pool_init(struct lv_pool *p, struct in_addr base, uint8_t prefix)
{
	p->base = ntohl(base.s_addr);
	p->prefix = prefix;
	p->size = prefix >= 32 ? 1 : 1U << (32 - prefix);
	p->used = 0;
	p->bits = NULL;
}

void
lv_pool_free(struct lv_pool *p)
{
	free(p->bits);
	p->bits = NULL;
	p->used = 0;
}

struct in_addr
lv_pool_gateway(const struct lv_pool *p)
{
	struct in_addr a = { htonl(p->base + 1) };

	return a;
}

/* The bitmap is made on first use: a host no start went to costs none.
 * A linear scan for the lowest free address is fine at the thousands of
 * guests one host can run. */
int
lv_pool_get(struct lv_pool *p, struct in_addr *a)
{
	uint32_t i;

	if (p->size < 4)
		return -ENOSPC;
	if (p->bits == NULL && (p->bits = calloc(p->size / 8 + 1, 1)) == NULL)
		return -ENOMEM;
	for (i = 2; i < p->size - 1; i++)
		if (!(p->bits[i / 8] & (1U << (i % 8)))) {
			p->bits[i / 8] |= (uint8_t)(1U << (i % 8));
			p->used++;
			a->s_addr = htonl(p->base + i);
			return 0;
		}
	return -ENOSPC;
}

int
lv_pool_take(struct lv_pool *p, struct in_addr a)
{
	uint32_t i = ntohl(a.s_addr) - p->base;

	if (p->size < 4 || i < 2 || i >= p->size - 1)
		return -ERANGE;
	if (p->bits == NULL && (p->bits = calloc(p->size / 8 + 1, 1)) == NULL)
		return -ENOMEM;
	if (p->bits[i / 8] & (1U << (i % 8)))
		return -EEXIST;
	p->bits[i / 8] |= (uint8_t)(1U << (i % 8));
	p->used++;
	return 0;
}

void
lv_pool_put(struct lv_pool *p, struct in_addr a)
{
	uint32_t i = ntohl(a.s_addr) - p->base;

	if (p->bits == NULL || i < 2 || i >= p->size - 1 ||
	    !(p->bits[i / 8] & (1U << (i % 8))))
		return;
	p->bits[i / 8] &= (uint8_t)~(1U << (i % 8));
	p->used--;
}

static uint64_t
free_bytes(const struct lv_place_host *h)
{
	if (h->capacity == 0)
		return UINT64_MAX - h->used;
	return h->capacity > h->used ? h->capacity - h->used : 0;
}

static int
best(const struct lv_place_host *hosts, const int *cand, int ncand,
    uint64_t need, enum lv_hstate want, bool *reachable)
{
	int i, pick = -1;
	uint64_t f, most = 0;

	for (i = 0; i < ncand; i++) {
		const struct lv_place_host *h = &hosts[cand[i]];
		if (h->state != want)
			continue;
		*reachable = true;
		if (h->pool_full || (f = free_bytes(h)) < need)
			continue;
		if (pick < 0 || f > most) {
			pick = cand[i];
			most = f;
		}
	}
	return pick;
}

int
lv_place(const struct lv_place_host *hosts, const int *cand, int ncand,
    uint64_t need)
{
	bool reachable = false;
	int h;

	if ((h = best(hosts, cand, ncand, need, LV_HOST_UP, &reachable)) >= 0 ||
	    (h = best(hosts, cand, ncand, need, LV_HOST_CONNECTING,
	    &reachable)) >= 0)
		return h;
	return reachable ? -ENOSPC : -EHOSTDOWN;
}

bool
lv_uri_is_local(const char *uri)
{
	const char *p = strstr(uri, "://");

	return p != NULL && p[3] == '/';
}
