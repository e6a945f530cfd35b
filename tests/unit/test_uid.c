/* Unit tests of the uid allocator every backend shares (backend/uid.h),
 * of the check that its range is nobody else's, and of the keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/uid.h"
#include "config/config.h"
#include "tests/lib/t.h"

static void
stable_per_name(void)
{
	struct uid_pool p, q;
	int64_t a, b, a2;

	T_EQ(uid_pool_init(&p, 200000, 1000), 0);
	T_EQ(uid_pool_init(&q, 200000, 1000), 0);
	a = uid_take(&p, "www");
	b = uid_take(&p, "db");
	T_ASSERT(a >= 200000 && a < 201000);
	T_ASSERT(b >= 200000 && b < 201000);
	T_ASSERT(a != b);
	/* the hash, not the order of starts, decides */
	T_EQ(uid_take(&q, "db"), b);
	T_EQ(uid_take(&q, "www"), a);
	T_EQ(a, 200000 + uid_hash("www") % 1000);
	/* a second take of one name (a reload) is the same uid, counted */
	T_EQ(uid_take(&p, "www"), a);
	uid_put(&p, "www");
	T_EQ(uid_of(&p, "www"), a);
	uid_put(&p, "www");
	T_EQ(uid_of(&p, "www"), -ENOENT);
	/* given back and taken again: the same uid */
	a2 = uid_take(&p, "www");
	T_EQ(a2, a);
	T_ASSERT(uid_in_range(&p, (uid_t)a));
	T_ASSERT(!uid_in_range(&p, 199999));
	T_ASSERT(!uid_in_range(&p, 201000));
	uid_pool_fini(&p);
	uid_pool_fini(&q);
}

/* Every name in a full range gets its own uid, collisions probe on, and
 * the range says when it is full. */
static void
never_shared(void)
{
	struct uid_pool p;
	char name[32], seen[64] = { 0 };
	int64_t u;
	int i;

	T_EQ(uid_pool_init(&p, 300000, 64), 0);
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "svc%d", i);
		u = uid_take(&p, name);
		T_ASSERT(u >= 300000 && u < 300064);
		T_EQ(seen[u - 300000], 0);
		seen[u - 300000] = 1;
	}
	T_EQ(uid_take(&p, "one-too-many"), -EAGAIN);
	/* names given back are free for others; the rest keep theirs */
	u = uid_of(&p, "svc7");
	uid_put(&p, "svc7");
	T_EQ(uid_take(&p, "newcomer"), u);
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "svc%d", i);
		if (i != 7)
			T_ASSERT(uid_of(&p, name) >= 300000);
	}
	/* many gives and takes: the table's tombstones do not lose names */
	for (i = 0; i < 1000; i++) {
		uid_put(&p, "newcomer");
		T_ASSERT(uid_take(&p, "newcomer") >= 300000);
	}
	T_EQ(uid_of(&p, "svc63") >= 300000, 1);
	uid_pool_fini(&p);
}

static void
bad_ranges(void)
{
	struct uid_pool p;

	T_EQ(uid_pool_init(&p, 0, 10), -EINVAL);
	T_EQ(uid_pool_init(&p, 100, 0), -EINVAL);
	T_EQ(uid_pool_init(&p, 4294967290u, 100), -EINVAL);
	T_EQ(uid_pool_init(&p, 100, UID_RANGE_MAX + 1), -EINVAL);
	T_EQ(uid_take(NULL, "x"), -ENOMEM);
}

