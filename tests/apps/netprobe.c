/*
 * netprobe - a stand-in unikernel that attacks the network isolation of
 * its sandbox from the sockets jitsud hands it (fd 3, LISTEN_FDS), for
 * tests/hostile/2x. Each attempt is reported on stdout (jitsud's log) as
 * "netprobe: WHAT=ok" or "netprobe: WHAT=ERRNAME", and where a client is
 * connected, to it as well.
 *
 *   tcp PORT        per accepted connection: connect(AF_UNSPEC) on it,
 *                   then connect to 127.0.0.1:PORT; MSG_FASTOPEN sendto to
 *                   127.0.0.1:PORT; the SIOCGSKNS ioctl. What connects
 *                   sends "PWNED".
 *   listener PORT   the same on the held listener itself (which a
 *                   successful AF_UNSPEC destroys).
 *   udp PORT [DNS]  on the first datagram: sendto 127.0.0.1:PORT "PWNED"
 *                   (and to 127.0.0.1:DNS a query for victim.example.test;
 *                   [::1] from an IPv6 socket),
 *                   then reply "pong" to the sender. Before the attack only
 *                   calls of the strict list are made (write, sendto), so
 *                   under sandbox = strict the attack is what the filter
 *                   sees first.
 *   family          per connection: sockets of families a service has no
 *                   use for (vsock bound to a port, netlink, packet).
 *   abstract-listen NAME   binds the abstract datagram socket @NAME once;
 *                   each connection gets "received=N" (datagrams so far).
 *   abstract-send NAME     per connection: sendto @NAME "PWNED".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/sockios.h>
#include <linux/vm_sockets.h>

static int client = -1;

/* write(2) only: stdio's first use makes calls the strict list lacks */
static void
say(const char *what, int r)
{
	char line[160];
	int n;

	n = snprintf(line, sizeof(line), "netprobe: %s=%s\n", what,
	    r == 0 ? "ok" : strerrorname_np(r) ? strerrorname_np(r) : "?");
	if (write(1, line, (size_t)n) < 0)
		return;
	if (client != -1)
		send(client, line + 10, (size_t)n - 10, MSG_NOSIGNAL);
}

static int
rc(int r)
{
	return r == -1 ? errno : 0;
}

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return sin;
}

/* connect(AF_UNSPEC) then connect(127.0.0.1:PORT) on FD; "PWNED" if in. */
static void
connect_out(int fd, const char *which, int port)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct sockaddr_in sin = loopback(port);
	char what[64];
	int r;

	snprintf(what, sizeof(what), "%s-unspec", which);
	say(what, rc(connect(fd, &unspec, sizeof(unspec))));
	snprintf(what, sizeof(what), "%s-connect", which);
	r = rc(connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	say(what, r);
	if (r == 0)
		send(fd, "PWNED\n", 6, MSG_NOSIGNAL);
	snprintf(what, sizeof(what), "%s-fastopen", which);
	say(what, rc(sendto(fd, "PWNED\n", 6, MSG_FASTOPEN | MSG_NOSIGNAL,
	    (struct sockaddr *)&sin, sizeof(sin)) == -1 ? -1 : 0));
	snprintf(what, sizeof(what), "%s-skns", which);
	r = ioctl(fd, SIOCGSKNS);
	say(what, rc(r < 0 ? -1 : 0));
	if (r >= 0)
		close(r);
}

static void
tcp(int port)
{
	for (;;) {
		if ((client = accept(3, NULL, NULL)) == -1)
			continue;
		connect_out(client, "accepted", port);
		close(client);
		client = -1;
	}
}

/* 127.0.0.1:PORT, or [::1]:PORT for an IPv6 socket FD. */
static socklen_t
loopback_of(int fd, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	socklen_t sl = sizeof(*ss);

	if (getsockname(fd, (struct sockaddr *)ss, &sl) == 0 &&
	    ss->ss_family == AF_INET6) {
		memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		sin6->sin6_addr = in6addr_loopback;
		return sizeof(*sin6);
	}
	*(struct sockaddr_in *)ss = loopback(port);
	return sizeof(struct sockaddr_in);
}

