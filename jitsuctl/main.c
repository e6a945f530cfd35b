/*
 * jitsuctl - steer a running jitsud through its control socket.
 *
 * jitsuctl [-j] [-s SOCKET] [-w SECONDS] list | status NAME | start NAME | stop NAME |
 *          suspend NAME | resume NAME | reload
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/proto.h"

#define DEFAULT_SOCKET	"/run/jitsu/jitsud.sock"
#define DEFAULT_WAIT_S	30
#define POLL_MS		10	/* status polls while a service settles: cheap, local */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: jitsuctl [-j] [-s SOCKET] [-w SECONDS] COMMAND [NAME]\n"
"\n"
"Commands:\n"
"  list            one line per service: name, state, backend, addresses,\n"
"                  pid, time in state, starts, last boot time, memory\n"
"  status NAME     everything about one service, with the phases of its\n"
"                  last start and the last lines its unikernel printed\n"
"  start NAME      start (or resume) it now\n"
"  stop NAME       stop it (its held sockets stay: a query starts it again)\n"
"  suspend NAME    freeze it\n"
"  resume NAME     thaw it\n"
"  reload          reload jitsud's configuration (like SIGHUP)\n"
"\n"
"Options:\n"
"  -s SOCKET       jitsud's control socket (default %s,\n"
"                  or $JITSU_SOCKET)\n"
"  -j              print JSON\n"
"  -w SECONDS      how long start, stop and resume wait for the service to\n"
"                  settle in running, stopped or failed (default 30;\n"
"                  0 returns as soon as jitsud has taken the request)\n"
"  -h              this help\n"
"\n"
"Exit status: 0 done, 1 refused, failed or still settling after -w,\n"
"2 usage error.\n", DEFAULT_SOCKET);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "jitsuctl: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "jitsuctl: cannot connect to %s: %s%s\n", path,
		    strerror(errno), errno == ENOENT || errno == ECONNREFUSED ?
		    " (is jitsud running?)" : "");
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* JSON string with the escapes RFC 8259 requires. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int
is_number(const char *key)
{
	static const char *const num[] = { "pid", "since_s", "starts",
	    "boot_ms", "memory", "idle_s", "failures", "idle_for_s", NULL };

	if (strncmp(key, "phase_", 6) == 0)
		return 1;
	for (int i = 0; num[i]; i++)
		if (strcmp(key, num[i]) == 0)
			return 1;
	return 0;
}

/* Keys that may repeat become JSON arrays. */
static int
is_list(const char *key)
{
	return strcmp(key, "dns") == 0 || strcmp(key, "log") == 0;
}

static void
print_json(const char *rec, size_t len)
{
	const char *e = rec + len, *p = rec, *q;
	char k[64], v[1024], k2[64], v2[1024], done[8][64];
	int first = 1, ndone = 0, i, f2;

	putchar('{');
	while (ctl_rec_next(&p, e, k, sizeof(k), v, sizeof(v))) {
		if (is_list(k)) {
			/* A repeated key becomes one array, printed where it
			 * first appears. */
			for (i = 0; i < ndone && strcmp(done[i], k) != 0; i++)
				;
			if (i < ndone)
				continue;
			if (ndone < 8)
				snprintf(done[ndone++], sizeof(done[0]), "%s", k);
			printf("%s", first ? "" : ",");
			json_str(k);
			printf(":[");
			for (q = rec, f2 = 1; ctl_rec_next(&q, e, k2, sizeof(k2),
			    v2, sizeof(v2)); )
				if (strcmp(k2, k) == 0) {
					printf("%s", f2 ? "" : ",");
					json_str(v2);
					f2 = 0;
				}
			putchar(']');
		} else {
			printf("%s", first ? "" : ",");
			json_str(k);
			putchar(':');
			if (is_number(k) && *v)
				printf("%s", v);
			else
				json_str(v);
		}
		first = 0;
	}
	putchar('}');
}

/* Copy a value into a fixed column, cut to fit. */
static void
cpy(char *d, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		n = cap - 1;
	memcpy(d, s, n);
	d[n] = '\0';
}

