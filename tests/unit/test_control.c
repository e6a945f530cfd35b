/* Unit tests of the control protocol's packets and records. */
#include <errno.h>
#include <string.h>

#include "control/proto.h"
#include "tests/lib/t.h"

static void
pack_unpack_round_trip(void)
{
	uint8_t buf[CTL_MAX_MSG];
	struct ctl_hdr h;
	const char *p;
	int n = ctl_pack(buf, CTL_STATUS, 0, "www", 3);

	T_ASSERT(n > 0);
	T_EQ(ctl_unpack(buf, (size_t)n, &h, &p), 0);
	T_EQ(h.type, CTL_STATUS);
	T_EQ(h.len, 3);
	T_ASSERT(memcmp(p, "www", 3) == 0);
}

static void
unpack_rejects_bad_packets(void)
{
	uint8_t buf[CTL_MAX_MSG];
	struct ctl_hdr h;
	const char *p;
	int n = ctl_pack(buf, CTL_LIST, 0, NULL, 0);

	T_EQ(ctl_unpack(buf, (size_t)n - 1, &h, &p), -EBADMSG);	/* short */
	T_EQ(ctl_unpack(buf, (size_t)n + 1, &h, &p), -EBADMSG);	/* len lies */
	buf[0] ^= 1;
	T_EQ(ctl_unpack(buf, (size_t)n, &h, &p), -EBADMSG);	/* magic */
	buf[0] ^= 1;
	buf[6] = 99;						/* type */
	T_EQ(ctl_unpack(buf, (size_t)n, &h, &p), -EBADMSG);
	T_EQ(ctl_pack(buf, CTL_RECORD, 0, (const char *)buf, CTL_MAX_MSG),
	    -EMSGSIZE);
}

static void
names(void)
{
	T_ASSERT(ctl_name_ok("www", 3));
	T_ASSERT(!ctl_name_ok("", 0));
	T_ASSERT(!ctl_name_ok("a b", 3));
	T_ASSERT(!ctl_name_ok("a\nb", 3));
	T_ASSERT(!ctl_name_ok("a=b", 3));
	T_EQ(ctl_type_of("suspend"), CTL_SUSPEND);
	T_EQ(ctl_type_of("explode"), 0);
}

static void
records(void)
{
	char rec[64], k[16], v[16];
	size_t len = 0;
	const char *p;

	T_EQ(ctl_rec_add(rec, sizeof(rec), &len, "name", "%s", "www"), 0);
	T_EQ(ctl_rec_add(rec, sizeof(rec), &len, "log", "two\nlines"), 0);
	T_EQ(ctl_rec_add(rec, sizeof(rec), &len, "big", "%060d", 1), -ENOSPC);
	p = rec;
	T_EQ(ctl_rec_next(&p, rec + len, k, sizeof(k), v, sizeof(v)), 1);
	T_ASSERT(strcmp(k, "name") == 0 && strcmp(v, "www") == 0);
	T_EQ(ctl_rec_next(&p, rec + len, k, sizeof(k), v, sizeof(v)), 1);
	T_ASSERT(strcmp(k, "log") == 0 && strcmp(v, "two") == 0);
	T_EQ(ctl_rec_next(&p, rec + len, k, sizeof(k), v, sizeof(v)), 0);
}

int
main(void)
{
	T_RUN(pack_unpack_round_trip);
	T_RUN(unpack_rejects_bad_packets);
	T_RUN(names);
	T_RUN(records);
	return t_done();
}
