/*
 * fmt.h - the formatter behind uk_printf and uk_snprintf, for targets.
 *
 * Not part of the app API (apps see uk.h only). A target's console code
 * drives uk_vformat with its own sink so that output of any length
 * streams through a small buffer instead of being cut at a fixed size.
 */
#ifndef UK_LIB_FMT_H
#define UK_LIB_FMT_H

#include <stddef.h>
#include <stdarg.h>

/* Receives the formatted output piece by piece, in order. */
typedef void uk_fmt_out(void *ctx, const char *s, size_t n);

/* Formats FMT (the subset documented in uk.h, plus precision for
 * integers and %s) into OUT; returns the number of bytes produced. */
int uk_vformat(uk_fmt_out *out, void *ctx, const char *fmt, va_list ap);

#endif
