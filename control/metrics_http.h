/*
 * control/metrics_http.h - the `metrics =` endpoint: a minimal HTTP/1.1
 * server in jitsud's loop that answers GET (and HEAD) /metrics with the
 * Prometheus text (control/metrics.h), 404 for any other path and 405
 * for any other method, one request per connection (Connection: close).
 *
 * It never blocks: the page is rendered at once when the request is
 * complete and written as the client reads it. Clients are capped and
 * each has a deadline, so idle or slow scrapers cannot pile up.
 */
#ifndef CONTROL_METRICS_HTTP_H
#define CONTROL_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "control/metrics.h"
#include "core/loop.h"
#include "dns/server.h"
#include "service/service.h"

struct metrics_server;

struct metrics_server *metrics_server_new(struct loop *, struct dns_server *,
		    struct svc_manager *);
/* (Re)listen on a; family 0 closes the endpoint. The same address keeps
 * its socket. On error nothing changes and *why says what failed. */
int	metrics_server_listen(struct metrics_server *, const struct cfg_addr *a,
	    char *why, size_t whylen);
void	metrics_server_free(struct metrics_server *);
/* A client must send its request and take the reply within MS of its
 * connect (metrics_idle); when every slot is taken, a new client evicts
 * the one that has gone longest without sending. */
void	metrics_server_set_idle(struct metrics_server *, uint64_t ms);

/* The status for a request's head: 200 for GET or HEAD /metrics (a
 * query string is ignored; *head set for HEAD), 404 for another path,
 * 405 for another method, 400 if it is not an HTTP/1.x request line. */
int	metrics_http_status(const char *req, size_t len, bool *head);

/* Fill a view (and svcs, nsvcs entries from svc_count) from the live
 * daemon: what GET /metrics renders. Reads each instance's cgroup
 * memory and held backlog, a few syscalls per running service. */
void	metrics_collect(struct dns_server *, struct svc_manager *,
	    struct metrics_view *, struct metrics_svc *svcs);

#endif
