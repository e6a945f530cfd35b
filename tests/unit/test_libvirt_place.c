/*
 * Unit tests of libvirt placement (which host a start goes to) and of the
 * guests' address pool on a host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "backend/libvirt.h"
#include "tests/lib/t.h"

#define M	(1ULL << 20)

static void
most_free_wins(void)
{
	struct lv_place_host h[3] = {
		{ LV_HOST_UP, 256 * M, 192 * M, false },	/* 64 free */
		{ LV_HOST_UP, 512 * M, 128 * M, false },	/* 384 free */
		{ LV_HOST_UP, 128 * M, 0, false },		/* 128 free */
	};
	int all[] = { 0, 1, 2 }, two[] = { 0, 2 };

	T_EQ(lv_place(h, all, 3, 64 * M), 1);
	/* Only the listed hosts count. */
	T_EQ(lv_place(h, two, 2, 64 * M), 2);
	/* Room is room: 64 M free takes exactly 64 M. */
	T_EQ(lv_place(h, (int[]){ 0 }, 1, 64 * M), 0);
	T_EQ(lv_place(h, (int[]){ 0 }, 1, 65 * M), -ENOSPC);
	/* Ties go to the first listed. */
	h[1].used = 448 * M;
	h[2].used = 64 * M;
	T_EQ(lv_place(h, (int[]){ 2, 0, 1 }, 3, 32 * M), 2);
	T_EQ(lv_place(h, (int[]){ 1, 2, 0 }, 3, 32 * M), 1);
}

static void
down_hosts_skipped(void)
{
	struct lv_place_host h[2] = {
		{ LV_HOST_DOWN, 0, 0, false },		/* unlimited, but down */
		{ LV_HOST_UP, 128 * M, 64 * M, false },
	};
	int both[] = { 0, 1 };

	T_EQ(lv_place(h, both, 2, 64 * M), 1);
	T_EQ(lv_place(h, both, 2, 128 * M), -ENOSPC);
	h[1].state = LV_HOST_DOWN;
	T_EQ(lv_place(h, both, 2, 1), -EHOSTDOWN);
	T_EQ(lv_place(h, both, 0, 1), -EHOSTDOWN);
	/* A host marked down and back up is used again. */
	h[0].state = LV_HOST_UP;
	T_EQ(lv_place(h, both, 2, 1ULL << 40), 0);
}

static void
connecting_only_as_last_resort(void)
{
	struct lv_place_host h[2] = {
		{ LV_HOST_CONNECTING, 0, 0, false },
		{ LV_HOST_UP, 128 * M, 0, false },
	};
	int both[] = { 0, 1 };

	/* An up host with room beats a connecting one with more room. */
	T_EQ(lv_place(h, both, 2, 64 * M), 1);
	/* Up but full: wait for the one connecting. */
	T_EQ(lv_place(h, both, 2, 256 * M), 0);
	h[1].state = LV_HOST_CONNECTING;
	T_EQ(lv_place(h, both, 2, 64 * M), 0);
}

static void
unlimited_and_pool_full(void)
{
	struct lv_place_host h[2] = {
		{ LV_HOST_UP, 0, 900 * M, false },	/* no memory = */
		{ LV_HOST_UP, 1024 * M, 0, false },
	};
	int both[] = { 0, 1 };

	T_EQ(lv_place(h, both, 2, 64 * M), 0);
	h[0].pool_full = true;
	T_EQ(lv_place(h, both, 2, 64 * M), 1);
	h[1].pool_full = true;
	T_EQ(lv_place(h, both, 2, 64 * M), -ENOSPC);
}

