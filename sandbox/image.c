/*
 * image.c - image checks and ELF classification (see image.h).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/errmsg.h"
#include "sandbox/image.h"

#if defined(__x86_64__)
#define NATIVE_MACHINE	EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE	EM_AARCH64
#elif defined(__riscv)
#define NATIVE_MACHINE	EM_RISCV
#else
#error "set the native ELF machine for this architecture"
#endif

#define HEAD_MAX	65536

int
image_kind_of(const unsigned char *buf, size_t len)
{
	Elf64_Ehdr	eh;
	Elf64_Phdr	ph;
	size_t		i, off;

	if (len >= 2 && buf[0] == '#' && buf[1] == '!')
		return IMAGE_SCRIPT;
	if (len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    eh.e_machine != NATIVE_MACHINE ||
	    eh.e_phentsize != sizeof(ph))
		return -ENOEXEC;
	if (eh.e_phoff > len || eh.e_phnum > (len - eh.e_phoff) / sizeof(ph))
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		off = eh.e_phoff + i * sizeof(ph);
		memcpy(&ph, buf + off, sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return IMAGE_DYNAMIC;
	}
	return IMAGE_STATIC;
}

/* One folder of path_searchable(). */
static int
searchable(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) == -1)
		return errmsg(err, errlen, errno, "%s", dir);
	if (S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH))
		return errmsgx(err, errlen, EACCES, "%s (mode %04o) is not "
		    "searchable by the sandbox uid", dir,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

int
path_searchable(const char *path, char *err, size_t errlen)
{
	char	buf[PATH_MAX];
	size_t	i;
	int	e;
	char	c;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf))
		return errmsg(err, errlen, ENAMETOOLONG, "%s", path);
	if ((e = searchable("/", err, errlen)) < 0)
		return e;
	for (i = 1; ; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		c = buf[i];
		buf[i] = '\0';
		if (i > 1 && (e = searchable(buf, err, errlen)) < 0)
			return e;
		if (c == '\0')
			return 0;
		buf[i] = c;
	}
}

int
image_inspect(const char *path, struct image_info *info, char *err,
    size_t errlen)
{
	unsigned char	*head;
	struct stat	 st;
	ssize_t		 n;
	int		 fd, e;

	memset(info, 0, sizeof(*info));
	if ((info->path = realpath(path, NULL)) == NULL)
		return errmsg(err, errlen, errno, "image %s", path);
	info->base = strrchr(info->path, '/') + 1;
	if ((fd = open(info->path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errmsg(err, errlen, errno, "image %s", info->path);
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		e = errmsg(err, errlen, errno, "image %s", info->path);
		close(fd);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		e = errmsgx(err, errlen, EACCES, "image %s: not a regular file",
		    info->path);
		close(fd);
		goto fail;
	}
	if (!(st.st_mode & S_IXOTH)) {
		close(fd);
		e = errmsgx(err, errlen, EACCES, "image %s (mode %04o) is not "
		    "executable by the sandbox uid (chmod o+rx)", info->path,
		    (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	if ((head = malloc(HEAD_MAX)) == NULL) {
		close(fd);
		e = errmsg(err, errlen, ENOMEM, "image");
		goto fail;
	}
	n = pread(fd, head, HEAD_MAX, 0);
	close(fd);
	e = n < 0 ? -errno : image_kind_of(head, n);
	free(head);
	if (e < 0) {
		e = errmsg(err, errlen, -e, "image %s", info->path);
		goto fail;
	}
	info->kind = e;
	if ((e = path_searchable(info->path, err, errlen)) < 0)
		goto fail;
	return 0;
fail:
	image_free(info);
	return e;
}

void
image_free(struct image_info *info)
{
	free(info->path);
	info->path = NULL;
	info->base = NULL;
}
