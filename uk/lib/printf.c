/*
 * printf.c - uk_printf: the shared formatter streaming to the target's
 * console through a small stack buffer, so a long line costs a few
 * console writes rather than a truncation or a heap allocation.
 */
#include "uk/include/uk.h"
#include "uk/lib/fmt.h"

struct conbuf {
	char	buf[256];
	size_t	n;
};

static void
conbuf_out(void *ctx, const char *s, size_t n)
{
	struct conbuf	*c = ctx;

	if (c->n + n > sizeof(c->buf)) {
		uk_console_write(c->buf, c->n);
		c->n = 0;
	}
	if (n >= sizeof(c->buf)) {
		uk_console_write(s, n);
		return;
	}
	uk_memcpy(c->buf + c->n, s, n);
	c->n += n;
}

void
uk_printf(const char *fmt, ...)
{
	struct conbuf	 c;
	va_list		 ap;

	c.n = 0;
	va_start(ap, fmt);
	uk_vformat(conbuf_out, &c, fmt, ap);
	va_end(ap);
	if (c.n > 0)
		uk_console_write(c.buf, c.n);
}
