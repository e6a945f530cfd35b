/*
 * service/persist.h - recording running instances in `state =` so that a
 * jitsud that restarts (after a crash, kill -9 or an upgrade) adopts them
 * instead of orphaning or starting them twice.
 *
 * One file per service, STATE/NAME.instance, "key=value" lines written
 * atomically (a temporary file renamed over the old one) whenever the
 * service enters running or suspended, and removed when its instance is
 * gone. The lines are the service's (version, backend, shape, state) and
 * the backend's own (pid, start time, sockets ...).
 *
 * A record is only a file: every name is opened relative to the state
 * folder's fd, never through a symlink (O_NOFOLLOW), and written to a
 * fresh temporary (O_EXCL) renamed into place; a record that is not a
 * regular file of jitsud's is refused. What a record names is verified
 * by the backend before anything is signalled or removed.
 */
#ifndef SERVICE_PERSIST_H
#define SERVICE_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define SVC_RECORD_MAX	4096

/* A hash of the keys that shape an instance: a record whose shape differs
 * from the configured service's is not adopted. */
uint64_t svc_shape_hash(const struct cfg_service *);
/* Write (or with rec == NULL remove) the record of service NAME. */
int	svc_record_write(const char *statedir, const char *name,
	    const char *rec, size_t len);
/* Read it into buf (SVC_RECORD_MAX); returns its length, 0 if there is
 * none, or a negative errno (-ELOOP: a symlink, -EPERM: not a regular
 * file owned by jitsud and writable only by it). */
int	svc_record_read(const char *statedir, const char *name, char *buf,
	    size_t cap);
/* The value of key in a record, copied into out; 1 found, 0 not. */
int	svc_record_get(const char *rec, size_t len, const char *key, char *out,
	    size_t cap);

#endif
