/*
 * backend/uid.h - the host uids services run as, one allocator for every
 * backend: an exec service's sandbox (root inside = this uid outside) and
 * a qemu service's QEMU both take their uid here, so no two services ever
 * share one, whatever their backends, and one tenant's process can never
 * signal, ptrace or stop another's.
 *
 * A name hashes into [base, base + range) and probes upwards (wrapping)
 * past uids other names hold: a service keeps its uid across restarts and
 * reloads while it lives, and usually across jitsud restarts. Takes are
 * counted per name (a reload prepares the new service before the old one
 * is released); the uid is free again when the last is put back.
 *
 * The range must belong to nobody else: uid_conflict() says where it
 * overlaps /etc/subuid, /etc/subgid (rootless containers' ranges), or a
 * user or group; the configuration refuses such a range (config/check.c).
 */
#ifndef BACKEND_UID_H
#define BACKEND_UID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Past the ranges useradd hands out in /etc/subuid (100000 up, 65536
 * each) and systemd-nspawn picks (524288 to 0x6fffffff), below 2^31
 * (which some tools read as negative). */
#define UID_BASE_DEFAULT	1879048192u
#define UID_RANGE_DEFAULT	65536u
#define UID_RANGE_MAX		(1u << 20)

struct uid_ent;

struct uid_pool {
	uint32_t	 base;
	uint32_t	 range;
	uint64_t	*taken;		/* bitmap over the range */
	struct uid_ent	*tab;		/* open addressing by name */
	size_t		 cap, used, tombs;
};

/* Pure: FNV-1a of NAME, the start of its probe. */
uint32_t uid_hash(const char *name);

int	uid_pool_init(struct uid_pool *p, uint32_t base, uint32_t range);
void	uid_pool_fini(struct uid_pool *p);
/* NAME's uid (the one it holds, or a free one); -EAGAIN when the range
 * is full, -ENOMEM. */
int64_t	uid_take(struct uid_pool *p, const char *name);
/* Gives back one take of NAME. */
void	uid_put(struct uid_pool *p, const char *name);
/* The uid NAME holds, or -ENOENT. */
int64_t	uid_of(const struct uid_pool *p, const char *name);
bool	uid_in_range(const struct uid_pool *p, uid_t uid);

/* jitsud's pool, made from [jitsud] uid_base / uid_range at the first
 * load (a later load with other values gets -EBUSY: running instances
 * hold uids of the first range). */
int	uid_pool_set(uint32_t base, uint32_t range);
struct uid_pool *uid_pool(void);

/* Kinds of id file uid_conflict_text reads. */
enum uid_file { UID_FILE_SUBID, UID_FILE_PASSWD, UID_FILE_GROUP };

/* Pure: the first entry of TEXT (an /etc/subuid-style "name:start:count"
 * file, or passwd/group) whose ids meet [base, base + range): 1 with it
 * described in WHY ("line 3: alice:100000:65536"), 0 when none does. */
int	uid_conflict_text(enum uid_file kind, const char *text, uint32_t base,
	    uint32_t range, char *why, size_t whylen);
/* The same over /etc/subuid, /etc/subgid, /etc/passwd and /etc/group
 * (missing files are no conflict); WHY names the file. */
int	uid_conflict(uint32_t base, uint32_t range, char *why, size_t whylen);

#endif
