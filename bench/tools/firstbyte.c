/*
 * firstbyte - the client side of bench/coldstart: how long from the
 * moment a client wants a service until the first byte of its answer.
 *
 *   firstbyte dns SERVER[:PORT] NAME [HTTP_PORT]
 *	One sample: an A query for NAME over UDP, then, on the answer, a
 *	TCP connection to the answered address and "GET /". Prints
 *	"DNS_US FIRSTBYTE_US", both counted from the query's send.
 *   firstbyte query SERVER[:PORT] NAME...
 *	An A query for each NAME, one after the other (each waits for its
 *	answer). Prints "answered N of M" and the slowest answer; exits 1
 *	when any went unanswered or was not NOERROR with an address.
 *   firstbyte spawn [-n N] [-g MS] [-P PID] ADDR:PORT CMD [ARG...]
 *	The floor: a listening socket on ADDR:PORT made once (held, as
 *	jitsud holds a service's), then N times: fork, the socket at fd 3
 *	with LISTEN_FDS=1, LISTEN_PID and LISTEN_FDNAMES=tcp-PORT in the
 *	environment, exec CMD; the parent connects, sends "GET /" and
 *	waits for the first byte of the answer; then kills the child.
 *	Prints "FIRSTBYTE_US CPU_US" per line, CPU_US being the CPU time
 *	the child and its descendants used until the first byte. LISTEN_PID is the child's own
 *	pid unless -P gives one (1 for a CMD that runs the image as pid 1
 *	of a new pid namespace, as bwrap --as-pid-1 does). -g: pause
 *	between samples (default 100 ms), so each start is as cold as
 *	jitsud's.
 *
 * Times are CLOCK_MONOTONIC. Everything happens in this one process,
 * so no interpreter start-up or scheduling of a helper lands inside a
 * measurement; the answer is read to its status line and must be 200.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS	5000
#define DNS_MAX		512

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("firstbyte: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "A.B.C.D[:PORT]" into SIN; the port defaults to DEFPORT. */
static void
parse_addr(const char *s, uint16_t defport, struct sockaddr_in *sin)
{
	char host[64], *colon;
	long port = defport;

	if (strlen(s) >= sizeof(host))
		die("bad address %s", s);
	strcpy(host, s);
	if ((colon = strchr(host, ':')) != NULL) {
		*colon = '\0';
		port = strtol(colon + 1, NULL, 10);
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		die("bad address %s", s);
}

/* Waits until FD has EVENTS or the deadline passes. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t now;
	int r;

	for (;;) {
		now = now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1));
		if (r > 0)
			return 0;
		if (r == -1 && errno != EINTR)
			return -errno;
	}
}

/* --- DNS: one A question, the first A record of the answer --- */

static size_t
dns_build(uint8_t *p, size_t max, uint16_t id, const char *name)
{
	size_t n = 12, len;
	const char *dot;

	memset(p, 0, 12);
	p[0] = id >> 8;
	p[1] = id & 0xff;
	p[5] = 1;				/* QDCOUNT */
	while (*name != '\0') {
		dot = strchr(name, '.');
		len = dot ? (size_t)(dot - name) : strlen(name);
		if (len == 0 || len > 63 || n + len + 6 > max)
			die("bad name");
		p[n++] = (uint8_t)len;
		memcpy(p + n, name, len);
		n += len;
		name += len + (dot != NULL);
	}
	p[n++] = 0;
	p[n++] = 0; p[n++] = 1;			/* QTYPE A */
	p[n++] = 0; p[n++] = 1;			/* QCLASS IN */
	return n;
}

/* Offset just past the (possibly compressed) name at OFF, or 0. */
static size_t
dns_skip_name(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		if (p[off] == 0)
			return off + 1;
		if ((p[off] & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		off += 1 + p[off];
	}
	return 0;
}

/* The rcode of the answer, the first A record in *A (0 if none). */
static int
dns_parse(const uint8_t *p, size_t len, uint16_t id, struct in_addr *a)
{
	size_t off;
	unsigned qd, an, i, type, rdlen;

	a->s_addr = 0;
	if (len < 12 || p[0] != (id >> 8) || p[1] != (id & 0xff) || !(p[2] & 0x80))
		return -1;
	qd = (unsigned)p[4] << 8 | p[5];
	an = (unsigned)p[6] << 8 | p[7];
	off = 12;
	for (i = 0; i < qd; i++)
		if ((off = dns_skip_name(p, len, off)) == 0 || (off += 4) > len)
			return -1;
	for (i = 0; i < an; i++) {
		if ((off = dns_skip_name(p, len, off)) == 0 || off + 10 > len)
			return -1;
		type = (unsigned)p[off] << 8 | p[off + 1];
		rdlen = (unsigned)p[off + 8] << 8 | p[off + 9];
		off += 10;
		if (off + rdlen > len)
			return -1;
		if (type == 1 && rdlen == 4) {
			memcpy(&a->s_addr, p + off, 4);
			break;
		}
		off += rdlen;
	}
	return p[3] & 0x0f;
}

/* Sends the query for NAME on the connected UDP socket FD and waits for
 * its answer; returns the rcode (the address in *A) or -1. */
static int
dns_ask(int fd, const char *name, struct in_addr *a)
{
	uint8_t q[DNS_MAX], r[DNS_MAX];
	uint16_t id = (uint16_t)(now_ns() >> 10);
	uint64_t deadline;
	size_t qlen;
	ssize_t n;
	int rc;

	qlen = dns_build(q, sizeof(q), id, name);
	if (send(fd, q, qlen, 0) != (ssize_t)qlen)
		die("dns send: %s", strerror(errno));
	deadline = now_ns() + (uint64_t)TIMEOUT_MS * 1000000;
	for (;;) {
		if (wait_fd(fd, POLLIN, deadline) < 0)
			return -1;
		if ((n = recv(fd, r, sizeof(r), 0)) < 0)
			die("dns recv: %s", strerror(errno));
		/* a late answer to an earlier query is not ours */
		if ((rc = dns_parse(r, (size_t)n, id, a)) >= 0)
			return rc;
	}
}

static int
udp_to(const struct sockaddr_in *server)
{
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)server, sizeof(*server)) == -1)
		die("connect to the DNS server: %s", strerror(errno));
	return fd;
}