static void
udp(int port, int dns)
{
	/* a query for victim.example.test A, id 0x4a4a */
	static const unsigned char q[] = { 0x4a, 0x4a, 1, 0, 0, 1, 0, 0, 0, 0,
	    0, 0, 6, 'v', 'i', 'c', 't', 'i', 'm', 7, 'e', 'x', 'a', 'm', 'p',
	    'l', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
	struct sockaddr_storage from, to;
	socklen_t fl = sizeof(from), tl;
	char buf[512];

	/* getsockname is on the strict list: the attack stays the first
	 * call outside it */
	tl = loopback_of(3, port, &to);
	say("udp-start", 0);
	say("udp-sendto", rc(sendto(3, "PWNED\n", 6, 0,
	    (struct sockaddr *)&to, tl) == -1 ? -1 : 0));
	if (dns > 0) {
		tl = loopback_of(3, dns, &to);
		say("udp-dns", rc(sendto(3, q, sizeof(q), 0,
		    (struct sockaddr *)&to, tl) == -1 ? -1 : 0));
	}
	for (;;) {
		fl = sizeof(from);
		if (recvfrom(3, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &fl) == -1)
			continue;
		say("udp-reply", rc(sendto(3, "pong\n", 5, 0,
		    (struct sockaddr *)&from, fl) == -1 ? -1 : 0));
	}
}

static void
family(void)
{
	struct sockaddr_vm svm = { .svm_family = AF_VSOCK,
	    .svm_cid = VMADDR_CID_ANY, .svm_port = 5555 };
	int fd;

	for (;;) {
		if ((client = accept(3, NULL, NULL)) == -1)
			continue;
		fd = socket(AF_VSOCK, SOCK_STREAM, 0);
		say("vsock-socket", rc(fd));
		if (fd != -1) {
			say("vsock-bind", rc(bind(fd, (struct sockaddr *)&svm,
			    sizeof(svm))));
			close(fd);
		}
		fd = socket(AF_NETLINK, SOCK_RAW, 0);
		say("netlink-socket", rc(fd));
		if (fd != -1)
			close(fd);
		fd = socket(AF_PACKET, SOCK_DGRAM, 0);
		say("packet-socket", rc(fd));
		if (fd != -1)
			close(fd);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		say("inet-socket", rc(fd));
		if (fd != -1)
			close(fd);
		close(client);
		client = -1;
	}
}

static socklen_t
abstract(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "%s", name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
}

static void
abstract_listen(const char *name)
{
	struct sockaddr_un sun;
	socklen_t sl = abstract(&sun, name);
	char buf[64], line[32];
	int fd = -1, n = 0;

	for (;;) {
		if ((client = accept(3, NULL, NULL)) == -1)
			continue;
		if (fd == -1) {
			fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			say("abstract-bind", rc(bind(fd, (struct sockaddr *)&sun,
			    sl)));
		}
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			n++;
		snprintf(line, sizeof(line), "received=%d\n", n);
		if (write(1, "netprobe: ", 10) > 0 &&
		    write(1, line, strlen(line)) > 0)
			send(client, line, strlen(line), MSG_NOSIGNAL);
		close(client);
		client = -1;
	}
}

static void
abstract_send(const char *name)
{
	struct sockaddr_un sun;
	socklen_t sl = abstract(&sun, name);
	int fd;

	for (;;) {
		if ((client = accept(3, NULL, NULL)) == -1)
			continue;
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		say("abstract-sendto", rc(sendto(fd, "PWNED", 5, 0,
		    (struct sockaddr *)&sun, sl) == -1 ? -1 : 0));
		close(fd);
		close(client);
		client = -1;
	}
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int arg = argc > 2 ? atoi(argv[2]) : 0;

	if (strcmp(mode, "tcp") == 0)
		tcp(arg);
	else if (strcmp(mode, "listener") == 0) {
		connect_out(3, "listener", arg);
		for (;;)
			pause();
	} else if (strcmp(mode, "udp") == 0)
		udp(arg, argc > 3 ? atoi(argv[3]) : 0);
	else if (strcmp(mode, "family") == 0)
		family();
	else if (strcmp(mode, "abstract-listen") == 0 && argc > 2)
		abstract_listen(argv[2]);
	else if (strcmp(mode, "abstract-send") == 0 && argc > 2)
		abstract_send(argv[2]);
	fprintf(stderr, "usage: netprobe tcp|listener|udp|family PORT | "
	    "abstract-listen|abstract-send NAME\n");
	return 2;
}
