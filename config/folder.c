/* config/folder.c - see folder.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/folder.h"

/* One folder of the chain; last: the folder itself (no sticky leeway:
 * anyone may add entries to a sticky folder, and the records are its
 * entries). 1 ok, 0 missing (jitsud makes the rest), -1 refused. */
static int
one(const char *path, bool last, char *why, size_t whylen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s is not a folder", path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, whylen, "%s is owned by uid %lu, not by root",
		    path, (unsigned long)st.st_uid);
		return -1;
	}
	if ((st.st_mode & 022) != 0 && (last || !(st.st_mode & S_ISVTX))) {
		snprintf(why, whylen, "%s is writable by %s (mode %04o)", path,
		    (st.st_mode & 002) ? "everyone" : "its group",
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 1;
}

/* Every prefix of the absolute path abs, from "/" down, until one is
 * missing. */
static int
chain(const char *abs, char *why, size_t whylen)
{
	char p[PATH_MAX];
	size_t i, n = strlen(abs);
	int r;

	if (n >= sizeof(p)) {
		snprintf(why, whylen, "%s: name too long", abs);
		return -1;
	}
	memcpy(p, abs, n + 1);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if ((r = one("/", n == 1, why, whylen)) <= 0 || n == 1)
		return r < 0 ? -1 : 0;
	for (i = 1; i <= n; i++) {
		char save = p[i];

		if (i < n && save != '/')
			continue;
		p[i] = '\0';
		r = one(p, i == n, why, whylen);
		p[i] = save;
		if (r <= 0)
			return r;
	}
	return 0;
}

int
folder_check(const char *path, char *why, size_t whylen)
{
	char abs[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];

	if (path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", path);
	else if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    (size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >=
	    sizeof(abs)) {
		snprintf(why, whylen, "%s: cannot make it absolute", path);
		return -1;
	}
	/* The path as written (a symlink in it lives in a folder that must
	 * be safe too), then where it leads. */
	if (chain(abs, why, whylen) < 0)
		return -1;
	if (realpath(abs, real) != NULL && strcmp(real, abs) != 0 &&
	    chain(real, why, whylen) < 0)
		return -1;
	return 0;
}

static void
check(struct config *c, const char *key, const char *path, int line)
{
	const char *f = c->file ? c->file : "config";
	char why[PATH_MAX + 64];

	if (path == NULL || folder_check(path, why, sizeof(why)) == 0)
		return;
	config_error(c, f, line, "%s: %s: refused (the folder must be owned "
	    "by root and writable by no one else)", key, why);
}

int
config_check_folders(struct config *c)
{
	struct cfg_daemon *d = &c->d;
	char dir[PATH_MAX], *slash;

	check(c, "state", d->state, d->state_line);
	check(c, "run", d->run, d->run_line);
	if (d->run != NULL) {
		snprintf(dir, sizeof(dir), "%s/sandbox", d->run);
		check(c, "run", dir, d->run_line);
		snprintf(dir, sizeof(dir), "%s/qemu", d->run);
		check(c, "run", dir, d->run_line);
	}
	if (d->control != NULL) {
		snprintf(dir, sizeof(dir), "%s", d->control);
		if ((slash = strrchr(dir, '/')) == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		check(c, "control", dir, d->control_line);
	}
	return c->nerrors;
}
