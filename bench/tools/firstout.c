/*
 * firstout - how long a command takes to write its first byte, and to
 * end: the floor of a VM start in bench/coldstart.d/qemu.sh (QEMU
 * booting a kernel that writes one byte to its serial port and exits).
 *
 *   firstout [-n N] [-g MS] [-t MS] CMD [ARG...]
 *	N times (default 10): fork, stdout into a pipe, stdin and stderr
 *	/dev/null, exec CMD; wait for the first byte on the pipe and for
 *	the exit. Prints "FIRST_US EXIT_US" per run, from just before the
 *	fork. -g: pause between runs (default 100 ms); -t: give up on a
 *	run after MS (default 10000; the child is killed, exit 1).
 *
 *   firstout -w WORD [-n N] [-t MS] CMD [ARG...]
 *	the same, but the time is to the first output containing WORD (a
 *	unikernel's "uk: ready"), after which CMD is killed; prints
 *	"READY_US RSS_KIB" per run, RSS_KIB the child's VmRSS then.
 *
 * Times are CLOCK_MONOTONIC; nothing but the fork, exec and the child
 * lands inside a measurement.
 */
#include <errno.h>
#include <fcntl.h>
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
one(char **cmd, int timeout_ms, const char *word)
{
	uint64_t t0, first = 0, end;
	struct pollfd p;
	char buf[4096], tail[8192];
	size_t tlen = 0;
	long rss = -1;
	int fd[2], null, st;
	ssize_t n;
	pid_t pid;

	if (pipe(fd) == -1 || (null = open("/dev/null", O_RDWR)) == -1) {
		perror("firstout");
		return -1;
	}
	t0 = now_us();
	if ((pid = fork()) == -1) {
		perror("firstout: fork");
		return -1;
	}
	if (pid == 0) {
		dup2(null, 0);
		dup2(fd[1], 1);
		dup2(null, 2);
		close(fd[0]);
		close(fd[1]);
		close(null);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(fd[1]);
	close(null);
	p.fd = fd[0];
	p.events = POLLIN;
	/* Read to EOF (the child's exit closes the pipe), stamping the
	 * first byte. */
	for (;;) {
		int left = timeout_ms - (int)((now_us() - t0) / 1000);
		if (left <= 0 || poll(&p, 1, left) <= 0) {
			fprintf(stderr, "firstout: %s: no end after %d ms\n",
			    cmd[0], timeout_ms);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(fd[0]);
			return -1;
		}
		n = read(fd[0], buf, sizeof(buf));
		if (n > 0 && first == 0 && word == NULL)
			first = now_us();
		if (n > 0 && first == 0 && word != NULL) {
			/* keep the last bytes: WORD may straddle two reads */
			if (tlen + (size_t)n >= sizeof(tail)) {
				size_t keep = strlen(word);
				memmove(tail, tail + tlen - keep, keep);
				tlen = keep;
			}
			memcpy(tail + tlen, buf, (size_t)n < sizeof(tail) - tlen - 1 ?
			    (size_t)n : sizeof(tail) - tlen - 1);
			tlen += (size_t)n < sizeof(tail) - tlen - 1 ? (size_t)n :
			    sizeof(tail) - tlen - 1;
			tail[tlen] = '\0';
			if (strstr(tail, word) != NULL) {
				first = now_us();
				rss = rss_kib(pid);
				kill(pid, SIGKILL);
			}
		}
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	close(fd[0]);
	waitpid(pid, &st, 0);
	end = now_us();
	if (first == 0) {
		fprintf(stderr, "firstout: %s wrote nothing (status %d)\n",
		    cmd[0], st);
		return -1;
	}
	if (word != NULL)
		printf("%llu %ld\n", (unsigned long long)(first - t0), rss);
	else
		printf("%llu %llu\n", (unsigned long long)(first - t0),
		    (unsigned long long)(end - t0));
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	int n = 10, gap = 100, timeout = 10000, c, i;
	const char *word = NULL;

	while ((c = getopt(argc, argv, "+n:g:t:w:")) != -1) {
		switch (c) {
		case 'w': word = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'g': gap = atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind >= argc || n < 1)
		goto usage;
	for (i = 0; i < n; i++) {
		if (i > 0 && gap > 0)
			usleep((useconds_t)gap * 1000);
		if (one(argv + optind, timeout, word) < 0)
			return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: firstout [-w WORD] [-n N] [-g MS] [-t MS] CMD "
	    "[ARG...]\n");
	return 2;
}
