/*
 * control/server.h - jitsud's control socket: a unix SOCK_SEQPACKET
 * socket (mode 0660) that jitsuctl talks to. Peers are checked when they
 * connect (SO_PEERCRED): root, or a member of the socket's group.
 * Replies are queued and written as the client reads them, so a slow
 * client never blocks jitsud.
 */
#ifndef CONTROL_SERVER_H
#define CONTROL_SERVER_H

#include <stddef.h>

#include "core/loop.h"
#include "service/service.h"

/* reload: 0, or a negative errno with msg explaining why. */
typedef int (*ctl_reload_fn)(void *arg, char *msg, size_t len);

struct ctl_server;

struct ctl_server *ctl_server_new(struct loop *, struct svc_manager *,
		    ctl_reload_fn, void *arg);
/* (Re)bind at path; an existing socket file there is replaced. Creates
 * the parent folder (0755). On error nothing changes. */
int	ctl_server_listen(struct ctl_server *, const char *path, char *why,
	    size_t whylen);
void	ctl_server_free(struct ctl_server *);
/* A client is closed after MS without a request (control_idle); when
 * every slot is taken, a new client evicts the one idle longest. */
void	ctl_server_set_idle(struct ctl_server *, uint64_t ms);

#endif
