#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/files.h"

ssize_t
file_read(const char *path, char *buf, size_t len)
{
	size_t	off = 0;
	ssize_t	n;
	int	fd;

	if (len == 0)
		return -EINVAL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		off += n;
	}
	buf[off] = '\0';
	close(fd);
	return off;
}

int
file_read_all(const char *path, char **out)
{
	size_t	 cap = 4096, off = 0;
	char	*buf, *nbuf;
	ssize_t	 n;
	int	 fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -errno;
	if ((buf = malloc(cap)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (cap - off < 2) {
			if ((nbuf = realloc(buf, cap * 2)) == NULL) {
				e = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + off, cap - 1 - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			e = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		off += n;
	}
	buf[off] = '\0';
	close(fd);
	*out = buf;
	return 0;
fail:
	free(buf);
	close(fd);
	return e;
}

int
file_write(const char *dir, const char *name, const char *s)
{
	char	path[PATH_MAX];
	size_t	len = strlen(s);
	ssize_t	n;
	int	fd, e = 0;

	if (name != NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    sizeof(path))
			return -ENAMETOOLONG;
		dir = path;
	}
	if ((fd = open(dir, O_WRONLY | O_CLOEXEC)) == -1)
		return -errno;
	n = write(fd, s, len);
	if (n == -1)
		e = -errno;
	else if ((size_t)n != len)
		e = -EIO;
	close(fd);
	return e;
}

int
mkdir_p(const char *path, mode_t mode)
{
	char	buf[PATH_MAX], *p;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -errno;
		if (c == '\0')
			break;
		*p = c;
	}
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == -1 ? -errno : 0;
	return unlink(path) == -1 ? -errno : 0;
}

int
rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int
touch(const char *path, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd == -1)
		return -errno;
	close(fd);
	return 0;
}
