/* The event loops. libmicrohttpd's own threads give no sign of where a
 * turn ends, so each loop thread drives a daemon of its own: it waits on
 * the daemon's epoll descriptor, runs the daemon without blocking (which
 * also avoids 0.9.75's stall when exactly 128 connections are ready, where
 * its loop waits again before serving them), then calls turn_end. The
 * daemons share one listening socket, as libmicrohttpd's thread pool does. */
#include "http/loop.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"

struct http_loop {
	struct http_loops *owner;
	struct MHD_Daemon *daemon;
	pthread_t thread;
	int running;
	int epoll_fd;
	int wake_fd;    /* other threads wake the loop through it */
	int again;      /* run the next turn without waiting */
};

struct http_loops {
	struct http_loop_hooks hooks;
	int listen_fd;
	atomic_int stopping;
	int n;
	struct http_loop loops[];
};

/* The loop this thread runs. */
static __thread struct http_loop *current;

struct http_loop *http_loop_current(void)
{
	return current;
}

void http_loop_wake(struct http_loop *lp)
{
	uint64_t one = 1;

	if (lp == current)
		lp->again = 1;
	else if (write(lp->wake_fd, &one, sizeof(one)) < 0)
		log_error("http", "cannot wake an event loop");
}

static int S_listen(const struct sockaddr *addr, socklen_t addrlen)
{
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		return -1;
	/* A restart binds while the last run's connections sit in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, addr, addrlen) || listen(fd, MC_LISTEN_BACKLOG)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Blocks until the daemon has work or its next timeout, at most cap_ms
 * (-1: no cap). */
static void S_wait(struct http_loop *lp, int cap_ms)
{
	struct pollfd p[2] = { { .fd = lp->epoll_fd, .events = POLLIN }, { .fd = lp->wake_fd, .events = POLLIN } };
	MHD_UNSIGNED_LONG_LONG to;
	int ms = cap_ms;
	uint64_t v;

	if (lp->again)
		ms = 0;
	else if (MHD_get_timeout(lp->daemon, &to) == MHD_YES && (ms < 0 || to < (MHD_UNSIGNED_LONG_LONG)ms))
		ms = to > INT_MAX ? INT_MAX : (int)to;
	lp->again = 0;
	/* Reading the eventfd resets it, so the drain that follows does not spin. */
	if (poll(p, 2, ms) > 0 && (p[1].revents & POLLIN))
		while (read(lp->wake_fd, &v, sizeof(v)) > 0)
			;
}

static void S_turn(struct http_loop *lp)
{
	MHD_run_wait(lp->daemon, 0);
	lp->owner->hooks.turn_end(lp->owner->hooks.cls);
}

static unsigned S_connections(struct http_loop *lp)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(lp->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return di ? di->num_connections : 0;
}

static void *S_main(void *arg)
{
	struct http_loop *lp = arg;
	struct http_loops *l = lp->owner;
	int64_t deadline;

	current = lp;
	l->hooks.thread_init(l->hooks.cls);
	while (!atomic_load(&l->stopping)) {
		S_wait(lp, -1);
		S_turn(lp);
	}
	/* Stop accepting; the requests in flight finish. */
	MHD_quiesce_daemon(lp->daemon);
	deadline = clock_mono_us() + MC_DRAIN_MS * 1000;
	while (S_connections(lp) && clock_mono_us() < deadline) {
		S_wait(lp, MC_DRAIN_POLL_MS);
		S_turn(lp);
	}
	return NULL;
}

mc_rc http_loops_start(const struct sockaddr *addr, socklen_t addrlen, int nthreads, unsigned max_connections,
		       const struct http_loop_hooks *hooks, struct http_loops **out, char *errbuf, size_t errlen)
{
	struct http_loops *l = calloc(1, sizeof(*l) + (size_t)nthreads * sizeof(struct http_loop));
	unsigned each = max_connections / (unsigned)nthreads;

	if (!l) {
		snprintf(errbuf, errlen, "out of memory");
		return MC_ERR_INTERNAL;
	}
	l->hooks = *hooks;
	for (int i = 0; i < nthreads; i++)
		l->loops[i].wake_fd = -1;
	l->listen_fd = S_listen(addr, addrlen);
	if (l->listen_fd < 0) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < nthreads; i++) {
		struct http_loop *lp = &l->loops[i];
		const union MHD_DaemonInfo *di;

		lp->owner = l;
		lp->daemon = hooks->daemon(hooks->cls, l->listen_fd, each ? each : 1);
		l->n = i + 1;
		di = lp->daemon ? MHD_get_daemon_info(lp->daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
		lp->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (!di || lp->wake_fd < 0) {
			snprintf(errbuf, errlen, "cannot start event loop %d", i);
			goto fail;
		}
		lp->epoll_fd = di->epoll_fd;
		if (pthread_create(&lp->thread, NULL, S_main, lp)) {
			snprintf(errbuf, errlen, "cannot start event loop thread %d", i);
			goto fail;
		}
		lp->running = 1;
	}
	*out = l;
	return MC_OK;
fail:
	http_loops_quiesce(l);
	http_loops_free(l);
	return MC_ERR_INTERNAL;
}

void http_loops_quiesce(struct http_loops *l)
{
	atomic_store(&l->stopping, 1);
	for (int i = 0; i < l->n; i++) {
		struct http_loop *lp = &l->loops[i];

		if (!lp->running)
			continue;
		http_loop_wake(lp);
		pthread_join(lp->thread, NULL);
		lp->running = 0;
	}
}

void http_loops_free(struct http_loops *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++) {
		struct http_loop *lp = &l->loops[i];

		if (lp->daemon) {
			/* A quiesced daemon leaves the shared socket open. */
			MHD_quiesce_daemon(lp->daemon);
			MHD_stop_daemon(lp->daemon);
		}
		if (lp->wake_fd >= 0)
			close(lp->wake_fd);
	}
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	free(l);
}
