/* The server's own state, shared by server.c (requests and answers) and
 * admit.c (what is decided before a request runs). Only they include this. */
#ifndef MC_HTTP_SERVER_TYPES_H
#define MC_HTTP_SERVER_TYPES_H

#include "core/limits.h"
#include "core/ratelimit.h"
#include "core/ticket_queue.h"
#include "http/guard.h"
#include "http/http.h"
#include "http/loop.h"
#include "http/router.h"

struct http_server {
	struct http_loops *loops;
	struct router router;
	struct http_server_opts opts;
	struct ratelimit *rate;
	struct ratelimit *auth_rate;
	struct ticket_queue *durable; /* NULL without opts.durable_wait */
	struct guard *guard;
	int nproxies, norigins;
	char proxies[MC_LIST_ITEMS_MAX][MC_PROXY_ADDR_LEN];
	char origins[MC_LIST_ITEMS_MAX][MC_ORIGIN_LEN];
};

#endif
