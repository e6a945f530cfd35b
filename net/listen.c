/* net/listen.c - sockets held for services. See net.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"

bool
net_addr_is_loopback(const struct cfg_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->a.v4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->a.v6);
}

int
net_listen(const struct cfg_addr *a, uint16_t port, int proto, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, on = 1, type = proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		s->sin_family = AF_INET;
		s->sin_addr = a->a.v4;
		s->sin_port = htons(port);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		s->sin6_family = AF_INET6;
		s->sin6_addr = a->a.v6;
		s->sin6_port = htons(port);
		sl = sizeof(*s);
	}
	/* Blocking on purpose: O_NONBLOCK lives in the open file, shared
	 * with the unikernel, and socket-activated programs expect what
	 * systemd gives them. jitsud itself only polls these. */
	if ((fd = socket(a->family, type | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    (type == SOCK_STREAM && listen(fd, backlog) == -1)) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

bool
net_held_ok(int fd, const struct cfg_addr *a, uint16_t port, int proto)
{
	struct sockaddr_storage ss, peer;
	socklen_t sl = sizeof(ss), pl = sizeof(peer), il = sizeof(int);
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	int type = 0, listening = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il) == -1 ||
	    ss.ss_family != a->family ||
	    type != (proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM))
		return false;
	if (getpeername(fd, (struct sockaddr *)&peer, &pl) == 0 ||
	    errno != ENOTCONN)
		return false;
	/* shutdown(SHUT_RD) of a UDP socket fails (ENOTCONN) yet marks it
	 * shut for reading: it polls readable and hung up for ever. */
	if (poll(&p, 1, 0) == 1 &&
	    (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
		return false;
	il = sizeof(int);
	if (proto == IPPROTO_TCP && (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
	    &listening, &il) == -1 || !listening))
		return false;
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		return sin->sin_addr.s_addr == a->a.v4.s_addr &&
		    ntohs(sin->sin_port) == port;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	return memcmp(&sin6->sin6_addr, &a->a.v6, 16) == 0 &&
	    ntohs(sin6->sin6_port) == port;
}

int
net_reset_pending(int lfd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int n = 0, c;

	/* poll first: the socket is blocking and accept must not wait. */
	while (n < 4096 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		if ((c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			break;
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
		n++;
	}
	return n;
}
