/*
 * cgattach - what putting a new process into a cgroup costs, the way a
 * start does it: bench/coldstart's look at where a cold start's time goes.
 *
 *   cgattach write [-n N] [-g MS] DIR
 *	N times: fork a child that waits, pause MS (default 250), then time
 *	the write of its pid to DIR/cgroup.procs (a v1 hierarchy's, or a
 *	v2 one's). This is how the sandbox attaches on v1 hosts. A
 *	migration takes the global cgroup_threadgroup_rwsem for writing,
 *	which first waits for an RCU grace period unless a writer passed
 *	within the last one: so the pause matters, and -g 0 shows the warm
 *	case.
 *   cgattach clone [-n N] [-g MS] DIR
 *	The same child made by clone3(CLONE_INTO_CGROUP) into the v2
 *	cgroup DIR: the time of the clone3 (it takes the rwsem only for
 *	reading). How the sandbox starts on pure v2 hosts.
 *   cgattach fork [-n N] [-g MS]
 *	A plain fork, for scale.
 *
 * Prints one sample per line, in microseconds (CLOCK_MONOTONIC). The
 * child is killed and reaped after each sample, so DIR is empty at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "cgattach: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: cgattach write|clone [-n N] [-g MS] DIR\n"
	    "       cgattach fork [-n N] [-g MS]\n");
	exit(2);
}

/* The child: waits to be killed, touching nothing. */
static void __attribute__((noreturn))
child(void)
{
	for (;;)
		pause();
}

static pid_t
fork_child(void)
{
	pid_t pid = fork();

	if (pid == -1)
		die("fork");
	if (pid == 0)
		child();
	return pid;
}

static pid_t
clone_into(int dirfd)
{
	struct clone_args ca;
	long pid;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_INTO_CGROUP;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (uint64_t)dirfd;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == -1)
		die("clone3(CLONE_INTO_CGROUP)");
	if (pid == 0)
		child();
	return (pid_t)pid;
}

int
main(int argc, char **argv)
{
	const char *mode, *dir = NULL;
	char path[4096], buf[32];
	long n = 20, gap = 250;
	uint64_t t0, t1;
	int ch, fd = -1, i, len;
	pid_t pid;

	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	while ((ch = getopt(argc, argv, "n:g:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'g':
			gap = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (strcmp(mode, "fork") != 0) {
		if (optind != argc - 1)
			usage();
		dir = argv[optind];
	}
	if (strcmp(mode, "clone") == 0 &&
	    (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		die(dir);
	if (strcmp(mode, "write") == 0)
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	else if (strcmp(mode, "clone") != 0 && strcmp(mode, "fork") != 0)
		usage();
	for (i = 0; i < n; i++) {
		if (gap > 0)
			usleep((useconds_t)gap * 1000);
		if (strcmp(mode, "write") == 0) {
			pid = fork_child();
			len = snprintf(buf, sizeof(buf), "%d", (int)pid);
			if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
				die(path);
			t0 = now_ns();
			if (write(fd, buf, (size_t)len) != len)
				die(path);
			t1 = now_ns();
			close(fd);
		} else {
			t0 = now_ns();
			pid = strcmp(mode, "clone") == 0 ? clone_into(fd) : fork_child();
			t1 = now_ns();
		}
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		printf("%.1f\n", (double)(t1 - t0) / 1e3);
		fflush(stdout);
	}
	return 0;
}
