#include "api/catalog_cache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/log.h"
#include "store/products.h"

#define SLOTS (MC_CACHE_ENTRIES * 2) /* open addressing at most half full */

static struct {
	pthread_rwlock_t lock;
	struct cache_entry **slots;
	size_t count;
	size_t bytes;
	_Atomic uint64_t generation;   /* bumped by every flush */
	_Atomic int64_t version;       /* catalog version the entries belong to */
	_Atomic int64_t valid_until;   /* next sale boundary (Unix s) */
	_Atomic int64_t polled_us;     /* last version poll (monotonic) */
	atomic_flag polling;
} cache = { .lock = PTHREAD_RWLOCK_INITIALIZER, .polling = ATOMIC_FLAG_INIT };

mc_rc catalog_cache_init(void)
{
	cache.slots = calloc(SLOTS, sizeof(*cache.slots));
	atomic_store(&cache.valid_until, 0);
	return cache.slots ? MC_OK : MC_ERR_INTERNAL;
}

void catalog_cache_unref(void *p)
{
	struct cache_entry *e = p;

	if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
		free(e->key);
		free(e);
	}
}

/* Caller holds the write lock. */
static void S_flush_locked(void)
{
	for (size_t i = 0; i < SLOTS; i++) {
		if (cache.slots[i]) {
			catalog_cache_unref(cache.slots[i]);
			cache.slots[i] = NULL;
		}
	}
	cache.count = 0;
	cache.bytes = 0;
	atomic_fetch_add(&cache.generation, 1);
}

void catalog_cache_release(void)
{
	pthread_rwlock_wrlock(&cache.lock);
	if (cache.slots)
		S_flush_locked();
	free(cache.slots);
	cache.slots = NULL;
	pthread_rwlock_unlock(&cache.lock);
}

void catalog_cache_invalidate(void)
{
	pthread_rwlock_wrlock(&cache.lock);
	S_flush_locked();
	/* Make the next request re-read the version and the next boundary. */
	atomic_store(&cache.valid_until, 0);
	pthread_rwlock_unlock(&cache.lock);
}

uint64_t catalog_cache_refresh(int64_t now)
{
	int64_t mono = clock_mono_us(), version = 0, boundary = 0;

	if (mono - atomic_load(&cache.polled_us) < MC_CACHE_POLL_US && now < atomic_load(&cache.valid_until))
		return atomic_load(&cache.generation);
	/* One thread polls; the others go on with what they have. */
	if (atomic_flag_test_and_set(&cache.polling))
		return atomic_load(&cache.generation);
	if (!store_catalog_version(&version) && !store_catalog_next_boundary(now, &boundary)) {
		if (version != atomic_load(&cache.version) || now >= atomic_load(&cache.valid_until)) {
			pthread_rwlock_wrlock(&cache.lock);
			S_flush_locked();
			pthread_rwlock_unlock(&cache.lock);
			atomic_store(&cache.version, version);
			atomic_store(&cache.valid_until, boundary ? boundary : INT64_MAX);
		}
		atomic_store(&cache.polled_us, mono);
	}
	atomic_flag_clear(&cache.polling);
	return atomic_load(&cache.generation);
}

struct cache_entry *catalog_cache_get(const char *key)
{
	struct cache_entry *found = NULL;
	size_t i;

	pthread_rwlock_rdlock(&cache.lock);
	for (i = hash_str(key) % SLOTS; cache.slots[i]; i = (i + 1) % SLOTS) {
		if (!strcmp(cache.slots[i]->key, key)) {
			found = cache.slots[i];
			atomic_fetch_add(&found->refs, 1);
			break;
		}
	}
	pthread_rwlock_unlock(&cache.lock);
	return found;
}

struct cache_entry *catalog_cache_put(const char *key, const char *body, size_t len, uint64_t generation)
{
	struct cache_entry *e = malloc(sizeof(*e) + len + 1);
	unsigned char h[8];
	size_t i;

	if (!e)
		return NULL;
	e->key = strdup(key);
	if (!e->key) {
		free(e);
		return NULL;
	}
	memcpy(e->body, body, len);
	e->body[len] = '\0';
	e->len = len;
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, len, NULL, 0);
	e->etag[0] = '"';
	sodium_bin2hex(e->etag + 1, 17, h, sizeof(h));
	e->etag[17] = '"';
	e->etag[18] = '\0';
	e->refs = 2; /* the table's and the caller's */
	pthread_rwlock_wrlock(&cache.lock);
	if (generation != atomic_load(&cache.generation) || cache.count >= MC_CACHE_ENTRIES ||
	    cache.bytes + len > MC_CACHE_BYTES) {
		pthread_rwlock_unlock(&cache.lock);
		e->refs = 1; /* not cached: the caller's alone */
		return e;
	}
	for (i = hash_str(key) % SLOTS; cache.slots[i]; i = (i + 1) % SLOTS) {
		if (!strcmp(cache.slots[i]->key, key)) {
			/* Another thread filled it first; keep theirs. */
			struct cache_entry *theirs = cache.slots[i];

			atomic_fetch_add(&theirs->refs, 1);
			pthread_rwlock_unlock(&cache.lock);
			free(e->key);
			free(e);
			return theirs;
		}
	}
	cache.slots[i] = e;
	cache.count++;
	cache.bytes += len;
	pthread_rwlock_unlock(&cache.lock);
	return e;
}
