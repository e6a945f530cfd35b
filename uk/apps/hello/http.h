/*
 * http.h - HTTP/1.x request heads: a pure parser (bytes in, a request
 * out), so it is tested and fuzzed without sockets.
 */
#ifndef HELLO_HTTP_H
#define HELLO_HTTP_H

#include "uk/include/uk.h"

/* The largest request head accepted; a longer one gets 431. */
#define HTTP_HEAD_MAX	8192

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER,	/* a method HTTP defines that hello does not allow: 405 */
	HTTP_UNKNOWN,	/* any other token: 501 */
};

enum http_status {
	HTTP_OK = 0,		/* a complete, well-formed head */
	HTTP_PARTIAL,		/* need more bytes */
	HTTP_BAD,		/* malformed: 400 */
	HTTP_TOO_LARGE,		/* no end within HTTP_HEAD_MAX: 431 */
	HTTP_BAD_VERSION,	/* not HTTP/1.x: 505 */
};

struct http_req {
	enum http_method method;
	const char	*target;	/* points into the parsed buffer */
	size_t		 target_len;
	int		 minor;		/* HTTP/1.MINOR */
	bool		 keep_alive;	/* after the version's default and
					 * any Connection header */
	bool		 chunked;	/* has a Transfer-Encoding body */
	uint64_t	 content_length;
	size_t		 head_len;	/* bytes of the head, blank line included */
};

/* Parses the request head at the start of BUF[0..LEN). */
enum http_status http_parse(const char *buf, size_t len, struct http_req *r);

#endif
