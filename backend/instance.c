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
#include "backend/uid.h"

/*
 * The uids an instance of ours runs as: the range every backend takes
 * its uids from (backend/uid.h: exec sandboxes, and QEMU when jitsud is
 * root), or jitsud's own when it is not root (QEMU then runs as jitsud).
 */
bool
instance_uid_ok(uid_t uid)
{
	const struct uid_pool *p = uid_pool();
	uid_t me = geteuid();

	if (me != 0 && uid == me)
		return true;
	return p != NULL && uid_in_range(p, uid);
}

/* Real, effective, saved and file-system uid of pid, each verified: a
 * record names a pid, and a record is only a file. -1 if unreadable. */
static int
uids_ok(pid_t pid, uid_t *bad)
{
	char path[64], buf[2048], *p;
	unsigned long u[4];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nUid:")) == NULL ||
	    sscanf(p + 5, "%lu %lu %lu %lu", &u[0], &u[1], &u[2], &u[3]) != 4)
		return -1;
	for (i = 0; i < 4; i++)
		if (!instance_uid_ok((uid_t)u[i])) {
			*bad = (uid_t)u[i];
			return 0;
		}
	return 1;
}

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
	uid_t bad = 0;
	int pidfd, ok;

	if (pid <= 1 || st == 0 || instance_starttime(pid) != st) {
		snprintf(why, whylen, "pid %ld is gone", (long)pid);
		return -1;
	}
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1) {
		snprintf(why, whylen, "pidfd_open %ld: %s", (long)pid,
		    strerror(errno));
		return -1;
	}
	/* Never act on a process that is not an instance of ours, whatever
	 * a record says: a root daemon's pid and start time are public. */
	if ((ok = uids_ok(pid, &bad)) != 1) {
		close(pidfd);
		if (ok == 0)
			snprintf(why, whylen, "pid %ld runs as uid %lu, not as "
			    "an instance of jitsud: record refused", (long)pid,
			    (unsigned long)bad);
		else
			snprintf(why, whylen, "pid %ld: cannot read its uids",
			    (long)pid);
		return -2;
	}
	/* The pid could have been reused between the looks: the pidfd
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
