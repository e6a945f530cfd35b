/*
 * image.h - what the sandbox must know about an image before it can run it:
 * that it is an executable the unprivileged sandbox uid may run, and
 * whether it needs a dynamic loader (and so the host's libraries) or is
 * static and can run in a root holding nothing but itself.
 */
#ifndef SANDBOX_IMAGE_H
#define SANDBOX_IMAGE_H

#include <stddef.h>

enum image_kind {
	IMAGE_STATIC = 1,	/* ELF without PT_INTERP (static, static-pie) */
	IMAGE_DYNAMIC,		/* ELF with an interpreter: needs /usr, /lib* */
	IMAGE_SCRIPT,		/* #!: its interpreter needs /usr, /lib* too */
};

struct image_info {
	char		*path;	/* absolute, symlinks resolved (malloc'd) */
	const char	*base;	/* the file name part of path */
	enum image_kind	 kind;
};

/* Classifies the first LEN bytes of an executable; -ENOEXEC when it is
 * neither a native ELF executable nor a script, or its program headers
 * lie beyond LEN. */
int	image_kind_of(const unsigned char *buf, size_t len);
/* Resolves PATH and checks it: a regular file, executable by "others"
 * (the sandbox uid owns nothing on the host), every folder above it
 * searchable by others (it is bind-mounted by the sandboxed process). */
int	image_inspect(const char *path, struct image_info *info, char *err,
	    size_t errlen);
void	image_free(struct image_info *info);
/* Checks that every folder down to PATH (included) is searchable by
 * "others"; on failure names the folder in ERR. */
int	path_searchable(const char *path, char *err, size_t errlen);

#endif