static void
human_size(unsigned long long b, char *out, size_t len)
{
	if (b == 0)
		snprintf(out, len, "-");
	else if (b >= 10ULL << 20)
		snprintf(out, len, "%lluM", b >> 20);
	else
		snprintf(out, len, "%lluK", b >> 10);
}

static void
print_row(const char *p, size_t len)
{
	const char *e = p + len;
	char k[64], v[1024];
	char name[130] = "", state[16] = "", be[16] = "", addrs[256] = "",
	    pid[16] = "", since[24] = "", starts[24] = "", boot[24] = "-",
	    mem[24] = "-";

	while (ctl_rec_next(&p, e, k, sizeof(k), v, sizeof(v))) {
		if (!strcmp(k, "name")) cpy(name, sizeof(name), v);
		else if (!strcmp(k, "state")) cpy(state, sizeof(state), v);
		else if (!strcmp(k, "backend")) cpy(be, sizeof(be), v);
		else if (!strcmp(k, "addresses")) cpy(addrs, sizeof(addrs), v);
		else if (!strcmp(k, "pid")) cpy(pid, sizeof(pid),
		    strcmp(v, "0") ? v : "-");
		else if (!strcmp(k, "since_s")) snprintf(since, sizeof(since),
		    "%.0fs", atof(v));
		else if (!strcmp(k, "starts")) cpy(starts, sizeof(starts), v);
		else if (!strcmp(k, "boot_ms") && atof(v) > 0)
			snprintf(boot, sizeof(boot), "%.1fms", atof(v));
		else if (!strcmp(k, "memory"))
			human_size(strtoull(v, NULL, 10), mem, sizeof(mem));
	}
	printf("%-20s %-10s %-8s %-24s %8s %8s %6s %9s %7s\n", name, state, be,
	    addrs, pid, since, starts, boot, mem);
}

static void
print_status(const char *p, size_t len)
{
	const char *e = p + len;
	char k[64], v[1024];

	while (ctl_rec_next(&p, e, k, sizeof(k), v, sizeof(v)))
		printf("%-32s %s\n", k, v);
}

/* One reply: its records go to the caller's function, the END's status
 * and message come back. Returns -1 after printing what went wrong with
 * the exchange itself. */
struct reply {
	int status;
	char msg[1024];
};

static int
transact(int fd, enum ctl_type t, const char *name,
    void (*rec)(const char *, size_t, void *), void *arg, struct reply *r)
{
	uint8_t buf[CTL_MAX_MSG + 1];
	struct ctl_hdr h;
	const char *p;
	ssize_t got;
	int n;

	n = ctl_pack(buf, t, 0, name, name ? strlen(name) : 0);
	if (n < 0 || send(fd, buf, (size_t)n, 0) != n) {
		fprintf(stderr, "jitsuctl: send: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		got = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (got <= 0) {
			fprintf(stderr, "jitsuctl: jitsud closed the connection\n");
			return -1;
		}
		if ((size_t)got > CTL_MAX_MSG ||
		    ctl_unpack(buf, (size_t)got, &h, &p) < 0) {
			fprintf(stderr, "jitsuctl: malformed reply\n");
			return -1;
		}
		if (h.type == CTL_RECORD) {
			if (rec != NULL)
				rec(p, h.len, arg);
			continue;
		}
		if (h.type != CTL_END) {
			fprintf(stderr, "jitsuctl: unexpected reply\n");
			return -1;
		}
		r->status = h.status;
		snprintf(r->msg, sizeof(r->msg), "%.*s", (int)h.len, p);
		return 0;
	}
}

struct printer {
	int json;
	enum ctl_type t;
	int nrec;
};

static void
print_record(const char *p, size_t len, void *arg)
{
	struct printer *pr = arg;

	if (pr->json) {
		if (pr->nrec)
			putchar(',');
		print_json(p, len);
	} else if (pr->t == CTL_LIST)
		print_row(p, len);
	else
		print_status(p, len);
	pr->nrec++;
}

struct settle {
	char state[16];
	char failure[512];
};

