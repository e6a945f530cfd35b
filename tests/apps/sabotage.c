/*
 * sabotage - a stand-in unikernel that breaks the listening socket it
 * shares with jitsud: it answers one HTTP client on fd 3 (LISTEN_FDS),
 * then stops the listener with connect(AF_UNSPEC) (or, where seccomp
 * denies connect, shutdown(SHUT_RDWR)), says so, lingers
 * 1.5 s (longer than min_uptime, so its end is an ordinary one) and
 * exits. An accept that fails (a listener already broken) exits at once
 * with status 2. tests/hostile/35.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n"
	    "\r\nhello\n";
	struct sockaddr sa;
	struct timespec ts = { 1, 500000000 };
	char buf[1024];
	int c;

	if ((c = accept(3, NULL, NULL)) == -1) {
		printf("sabotage: accept: %m\n");
		return 2;
	}
	(void)!read(c, buf, sizeof(buf));
	(void)!write(c, reply, sizeof(reply) - 1);
	close(c);
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	/* Where the filter denies connect(), shutdown(SHUT_RD) of a
	 * listener disconnects it just the same. */
	if (connect(3, &sa, sizeof(sa)) == 0)
		printf("sabotage: listener stopped (connect)\n");
	else if (shutdown(3, SHUT_RDWR) == 0)
		printf("sabotage: listener stopped (shutdown)\n");
	else
		printf("sabotage: connect AF_UNSPEC, shutdown: %m\n");
	fflush(stdout);
	nanosleep(&ts, NULL);
	return 0;
}
