/*
 * test_ukhttp.c - the hello app's request parser and responses, without
 * sockets: heads in, requests and response bytes out.
 */
#include "tests/lib/t.h"
#include "uk/apps/hello/http.h"
#include "uk/apps/hello/response.h"

static enum http_status
parse(const char *s, struct http_req *r)
{
	return http_parse(s, strlen(s), r);
}

static void
get_is_parsed(void)
{
	const char	*s = "GET /x?y=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
	struct http_req	 r;

	T_EQ(parse(s, &r), HTTP_OK);
	T_EQ(r.method, HTTP_GET);
	T_EQ(r.target_len, 6);
	T_ASSERT(memcmp(r.target, "/x?y=1", 6) == 0);
	T_EQ(r.minor, 1);
	T_ASSERT(r.keep_alive);
	T_ASSERT(!r.chunked);
	T_EQ(r.content_length, 0);
	T_EQ(r.head_len, strlen(s));
}

static void
every_prefix_is_partial(void)
{
	const char	*s = "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
	struct http_req	 r;
	size_t		 i;

	for (i = 0; i < strlen(s); i++)
		T_EQ(http_parse(s, i, &r), HTTP_PARTIAL);
	T_EQ(http_parse(s, strlen(s), &r), HTTP_OK);
	T_EQ(r.method, HTTP_HEAD);
	T_ASSERT(r.keep_alive);
}

static void
keep_alive_rules(void)
{
	struct http_req	 r;

	T_EQ(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_OK);
	T_ASSERT(!r.keep_alive);
	T_EQ(parse("GET / HTTP/1.1\r\nconnection: Upgrade, CLOSE\r\n\r\n", &r),
	    HTTP_OK);
	T_ASSERT(!r.keep_alive);
	T_EQ(parse("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", &r),
	    HTTP_OK);
	T_ASSERT(r.keep_alive);
}

static void
lenient_where_harmless(void)
{
	struct http_req	 r;

	T_EQ(parse("GET / HTTP/1.1\nHost: a\n\n", &r), HTTP_OK);
	T_EQ(r.head_len, 24);
	T_EQ(parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n", &r), HTTP_OK);
	T_EQ(r.method, HTTP_GET);
	T_EQ(parse("GET / HTTP/1.1\r\nX:  padded \t\r\n\r\n", &r), HTTP_OK);
}

static void
malformed_is_bad(void)
{
	static const char *const bad[] = {
		"GET/ HTTP/1.1\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"GET / HTTP/1.10\r\n\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET /\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nName : v\r\n\r\n",
		"GET / HTTP/1.1\r\n: v\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: \r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 1\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n",
		"\rGET / HTTP/1.1\r\n\r\n",
		NULL
	};
	struct http_req	 r;
	int		 i;

	for (i = 0; bad[i] != NULL; i++) {
		if (parse(bad[i], &r) != HTTP_BAD) {
			printf("# accepted: %s\n", bad[i]);
			T_EQ(parse(bad[i], &r), HTTP_BAD);
		}
	}
	T_EQ(parse("GET / HTTP/2.0\r\n\r\n", &r), HTTP_BAD_VERSION);
}

static void
head_size_is_bounded(void)
{
	static char	 big[HTTP_HEAD_MAX];
	struct http_req	 r;

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	T_EQ(http_parse(big, sizeof(big), &r), HTTP_TOO_LARGE);
	T_EQ(http_parse(big, sizeof(big) - 1, &r), HTTP_PARTIAL);
}

static void
pipelined_and_bodies(void)
{
	const char	*s = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
	    "GET /b HTTP/1.1\r\n\r\n";
	struct http_req	 r;
	size_t		 off;

	T_EQ(parse(s, &r), HTTP_OK);
	T_EQ(r.method, HTTP_OTHER);
	T_EQ(r.content_length, 5);
	off = r.head_len + 5;
	T_EQ(http_parse(s + off, strlen(s) - off, &r), HTTP_OK);
	T_EQ(r.method, HTTP_GET);
	T_ASSERT(r.target[1] == 'b');
	T_EQ(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r),
	    HTTP_OK);
	T_ASSERT(r.chunked);
	T_EQ(parse("BREW / HTTP/1.1\r\n\r\n", &r), HTTP_OK);
	T_EQ(r.method, HTTP_UNKNOWN);
}

static struct response	 res;

