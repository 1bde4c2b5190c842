#include "core/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

#define KEY_MAX 64 /* keys shorter than this are kept as they are (any IP address) */
#define DIGEST 32  /* longer ones as their keyed BLAKE2b-256, marked by len == KEY_MAX */
#define WAYS 4     /* a key may live in one of 4 slots: few evictions, bounded probing */
#define STRIPES 64 /* independent locks so threads rarely contend */

_Static_assert(DIGEST < KEY_MAX, "a digest fits a key slot");

struct bucket {
	unsigned char key[KEY_MAX];
	unsigned len; /* 0: empty slot */
	double tokens;
	int64_t updated_us;
};

/* A client cannot choose keys that share a slot set (and push each other
 * out) without the per-process secret: SipHash picks the set. */
struct ratelimit {
	double per_us;
	double burst;
	unsigned char secret[crypto_shorthash_KEYBYTES];
	unsigned char digest_secret[crypto_generichash_KEYBYTES];
	struct bucket *slots; /* MC_RATE_BUCKETS */
	pthread_mutex_t locks[STRIPES];
};

struct ratelimit *ratelimit_new(double per_sec, long burst)
{
	struct ratelimit *rl;

	if (sodium_init() < 0)
		return NULL;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	randombytes_buf(rl->secret, sizeof(rl->secret));
	randombytes_buf(rl->digest_secret, sizeof(rl->digest_secret));
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
	size_t n = strlen(key), cmp;
	unsigned char k[KEY_MAX], h[crypto_shorthash_BYTES];
	unsigned len = (unsigned)n;
	uint64_t hv;
	size_t base;
	pthread_mutex_t *lock;
	struct bucket *b = NULL, *stalest;
	int limited;

	if (n < KEY_MAX) {
		memcpy(k, key, n);
	} else {
		crypto_generichash(k, DIGEST, (const unsigned char *)key, n, rl->digest_secret,
				   sizeof(rl->digest_secret));
		len = KEY_MAX;
	}
	cmp = len == KEY_MAX ? DIGEST : len;
	crypto_shorthash(h, k, cmp, rl->secret);
	memcpy(&hv, h, sizeof(hv));
	base = (hv % (MC_RATE_BUCKETS / WAYS)) * WAYS;
	lock = &rl->locks[(base / WAYS) % STRIPES];
	stalest = &rl->slots[base];
	pthread_mutex_lock(lock);
	for (size_t i = base; i < base + WAYS; i++) {
		if (rl->slots[i].len == len && !memcmp(rl->slots[i].key, k, cmp)) {
			b = &rl->slots[i];
			break;
		}
		if (rl->slots[i].updated_us < stalest->updated_us)
			stalest = &rl->slots[i];
	}
	if (!b) {
		b = stalest;
		memcpy(b->key, k, cmp);
		b->len = len;
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
