/* Unit tests of QMP: message parsing, and the client against a fake QEMU
 * on a socketpair, run by the real event loop. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/qemu.h"
#include "tests/lib/t.h"

static int
parse(const char *s, struct qmp_msg *m)
{
	return qmp_parse(s, strlen(s), m);
}

static void
kinds(void)
{
	struct qmp_msg m;

	T_EQ(parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, "
	    "\"minor\": 2, \"major\": 7}, \"package\": \"Debian\"}, "
	    "\"capabilities\": [\"oob\"]}}\r", &m), 0);
	T_EQ(m.kind, QMP_GREETING);
	T_EQ(parse("{\"return\": {}}", &m), 0);
	T_EQ(m.kind, QMP_RETURN);
	T_EQ(m.running, -1);
	T_EQ(parse("{\"return\": {\"status\": \"running\", \"singlestep\": "
	    "false, \"running\": true}, \"id\": 7}", &m), 0);
	T_EQ(m.kind, QMP_RETURN);
	T_EQ(m.running, 1);
	T_EQ(parse("{\"return\": {\"status\": \"paused\", \"running\": "
	    "false, \"singlestep\": false}}", &m), 0);
	T_EQ(m.running, 0);
	/* Only a return's own "running" counts. */
	T_EQ(parse("{\"return\": {\"x\": {\"running\": true}}}", &m), 0);
	T_EQ(m.running, -1);
	T_EQ(parse("{\"timestamp\": {\"seconds\": 1795971355, \"microseconds\":"
	    " 86143}, \"event\": \"STOP\"}", &m), 0);
	T_EQ(m.kind, QMP_EVENT);
	T_ASSERT(strcmp(m.name, "STOP") == 0);
	T_EQ(parse("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
	    "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": "
	    "\"host-qmp-quit\"}}", &m), 0);
	T_ASSERT(strcmp(m.name, "SHUTDOWN") == 0);
	T_EQ(parse("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
	    "\"The command \\\"x\\\" was not found\\n\"}}", &m), 0);
	T_EQ(m.kind, QMP_ERROR);
	T_ASSERT(strcmp(m.name, "CommandNotFound") == 0);
	T_ASSERT(strcmp(m.desc, "The command \"x\" was not found\n") == 0);
	T_EQ(parse("{\"return\": [1, -2.5e3, null, \"\\u00e9\", [[]], {}]}",
	    &m), 0);
}

