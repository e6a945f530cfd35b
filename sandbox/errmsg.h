/*
 * errmsg.h - error messages for the sandbox library.
 *
 * Library calls return a negative errno and, when the caller passes a
 * buffer, a one-line message saying what failed and on which path, so
 * jitsud can log it as is ("memory limit: /sys/fs/cgroup/...: Permission
 * denied") instead of a bare errno.
 */
#ifndef SANDBOX_ERRMSG_H
#define SANDBOX_ERRMSG_H

#include <stddef.h>

/* Formats FMT into ERR (when ERR is not NULL), followed by ": strerror(E)"
 * when E is not 0. Returns -E, so callers can `return errmsg(...)`. */
int	errmsg(char *err, size_t errlen, int e, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* The same without the strerror suffix, for messages that say it all. */
int	errmsgx(char *err, size_t errlen, int e, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

#endif