static void
conflicts(void)
{
	static const char subuid[] = "# comment\nalice:100000:65536\n"
	    "bob:165536:65536\n";
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
	    "svc:x:1879050000:100:svc:/:/bin/false\n";
	static const char passwd_gid[] = "a:x:1000:300005:a:/:/bin/sh\n";
	static const char group[] = "root:x:0:\nwheel:x:300010:alice\n";
	char why[128];

	T_EQ(uid_conflict_text(UID_FILE_SUBID, subuid, 100000, 10, why,
	    sizeof(why)), 1);
	T_ASSERT(strcmp(why, "line 2: alice:100000:65536") == 0);
	/* the last uid of bob's range, and the first past it */
	T_EQ(uid_conflict_text(UID_FILE_SUBID, subuid, 231071, 10, why,
	    sizeof(why)), 1);
	T_EQ(uid_conflict_text(UID_FILE_SUBID, subuid, 231072, 10, why,
	    sizeof(why)), 0);
	T_EQ(uid_conflict_text(UID_FILE_SUBID, subuid, 90000, 10000, why,
	    sizeof(why)), 0);
	T_EQ(uid_conflict_text(UID_FILE_SUBID, subuid, 90000, 10001, why,
	    sizeof(why)), 1);
	T_EQ(uid_conflict_text(UID_FILE_PASSWD, passwd, UID_BASE_DEFAULT,
	    UID_RANGE_DEFAULT, why, sizeof(why)), 1);
	T_ASSERT(strncmp(why, "line 2: svc:x:1879050000", 24) == 0);
	T_EQ(uid_conflict_text(UID_FILE_PASSWD, passwd, 200, 100, why,
	    sizeof(why)), 0);
	T_EQ(uid_conflict_text(UID_FILE_PASSWD, passwd_gid, 300000, 10, why,
	    sizeof(why)), 1);
	T_EQ(uid_conflict_text(UID_FILE_GROUP, group, 300000, 10, why,
	    sizeof(why)), 0);
	T_EQ(uid_conflict_text(UID_FILE_GROUP, group, 300000, 11, why,
	    sizeof(why)), 1);
	T_EQ(uid_conflict_text(UID_FILE_SUBID, "junk\n::\nx:y:z\n", 0, 100,
	    why, sizeof(why)), 0);
}

static struct config *
parse(const char *text)
{
	struct config *c = config_new();

	config_parse_string(c, "t.conf", text);
	config_check(c);
	return c;
}

static int
has_error_prefix(const struct config *c, const char *want)
{
	for (int i = 0; i < c->nerrors; i++)
		if (strncmp(c->errors[i], want, strlen(want)) == 0)
			return 1;
	for (int i = 0; i < c->nerrors; i++)
		printf("  (error was: %s)\n", c->errors[i]);
	return 0;
}

/* The keys, and a range over root's uid refused at its line (every
 * /etc/passwd has root; the host's files are read, nothing written). */
static void
keys(void)
{
	struct config *c;

	c = parse("[jitsud]\nuid_base = 3000000000\nuid_range = 1000\n");
	T_EQ(c->nerrors, 0);
	T_EQ(c->d.uid_base, 3000000000u);
	T_EQ(c->d.uid_range, 1000);
	config_free(c);
	c = parse("[jitsud]\n");
	T_EQ(c->d.uid_base, UID_BASE_DEFAULT);
	T_EQ(c->d.uid_range, UID_RANGE_DEFAULT);
	config_free(c);
	c = parse("[jitsud]\nzone = x.test\nuid_base = 1\nuid_range = 10\n");
	T_ASSERT(has_error_prefix(c, "t.conf:3: uids 1-10 (uid_base, "
	    "uid_range) overlap /etc/"));
	config_free(c);
	c = parse("[jitsud]\nuid_range = 10\nuid_base = 0\n");
	T_ASSERT(has_error_prefix(c, "t.conf:3: uid_base = 0"));
	config_free(c);
	c = parse("[jitsud]\nuid_base = 4294967000\nuid_range = 1000\n");
	T_ASSERT(has_error_prefix(c, "t.conf:2: uid_base = 4294967000"));
	config_free(c);
	c = parse("[jitsud]\nuid_range = 2000000\n");
	T_ASSERT(c->nerrors > 0);
	config_free(c);
}

int
main(void)
{
	T_RUN(stable_per_name);
	T_RUN(never_shared);
	T_RUN(bad_ranges);
	T_RUN(conflicts);
	T_RUN(keys);
	return t_done();
}
