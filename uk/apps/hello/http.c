/*
 * http.c - the request-head parser (RFC 9112 sections 2-3, 5, 9.3).
 *
 * Strict where leniency would let two parsers disagree about where a
 * request ends (obsolete line folding, space before the colon, bad or
 * conflicting Content-Length, both Content-Length and Transfer-Encoding)
 * and lenient where it costs nothing (bare LF line ends, blank lines
 * before the request line).
 */
#include "uk/include/uk.h"
#include "uk/apps/hello/http.h"

/* RFC 9110 5.6.2 tchar */
static bool
is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '.': case '^': case '_':
	case '`': case '|': case '~':
		return true;
	}
	return false;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
eq_nocase(const char *a, size_t n, const char *lit)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower(a[i]) != lit[i])
			return false;
	return lit[n] == '\0';
}

static bool
eq(const char *a, size_t n, const char *lit)
{
	return uk_strlen(lit) == n && uk_memcmp(a, lit, n) == 0;
}

/* The end of the line starting at P (its CR LF, or bare LF), or NULL. */
static const char *
line_end(const char *p, const char *end)
{
	const char	*s = p;

	for (; p < end; p++)
		if (*p == '\n')
			return p > s && p[-1] == '\r' ? p - 1 : p;
	return NULL;
}

static const char *
next_line(const char *eol)
{
	return *eol == '\r' ? eol + 2 : eol + 1;
}

static enum http_method
method_of(const char *m, size_t n)
{
	static const char *const other[] = {
		"POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
		"PATCH", NULL
	};
	size_t	 i;

	if (eq(m, n, "GET"))
		return HTTP_GET;
	if (eq(m, n, "HEAD"))
		return HTTP_HEAD;
	for (i = 0; other[i] != NULL; i++)
		if (eq(m, n, other[i]))
			return HTTP_OTHER;
	return HTTP_UNKNOWN;
}

static enum http_status
request_line(const char *p, const char *eol, struct http_req *r)
{
	const char	*m = p, *t;

	while (p < eol && is_tchar(*p))
		p++;
	if (p == m || p == eol || *p != ' ')
		return HTTP_BAD;
	r->method = method_of(m, (size_t)(p - m));
	t = ++p;
	while (p < eol && *p > ' ' && *p < 0x7f)
		p++;
	if (p == t || p == eol || *p != ' ')
		return HTTP_BAD;
	r->target = t;
	r->target_len = (size_t)(p - t);
	p++;
	if (eol - p != 8 || uk_memcmp(p, "HTTP/", 5) != 0 ||
	    p[5] < '0' || p[5] > '9' || p[6] != '.' || p[7] < '0' || p[7] > '9')
		return HTTP_BAD;
	if (p[5] != '1')
		return HTTP_BAD_VERSION;
	r->minor = p[7] - '0';
	r->keep_alive = r->minor >= 1;
	return HTTP_OK;
}

/* Each comma-separated token of a Connection value. */
static void
connection(const char *v, size_t n, struct http_req *r)
{
	size_t	 i = 0, s;

	while (i < n) {
		while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
			i++;
		for (s = i; i < n && v[i] != ',' && v[i] != ' ' &&
		    v[i] != '\t'; i++)
			;
		if (eq_nocase(v + s, i - s, "close"))
			r->keep_alive = false;
		else if (eq_nocase(v + s, i - s, "keep-alive") && r->minor == 0)
			r->keep_alive = true;
	}
}

static enum http_status
content_length(const char *v, size_t n, bool *seen, struct http_req *r)
{
	uint64_t	 x = 0;
	size_t		 i;

	if (n == 0 || n > 15)	/* 15 digits: petabytes; avoids overflow */
		return HTTP_BAD;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return HTTP_BAD;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (*seen && x != r->content_length)
		return HTTP_BAD;
	*seen = true;
	r->content_length = x;
	return HTTP_OK;
}

enum http_status
http_parse(const char *buf, size_t len, struct http_req *r)
{
	const char	*p = buf, *end = buf + len, *eol, *name, *colon, *v, *ve;
	size_t		 nlen;
	bool		 cl_seen = false;
	enum http_status st;

	uk_memset(r, 0, sizeof(*r));
	/* RFC 9112 2.2: ignore blank lines before the request line. */
	while (p < end && (*p == '\r' || *p == '\n')) {
		if (*p == '\r' && (p + 1 < end && p[1] != '\n'))
			return HTTP_BAD;
		p++;
	}
	if ((eol = line_end(p, end)) == NULL)
		goto partial;
	if ((st = request_line(p, eol, r)) != HTTP_OK)
		return st;
	for (p = next_line(eol);; p = next_line(eol)) {
		if ((eol = line_end(p, end)) == NULL)
			goto partial;
		if (eol == p)
			break;		/* the blank line: end of the head */
		if (*p == ' ' || *p == '\t')
			return HTTP_BAD;	/* obsolete line folding */
		for (name = p; p < eol && is_tchar(*p); p++)
			;
		if (p == name || p == eol || *p != ':')
			return HTTP_BAD;
		colon = p;
		for (v = p + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		for (p = v; p < ve; p++)
			if ((unsigned char)*p < ' ' && *p != '\t')
				return HTTP_BAD;	/* a bare CR or NUL */
		nlen = (size_t)(colon - name);
		if (eq_nocase(name, nlen, "connection"))
			connection(v, (size_t)(ve - v), r);
		else if (eq_nocase(name, nlen, "content-length")) {
			if (content_length(v, (size_t)(ve - v), &cl_seen, r) !=
			    HTTP_OK)
				return HTTP_BAD;
		} else if (eq_nocase(name, nlen, "transfer-encoding"))
			r->chunked = true;
	}
	if (r->chunked && cl_seen)
		return HTTP_BAD;	/* RFC 9112 6.1: a smuggling risk */
	r->head_len = (size_t)(next_line(eol) - buf);
	return HTTP_OK;
partial:
	return len >= HTTP_HEAD_MAX ? HTTP_TOO_LARGE : HTTP_PARTIAL;
}
