/* Token-bucket rate limiter keyed by strings (client IPs), compared whole.
 * Bounded memory: MC_RATE_BUCKETS keys in sets of 4, the stalest of a set
 * evicted first; a keyed hash (a random secret per limiter) places keys in
 * sets, so nobody can pick keys that evict a given one. */
#ifndef MC_RATELIMIT_H
#define MC_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

struct ratelimit_state {
	long limit;      /* bucket size */
	long remaining;  /* whole tokens left after this call */
	long reset;      /* seconds until the bucket is full again */
	long retry_after;/* seconds until one token is available (0 when allowed) */
};

/* `per_sec` tokens per second refill, `burst` bucket size. */
struct ratelimit *ratelimit_new(double per_sec, long burst);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token. Returns 0 if allowed, 1 if limited. `st` may be NULL. */
int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_us, struct ratelimit_state *st);
/* Like take, without consuming: is a token available? */
int ratelimit_check(struct ratelimit *rl, const char *key, int64_t now_us, struct ratelimit_state *st);

#endif