static void
pool(void)
{
	struct lv_pool p;
	struct in_addr base, a, b, c, gw;
	char s[INET_ADDRSTRLEN];

	inet_pton(AF_INET, "10.98.0.0", &base);
	lv_pool_init(&p, base, 29);		/* .0-.7: guests .2-.6 */
	gw = lv_pool_gateway(&p);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &gw, s, sizeof(s)), "10.98.0.1") == 0);
	T_EQ(lv_pool_get(&p, &a), 0);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &a, s, sizeof(s)), "10.98.0.2") == 0);
	T_EQ(lv_pool_get(&p, &b), 0);
	T_EQ(lv_pool_get(&p, &c), 0);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &c, s, sizeof(s)), "10.98.0.4") == 0);
	/* The lowest free comes back first. */
	lv_pool_put(&p, b);
	T_EQ(p.used, 2);
	T_EQ(lv_pool_get(&p, &b), 0);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &b, s, sizeof(s)), "10.98.0.3") == 0);
	T_EQ(lv_pool_get(&p, &c), 0);
	T_EQ(lv_pool_get(&p, &c), 0);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &c, s, sizeof(s)), "10.98.0.6") == 0);
	/* Never the broadcast address. */
	T_EQ(lv_pool_get(&p, &c), -ENOSPC);
	T_EQ(p.used, 5);
	/* Putting back what is not ours changes nothing. */
	lv_pool_put(&p, gw);
	inet_pton(AF_INET, "10.99.0.3", &c);
	lv_pool_put(&p, c);
	T_EQ(p.used, 5);
	lv_pool_put(&p, a);
	lv_pool_put(&p, a);
	T_EQ(p.used, 4);
	lv_pool_free(&p);
	/* A /30 has one guest; a network too small for any has none. */
	lv_pool_init(&p, base, 30);
	T_EQ(lv_pool_get(&p, &a), 0);
	T_EQ(lv_pool_get(&p, &a), -ENOSPC);
	lv_pool_free(&p);
	lv_pool_init(&p, base, 31);
	T_EQ(lv_pool_get(&p, &a), -ENOSPC);
	lv_pool_free(&p);
	/* Taking an address back (re-adoption): it is skipped by gets,
	 * taken once, and only a guest address of the network. */
	lv_pool_init(&p, base, 29);
	inet_pton(AF_INET, "10.98.0.2", &c);
	T_EQ(lv_pool_take(&p, c), 0);
	T_EQ(lv_pool_take(&p, c), -EEXIST);
	T_EQ(lv_pool_get(&p, &a), 0);
	T_ASSERT(strcmp(inet_ntop(AF_INET, &a, s, sizeof(s)), "10.98.0.3") == 0);
	T_EQ(p.used, 2);
	T_EQ(lv_pool_take(&p, gw), -ERANGE);
	inet_pton(AF_INET, "10.98.0.7", &c);	/* broadcast */
	T_EQ(lv_pool_take(&p, c), -ERANGE);
	inet_pton(AF_INET, "10.99.0.3", &c);
	T_EQ(lv_pool_take(&p, c), -ERANGE);
	lv_pool_free(&p);
}

/* Which hosts' guests a tap of jitsud's can reach. */
static void
local_uris(void)
{
	T_ASSERT(lv_uri_is_local("qemu:///system"));
	T_ASSERT(lv_uri_is_local("qemu:///session"));
	T_ASSERT(lv_uri_is_local("xen:///system"));
	T_ASSERT(lv_uri_is_local("qemu+unix:///system?socket=/t/lv-a/libvirt-sock"));
	T_ASSERT(!lv_uri_is_local("qemu+tcp://10.99.0.2/system"));
	T_ASSERT(!lv_uri_is_local("qemu+ssh://root@b.example/system"));
	T_ASSERT(!lv_uri_is_local("xen+ssh://h/"));
	T_ASSERT(lv_uri_is_local("test:///default"));
	T_ASSERT(!lv_uri_is_local("qemu"));
	T_ASSERT(!lv_uri_is_local(""));
}

int
main(void)
{
	T_RUN(most_free_wins);
	T_RUN(down_hosts_skipped);
	T_RUN(connecting_only_as_last_resort);
	T_RUN(unlimited_and_pool_full);
	T_RUN(pool);
	T_RUN(local_uris);
	return t_done();
}
