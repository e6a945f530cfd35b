/*
 * backend/instance.h - naming one process across a jitsud restart: a
 * pid alone may be reused by any process after the one it named ends;
 * a pid with its start time (field 22 of /proc/PID/stat, clock ticks
 * since boot) names one process for the host's uptime. Used by the
 * backends' record and adopt ops (backend.h, service/persist.h).
 */
#ifndef BACKEND_INSTANCE_H
#define BACKEND_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The start time of pid, or 0 if it is gone (or a zombie) or unreadable. */
unsigned long long instance_starttime(pid_t);
/* True if uid is one an instance of jitsud's runs as. */
bool	instance_uid_ok(uid_t);
/* A pidfd for pid if it still has start time st and runs as an instance
 * uid (every one of its uids passes instance_uid_ok); -1 if it is gone,
 * -2 if it is some other process (the record lied), with the reason in
 * why. */
int	instance_open(pid_t, unsigned long long st, char *why, size_t whylen);
/* Kill the verified process behind pidfd and wait (up to a second) for
 * it to be gone, so what it held (sockets, a tap) is free again; reaped
 * if it is jitsud's child, else its parent (init) reaps it. */
void	instance_end(int pidfd);

#endif
