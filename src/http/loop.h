/* The server's event loops: one thread per loop, each running a
 * libmicrohttpd daemon of its own in "external" epoll mode on one shared
 * listening socket, so that the server sees where each turn of a loop ends:
 * that is where the write batch of the turn commits (server.c). */
#ifndef MC_HTTP_LOOP_H
#define MC_HTTP_LOOP_H

#include <microhttpd.h>
#include <sys/socket.h>

#include "core/result.h"

struct http_loop_hooks {
	void *cls;
	/* Starts a daemon (without a thread of its own) on listen_fd that
	 * accepts up to max_connections; NULL on failure. */
	struct MHD_Daemon *(*daemon)(void *cls, int listen_fd, unsigned max_connections);
	/* Runs first on each loop's thread. */
	void (*thread_init)(void *cls);
	/* Runs after each turn: every request that was ready has been handled. */
	void (*turn_end)(void *cls);
};

struct http_loops;
struct http_loop;

/* The loop the calling thread runs; NULL on any other thread. */
struct http_loop *http_loop_current(void);
/* Has the loop run a turn soon, from any thread: needed after resuming one
 * of its connections, as libmicrohttpd's external mode has no wake-up
 * channel of its own. */
void http_loop_wake(struct http_loop *lp);

/* Listens on addr (backlog 1024) and starts nthreads loops, the connection
 * cap shared among them. On failure, errbuf says why. */
mc_rc http_loops_start(const struct sockaddr *addr, socklen_t addrlen, int nthreads, unsigned max_connections,
		       const struct http_loop_hooks *hooks, struct http_loops **out, char *errbuf, size_t errlen);
/* Stops accepting, lets the requests in flight finish (at most
 * MC_DRAIN_MS), then joins the threads. Answers held elsewhere must be
 * handed back before http_loops_free(). */
void http_loops_quiesce(struct http_loops *l);
/* Closes every connection and the listening socket. */
void http_loops_free(struct http_loops *l);

#endif
