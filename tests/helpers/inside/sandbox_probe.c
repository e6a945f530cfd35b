/*
 * sandbox_probe - runs inside the sandbox and reports what it sees, one
 * "key=value" line per command, for tests/integration/1x-sandbox-*.sh.
 * Built static (and a dynamic copy, sandbox_probe_dyn, for the view of the
 * host libraries). Output goes through write(2) only, never stdio, so
 * under `sandbox = strict` it makes no call beyond uk/unix/syscalls.h
 * unless a command asks for one on purpose.
 *
 *   sandbox_probe CMD [ARG] [CMD [ARG]]...
 *
 *   id  caps  host  env  fds  ifaces  say TEXT  exit N  sleep S
 *   ls DIR  write PATH  connect ADDR:PORT  bindlo  alloc MIB  fork N
 *   serve  tick  ptrace  mount  unshare  cat FILE  crash
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

static void __attribute__((format(printf, 1, 2)))
out(const char *fmt, ...)
{
	char	buf[4096];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) < 0)
		_exit(3);
}

static const char *
res(int r)
{
	const char *s;

	if (r == 0)
		return "ok";
	s = strerrorname_np(errno);
	return s ? s : "error";
}

static void
cmd_caps(void)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct	d[2];
	int				c, bnd = 0;

	memset(d, 0, sizeof(d));
	syscall(SYS_capget, &hdr, d);
	for (c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd++;
	out("capeff=%x%08x capprm=%x%08x capbnd=%d", d[1].effective,
	    d[0].effective, d[1].permitted, d[0].permitted, bnd);
}

static void
cmd_env(void)
{
	extern char	**environ;
	const char	*v[] = { "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
	    "PATH" };
	size_t		  i;
	int		  n = 0;

	while (environ[n] != NULL)
		n++;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		out("%s=%s", v[i], getenv(v[i]) ? getenv(v[i]) : "(unset)");
	out("nenv=%d", n);
}

static void
cmd_fds(void)
{
	char	buf[1024];
	int	fd, n = 0;

	buf[0] = '\0';
	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%d",
			    n ? "," : "", fd);
	out("fds=%s", buf);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
cmd_ls(const char *dir)
{
	struct dirent	*de;
	char		*names[256], buf[2048];
	DIR		*d;
	int		 n = 0, i, o = 0;

	if ((d = opendir(dir)) == NULL) {
		out("ls %s=%s", dir, res(-1));
		return;
	}
	while ((de = readdir(d)) != NULL && n < 256)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmpstr);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "",
		    names[i]);
	out("ls %s=%s", dir, buf);
}

static void
cmd_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd != -1 && write(fd, "x", 1) != 1)
		fd = -1;
	out("write %s=%s", path, res(fd == -1 ? -1 : 0));
}

static void
cmd_ifaces(void)
{
	struct if_nameindex	*ifs, *p;
	struct ifreq		 ifr;
	char			 buf[512];
	int			 s, n = 0;

	if ((ifs = if_nameindex()) == NULL) {
		out("ifaces=%s", res(-1));
		return;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	buf[0] = '\0';
	for (p = ifs; p->if_index != 0; p++) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->if_name);
		ioctl(s, SIOCGIFFLAGS, &ifr);
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s:%s", n ? "," : "",
		    p->if_name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
	}
	close(s);
	if_freenameindex(ifs);
	out("ifaces=%s", buf);
}

static void
cmd_connect(const char *arg)
{
	struct sockaddr_in	sin;
	char			host[64], *colon;
	int			s, r;

	snprintf(host, sizeof(host), "%s", arg);
	if ((colon = strchr(host, ':')) == NULL)
		return;
	*colon = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(colon + 1));
	inet_pton(AF_INET, host, &sin.sin_addr);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		out("connect %s=%s", arg, res(-1));
		return;
	}
	r = connect(s, (struct sockaddr *)&sin, sizeof(sin));
	out("connect %s=%s", arg, res(r));
	close(s);
}

static void
cmd_bindlo(void)
{
	struct sockaddr_in	sin;
	int			s, r;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	r = bind(s, (struct sockaddr *)&sin, sizeof(sin));
	out("bindlo=%s", res(r));
	close(s);
}

static void
cmd_alloc(const char *arg)
{
	long	mib = atol(arg), i;
	char	*p;

	for (i = 0; i < mib; i++) {
		if ((p = malloc(1 << 20)) == NULL)
			break;
		memset(p, 0x5a, 1 << 20);
	}
	out("alloc=%ld", i);
}

static void
cmd_fork(const char *arg)
{
	int	n = atoi(arg), i, ok = 0, e = 0;
	pid_t	p;

	for (i = 0; i < n; i++) {
		p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p == -1) {
			e = errno;
			break;
		}
		ok++;
	}
	out("forked=%d err=%s", ok, e ? strerrorname_np(e) : "none");
}

static void
cmd_serve(void)
{
	char	msg[128];
	int	c, n;

	/* the first handed socket, systemd style */
	if ((c = accept(3, NULL, NULL)) == -1) {
		out("serve=%s", res(-1));
		return;
	}
	n = snprintf(msg, sizeof(msg), "hello from pid %d uid %d\n",
	    (int)getpid(), (int)getuid());
	if (write(c, msg, n) != n)
		out("serve=%s", res(-1));
	close(c);
	out("serve=ok");
}

