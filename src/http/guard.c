#include "http/guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "http/identity.h"

#define SWEEP_MS 250                       /* deadline granularity */
#define SLOTS (2 * MC_MAX_CONNECTIONS)     /* per-address counts: at most half full */

_Static_assert((SLOTS & (SLOTS - 1)) == 0, "SLOTS is a power of two");

/* A client address: IPv4 as its IPv4-mapped IPv6 form. */
struct addr_key {
	unsigned char b[16];
};

struct addr_slot {
	struct addr_key key;
	long count; /* 0: free */
};

struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;
	int counted;
	struct addr_key key;
	char peer[MC_PROXY_ADDR_LEN]; /* the address as text, once per connection */
	int64_t deadline_us; /* 0: none (the request is being answered) */
};

struct guard {
	struct guard_opts opts;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int stopping;
	struct guard_conn *conns;
	struct addr_slot *slots; /* SLOTS */
	unsigned char secret[crypto_shorthash_KEYBYTES];
	size_t body_used;
};

static void S_key(const struct sockaddr *sa, struct addr_key *k)
{
	memset(k, 0, sizeof(*k));
	if (!sa)
		return;
	if (sa->sa_family == AF_INET6) {
		memcpy(k->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET) {
		k->b[10] = k->b[11] = 0xff;
		memcpy(k->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
}

/* Keyed, so nobody can pick addresses that pile up in one probe run. */
static size_t S_home(const struct guard *g, const struct addr_key *k)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, k->b, sizeof(k->b), g->secret);
	memcpy(&v, h, sizeof(v));
	return (size_t)(v & (SLOTS - 1));
}

/* The slot holding k, or the free slot where it would go. */
static struct addr_slot *S_find(struct guard *g, const struct addr_key *k)
{
	size_t i = S_home(g, k);

	while (g->slots[i].count && memcmp(&g->slots[i].key, k, sizeof(*k)))
		i = (i + 1) & (SLOTS - 1);
	return &g->slots[i];
}

/* Frees a slot of the linear-probing table, moving later entries of the
 * run back so every key stays reachable from its home slot. */
static void S_remove(struct guard *g, struct addr_slot *s)
{
	size_t hole = (size_t)(s - g->slots), i = hole;

	s->count = 0;
	for (;;) {
		size_t home;

		i = (i + 1) & (SLOTS - 1);
		if (!g->slots[i].count)
			return;
		home = S_home(g, &g->slots[i].key);
		/* Movable when its home is not in (hole, i], cyclically. */
		if (((i - home) & (SLOTS - 1)) >= ((i - hole) & (SLOTS - 1))) {
			g->slots[hole] = g->slots[i];
			g->slots[i].count = 0;
			hole = i;
		}
	}
}

static void *S_watchdog(void *arg)
{
	struct guard *g = arg;
	struct timespec ts;

	pthread_mutex_lock(&g->mu);
	while (!g->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
		if (g->stopping)
			break;
		pthread_mutex_unlock(&g->mu);
		guard_sweep(g, clock_mono_us());
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

mc_rc guard_start(const struct guard_opts *opts, struct guard **out)
{
	struct guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;

	if (!g)
		return MC_ERR_INTERNAL;
	g->slots = calloc(SLOTS, sizeof(*g->slots));
	if (!g->slots) {
		free(g);
		return MC_ERR_INTERNAL;
	}
	g->opts = *opts;
	randombytes_buf(g->secret, sizeof(g->secret));
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->thread, NULL, S_watchdog, g)) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g->slots);
		free(g);
		return MC_ERR_INTERNAL;
	}
	*out = g;
	return MC_OK;
}

void guard_stop(struct guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g->slots);
	free(g);
}

int guard_admit(struct guard *g, const struct sockaddr *peer, int exempt)
{
	struct addr_key k;
	int ok;

	if (exempt)
		return 1;
	S_key(peer, &k);
	pthread_mutex_lock(&g->mu);
	ok = S_find(g, &k)->count < g->opts.max_per_address;
	pthread_mutex_unlock(&g->mu);
	return ok;
}

struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *peer, int exempt, int64_t now_us)
{
	struct guard_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->counted = !exempt;
	S_key(peer, &c->key);
	http_addr_text(peer, c->peer, sizeof(c->peer));
	c->deadline_us = now_us + g->opts.request_us;
	pthread_mutex_lock(&g->mu);
	if (c->counted) {
		struct addr_slot *s = S_find(g, &c->key);

		s->key = c->key;
		s->count++;
	}
	c->next = g->conns;
	if (g->conns)
		g->conns->prev = c;
	g->conns = c;
	pthread_mutex_unlock(&g->mu);
	return c;
}

const char *guard_conn_peer(const struct guard_conn *c)
{
	return c ? c->peer : "unknown";
}

void guard_close(struct guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->counted) {
		struct addr_slot *s = S_find(g, &c->key);

		if (s->count && --s->count == 0)
			S_remove(g, s);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		g->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->mu);
	free(c);
}

/* Deadlines are read by the watchdog under the mutex. */
static void S_set_deadline(struct guard *g, struct guard_conn *c, int64_t at, int only_earlier)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (!only_earlier || !c->deadline_us || at < c->deadline_us)
		c->deadline_us = at;
	pthread_mutex_unlock(&g->mu);
}

void guard_request_started(struct guard *g, struct guard_conn *c, int64_t now_us)
{
	S_set_deadline(g, c, now_us + g->opts.request_us, 1);
}

void guard_request_read(struct guard *g, struct guard_conn *c)
{
	S_set_deadline(g, c, 0, 0);
}

void guard_request_done(struct guard *g, struct guard_conn *c, int64_t now_us)
{
	S_set_deadline(g, c, now_us + g->opts.idle_us + g->opts.request_us, 0);
}

int guard_body_reserve(struct guard *g, size_t n)
{
	int ok;

	pthread_mutex_lock(&g->mu);
	ok = n <= g->opts.body_budget - g->body_used;
	if (ok)
		g->body_used += n;
	pthread_mutex_unlock(&g->mu);
	return ok;
}

void guard_body_release(struct guard *g, size_t n)
{
	pthread_mutex_lock(&g->mu);
	g->body_used -= n < g->body_used ? n : g->body_used;
	pthread_mutex_unlock(&g->mu);
}

int guard_sweep(struct guard *g, int64_t now_us)
{
	int n = 0;

	/* Under the mutex: guard_close() runs before libmicrohttpd closes the
	 * socket, so every fd here is still the connection's own. */
	pthread_mutex_lock(&g->mu);
	for (struct guard_conn *c = g->conns; c; c = c->next) {
		if (!c->deadline_us || c->deadline_us > now_us)
			continue;
		c->deadline_us = 0;
		shutdown(c->fd, SHUT_RDWR);
		n++;
	}
	pthread_mutex_unlock(&g->mu);
	if (n)
		log_info("http", "closed %d connection(s) past the request deadline", n);
	return n;
}
