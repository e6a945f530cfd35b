/*
 * files.h - the few file operations the sandbox needs on cgroup, proc and
 * run-folder files. All return 0 (or a byte count) or a negative errno.
 */
#ifndef SANDBOX_FILES_H
#define SANDBOX_FILES_H

#include <stddef.h>
#include <sys/types.h>

/* Reads the file at PATH into BUF (NUL-terminated, truncated to len-1).
 * Returns the length read. Loops to EOF: /proc seq files come in pieces. */
ssize_t	file_read(const char *path, char *buf, size_t len);
/* Reads a whole file of any size; *out is malloc'd and NUL-terminated. */
int	file_read_all(const char *path, char **out);
/* One write(2) of S to DIR/NAME (NAME NULL: to DIR itself). cgroup and
 * proc control files take a value per write, so no loop. */
int	file_write(const char *dir, const char *name, const char *s);
/* mkdir -p with MODE for every created component. */
int	mkdir_p(const char *path, mode_t mode);
/* rm -r PATH without crossing mount points. Missing PATH is not an error. */
int	rm_tree(const char *path);
/* Creates an empty regular file (a bind-mount target) unless one exists. */
int	touch(const char *path, mode_t mode);

#endif
