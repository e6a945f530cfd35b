/*
 * sabotage - a stand-in unikernel that breaks the socket it shares with
 * jitsud (fd 3, LISTEN_FDS). A TCP listener: it answers one HTTP client,
 * then stops the listener with connect(AF_UNSPEC) (or, where seccomp
 * denies connect, shutdown(SHUT_RDWR), which does the same). A UDP
 * socket: it answers one datagram with "hello", then shuts it for
 * reading (shutdown fails with ENOTCONN, yet the socket stays marked:
 * readable and hung up for ever). It says what it did, lingers 1.5 s
 * (longer than min_uptime, so its end is an ordinary one) and exits. A
 * first accept or receive that fails exits at once with status 2.
 * tests/hostile/35.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
udp(void)
{
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	char buf[512];

	if (recvfrom(3, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fl) < 0) {
		printf("sabotage: recvfrom: %m\n");
		return -1;
	}
	(void)!sendto(3, "hello\n", 6, 0, (struct sockaddr *)&from, fl);
	errno = 0;
	shutdown(3, SHUT_RD);
	printf("sabotage: udp socket shut for reading (%s)\n",
	    strerror(errno));
	return 0;
}

static int
tcp(void)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n"
	    "\r\nhello\n";
	struct sockaddr sa;
	char buf[1024];
	int c;

	if ((c = accept(3, NULL, NULL)) == -1) {
		printf("sabotage: accept: %m\n");
		return -1;
	}
	(void)!read(c, buf, sizeof(buf));
	(void)!write(c, reply, sizeof(reply) - 1);
	close(c);
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	if (connect(3, &sa, sizeof(sa)) == 0)
		printf("sabotage: listener stopped (connect)\n");
	else if (shutdown(3, SHUT_RDWR) == 0)
		printf("sabotage: listener stopped (shutdown)\n");
	else
		printf("sabotage: connect AF_UNSPEC, shutdown: %m\n");
	return 0;
}

int
main(void)
{
	struct timespec ts = { 1, 500000000 };
	socklen_t il = sizeof(int);
	int type = 0;

	getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &il);
	if ((type == SOCK_DGRAM ? udp() : tcp()) < 0)
		return 2;
	fflush(stdout);
	nanosleep(&ts, NULL);
	return 0;
}