/* --- HTTP: connect, GET, the first byte, then the status line --- */

/* The time the first byte of the answer arrived, or 0 (said why). */
static uint64_t
http_first_byte(const struct sockaddr_in *to, const char *host)
{
	char req[256], buf[4096];
	size_t got = 0;
	uint64_t deadline, t;
	ssize_t n;
	int fd, len;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	/* A held socket completes the handshake in the kernel even while
	 * nobody accepts: connect returns at once, the wait is in recv. */
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) == -1)
		die("connect: %s", strerror(errno));
	len = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n"
	    "Connection: close\r\n\r\n", host);
	if (send(fd, req, (size_t)len, MSG_NOSIGNAL) != len)
		die("send: %s", strerror(errno));
	deadline = now_ns() + (uint64_t)TIMEOUT_MS * 1000000;
	if (wait_fd(fd, POLLIN, deadline) < 0) {
		fprintf(stderr, "firstbyte: no answer in %d ms\n", TIMEOUT_MS);
		close(fd);
		return 0;
	}
	t = now_ns();
	/* Not timed: the status line, so a 400 or a reset is not counted
	 * as a start. */
	while (got < sizeof(buf) - 1 && memchr(buf, '\n', got) == NULL) {
		if (wait_fd(fd, POLLIN, deadline) < 0 ||
		    (n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	if (strncmp(buf, "HTTP/1.1 200", 12) != 0 && strncmp(buf, "HTTP/1.0 200", 12) != 0) {
		fprintf(stderr, "firstbyte: answer is not 200: %.40s\n", buf);
		return 0;
	}
	return t;
}

/* --- CPU time of a process tree (schedstat: ns on a CPU, exact) --- */

static uint64_t
tree_cpu_ns(pid_t pid, int depth)
{
	char path[64], buf[4096], *p, *end;
	uint64_t ns = 0;
	FILE *f;
	long child;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%" SCNu64, &ns) != 1)
			ns = 0;
		fclose(f);
	}
	if (depth > 4)
		return ns;
	/* single-threaded programs: the main thread's children are all */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return ns;
	if (fgets(buf, sizeof(buf), f) != NULL)
		for (p = buf; (child = strtol(p, &end, 10)) > 0; p = end)
			ns += tree_cpu_ns((pid_t)child, depth + 1);
	fclose(f);
	return ns;
}

/* --- modes --- */

static int
cmd_dns(int argc, char **argv)
{
	struct sockaddr_in server, to;
	uint64_t t0, tdns, tbyte;
	int fd, rc, port = 80;

	if (argc < 2)
		die("usage: firstbyte dns SERVER[:PORT] NAME [HTTP_PORT]");
	parse_addr(argv[0], 53, &server);
	if (argc > 2)
		port = atoi(argv[2]);
	fd = udp_to(&server);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	t0 = now_ns();
	if ((rc = dns_ask(fd, argv[1], &to.sin_addr)) < 0)
		die("no DNS answer for %s", argv[1]);
	tdns = now_ns();
	if (rc != 0 || to.sin_addr.s_addr == 0)
		die("DNS answer for %s: rcode %d, %s", argv[1], rc,
		    to.sin_addr.s_addr ? "an address" : "no address");
	if ((tbyte = http_first_byte(&to, argv[1])) == 0)
		return 1;
	printf("%.1f %.1f\n", (double)(tdns - t0) / 1e3, (double)(tbyte - t0) / 1e3);
	return 0;
}

static int
cmd_query(int argc, char **argv)
{
	struct sockaddr_in server;
	struct in_addr a;
	uint64_t t0, dt, worst = 0;
	int fd, i, ok = 0, rc;

	if (argc < 2)
		die("usage: firstbyte query SERVER[:PORT] NAME...");
	parse_addr(argv[0], 53, &server);
	fd = udp_to(&server);
	for (i = 1; i < argc; i++) {
		t0 = now_ns();
		rc = dns_ask(fd, argv[i], &a);
		dt = now_ns() - t0;
		if (dt > worst)
			worst = dt;
		if (rc == 0 && a.s_addr != 0)
			ok++;
		else
			fprintf(stderr, "firstbyte: %s: %s\n", argv[i],
			    rc < 0 ? "no answer" : "no address");
	}
	printf("answered %d of %d, slowest %.1f ms\n", ok, argc - 1,
	    (double)worst / 1e6);
	return ok == argc - 1 ? 0 : 1;
}

static int
listen_on(const struct sockaddr_in *sin)
{
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(fd, 128) == -1)
		die("listen: %s", strerror(errno));
	return fd;
}