static void
respond(const char *s)
{
	struct http_req	 r;
	enum http_status st;

	memset(&res, 0, sizeof(res));
	if ((st = parse(s, &r)) == HTTP_OK)
		response_for(&r, &res);
	else
		response_error(st, &res);
	res.head[res.head_len] = '\0';
}

static bool
has(const char *needle)
{
	return strstr(res.head, needle) != NULL;
}

static void
responses(void)
{
	respond("GET / HTTP/1.1\r\n\r\n");
	T_ASSERT(strncmp(res.head, "HTTP/1.1 200 OK\r\n", 17) == 0);
	T_ASSERT(has("Content-Length: 14\r\n"));
	T_ASSERT(has("\r\n\r\nhello from uk\n"));
	T_ASSERT(!has("Connection:"));
	T_ASSERT(!res.close);
	T_EQ(res.pattern_len, 0);

	respond("HEAD / HTTP/1.1\r\n\r\n");
	T_ASSERT(has("Content-Length: 14\r\n"));
	T_ASSERT(strstr(res.head, "\r\n\r\n")[4] == '\0');

	respond("GET /bytes/1000 HTTP/1.0\r\n\r\n");
	T_ASSERT(has("Content-Length: 1000\r\nConnection: close\r\n\r\n"));
	T_EQ(res.pattern_len, 1000);
	T_ASSERT(res.close);

	respond("HEAD /big HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	T_ASSERT(has("Content-Length: 1048576\r\nConnection: keep-alive\r\n"));
	T_EQ(res.pattern_len, 0);
	T_ASSERT(!res.close);

	respond("GET /bytes/12x HTTP/1.1\r\n\r\n");
	T_ASSERT(has("hello from uk"));
	respond("GET /bytes/ HTTP/1.1\r\n\r\n");
	T_ASSERT(has("hello from uk"));

	respond("DELETE / HTTP/1.1\r\n\r\n");
	T_ASSERT(strncmp(res.head, "HTTP/1.1 405 ", 13) == 0);
	T_ASSERT(has("Allow: GET, HEAD\r\n"));
	respond("BREW / HTTP/1.1\r\n\r\n");
	T_ASSERT(strncmp(res.head, "HTTP/1.1 501 ", 13) == 0);
	respond("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	T_ASSERT(res.close);

	respond("nonsense\r\n\r\n");
	T_ASSERT(strncmp(res.head, "HTTP/1.1 400 ", 13) == 0);
	T_ASSERT(res.close);
	T_ASSERT(has("Content-Length: 12\r\nConnection: close\r\n\r\nbad request\n"));
	memset(&res, 0, sizeof(res));
	response_busy(&res);
	res.head[res.head_len] = '\0';
	T_ASSERT(strncmp(res.head, "HTTP/1.1 503 ", 13) == 0);
	T_ASSERT(res.close);
	respond("GET / HTTP/3.0\r\n\r\n");
	T_ASSERT(strncmp(res.head, "HTTP/1.1 505 ", 13) == 0);
	T_ASSERT(res.close);
}

static void
pattern_is_periodic(void)
{
	const char	*p;
	size_t		 len;
	uint64_t	 off;

	for (off = 0; off < 3 * PATTERN_PERIOD; off += 7) {
		len = 1000;
		p = pattern_at(off, &len);
		T_EQ(len, 1000);
		T_EQ(p[0], (off % PATTERN_PERIOD) == PATTERN_PERIOD - 1 ? '\n' :
		    PATTERN_LINE[off % PATTERN_PERIOD]);
	}
	len = (size_t)-1;
	p = pattern_at(PATTERN_PERIOD + 63, &len);
	T_EQ(p[0], '\n');
	T_ASSERT(len > 4096 && len % PATTERN_PERIOD == 1);
	T_ASSERT(memcmp(p + 1, PATTERN_LINE "\n", PATTERN_PERIOD) == 0);
	T_EQ(p[len - 1], '\n');
}

int
main(void)
{
	T_RUN(get_is_parsed);
	T_RUN(every_prefix_is_partial);
	T_RUN(keep_alive_rules);
	T_RUN(lenient_where_harmless);
	T_RUN(malformed_is_bad);
	T_RUN(head_size_is_bounded);
	T_RUN(pipelined_and_bodies);
	T_RUN(responses);
	T_RUN(pattern_is_periodic);
	return t_done();
}
