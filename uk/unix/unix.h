/*
 * unix.h - internals shared by the files of the unix target: the handle
 * table that uk.h's small ints index, and the sockets handed over by the
 * service manager.
 */
#ifndef UK_UNIX_H
#define UK_UNIX_H

#include <stdint.h>

/* Handles: a static table, so no allocation on the connection path. 1024
 * fds is also the default soft RLIMIT_NOFILE. */
#define UK_UNIX_HANDLES		1024
/* A listener covers every passed socket with its port (one per address). */
#define UK_UNIX_LISTEN_FDS	16

enum uk_unix_kind { UH_FREE = 0, UH_LISTENER, UH_CONN, UH_ANY };

struct uk_unix_handle {
	uint8_t		kind;
	uint8_t		nfd;		/* listeners: fds in fd[] */
	uint8_t		next;		/* listeners: where accept starts */
	uint8_t		registered;	/* fds are in the epoll set */
	uint8_t		eof;		/* connections: read returned 0 */
	unsigned	watch;		/* UK_EV_* the app asked for */
	int		fd[UK_UNIX_LISTEN_FDS];
	int		free_next;	/* free list link */
};

/* The handle's entry if it is of KIND (UH_ANY: in use), else NULL. */
struct uk_unix_handle *uk_unix_get(int h, int kind);
/* A free handle, or -1 when the table is full. */
int	uk_unix_alloc(int kind);
void	uk_unix_release(int h);
/* Takes the handle's fds out of the epoll set; CLOSING says they are
 * about to be closed. */
void	uk_unix_unwatch(int h, int closing);

/* The LISTEN_FDS sockets, read once at start-up (listenfds.c). */
void	uk_unix_listenfds_init(void);
/* Fills FDS with the passed listening sockets bound to PORT; returns how
 * many, or -1 when the process was not socket-activated at all. */
int	uk_unix_listenfds_port(uint16_t port, int *fds, int max);

/* Translates an errno to the UK_E* value uk.h promises. */
int	uk_unix_err(int e);

#endif