static int
cmd_spawn(int argc, char **argv)
{
	struct sockaddr_in sin;
	char fdnames[32], pidbuf[24];
	const char *fixed_pid = NULL;
	uint64_t t0, t1, cpu;
	long n = 10, gap_ms = 100;
	pid_t pid;
	int ls, ch, i, st;

	while ((ch = getopt(argc, argv, "+n:g:P:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'g':
			gap_ms = strtol(optarg, NULL, 10);
			break;
		case 'P':
			fixed_pid = optarg;
			break;
		default:
			die("usage: firstbyte spawn [-n N] [-g MS] [-P PID] "
			    "ADDR:PORT CMD [ARG...]");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		die("usage: firstbyte spawn [-n N] [-g MS] [-P PID] ADDR:PORT CMD [ARG...]");
	parse_addr(argv[0], 80, &sin);
	ls = listen_on(&sin);
	snprintf(fdnames, sizeof(fdnames), "tcp-%u", ntohs(sin.sin_port));
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			/* dup2 onto itself keeps close-on-exec: clear it */
			if (dup2(ls, 3) == -1 || fcntl(3, F_SETFD, 0) == -1)
				_exit(126);
			snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
			setenv("LISTEN_FDS", "1", 1);
			setenv("LISTEN_PID", fixed_pid ? fixed_pid : pidbuf, 1);
			setenv("LISTEN_FDNAMES", fdnames, 1);
			execvp(argv[1], argv + 1);
			_exit(127);
		}
		t1 = http_first_byte(&sin, "floor");
		cpu = tree_cpu_ns(pid, 0);
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		if (t1 == 0)
			return 1;
		printf("%.1f %.1f\n", (double)(t1 - t0) / 1e3, (double)cpu / 1e3);
		fflush(stdout);
		if (gap_ms > 0)
			usleep((useconds_t)gap_ms * 1000);
	}
	close(ls);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "dns") == 0)
		return cmd_dns(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "query") == 0)
		return cmd_query(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "spawn") == 0)
		return cmd_spawn(argc - 1, argv + 1);
	fprintf(stderr, "usage: firstbyte dns SERVER[:PORT] NAME [HTTP_PORT]\n"
	    "       firstbyte query SERVER[:PORT] NAME...\n"
	    "       firstbyte spawn [-n N] [-g MS] [-P PID] ADDR:PORT CMD [ARG...]\n");
	return 2;
}
