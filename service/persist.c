/* service/persist.c - see persist.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/proto.h"
#include "service/persist.h"

/* FNV-1a, 64 bits: a change detector, not a security boundary. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
fnv_str(uint64_t h, const char *s)
{
	return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

uint64_t
svc_shape_hash(const struct cfg_service *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	h = fnv(h, &c->backend, sizeof(c->backend));
	h = fnv_str(h, c->image);
	h = fnv_str(h, c->args);
	h = fnv(h, c->ports, sizeof(c->ports[0]) * (size_t)c->nports);
	for (i = 0; i < c->naddrs; i++) {
		h = fnv(h, &c->addrs[i].family, sizeof(int));
		h = fnv(h, &c->addrs[i].a, sizeof(c->addrs[i].a));
	}
	h = fnv(h, &c->memory, sizeof(c->memory));
	h = fnv(h, &c->pids, sizeof(c->pids));
	h = fnv(h, &c->cpu, sizeof(c->cpu));
	h = fnv(h, &c->sandbox, sizeof(c->sandbox));
	h = fnv(h, &c->cpus, sizeof(c->cpus));
	h = fnv_str(h, c->cmdline);
	h = fnv_str(h, c->initrd);
	h = fnv(h, &c->accel, sizeof(c->accel));
	return h;
}

static int
path_of(const char *dir, const char *name, const char *suffix, char *out,
    size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/%s.instance%s", dir, name, suffix) >=
	    cap)
		return -ENAMETOOLONG;
	return 0;
}

int
svc_record_write(const char *dir, const char *name, const char *rec,
    size_t len)
{
	char path[4096], tmp[4096];
	int fd, r;

	if (dir == NULL)
		return 0;
	if ((r = path_of(dir, name, "", path, sizeof(path))) < 0 ||
	    (r = path_of(dir, name, ".tmp", tmp, sizeof(tmp))) < 0)
		return r;
	if (rec == NULL)
		return unlink(path) == -1 && errno != ENOENT ? -errno : 0;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -errno;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1)
		return -errno;
	/* No fsync: the record matters across a jitsud restart, and a host
	 * reboot ends the instances it describes anyway. */
	if (write(fd, rec, len) != (ssize_t)len) {
		r = errno ? -errno : -EIO;
		close(fd);
		unlink(tmp);
		return r;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

int
svc_record_read(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[4096];
	ssize_t n;
	int fd, r;

	if (dir == NULL)
		return 0;
	if ((r = path_of(dir, name, "", path, sizeof(path))) < 0)
		return r;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, cap - 1);
	r = n < 0 ? -errno : (int)n;
	close(fd);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

int
svc_record_get(const char *rec, size_t len, const char *key, char *out,
    size_t cap)
{
	const char *p = rec;
	char k[64];

	while (ctl_rec_next(&p, rec + len, k, sizeof(k), out, cap))
		if (strcmp(k, key) == 0)
			return 1;
	out[0] = '\0';
	return 0;
}
