/*
 * fmt.c - printf-style formatting, written once for every uk target.
 *
 * Freestanding: no libc, no floating point. Supports flags '-' and '0',
 * width and precision (digits or '*'), length modifiers hh h l ll z,
 * conversions d i u x X o s c p %. An unknown conversion is copied out
 * verbatim so a mistake shows instead of eating arguments silently.
 */
#include "uk/include/uk.h"
#include "uk/lib/fmt.h"

struct sink {
	uk_fmt_out	*out;
	void		*ctx;
	int		 n;
};

static void
emit(struct sink *k, const char *s, size_t n)
{
	if (n == 0)
		return;
	k->out(k->ctx, s, n);
	k->n += (int)n;
}

static void
pad(struct sink *k, char c, int n)
{
	char	 b[16];
	int	 i;

	for (i = 0; i < (int)sizeof(b); i++)
		b[i] = c;
	while (n > 0) {
		emit(k, b, n < (int)sizeof(b) ? (size_t)n : sizeof(b));
		n -= (int)sizeof(b);
	}
}

struct spec {
	int	left;		/* '-' */
	int	zero;		/* '0' */
	int	width;
	int	prec;		/* -1: none */
	int	len;		/* 0 int, 1 long, 2 long long, 3 size_t, -1 short, -2 char */
};

/* A field: PFX (sign or 0x) then BODY, padded to the spec's width. */
static void
field(struct sink *k, const struct spec *sp, const char *pfx, size_t npfx,
    const char *body, size_t nbody, int zeros)
{
	int	 total = (int)(npfx + nbody) + zeros;
	int	 fill = sp->width > total ? sp->width - total : 0;

	if (!sp->left && !sp->zero)
		pad(k, ' ', fill);
	emit(k, pfx, npfx);
	if (!sp->left && sp->zero)
		pad(k, '0', fill);
	pad(k, '0', zeros);
	emit(k, body, nbody);
	if (sp->left)
		pad(k, ' ', fill);
}

static void
number(struct sink *k, struct spec *sp, unsigned long long v, int neg,
    unsigned base, int upper, const char *pfx, size_t npfx)
{
	const char	*dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char		 buf[24];	/* 2^64 in octal is 22 digits */
	char		 sign[3];
	size_t		 i = sizeof(buf), ns = 0;
	int		 zeros;

	while (v != 0) {
		buf[--i] = dig[v % base];
		v /= base;
	}
	if (sp->prec < 0 && i == sizeof(buf))
		buf[--i] = '0';	/* "%d" of 0 is "0"; "%.0d" of 0 is "" */
	zeros = sp->prec > (int)(sizeof(buf) - i) ?
	    sp->prec - (int)(sizeof(buf) - i) : 0;
	if (sp->prec >= 0)
		sp->zero = 0;	/* C: precision disables the '0' flag */
	if (neg)
		sign[ns++] = '-';
	while (npfx-- > 0)
		sign[ns++] = *pfx++;
	field(k, sp, sign, ns, buf + i, sizeof(buf) - i, zeros);
}

static unsigned long long
arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case -2: return (unsigned char)va_arg(*ap, unsigned);
	case -1: return (unsigned short)va_arg(*ap, unsigned);
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned);
	}
}

static long long
arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, ptrdiff_t);	/* %zd */
	default: return va_arg(*ap, int);
	}
}

static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->left = sp->zero = sp->width = sp->len = 0;
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	} else
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	if (sp->left)
		sp->zero = 0;
	if (*f == 'h') {
		sp->len = -1;
		if (*++f == 'h') {
			sp->len = -2;
			f++;
		}
	} else if (*f == 'l') {
		sp->len = 1;
		if (*++f == 'l') {
			sp->len = 2;
			f++;
		}
	} else if (*f == 'z') {
		sp->len = 3;
		f++;
	}
	return f;
}

int
uk_vformat(uk_fmt_out *out, void *ctx, const char *fmt, va_list ap)
{
	struct sink	 k = { out, ctx, 0 };
	struct spec	 sp;
	const char	*f = fmt, *start, *s;
	va_list		 aq;
	long long	 sv;
	size_t		 n;
	char		 c;

	/* Copy so helpers can take a pointer to it (va_list may be an array). */
	va_copy(aq, ap);
	while (*f != '\0') {
		for (start = f; *f != '\0' && *f != '%'; f++)
			;
		emit(&k, start, (size_t)(f - start));
		if (*f == '\0')
			break;
		start = f++;
		f = parse_spec(f, &sp, &aq);
		switch (*f) {
		case 'd':
		case 'i':
			sv = arg_signed(&sp, &aq);
			number(&k, &sp, sv < 0 ? 0ULL - (unsigned long long)sv :
			    (unsigned long long)sv, sv < 0, 10, 0, "", 0);
			break;
		case 'u':
			number(&k, &sp, arg_unsigned(&sp, &aq), 0, 10, 0, "", 0);
			break;
		case 'x':
		case 'X':
			number(&k, &sp, arg_unsigned(&sp, &aq), 0, 16,
			    *f == 'X', "", 0);
			break;
		case 'o':
			number(&k, &sp, arg_unsigned(&sp, &aq), 0, 8, 0, "", 0);
			break;
		case 'p':
			sp.len = 1;
			number(&k, &sp, (unsigned long)va_arg(aq, void *), 0,
			    16, 0, "0x", 2);
			break;
		case 'c':
			c = (char)va_arg(aq, int);
			field(&k, &sp, "", 0, &c, 1, 0);
			break;
		case 's':
			s = va_arg(aq, const char *);
			if (s == NULL)
				s = "(null)";
			/* Bounded by the precision: the string need not end. */
			for (n = 0; (sp.prec < 0 || n < (size_t)sp.prec) &&
			    s[n] != '\0'; n++)
				;
			sp.zero = 0;
			field(&k, &sp, "", 0, s, n, 0);
			break;
		case '%':
			emit(&k, "%", 1);
			break;
		default:
			if (*f == '\0') {
				emit(&k, start, (size_t)(f - start));
				goto done;
			}
			emit(&k, start, (size_t)(f + 1 - start));
			break;
		}
		f++;
	}
done:
	va_end(aq);
	return k.n;
}

struct strbuf {
	char	*buf;
	size_t	 len;
	size_t	 pos;
};

static void
strbuf_out(void *ctx, const char *s, size_t n)
{
	struct strbuf	*b = ctx;
	size_t		 room;

	if (b->pos + 1 < b->len) {
		room = b->len - 1 - b->pos;
		uk_memcpy(b->buf + b->pos, s, n < room ? n : room);
	}
	b->pos += n;
}

int
uk_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct strbuf	 b = { buf, len, 0 };
	int		 n;

	n = uk_vformat(strbuf_out, &b, fmt, ap);
	if (len > 0)
		buf[b.pos < len ? b.pos : len - 1] = '\0';
	return n;
}

int
uk_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = uk_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
