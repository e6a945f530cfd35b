/*
 * root.c - the skeleton root folder and mount plan (see root.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/errmsg.h"
#include "sandbox/files.h"
#include "sandbox/root.h"

static const char *const dev_nodes[] = {
	"null", "zero", "full", "random", "urandom"
};

/* Host folders a dynamically linked image (or a script's interpreter)
 * needs: merged-/usr hosts have symlinks for all but /usr. */
static const char *const lib_paths[] = {
	"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"
};

static char *
join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s%s", a, b) == -1 ? NULL : s;
}

/* Adds a bind of host SRC onto DIR+SRC (or DIR+DST when DST is set),
 * creating the mount point: a folder for a folder, a file otherwise. */
static int
add_bind(struct root *r, const char *src, const char *dst, char *err,
    size_t errlen)
{
	struct root_bind	*b;
	struct stat		 st;
	int			 e;

	if (r->nbinds == ROOT_MAX_BINDS)
		return errmsg(err, errlen, E2BIG, "too many binds");
	if (stat(src, &st) == -1)
		return errmsg(err, errlen, errno, "%s", src);
	b = &r->binds[r->nbinds];
	b->src = strdup(src);
	b->dst = join(r->dir, dst != NULL ? dst : src);
	if (b->src == NULL || b->dst == NULL) {
		free(b->src);
		free(b->dst);
		return errmsg(err, errlen, ENOMEM, "root");
	}
	r->nbinds++;
	if (S_ISDIR(st.st_mode))
		e = mkdir_p(b->dst, 0755);
	else {
		/* the file's folder first: /etc for /etc/ld.so.cache */
		*strrchr(b->dst, '/') = '\0';
		e = mkdir_p(b->dst, 0755);
		b->dst[strlen(b->dst)] = '/';
		if (e == 0)
			e = touch(b->dst, 0644);
	}
	if (e < 0)
		return errmsg(err, errlen, -e, "mount point %s", b->dst);
	return 0;
}

/* Copies the host's lib folders: symlinks as symlinks, folders as binds. */
static int
add_libs(struct root *r, char *err, size_t errlen)
{
	char		target[PATH_MAX], *link;
	struct stat	st;
	ssize_t		n;
	size_t		i;
	int		e;

	for (i = 0; i < sizeof(lib_paths) / sizeof(lib_paths[0]); i++) {
		if (lstat(lib_paths[i], &st) == -1)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(lib_paths[i], target, sizeof(target) - 1);
			if (n == -1)
				return errmsg(err, errlen, errno, "%s",
				    lib_paths[i]);
			target[n] = '\0';
			if ((link = join(r->dir, lib_paths[i])) == NULL)
				return errmsg(err, errlen, ENOMEM, "root");
			e = symlink(target, link) == -1 ? errno : 0;
			free(link);
			if (e != 0)
				return errmsg(err, errlen, e, "symlink %s",
				    lib_paths[i]);
		} else if (S_ISDIR(st.st_mode) &&
		    (e = add_bind(r, lib_paths[i], NULL, err, errlen)) < 0)
			return e;
	}
	if (access("/etc/ld.so.cache", F_OK) == 0)
		return add_bind(r, "/etc/ld.so.cache", NULL, err, errlen);
	return 0;
}

static int
add_dir(struct root *r, const char *sub, char **out, char *err,
    size_t errlen)
{
	char	*p;
	int	 e;

	if ((p = join(r->dir, sub)) == NULL)
		return errmsg(err, errlen, ENOMEM, "root");
	if ((e = mkdir_p(p, 0755)) < 0) {
		errmsg(err, errlen, -e, "mkdir %s", p);
		free(p);
		return e;
	}
	if (out != NULL)
		*out = p;
	else
		free(p);
	return 0;
}

int
root_prepare(struct root *r, const char *rundir, const char *name,
    const struct image_info *img, bool proc, uint64_t tmp_size, char *err,
    size_t errlen)
{
	char	path[PATH_MAX];
	size_t	i;
	int	e;

	memset(r, 0, sizeof(*r));
	if (asprintf(&r->dir, "%s/%s", rundir, name) == -1) {
		r->dir = NULL;
		return errmsg(err, errlen, ENOMEM, "root");
	}
	if ((e = rm_tree(r->dir)) < 0) {
		e = errmsg(err, errlen, -e, "remove old %s", r->dir);
		goto fail;
	}
	if (mkdir(r->dir, 0755) == -1) {
		e = errmsg(err, errlen, errno, "mkdir %s", r->dir);
		goto fail;
	}
	snprintf(path, sizeof(path), "/app/%s", img->base);
	if ((r->exe = strdup(path)) == NULL) {
		e = errmsg(err, errlen, ENOMEM, "root");
		goto fail;
	}
	if ((e = add_dir(r, "/app", NULL, err, errlen)) < 0 ||
	    (e = add_bind(r, img->path, r->exe, err, errlen)) < 0 ||
	    (e = add_dir(r, "/dev", NULL, err, errlen)) < 0 ||
	    (e = add_dir(r, "/tmp", &r->tmp, err, errlen)) < 0)
		goto fail;
	for (i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		if ((e = add_bind(r, path, NULL, err, errlen)) < 0)
			goto fail;
	}
	if (proc) {
		if ((e = add_dir(r, "/proc", &r->proc, err, errlen)) < 0)
			goto fail;
		/* /dev/fd and friends are what shells and some libcs open */
		snprintf(path, sizeof(path), "%s/dev/fd", r->dir);
		if (symlink("/proc/self/fd", path) == -1) {
			e = errmsg(err, errlen, errno, "symlink %s", path);
			goto fail;
		}
	}
	if (img->kind != IMAGE_STATIC && (e = add_libs(r, err, errlen)) < 0)
		goto fail;
	snprintf(r->tmpopts, sizeof(r->tmpopts), "size=%llu,nr_inodes=4096,"
	    "mode=1777", (unsigned long long)(tmp_size ? tmp_size :
	    ROOT_TMP_SIZE));
	return 0;
fail:
	root_remove(r);
	return e;
}

void
root_remove(struct root *r)
{
	int i;

	if (r->dir != NULL)
		rm_tree(r->dir);
	for (i = 0; i < r->nbinds; i++) {
		free(r->binds[i].src);
		free(r->binds[i].dst);
	}
	free(r->dir);
	free(r->exe);
	free(r->tmp);
	free(r->proc);
	memset(r, 0, sizeof(*r));
}
