/*
 * sbxreport - a stand-in unikernel that reports, one "key=value" line
 * each on stdout (jitsud's log), what the sandbox jitsud put it in looks
 * like from inside: its ids, no_new_privs, seccomp mode, capabilities,
 * hostname, environment, descriptors and root folder. Then it waits, so
 * the test can look at the same process from outside (/proc/PID).
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

/* the names in folder PATH, sorted, comma-separated */
static void
list(const char *key, const char *path)
{
	char names[64][64];
	struct dirent *d;
	int n = 0, i, j;
	DIR *dir;

	printf("%s=", key);
	if ((dir = opendir(path)) == NULL) {
		printf("(error)\n");
		return;
	}
	while ((d = readdir(dir)) != NULL && n < 64)
		if (d->d_name[0] != '.')
			snprintf(names[n++], sizeof(names[0]), "%.63s", d->d_name);
	closedir(dir);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[64];
			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
		}
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", names[i]);
	printf("\n");
}

int
main(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2];
	struct utsname u;
	int n = 0, fd;

	printf("uid=%d gid=%d pid=%d ppid=%d\n", (int)getuid(), (int)getgid(),
	    (int)getpid(), (int)getppid());
	printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("seccomp=%d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	memset(c, 0, sizeof(c));
	if (syscall(SYS_capget, &h, c) == 0)
		printf("capeff=%08x%08x capprm=%08x%08x\n", c[1].effective,
		    c[0].effective, c[1].permitted, c[0].permitted);
	else
		printf("capeff=(error)\n");
	/* the bounding set: a capability the set holds answers 1 */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		n += prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
	printf("capbnd=%d\n", n);
	if (uname(&u) == 0)
		printf("hostname=%s\n", u.nodename);
	/* the environment's names, in order */
	printf("env=");
	for (char **e = environ; *e != NULL; e++)
		printf("%s%.*s", e == environ ? "" : ",",
		    (int)strcspn(*e, "="), *e);
	printf(" listen_fds=%s\n",
	    getenv("LISTEN_FDS") ? getenv("LISTEN_FDS") : "(unset)");
	printf("fds=");
	for (fd = 0, n = 0; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			printf("%s%d", n++ ? "," : "", fd);
	printf("\n");
	list("root", "/");
	printf("report done\n");
	fflush(stdout);
	for (;;)
		pause();
}
