/*
 * net.c - uk.h's TCP calls over POSIX sockets. Every socket is
 * non-blocking; uk_wait (wait.c) is the only place the process sleeps.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uk/include/uk.h"
#include "uk/unix/unix.h"

/* Run by hand, with no sockets passed: bind this address (IPv4 or IPv6
 * literal) instead of 127.0.0.1. */
#define UK_ADDR_ENV	"UK_LISTEN_ADDR"

static int
self_bind(uint16_t port)
{
	const char		*addr = getenv(UK_ADDR_ENV);
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr		*sa;
	socklen_t		 sl;
	int			 fd, e, on = 1;

	if (addr == NULL || *addr == '\0')
		addr = "127.0.0.1";
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sa = (struct sockaddr *)&sin;
		sl = sizeof(sin);
	} else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sa = (struct sockaddr *)&sin6;
		sl = sizeof(sin6);
	} else {
		uk_printf("uk: %s=%s is not an address\n", UK_ADDR_ENV, addr);
		return UK_EINVAL;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return uk_unix_err(errno);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, sa, sl) != 0 || listen(fd, SOMAXCONN) != 0) {
		e = errno;
		uk_printf("uk: cannot listen on %s port %u: %s\n", addr,
		    (unsigned)port, strerror(e));
		close(fd);
		return e == EADDRINUSE || e == EACCES || e == EADDRNOTAVAIL ?
		    UK_ENOENT : uk_unix_err(e);
	}
	return fd;
}

int
uk_listen(uint16_t port)
{
	static int		 ready;
	struct uk_unix_handle	*l;
	int			 fds[UK_UNIX_LISTEN_FDS];
	int			 h, i, n, fl;

	n = uk_unix_listenfds_port(port, fds, UK_UNIX_LISTEN_FDS);
	if (n == 0)
		return UK_ENOENT;	/* activated, but not for this port */
	if (n < 0) {
		if ((fds[0] = self_bind(port)) < 0)
			return fds[0];
		n = 1;
	} else {
		/* The description is shared with the manager, which only
		 * holds it; an accept that could block would break rule 2. */
		for (i = 0; i < n; i++)
			if ((fl = fcntl(fds[i], F_GETFL)) >= 0 &&
			    !(fl & O_NONBLOCK))
				fcntl(fds[i], F_SETFL, fl | O_NONBLOCK);
	}
	if ((h = uk_unix_alloc(UH_LISTENER)) < 0)
		return UK_ENOMEM;
	l = uk_unix_get(h, UH_LISTENER);
	l->nfd = (uint8_t)n;
	for (i = 0; i < n; i++)
		l->fd[i] = fds[i];
	if (!ready) {
		/* Rule 7, as on the vm target's console. */
		ready = 1;
		uk_console_write("uk: ready\n", 10);
	}
	return h;
}

int
uk_accept(int listener)
{
	struct uk_unix_handle	*l, *c;
	int			 i, k, fd, h, on = 1;

	if ((l = uk_unix_get(listener, UH_LISTENER)) == NULL)
		return UK_EBADF;
	/* Check first: a connection left in the backlog beats one accepted
	 * and dropped. */
	if ((h = uk_unix_alloc(UH_CONN)) < 0)
		return UK_ENOMEM;
	/* Round-robin over the listener's addresses so none starves. */
	for (i = 0; i < l->nfd; i++) {
		k = (l->next + i) % l->nfd;
		fd = accept4(l->fd[k], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == ECONNABORTED ||
			    errno == EINTR)
				continue;
			uk_unix_release(h);
			return uk_unix_err(errno);
		}
		l->next = (uint8_t)((k + 1) % l->nfd);
		/* Responses are written whole; waiting for more is only
		 * latency. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		c = uk_unix_get(h, UH_CONN);
		c->nfd = 1;
		c->fd[0] = fd;
		return h;
	}
	uk_unix_release(h);
	return UK_EAGAIN;
}

long
uk_read(int conn, void *buf, size_t len)
{
	struct uk_unix_handle	*c;
	ssize_t			 n;

	if ((c = uk_unix_get(conn, UH_CONN)) == NULL)
		return UK_EBADF;
	do
		n = read(c->fd[0], buf, len);
	while (n < 0 && errno == EINTR);
	if (n == 0 && len > 0)
		c->eof = 1;
	return n < 0 ? uk_unix_err(errno) : (long)n;
}

long
uk_write(int conn, const void *buf, size_t len)
{
	struct uk_unix_handle	*c;
	ssize_t			 n;

	if ((c = uk_unix_get(conn, UH_CONN)) == NULL)
		return UK_EBADF;
	/* MSG_NOSIGNAL: a vanished peer is an error for this connection,
	 * not a SIGPIPE for the whole app. */
	do
		n = send(c->fd[0], buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n < 0 ? uk_unix_err(errno) : (long)n;
}

/*
 * close() on a socket with unread input sends a reset, and a reset makes
 * the peer's kernel drop what we sent but it has not yet read: an app
 * that answers "400, closing" before reading the whole request would
 * lose the answer. Discarding what has already arrived makes close()
 * the graceful FIN that uk.h promises in the usual case, for one read
 * that usually finds nothing. Input that arrives later still resets.
 */
static void
drain(int fd)
{
	char	 buf[4096];
	int	 i;

	for (i = 0; i < 16; i++)
		if (read(fd, buf, sizeof(buf)) <= 0)
			break;
}

int
uk_close(int handle)
{
	struct uk_unix_handle	*x;
	int			 i;

	if ((x = uk_unix_get(handle, UH_ANY)) == NULL)
		return UK_EBADF;
	uk_unix_unwatch(handle, 1);
	if (x->kind == UH_CONN && !x->eof)
		drain(x->fd[0]);
	for (i = 0; i < x->nfd; i++)
		close(x->fd[i]);
	uk_unix_release(handle);
	return 0;
}