static void
refused(void)
{
	struct qmp_msg m;
	char deep[200];
	int i;

	T_EQ(parse("", &m), -EINVAL);
	T_EQ(parse("{}", &m), -EINVAL);			/* no known key */
	T_EQ(parse("{\"other\": 1}", &m), -EINVAL);
	T_EQ(parse("[\"return\"]", &m), -EINVAL);
	T_EQ(parse("{\"return\": {}", &m), -EINVAL);	/* unclosed */
	T_EQ(parse("{\"return\": {}} x", &m), -EINVAL);	/* trailing */
	T_EQ(parse("{\"return\" {}}", &m), -EINVAL);
	T_EQ(parse("{\"event\": 5}", &m), -EINVAL);
	T_EQ(parse("{\"return\": \"a\\qb\"}", &m), -EINVAL);	/* bad escape */
	T_EQ(parse("{\"return\": \"a\nb\"}", &m), -EINVAL);	/* raw control */
	T_EQ(parse("{\"return\": \"\\u12\"}", &m), -EINVAL);
	/* Nesting is bounded, not a stack overflow. */
	strcpy(deep, "{\"return\": ");
	for (i = 0; i < 60; i++)
		strcat(deep, "[");
	for (i = 0; i < 60; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	T_EQ(parse(deep, &m), -EINVAL);
	/* Long strings are cut, not overflowed. */
	char big[600] = "{\"event\": \"";
	memset(big + strlen(big), 'E', 400);
	strcpy(big + 411, "\"}");
	T_EQ(parse(big, &m), 0);
	T_EQ(strlen(m.name), sizeof(m.name) - 1);
}

/* --- the client --- */

struct seen {
	int		 n;
	enum qmp_kind	 kind[8];
	char		 cmd[8][32];
	char		 name[8][64];
};

static void
on_msg(struct qmp *q, const struct qmp_msg *m, const char *cmd, void *arg)
{
	struct seen *s = arg;

	(void)q;
	if (s->n == 8)
		return;
	s->kind[s->n] = m->kind;
	snprintf(s->cmd[s->n], sizeof(s->cmd[0]), "%s", cmd ? cmd : "-");
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", m->name);
	s->n++;
}

static void
client(void)
{
	struct loop *l = loop_new();
	struct qmp q;
	struct seen seen;
	char buf[512];
	size_t len;
	ssize_t n;
	int sp[2], i;
	const char *replies =
	    "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n"
	    "{\"return\": {}}\r\n"			/* qmp_capabilities */
	    "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
	    "\"event\": \"STOP\"}\r\n"
	    "{\"return\": {}}\r\n"			/* stop */
	    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\r\n";

	memset(&seen, 0, sizeof(seen));
	T_ASSERT(l != NULL);
	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	T_EQ(qmp_open(&q, l, sp[0], on_msg, &seen), 0);
	T_EQ(qmp_send(&q, "stop"), 0);
	T_EQ(qmp_send(&q, "system_powerdown"), 0);
	/* The handshake goes first, then the commands in order. */
	n = read(sp[1], buf, sizeof(buf) - 1);
	T_ASSERT(n > 0);
	buf[n] = '\0';
	T_ASSERT(strcmp(buf, "{\"execute\": \"qmp_capabilities\"}\n"
	    "{\"execute\": \"stop\"}\n"
	    "{\"execute\": \"system_powerdown\"}\n") == 0);
	/* Replies arrive split at awkward places. */
	for (i = 0; replies[i] != '\0'; i += (int)len) {
		len = strlen(replies + i) < 7 ? strlen(replies + i) : 7;
		T_EQ(write(sp[1], replies + i, len), (ssize_t)len);
		loop_once(l, 0);
	}
	T_ASSERT(q.greeted);
	T_EQ(seen.n, 3);
	T_EQ(seen.kind[0], QMP_EVENT);
	T_ASSERT(strcmp(seen.name[0], "STOP") == 0);
	T_ASSERT(strcmp(seen.cmd[0], "-") == 0);
	T_EQ(seen.kind[1], QMP_RETURN);
	T_ASSERT(strcmp(seen.cmd[1], "stop") == 0);
	T_EQ(seen.kind[2], QMP_ERROR);
	T_ASSERT(strcmp(seen.cmd[2], "system_powerdown") == 0);
	T_ASSERT(strcmp(seen.name[2], "GenericError") == 0);
	T_EQ(q.npending, 0);
	/* QEMU going away closes the client; sending then fails. */
	close(sp[1]);
	loop_once(l, 0);
	T_EQ(q.fd, -1);
	T_EQ(qmp_send(&q, "cont"), -ENOTCONN);
	qmp_close(&q);
	loop_free(l);
}

static void
bounded(void)
{
	struct loop *l = loop_new();
	struct qmp q;
	int sp[2], i, r = 0;

	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	T_EQ(qmp_open(&q, l, sp[0], NULL, NULL), 0);
	/* Nobody answers: the outstanding commands are bounded. */
	for (i = 0; i < QMP_PENDING_MAX + 2 && r == 0; i++)
		r = qmp_send(&q, "stop");
	T_EQ(r, -ENOBUFS);
	T_EQ(q.npending, QMP_PENDING_MAX);
	qmp_close(&q);
	close(sp[1]);
	loop_free(l);
}

/* Adoption's blocking exchange: the replies may come in pieces and
 * with events in between; whatever follows the reply stays unread. */
static void
status(void)
{
	static const char greet[] = "{\"QMP\": {\"version\": {}, "
	    "\"capabilities\": []}}\r\n";
	static const char rest[] = "{\"return\": {}}\r\n{\"timestamp\": {}, "
	    "\"event\": \"STOP\"}\r\n{\"return\": {\"status\": \"paused\", "
	    "\"singlestep\": false, \"running\": false}}\r\n"
	    "{\"event\": \"RESUME\"}\r\n";
	char buf[256];
	bool running = true;
	int sp[2];
	ssize_t n;

	T_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	T_EQ(write(sp[1], greet, 10), 10);		/* a partial line */
	T_EQ(write(sp[1], greet + 10, sizeof(greet) - 11),
	    (ssize_t)sizeof(greet) - 11);
	T_EQ(write(sp[1], rest, sizeof(rest) - 1), (ssize_t)sizeof(rest) - 1);
	T_EQ(qmp_status(sp[0], 2000, &running), 0);
	T_ASSERT(!running);
	n = read(sp[1], buf, sizeof(buf) - 1);
	T_ASSERT(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	T_ASSERT(strcmp(buf, "{\"execute\": \"qmp_capabilities\"}\n"
	    "{\"execute\": \"query-status\"}\n") == 0);
	n = recv(sp[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	T_EQ(n, (ssize_t)strlen("{\"event\": \"RESUME\"}\r\n"));
	/* A QEMU that says nothing: the deadline, not a hang. */
	T_EQ(qmp_status(sp[0], 50, &running), -ETIMEDOUT);
	close(sp[1]);
	T_EQ(qmp_status(sp[0], 50, &running), -ECONNRESET);
	close(sp[0]);
}

int
main(void)
{
	T_RUN(kinds);
	T_RUN(refused);
	T_RUN(client);
	T_RUN(bounded);
	T_RUN(status);
	return t_done();
}
