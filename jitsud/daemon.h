/*
 * jitsud/daemon.h - the running daemon: the loaded configuration, the
 * DNS db built from it, the server, and reloading all three atomically.
 */
#ifndef JITSUD_DAEMON_H
#define JITSUD_DAEMON_H

#include "config/config.h"
#include "control/metrics_http.h"
#include "control/server.h"
#include "core/loop.h"
#include "dns/db.h"
#include "dns/server.h"
#include "service/service.h"

struct daemon {
	struct loop		*loop;
	struct dns_server	*dns;
	struct svc_manager	*svcs;
	struct ctl_server	*ctl;
	struct metrics_server	*metrics;
	struct config		*cfg;
	struct dns_db		*db;
	uint32_t		 serial;
	const char		*cfgfile;	/* NULL: SPECs only */
	char			**specs;
	int			 nspecs;
};

/* Parse and check the config file and SPECs. Returns the config (errors
 * in cfg->errors; the caller decides) or NULL when out of memory. */
struct config	*daemon_load_config(const char *file, char **specs, int nspecs);
/* Print every error of cfg to stderr, one "FILE:LINE: message" a line. */
void		 daemon_print_errors(const struct config *);
/* Build the DNS db for cfg; NULL with *why on failure. */
struct dns_db	*daemon_build_db(const struct config *, uint32_t serial,
		    char *why, size_t whylen);
/* Start serving cfg (takes ownership). Returns 0 or -1 with a log line. */
int		 daemon_apply(struct daemon *, struct config *);
/* The DNS hit hook: a query for a service's address wants it. */
void		 daemon_dns_hit(void *daemon, const struct dns_qinfo *,
		    int family, const void *addr);
/* SIGHUP and `jitsuctl reload`: reload the config; a bad one is logged
 * (and described in msg) and the old one kept. 0 or -EINVAL. */
int		 daemon_reload(void *daemon, char *msg, size_t msglen);

#endif
