/*
 * listenfds.c - the sockets a service manager passed us, systemd's way:
 * fds 3 .. 3+LISTEN_FDS-1, meant for us only if LISTEN_PID is our pid.
 * LISTEN_FDNAMES is not needed: a uk app asks for a port, and the port
 * each socket is bound to is read from the socket itself.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

#include "uk/include/uk.h"
#include "uk/unix/unix.h"

#define LISTEN_FDS_START	3
#define LISTEN_FDS_MAX		64

static struct {
	int		fd;
	uint16_t	port;
} passed[LISTEN_FDS_MAX];
static int	npassed = -1;	/* -1: not socket-activated */

static unsigned long
env_num(const char *name, int *ok)
{
	const char	*s = getenv(name);
	char		*end;
	unsigned long	 v;

	*ok = 0;
	if (s == NULL || *s == '\0')
		return 0;
	v = uk_strtoul(s, &end, 10);
	*ok = *end == '\0';
	return v;
}

/* The port of a listening TCP socket, or 0 for anything else. */
static uint16_t
listening_port(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	int			 on = 0;
	socklen_t		 ol = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &ol) != 0 || !on)
		return 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

void
uk_unix_listenfds_init(void)
{
	unsigned long	 pid, n, i;
	int		 ok;

	pid = env_num("LISTEN_PID", &ok);
	if (!ok || pid != (unsigned long)getpid())
		return;
	n = env_num("LISTEN_FDS", &ok);
	if (!ok)
		return;
	/* Ours now: hide them from anything we might run. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	npassed = 0;
	for (i = 0; i < n && npassed < LISTEN_FDS_MAX; i++) {
		passed[npassed].fd = LISTEN_FDS_START + (int)i;
		passed[npassed].port = listening_port(passed[npassed].fd);
		if (passed[npassed].port != 0)
			npassed++;
	}
	if (n > LISTEN_FDS_MAX)
		uk_printf("uk: ignoring %lu passed sockets beyond %d\n",
		    n - LISTEN_FDS_MAX, LISTEN_FDS_MAX);
}

int
uk_unix_listenfds_port(uint16_t port, int *fds, int max)
{
	int	 i, n = 0;

	if (npassed < 0)
		return -1;
	for (i = 0; i < npassed && n < max; i++)
		if (passed[i].port == port)
			fds[n++] = passed[i].fd;
	return n;
}