static void
read_state(const char *p, size_t len, void *arg)
{
	struct settle *st = arg;
	const char *e = p + len;
	char k[64], v[1024];

	while (ctl_rec_next(&p, e, k, sizeof(k), v, sizeof(v))) {
		if (!strcmp(k, "state"))
			cpy(st->state, sizeof(st->state), v);
		else if (!strcmp(k, "last_failure"))
			cpy(st->failure, sizeof(st->failure), v);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* start, stop and resume are taken by jitsud at once and carried out by
 * its event loop; like systemctl, wait here until the service is out of
 * starting or stopping so that the exit status says how it went. Polling
 * status every POLL_MS costs jitsud a few microseconds each time. */
static int
settle(int fd, const char *name, double wait_s, struct reply *r)
{
	double until = now_s() + wait_s;
	struct settle st;
	struct timespec pause = { 0, POLL_MS * 1000000L };

	for (;;) {
		memset(&st, 0, sizeof(st));
		if (transact(fd, CTL_STATUS, name, read_state, &st, r) < 0)
			return -1;
		if (r->status < 0)
			return 0;	/* gone in a reload: say so */
		if (strcmp(st.state, "starting") && strcmp(st.state, "stopping"))
			break;
		if (now_s() >= until) {
			r->status = -ETIMEDOUT;
			snprintf(r->msg, sizeof(r->msg),
			    "%s: still %s after %gs", name, st.state, wait_s);
			return 0;
		}
		nanosleep(&pause, NULL);
	}
	if (!strcmp(st.state, "failed")) {
		r->status = -EIO;
		snprintf(r->msg, sizeof(r->msg), "%s: failed%s%s", name,
		    st.failure[0] ? ": " : "", st.failure);
	} else
		snprintf(r->msg, sizeof(r->msg), "%s: %s", name, st.state);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path = getenv("JITSU_SOCKET");
	const char *name = NULL;
	struct printer pr = { 0 };
	struct reply r;
	enum ctl_type t;
	double wait_s = DEFAULT_WAIT_S;
	char *end;
	int ch, fd;

	if (path == NULL)
		path = DEFAULT_SOCKET;
	while ((ch = getopt(argc, argv, "hjs:w:")) != -1) {
		switch (ch) {
		case 'j':
			pr.json = 1;
			break;
		case 's':
			path = optarg;
			break;
		case 'w':
			errno = 0;
			wait_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || wait_s < 0 ||
			    wait_s > 86400) {
				fprintf(stderr, "jitsuctl: -w wants seconds "
				    "from 0 to 86400, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (t = ctl_type_of(argv[0])) == 0) {
		if (argc >= 1)
			fprintf(stderr, "jitsuctl: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		return 2;
	}
	pr.t = t;
	if (t != CTL_LIST && t != CTL_RELOAD) {
		if (argc != 2) {
			fprintf(stderr, "jitsuctl: %s needs a service name\n",
			    argv[0]);
			return 2;
		}
		name = argv[1];
		if (!ctl_name_ok(name, strlen(name))) {
			fprintf(stderr, "jitsuctl: bad service name\n");
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "jitsuctl: %s takes no argument\n", argv[0]);
		return 2;
	}
	if ((fd = connect_to(path)) < 0)
		return 1;
	if (pr.json && t == CTL_LIST)
		putchar('[');
	else if (!pr.json && t == CTL_LIST)
		printf("%-20s %-10s %-8s %-24s %8s %8s %6s %9s %7s\n", "NAME",
		    "STATE", "BACKEND", "ADDRESSES", "PID", "SINCE", "STARTS",
		    "BOOT", "MEMORY");
	if (transact(fd, t, name, print_record, &pr, &r) < 0)
		return 1;
	if (pr.json && t == CTL_LIST)
		putchar(']');
	if (pr.json && (t == CTL_LIST || t == CTL_STATUS))
		putchar('\n');
	if (r.status >= 0 && wait_s > 0 &&
	    (t == CTL_START || t == CTL_STOP || t == CTL_RESUME) &&
	    settle(fd, name, wait_s, &r) < 0)
		return 1;
	if (r.status < 0) {
		fprintf(stderr, "jitsuctl: %s\n",
		    r.msg[0] ? r.msg : strerror(-r.status));
		return 1;
	}
	if (r.msg[0] && t != CTL_LIST && t != CTL_STATUS) {
		if (pr.json) {
			printf("{\"ok\":true,\"message\":");
			json_str(r.msg);
			printf("}\n");
		} else
			printf("%s\n", r.msg);
	}
	return 0;
}
