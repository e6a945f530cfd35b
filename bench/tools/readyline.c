/*
 * readyline - how long a command takes to print a line containing WORD
 * (a unikernel's "uk: ready"), from just before the fork; the command is
 * then killed. Also reports the child's VmRSS at that moment.
 *
 *   readyline [-n N] [-t MS] WORD CMD [ARG...]
 *	N runs (default 20); prints "READY_US RSS_KIB" per run; exit 1 if
 *	a run did not see WORD within MS (default 10000).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int
one(const char *word, char **cmd, int timeout_ms)
{
	char buf[8192];
	size_t len = 0;
	uint64_t t0, ready = 0;
	int p[2], status;
	pid_t pid;

	if (pipe(p) == -1)
		return -1;
	t0 = now_us();
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[1]);
	while (ready == 0) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		int left = timeout_ms - (int)((now_us() - t0) / 1000);
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, left) != 1)
			break;
		if ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, word) != NULL)
			ready = now_us();
		if (len > sizeof(buf) / 2) {	/* keep the tail only */
			memmove(buf, buf + len - 64, 64);
			len = 64;
		}
	}
	long rss = ready ? rss_kib(pid) : -1;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	if (ready == 0)
		return -1;
	printf("%llu %ld\n", (unsigned long long)(ready - t0), rss);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	int ch, n = 20, timeout = 10000;

	while ((ch = getopt(argc, argv, "+n:t:")) != -1) {
		switch (ch) {
		case 'n':
			n = atoi(optarg);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: readyline [-n N] [-t MS] WORD CMD [ARG...]\n");
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: readyline [-n N] [-t MS] WORD CMD [ARG...]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (one(argv[optind], argv + optind + 1, timeout) < 0) {
			fprintf(stderr, "readyline: run %d: no \"%s\"\n", i,
			    argv[optind]);
			return 1;
		}
		usleep(50000);
	}
	return 0;
}
