/* backend/uid.c - see uid.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/uid.h"

struct uid_ent {
	char		*name;		/* NULL: empty or (dead) a tombstone */
	uint32_t	 off;		/* uid - base */
	uint32_t	 refs;
	bool		 dead;
};

uint32_t
uid_hash(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 16777619u;
	}
	return h;
}

int
uid_pool_init(struct uid_pool *p, uint32_t base, uint32_t range)
{
	memset(p, 0, sizeof(*p));
	if (range == 0 || range > UID_RANGE_MAX || base == 0 ||
	    (uint64_t)base + range > 4294967295u)
		return -EINVAL;
	p->base = base;
	p->range = range;
	if ((p->taken = calloc((range + 63) / 64, sizeof(uint64_t))) == NULL)
		return -ENOMEM;
	return 0;
}

void
uid_pool_fini(struct uid_pool *p)
{
	for (size_t i = 0; i < p->cap; i++)
		free(p->tab[i].name);
	free(p->tab);
	free(p->taken);
	memset(p, 0, sizeof(*p));
}

/* The slot holding NAME, or NULL. */
static struct uid_ent *
find(const struct uid_pool *p, const char *name)
{
	size_t i, n;

	if (p->cap == 0)
		return NULL;
	for (i = uid_hash(name) & (p->cap - 1), n = 0; n < p->cap;
	    i = (i + 1) & (p->cap - 1), n++) {
		if (p->tab[i].name == NULL && !p->tab[i].dead)
			return NULL;
		if (p->tab[i].name != NULL && strcmp(p->tab[i].name, name) == 0)
			return &p->tab[i];
	}
	return NULL;
}

static void
place(struct uid_ent *tab, size_t cap, struct uid_ent e)
{
	size_t i = uid_hash(e.name) & (cap - 1);

	while (tab[i].name != NULL)
		i = (i + 1) & (cap - 1);
	tab[i] = e;
}

/* Keeps the table at most half full, tombstones counted. */
static int
grow(struct uid_pool *p)
{
	struct uid_ent *tab;
	size_t cap = p->cap ? p->cap : 16, i;

	if ((p->used + p->tombs + 1) * 2 <= p->cap)
		return 0;
	while ((p->used + 1) * 2 > cap)
		cap *= 2;
	if ((tab = calloc(cap, sizeof(*tab))) == NULL)
		return -ENOMEM;
	for (i = 0; i < p->cap; i++)
		if (p->tab[i].name != NULL)
			place(tab, cap, p->tab[i]);
	free(p->tab);
	p->tab = tab;
	p->cap = cap;
	p->tombs = 0;
	return 0;
}

static bool
is_taken(const struct uid_pool *p, uint32_t off)
{
	return p->taken[off / 64] & (1ULL << (off % 64));
}

int64_t
uid_take(struct uid_pool *p, const char *name)
{
	struct uid_ent *e, ne;
	uint32_t off, n;
	int r;

	if (p == NULL)
		return -ENOMEM;
	if ((e = find(p, name)) != NULL) {
		e->refs++;
		return (int64_t)p->base + e->off;
	}
	if (p->used >= p->range)
		return -EAGAIN;
	off = uid_hash(name) % p->range;
	for (n = 0; is_taken(p, off) && n < p->range; n++)
		off = off + 1 == p->range ? 0 : off + 1;
	if ((r = grow(p)) < 0)
		return r;
	ne = (struct uid_ent){ .name = strdup(name), .off = off, .refs = 1 };
	if (ne.name == NULL)
		return -ENOMEM;
	place(p->tab, p->cap, ne);
	p->taken[off / 64] |= 1ULL << (off % 64);
	p->used++;
	return (int64_t)p->base + off;
}

void
uid_put(struct uid_pool *p, const char *name)
{
	struct uid_ent *e;

	if (p == NULL || (e = find(p, name)) == NULL || --e->refs > 0)
		return;
	p->taken[e->off / 64] &= ~(1ULL << (e->off % 64));
	free(e->name);
	*e = (struct uid_ent){ .dead = true };
	p->used--;
	p->tombs++;
}

