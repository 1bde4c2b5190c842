#include "core/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"

#define KEY_MAX 64
#define WAYS 4     /* a key may live in one of 4 slots: few evictions, bounded probing */
#define STRIPES 64 /* independent locks so threads rarely contend */

struct bucket {
	char key[KEY_MAX];
	double tokens;
	int64_t updated_us;
};

struct ratelimit {
	double per_us;
	double burst;
	struct bucket *slots; /* MC_RATE_BUCKETS */
	pthread_mutex_t locks[STRIPES];
};

struct ratelimit *ratelimit_new(double per_sec, long burst)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (!rl)
		return NULL;
	rl->slots = calloc(MC_RATE_BUCKETS, sizeof(*rl->slots));
	if (!rl->slots) {
		free(rl);
		return NULL;
	}
	rl->per_us = per_sec / 1e6;
	rl->burst = (double)burst;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl->slots);
	free(rl);
}

static int S_apply(struct ratelimit *rl, const char *key, int64_t now, struct ratelimit_state *st,
		   int consume)
{
	size_t base = (hash_str(key) % (MC_RATE_BUCKETS / WAYS)) * WAYS;
	pthread_mutex_t *lock = &rl->locks[(base / WAYS) % STRIPES];
	struct bucket *b = NULL, *stalest = &rl->slots[base];
	int limited;

	pthread_mutex_lock(lock);
	for (size_t i = base; i < base + WAYS; i++) {
		if (!strncmp(rl->slots[i].key, key, KEY_MAX - 1)) {
			b = &rl->slots[i];
			break;
		}
		if (rl->slots[i].updated_us < stalest->updated_us)
			stalest = &rl->slots[i];
	}
	if (!b) {
		b = stalest;
		strncpy(b->key, key, KEY_MAX - 1);
		b->key[KEY_MAX - 1] = '\0';
		b->tokens = rl->burst;
		b->updated_us = now;
	}
	b->tokens += (double)(now - b->updated_us) * rl->per_us;
	if (b->tokens > rl->burst)
		b->tokens = rl->burst;
	b->updated_us = now;
	limited = b->tokens < 1.0;
	if (!limited && consume)
		b->tokens -= 1.0;
	if (st) {
		st->limit = (long)rl->burst;
		st->remaining = (long)b->tokens;
		st->reset = (long)ceil((rl->burst - b->tokens) / rl->per_us / 1e6);
		st->retry_after = limited ? (long)ceil((1.0 - b->tokens) / rl->per_us / 1e6) : 0;
		if (limited && st->retry_after < 1)
			st->retry_after = 1;
	}
	pthread_mutex_unlock(lock);
	return limited;
}

int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_us, struct ratelimit_state *st)
{
	return S_apply(rl, key, now_us, st, 1);
}

int ratelimit_check(struct ratelimit *rl, const char *key, int64_t now_us, struct ratelimit_state *st)
{
	return S_apply(rl, key, now_us, st, 0);
}
