/* What libmicrohttpd does not bound by itself: connections per client
 * address, the time a whole request (headers and body) may take, and the
 * memory all buffered request bodies may hold together. It knows sockets
 * and clocks, not HTTP: server.c tells it what happens to each connection.
 *
 * Deadlines: a connection's first request must be read in full within the
 * request timeout of the connection's start; a later one within the idle
 * time plus the request timeout of the previous answer, and within the
 * request timeout of its request line. A watchdog thread shuts the socket of
 * a connection past its deadline, which libmicrohttpd then closes. */
#ifndef MC_HTTP_GUARD_H
#define MC_HTTP_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/result.h"

struct guard_opts {
	long max_per_address;     /* connections per client address */
	int64_t request_us;       /* whole-request deadline */
	int64_t idle_us;          /* keep-alive wait for the next request */
	size_t body_budget;       /* bytes of request bodies buffered at once */
};

struct guard;
struct guard_conn;

/* Starts the watchdog. */
mc_rc guard_start(const struct guard_opts *opts, struct guard **out);
/* Stops it; every connection must have been closed. */
void guard_stop(struct guard *g);

/* May another connection from this peer be accepted? Peers that are
 * trusted proxies (`exempt`) carry many clients and are not counted. */
int guard_admit(struct guard *g, const struct sockaddr *peer, int exempt);
/* Tracks a new connection (the caller keeps the pointer for the calls
 * below); NULL when out of memory, and the caller then refuses it. */
struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *peer, int exempt, int64_t now_us);
void guard_close(struct guard *g, struct guard_conn *c);
/* The connection's peer address as text ("unknown" without a connection). */
const char *guard_conn_peer(const struct guard_conn *c);

/* A request line has arrived: the request must be read by now + timeout. */
void guard_request_started(struct guard *g, struct guard_conn *c, int64_t now_us);
/* The whole request has been read: no deadline while it is answered. */
void guard_request_read(struct guard *g, struct guard_conn *c);
/* Its answer went out: the next request may first wait the idle time. */
void guard_request_done(struct guard *g, struct guard_conn *c, int64_t now_us);

/* Reserves n bytes of the body budget: 1 when granted, 0 when the budget
 * would be exceeded (nothing is reserved then). */
int guard_body_reserve(struct guard *g, size_t n);
void guard_body_release(struct guard *g, size_t n);

/* The watchdog's work, callable directly (tests): shuts the sockets of
 * connections past their deadline at now_us; returns how many. */
int guard_sweep(struct guard *g, int64_t now_us);

#endif
