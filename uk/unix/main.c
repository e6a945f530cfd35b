/*
 * main.c - the unix target's entry point and its small services:
 * console (stderr), monotonic clock, heap (libc malloc, under whatever
 * cgroup limit the host sets) and exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uk/include/uk.h"
#include "uk/unix/unix.h"

int
main(int argc, char **argv)
{
	char	*slash;

	/* Rule 1: argv[0] is the app name, not the path it was run by. */
	if (argc > 0 && (slash = strrchr(argv[0], '/')) != NULL)
		argv[0] = slash + 1;
	/* A vanished reader (a client: uk_write uses MSG_NOSIGNAL anyway;
	 * the host's log pipe, say across a jitsud restart) is an error
	 * return, never the end of the app. */
	signal(SIGPIPE, SIG_IGN);
	uk_unix_listenfds_init();
	uk_exit(uk_main(argc, argv));
}

void
uk_exit(int status)
{
	_exit(status);
}

void
uk_console_write(const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* nowhere to report it */
		buf += n;
		len -= (size_t)n;
	}
}

uint64_t
uk_clock_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void *
uk_malloc(size_t n)
{
	return malloc(n);
}

void
uk_free(void *p)
{
	free(p);
}

int
uk_unix_err(int e)
{
	switch (e) {
	case EAGAIN:
		return UK_EAGAIN;
	case EBADF:
	case ENOTSOCK:
		return UK_EBADF;
	case ENOMEM:
	case ENOBUFS:
	case EMFILE:
	case ENFILE:
		return UK_ENOMEM;
	case EPIPE:
		return UK_EPIPE;
	case EINVAL:
		return UK_EINVAL;
	default:
		/* ECONNRESET, ETIMEDOUT, EHOSTUNREACH...: the connection is
		 * dead, which is all an app can act on. */
		return UK_ECONNRESET;
	}
}