static void
cmd_cat(const char *path)
{
	char	buf[4096], *line, *save;
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		out("cat %s=%s", path, res(-1));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		out("cat %s", line);
}

static void
cmd_tick(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	long		i;

	for (i = 0; ; i++) {
		out("tick %ld", i);
		nanosleep(&ts, NULL);
	}
}

int
main(int argc, char **argv)
{
	char	host[256];
	int	i;

	/* a command's argument is argv[++i]; a missing one is NULL and
	 * crashes the probe, which the tests see */
	for (i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (!strcmp(c, "id"))
			out("uid=%d gid=%d pid=%d ppid=%d groups=%d",
			    (int)getuid(), (int)getgid(), (int)getpid(),
			    (int)getppid(), getgroups(0, NULL));
		else if (!strcmp(c, "caps"))
			cmd_caps();
		else if (!strcmp(c, "host")) {
			gethostname(host, sizeof(host));
			out("hostname=%s", host);
		} else if (!strcmp(c, "env"))
			cmd_env();
		else if (!strcmp(c, "fds"))
			cmd_fds();
		else if (!strcmp(c, "ifaces"))
			cmd_ifaces();
		else if (!strcmp(c, "bindlo"))
			cmd_bindlo();
		else if (!strcmp(c, "serve"))
			cmd_serve();
		else if (!strcmp(c, "tick"))
			cmd_tick();
		else if (!strcmp(c, "ptrace"))
			out("ptrace=%s", res(ptrace(PTRACE_TRACEME, 0, 0, 0)));
		else if (!strcmp(c, "mount"))
			out("mount=%s", res(mount("none", "/tmp", "tmpfs", 0,
			    NULL)));
		else if (!strcmp(c, "unshare"))
			out("unshare=%s", res(unshare(CLONE_NEWUSER)));
		else if (!strcmp(c, "say"))
			out("%s", argv[++i]);
		else if (!strcmp(c, "exit"))
			_exit(atoi(argv[++i]));
		else if (!strcmp(c, "sleep"))
			sleep(atoi(argv[++i]));
		else if (!strcmp(c, "ls"))
			cmd_ls(argv[++i]);
		else if (!strcmp(c, "write"))
			cmd_write(argv[++i]);
		else if (!strcmp(c, "connect"))
			cmd_connect(argv[++i]);
		else if (!strcmp(c, "alloc"))
			cmd_alloc(argv[++i]);
		else if (!strcmp(c, "crash"))
			*(volatile int *)0 = 1;
		else if (!strcmp(c, "cat"))
			cmd_cat(argv[++i]);
		else if (!strcmp(c, "fork"))
			cmd_fork(argv[++i]);
		else {
			out("unknown=%s", c);
			return 2;
		}
	}
	return 0;
}