int64_t
uid_of(const struct uid_pool *p, const char *name)
{
	const struct uid_ent *e = find(p, name);

	return e != NULL ? (int64_t)p->base + e->off : -ENOENT;
}

bool
uid_in_range(const struct uid_pool *p, uid_t uid)
{
	return uid >= p->base && uid - p->base < p->range;
}

static struct uid_pool pool;

int
uid_pool_set(uint32_t base, uint32_t range)
{
	if (pool.taken != NULL)
		return base == pool.base && range == pool.range ? 0 : -EBUSY;
	return uid_pool_init(&pool, base, range);
}

struct uid_pool *
uid_pool(void)
{
	/* a backend used without a configuration (a test): the defaults */
	if (pool.taken == NULL &&
	    uid_pool_init(&pool, UID_BASE_DEFAULT, UID_RANGE_DEFAULT) < 0)
		return NULL;
	return &pool;
}

/* [lo, lo + n) meets [base, base + range)? */
static bool
meets(uint64_t lo, uint64_t n, uint32_t base, uint32_t range)
{
	return n > 0 && lo < (uint64_t)base + range && (uint64_t)base < lo + n;
}

/* Field I (0-based) of a ':'-separated line, as a number; -1 if none. */
static int64_t
field(const char *line, size_t len, int i)
{
	const char *p = line, *end = line + len;
	char *e;
	unsigned long long v;

	for (; i > 0 && p < end; p++)
		if (*p == ':')
			i--;
	if (i > 0 || p >= end || *p < '0' || *p > '9')
		return -1;
	v = strtoull(p, &e, 10);
	if (e > end || (e < end && *e != ':' && *e != '\n') || v > 4294967295u)
		return -1;
	return (int64_t)v;
}

int
uid_conflict_text(enum uid_file kind, const char *text, uint32_t base,
    uint32_t range, char *why, size_t whylen)
{
	const char *line = text, *nl;
	int64_t a, b;
	size_t len;
	int no = 0;
	bool hit;

	for (; *line != '\0'; line = nl ? nl + 1 : line + len) {
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		no++;
		if (len == 0 || line[0] == '#')
			continue;
		switch (kind) {
		case UID_FILE_SUBID:	/* name:start:count */
			a = field(line, len, 1);
			b = field(line, len, 2);
			hit = a >= 0 && b > 0 && meets((uint64_t)a, (uint64_t)b,
			    base, range);
			break;
		case UID_FILE_PASSWD:	/* name:x:uid:gid:... (gid too: the
					   sandbox maps gid = uid) */
			a = field(line, len, 2);
			b = field(line, len, 3);
			hit = (a >= 0 && meets((uint64_t)a, 1, base, range)) ||
			    (b >= 0 && meets((uint64_t)b, 1, base, range));
			break;
		default:		/* name:x:gid:members */
			a = field(line, len, 2);
			hit = a >= 0 && meets((uint64_t)a, 1, base, range);
			break;
		}
		if (hit) {
			snprintf(why, whylen, "line %d: %.*s", no,
			    (int)(len > 80 ? 80 : len), line);
			return 1;
		}
	}
	return 0;
}

static char *
slurp(const char *path)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				break;
			buf = nb;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

int
uid_conflict(uint32_t base, uint32_t range, char *why, size_t whylen)
{
	static const struct { const char *path; enum uid_file kind; } f[] = {
		{ "/etc/subuid", UID_FILE_SUBID },
		{ "/etc/subgid", UID_FILE_SUBID },
		{ "/etc/passwd", UID_FILE_PASSWD },
		{ "/etc/group", UID_FILE_GROUP },
	};
	char what[160];
	char *text;
	size_t i;
	int r;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if ((text = slurp(f[i].path)) == NULL)
			continue;
		r = uid_conflict_text(f[i].kind, text, base, range, what,
		    sizeof(what));
		free(text);
		if (r > 0) {
			snprintf(why, whylen, "%s %s", f[i].path, what);
			return 1;
		}
	}
	return 0;
}
