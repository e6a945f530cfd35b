/* service/persist.c - see persist.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
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

/*
 * The state folder, opened without following a symlink in its last
 * component (config/folder.c vetted the rest at load) and made (0700) if
 * missing. Every record is then named relative to this fd, so a symlink
 * planted in the folder is never followed.
 */
static int
open_dir(const char *dir, bool make)
{
	int dfd;
	struct stat st;

	if (make && mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -errno;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT && !make ? -ENOENT : -errno;
	/* Checked at load; looked at again here, where a folder someone
	 * else made since (in a sticky /tmp) would show. */
	if (fstat(dfd, &st) == -1 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0) {
		close(dfd);
		return -EPERM;
	}
	return dfd;
}

static int
name_of(const char *name, const char *suffix, char *out, size_t cap)
{
	if (strchr(name, '/') != NULL || name[0] == '.')
		return -EINVAL;
	if ((size_t)snprintf(out, cap, "%s.instance%s", name, suffix) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static int
write_at(int dfd, const char *name, const char *tmp, const char *rec,
    size_t len)
{
	int fd, r = 0;

	/* Whatever holds the temporary name (a file left by a crash, or a
	 * symlink someone planted) goes: unlinkat removes a symlink, not
	 * what it points to; O_EXCL | O_NOFOLLOW then makes a fresh file
	 * or fails. */
	if (unlinkat(dfd, tmp, 0) == -1 && errno != ENOENT)
		return -errno;
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return -errno;
	/* No fsync: the record matters across a jitsud restart, and a host
	 * reboot ends the instances it describes anyway. */
	if (write(fd, rec, len) != (ssize_t)len)
		r = errno ? -errno : -EIO;
	close(fd);
	if (r == 0 && renameat(dfd, tmp, dfd, name) == -1)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	return r;
}

int
svc_record_write(const char *dir, const char *name, const char *rec,
    size_t len)
{
	char path[300], tmp[300];
	int dfd, r;

	if (dir == NULL)
		return 0;
	if ((r = name_of(name, "", path, sizeof(path))) < 0 ||
	    (r = name_of(name, ".tmp", tmp, sizeof(tmp))) < 0)
		return r;
	if ((dfd = open_dir(dir, rec != NULL)) < 0)
		return dfd == -ENOENT ? 0 : dfd;
	if (rec == NULL)
		r = unlinkat(dfd, path, 0) == -1 && errno != ENOENT ? -errno : 0;
	else
		r = write_at(dfd, path, tmp, rec, len);
	close(dfd);
	return r;
}

int
svc_record_read(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[300];
	struct stat st;
	ssize_t n;
	int dfd, fd, r;

	if (dir == NULL)
		return 0;
	if ((r = name_of(name, "", path, sizeof(path))) < 0)
		return r;
	if ((dfd = open_dir(dir, false)) < 0)
		return dfd == -ENOENT ? 0 : dfd;
	/* Not a symlink, not a FIFO that would block the loop: a regular
	 * file of jitsud's, written by jitsud. */
	fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd == -1)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		close(fd);
		return -EPERM;
	}
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
