/*
 * core/log.h - logging in the OpenBSD manner.
 *
 * log_warn appends ": strerror(errno)"; log_warnx does not. fatal/fatalx
 * log and exit(1). Lines go to stderr with a monotonic-ish wall-clock
 * stamp, or to syslog when log_init(..., 0) is used by a daemon that is
 * not attached to a terminal. Debug lines are dropped unless verbose.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>

void log_init(int verbose, int to_stderr);
void log_setverbose(int verbose);
int  log_getverbose(void);
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Copy LEN bytes of untrusted text (a tenant's output) into DST as
 * printable text: control bytes (below 0x20, and DEL) and backslash
 * become \xHH and \\, so no ESC sequence, CR or BEL reaches an
 * operator's terminal raw and an escaped line cannot pass for another.
 * Bytes 0x80 and up (UTF-8) are kept. DST is always terminated; what
 * does not fit is cut at a whole escape. Returns the length written.
 */
size_t log_escape(char *dst, size_t cap, const char *src, size_t len);

#endif
