/* backend/instance.c - see instance.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/instance.h"

unsigned long long
instance_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and ')': skip to the last ')';
	 * a zombie (state Z) has ended: nothing of it is left to adopt */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == 'Z')
		return 0;
	for (i = 2; i < 22 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		st = strtoull(p + 1, NULL, 10);
	return st;
}

int
instance_open(pid_t pid, unsigned long long st, char *why, size_t whylen)
{
	int pidfd;

	if (pid <= 1 || st == 0 || instance_starttime(pid) != st) {
		snprintf(why, whylen, "pid %ld is gone", (long)pid);
		return -1;
	}
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1) {
		snprintf(why, whylen, "pidfd_open %ld: %s", (long)pid,
		    strerror(errno));
		return -1;
	}
	/* The pid could have been reused between the two looks: the pidfd
	 * now pins whichever process it is, so look once more. */
	if (instance_starttime(pid) != st) {
		close(pidfd);
		snprintf(why, whylen, "pid %ld is gone", (long)pid);
		return -1;
	}
	return pidfd;
}

void
instance_end(int pidfd)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };
	siginfo_t si;

	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	poll(&pf, 1, 1000);
	memset(&si, 0, sizeof(si));
	waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG);
}
