/*
 * uk.h - the whole interface a uk application sees.
 *
 * A uk app is one C program written against this header and nothing else.
 * The same source is built for two targets:
 *
 *   unix  build/uk/APP.unix   an ordinary Linux process, socket-activated
 *                             (systemd LISTEN_FDS protocol) by jitsud's
 *                             exec backend, run inside its sandbox;
 *   vm    build/uk/APP.vm     a freestanding x86-64 PVH kernel with its own
 *                             virtio-net driver and TCP/IPv4 stack.
 *
 * Rules (they hold on both targets; an app that follows them runs on both):
 *
 * 1. The app provides uk_main(). The runtime calls it once, after the
 *    console, clock and network are up. argv holds the app's words: on unix
 *    the process arguments after argv[0]; on vm the kernel command line
 *    words the kernel did not consume itself (ip=, gw= are the kernel's).
 *    argv[0] is the app name. Returning from uk_main is uk_exit(ret).
 *
 * 2. Everything is single-threaded and non-blocking. The only call that
 *    waits is uk_wait(). No call here ever sleeps or blocks otherwise.
 *
 * 3. Handles are small non-negative ints naming a listener or a
 *    connection. Errors are negative UK_E* values, never errno.
 *
 * 4. Memory: uk_malloc/uk_free over a heap sized by the target (on vm the
 *    guest RAM less the kernel; on unix the cgroup limit applies). Apps
 *    should prefer static buffers; a failed allocation returns NULL.
 *
 * 5. Time: uk_clock_ns() is monotonic nanoseconds since an arbitrary
 *    origin (boot on vm). It never goes backwards.
 *
 * 6. Only the helpers declared here may be used: no libc headers. The
 *    unix target maps them onto libc; the vm target implements them.
 *
 * 7. Readiness: the first successful uk_listen() tells the host the app is
 *    ready. On vm the kernel prints the line "uk: ready" on the serial
 *    console at that moment; jitsud's qemu backend waits for it.
 */
#ifndef UK_H
#define UK_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#define UK_EAGAIN	(-11)	/* nothing to do now; uk_wait() and retry */
#define UK_EBADF	(-9)	/* not a valid handle for this call */
#define UK_ENOMEM	(-12)	/* out of handles, buffers or memory */
#define UK_EINVAL	(-22)	/* bad argument */
#define UK_ENOENT	(-2)	/* uk_listen: no such port available */
#define UK_ECONNRESET	(-104)	/* the peer reset the connection */
#define UK_EPIPE	(-32)	/* write after the connection was closed */

/* Provided by the app. */
int uk_main(int argc, char **argv);

/* Console: bytes go to stderr (unix) or the serial port (vm). */
void uk_console_write(const char *buf, size_t len);
/* printf-like to the console; supports %d %i %u %ld %lu %lld %llu %x %lx
 * %llx %zu %zd %s %c %p %% with optional width, '-' and '0' flags (and,
 * from uk/lib: %X %o, hh/h, '*' width, precision, e.g. %.*s). */
void uk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic clock, nanoseconds. */
uint64_t uk_clock_ns(void);

/*
 * TCP. uk_listen returns a listener handle for a TCP port.
 *   unix: the socket jitsud passed (LISTEN_FDS) whose local port is PORT;
 *         with no such socket (run by hand) it binds 127.0.0.1:PORT itself.
 *   vm:   a passive open on the kernel's address.
 */
int uk_listen(uint16_t port);
/* A new connection handle, or UK_EAGAIN when none is pending. */
int uk_accept(int listener);
/* >0 bytes read, 0 at end of stream, UK_EAGAIN, or another error. */
long uk_read(int conn, void *buf, size_t len);
/* Bytes accepted (may be fewer than len), UK_EAGAIN when the send buffer
 * is full, or an error. */
long uk_write(int conn, const void *buf, size_t len);
/* Close a connection (graceful: queued data is still sent) or listener. */
int uk_close(int handle);

/*
 * Wait until something may have changed (a connection arrived, data came
 * in, send space opened, a peer closed) or the monotonic clock reaches
 * deadline_ns. On return, handles with events are in ev[0..n-1]; n may be
 * 0 (deadline passed, or a spurious wake-up). Level-triggered: an event
 * is reported again until the app consumes it. Pass UINT64_MAX for no
 * deadline.
 */
#define UK_EV_READ	0x1	/* readable, or listener has a connection */
#define UK_EV_WRITE	0x2	/* send space available */
#define UK_EV_HUP	0x4	/* peer closed or reset */
struct uk_event {
	int		handle;
	unsigned	events;
};
/* Only handles registered with uk_watch() are reported. */
int uk_watch(int handle, unsigned events);
int uk_wait(uint64_t deadline_ns, struct uk_event *ev, int max);

/* End the unikernel. On vm: QEMU's isa-debug-exit when present. */
void uk_exit(int status) __attribute__((noreturn));

/* The runtime helpers an app may use instead of libc. */
void	*uk_malloc(size_t n);
void	 uk_free(void *p);
void	*uk_memcpy(void *dst, const void *src, size_t n);
void	*uk_memset(void *dst, int c, size_t n);
int	 uk_memcmp(const void *a, const void *b, size_t n);
size_t	 uk_strlen(const char *s);
int	 uk_strncmp(const char *a, const char *b, size_t n);
int	 uk_snprintf(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	 uk_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
/* Digits of BASE (2..36; 0 means 10, or 16 after "0x") at S, no sign or
 * blanks; *END (if not NULL) is set past them, or to S if there are none.
 * Saturates at ~0UL on overflow. */
unsigned long uk_strtoul(const char *s, char **end, int base);

#endif /* UK_H */
