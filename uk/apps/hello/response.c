/*
 * response.c - building hello's answers. Heads (and short bodies) are
 * formatted into one buffer so that a response is usually one write;
 * long bodies are a repeating pattern read from a static buffer, so a
 * gigabyte costs no more memory than a byte.
 */
#include "uk/include/uk.h"
#include "uk/apps/hello/response.h"

/* Many periods: fewer, larger writes. */
static char	 pattern[PATTERN_PERIOD * 256];
static bool	 pattern_ready;

const char *
pattern_at(uint64_t offset, size_t *len)
{
	size_t	 i, off;

	if (!pattern_ready) {
		for (i = 0; i < sizeof(pattern); i += PATTERN_PERIOD) {
			uk_memcpy(pattern + i, PATTERN_LINE, PATTERN_PERIOD - 1);
			pattern[i + PATTERN_PERIOD - 1] = '\n';
		}
		pattern_ready = true;
	}
	off = (size_t)(offset % PATTERN_PERIOD);
	if (*len > sizeof(pattern) - off)
		*len = sizeof(pattern) - off;
	return pattern + off;
}

static void
build(struct response *res, int code, const char *reason, bool keep_alive,
    int minor, const char *extra, const char *body, uint64_t pattern_len,
    bool send_body)
{
	const char	*conn = "";
	uint64_t	 body_len = body != NULL ? uk_strlen(body) : pattern_len;
	int		 n;

	res->close = !keep_alive;
	if (!keep_alive)
		conn = "Connection: close\r\n";
	else if (minor == 0)
		conn = "Connection: keep-alive\r\n";
	n = uk_snprintf(res->head, sizeof(res->head),
	    "HTTP/1.1 %d %s\r\n"
	    "Server: uk-hello\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %llu\r\n"
	    "%s%s\r\n%s",
	    code, reason, (unsigned long long)body_len, conn, extra,
	    body != NULL && send_body ? body : "");
	/* Every body formatted here is a short literal: it fits. */
	res->head_len = n < (int)sizeof(res->head) ? (size_t)n :
	    sizeof(res->head) - 1;
	res->pattern_len = 0;
}

/* The body size asked for by /bytes/N or /big, or -1 for other paths. */
static int64_t
pattern_request(const char *t, size_t n)
{
	char		*end;
	unsigned long	 v;

	if (n == 4 && uk_memcmp(t, "/big", 4) == 0)
		return BIG_BYTES;
	if (n <= 7 || uk_memcmp(t, "/bytes/", 7) != 0 || n - 7 > 12)
		return -1;	/* 12 digits: up to a terabyte */
	v = uk_strtoul(t + 7, &end, 10);
	if (end != t + n)
		return -1;
	return (int64_t)v;
}

void
response_for(const struct http_req *req, struct response *res)
{
	bool	 ka = req->keep_alive, get = req->method == HTTP_GET;
	int64_t	 plen;

	/* A body of unknown length cannot be skipped to the next request. */
	if (req->chunked)
		ka = false;
	switch (req->method) {
	case HTTP_GET:
	case HTTP_HEAD:
		plen = pattern_request(req->target, req->target_len);
		if (plen < 0) {
			build(res, 200, "OK", ka, req->minor, "", HELLO_BODY,
			    0, get);
			break;
		}
		build(res, 200, "OK", ka, req->minor, "", NULL,
		    (uint64_t)plen, false);
		if (get)
			res->pattern_len = (uint64_t)plen;
		break;
	case HTTP_OTHER:
		build(res, 405, "Method Not Allowed", ka, req->minor,
		    "Allow: GET, HEAD\r\n", "method not allowed\n", 0, true);
		break;
	default:
		build(res, 501, "Not Implemented", ka, req->minor, "",
		    "not implemented\n", 0, true);
		break;
	}
}

void
response_error(enum http_status st, struct response *res)
{
	/* After a bad head the stream cannot be trusted: always close. */
	switch (st) {
	case HTTP_TOO_LARGE:
		build(res, 431, "Request Header Fields Too Large", false, 1,
		    "", "header too large\n", 0, true);
		break;
	case HTTP_BAD_VERSION:
		build(res, 505, "HTTP Version Not Supported", false, 1, "",
		    "http version not supported\n", 0, true);
		break;
	default:
		build(res, 400, "Bad Request", false, 1, "",
		    "bad request\n", 0, true);
		break;
	}
}

void
response_busy(struct response *res)
{
	build(res, 503, "Service Unavailable", false, 1, "Retry-After: 1\r\n",
	    "busy\n", 0, true);
}
