#include "api/catalog_cache.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/poll_gate.h"
#include "core/log.h"
#include "store/products.h"
#include "store/stock.h"
#include "store/store.h"

#define SLOTS (MC_CACHE_ENTRIES * 2)        /* open addressing at most half full */
#define STOCK_SLOTS (MC_STOCK_TRACKED * 2)  /* likewise */

/* A slot keeps its entry's hash beside it, so a probe reads the entry (a
 * cache miss in a table of megabytes) only when the hash matches. */
struct cache_slot {
	uint64_t hash;
	struct cache_entry *e;  /* NULL: free */
};

static struct {
	pthread_rwlock_t lock;
	struct cache_slot *slots;
	size_t count;
	size_t bytes;
	_Atomic uint64_t generation;   /* bumped by every flush */
	_Atomic int64_t version;       /* catalog version the entries belong to */
	_Atomic int64_t valid_until;   /* next sale boundary (Unix s) */
	struct poll_gate poll;         /* the version poll */
} cache = { .lock = PTHREAD_RWLOCK_INITIALIZER, .poll = POLL_GATE_INIT };

/* The live stock table: product id -> figure, read without locks (an id is
 * published after its figure and never removed). `marks` counts this
 * process's commits that moved stock (their ids wait in `dirty`); `applied`
 * is the mark up to which the table has re-read them. Re-reads and scans
 * run under refresh_mu, so an older read never overwrites a newer one. */
static struct {
	struct stock_slot {
		_Atomic int64_t id;    /* 0: free */
		_Atomic int64_t stock;
	} *slots;
	_Atomic size_t count;
	_Atomic uint64_t epoch;        /* bumped by every figure that changes */
	_Atomic uint64_t marks;
	_Atomic uint64_t applied;
	pthread_mutex_t insert_mu;
	pthread_mutex_t dirty_mu;
	int64_t dirty[MC_STOCK_DIRTY];
	size_t ndirty;
	int rescan;                    /* dirty overflowed: re-read every figure */
	pthread_mutex_t refresh_mu;
	int64_t work[MC_STOCK_DIRTY];  /* the dirty ids being re-read (refresh_mu) */
} stock = { .insert_mu = PTHREAD_MUTEX_INITIALIZER,
	    .dirty_mu = PTHREAD_MUTEX_INITIALIZER,
	    .refresh_mu = PTHREAD_MUTEX_INITIALIZER };

/* stock.marks when this thread's last catalog_cache_refresh() began. */
static __thread uint64_t marks_seen;

/* --- the stock table ------------------------------------------------------- */

static struct stock_slot *S_stock_find(int64_t id)
{
	for (size_t i = (size_t)id % STOCK_SLOTS;; i = (i + 1) % STOCK_SLOTS) {
		int64_t at = atomic_load(&stock.slots[i].id);

		if (at == id)
			return &stock.slots[i];
		if (!at)
			return NULL;
	}
}

/* The slot of id, added with figure v when untracked; NULL when the table
 * is full. *added tells whether it was new. */
static struct stock_slot *S_stock_track(int64_t id, int64_t v, int *added)
{
	struct stock_slot *s = S_stock_find(id);
	size_t i;

	*added = 0;
	if (s)
		return s;
	pthread_mutex_lock(&stock.insert_mu);
	s = S_stock_find(id);
	if (!s && atomic_load(&stock.count) < MC_STOCK_TRACKED) {
		for (i = (size_t)id % STOCK_SLOTS; atomic_load(&stock.slots[i].id); i = (i + 1) % STOCK_SLOTS)
			;
		s = &stock.slots[i];
		atomic_store(&s->stock, v);
		atomic_store(&s->id, id); /* published after its figure */
		atomic_fetch_add(&stock.count, 1);
		*added = 1;
	}
	pthread_mutex_unlock(&stock.insert_mu);
	return s;
}

static void S_stock_update(struct stock_slot *s, int64_t v)
{
	if (atomic_exchange(&s->stock, v) != v)
		atomic_fetch_add(&stock.epoch, 1);
}

/* The watcher of store/stock.c, run after a commit of this process that
 * moved stock: queues the ids for a re-read (NULL: all) and counts a mark. */
static void S_stock_mark(const int64_t *ids, size_t n)
{
	pthread_mutex_lock(&stock.dirty_mu);
	if (!ids || stock.ndirty + n > MC_STOCK_DIRTY)
		stock.rescan = 1;
	else
		for (size_t i = 0; i < n; i++)
			stock.dirty[stock.ndirty++] = ids[i];
	atomic_fetch_add(&stock.marks, 1);
	pthread_mutex_unlock(&stock.dirty_mu);
}

static void S_scan_row(void *ctx, int64_t id, int64_t v)
{
	struct stock_slot *s = S_stock_find(id);

	(void)ctx;
	if (s)
		S_stock_update(s, v);
}

/* Re-reads every tracked figure (refresh_mu held). A failure is repaired by
 * the next poll's scan. */
static void S_stock_scan(void)
{
	if (atomic_load(&stock.count) && store_stock_scan(S_scan_row, NULL))
		log_error("cache", "cannot re-read stock figures; retrying at the next poll");
}

/* Re-reads what this node's commits changed, before any read is answered
 * with the old figures (read-your-writes). Readers wait on refresh_mu only
 * while marks are pending, that is after writes. */
static void S_stock_apply_marks(void)
{
	uint64_t m;
	size_t n = 0;
	int all;

	pthread_mutex_lock(&stock.refresh_mu);
	m = atomic_load(&stock.marks);
	if (m == atomic_load(&stock.applied))
		goto out;
	/* Every id marked up to m is in the list taken after reading m. */
	pthread_mutex_lock(&stock.dirty_mu);
	all = stock.rescan;
	if (!all) {
		n = stock.ndirty;
		memcpy(stock.work, stock.dirty, n * sizeof(*stock.work));
	}
	stock.ndirty = 0;
	stock.rescan = 0;
	pthread_mutex_unlock(&stock.dirty_mu);
	if (all)
		S_stock_scan();
	for (size_t i = 0; i < n; i++) {
		struct stock_slot *s = S_stock_find(stock.work[i]);
		int64_t v;

		/* Untracked: no response shows it. Gone (deleted): the delete
		 * flushed the cache. A failure: the next poll's scan repairs it. */
		if (s && !store_stock_of(stock.work[i], &v))
			S_stock_update(s, v);
	}
	atomic_store(&stock.applied, m);
out:
	pthread_mutex_unlock(&stock.refresh_mu);
}

bool catalog_cache_stock(int64_t id, int64_t *figure)
{
	int added;
	struct stock_slot *s = S_stock_track(id, *figure, &added);

	if (!s)
		return false;
	/* A commit of this node since this thread's refresh (the caller read
	 * the row after it) may have moved the figure, and its re-read skipped
	 * the id, untracked then: re-read it. A row older than another node's
	 * write is corrected by the next poll's scan of the now tracked id. */
	if (added && atomic_load(&stock.marks) != marks_seen)
		S_stock_mark(&id, 1);
	*figure = atomic_load(&s->stock);
	return true;
}

size_t catalog_cache_stock_text(int64_t figure, char *buf)
{
	int n = snprintf(buf, CATALOG_STOCK_TEXT_MAX, "\"stock\":%" PRId64 ",\"inStock\":%s", figure,
			 figure > 0 ? "true" : "false");

	return n > 0 ? (size_t)n : 0;
}

/* --- entries ------------------------------------------------------------- */

mc_rc catalog_cache_init(void)
{
	cache.slots = calloc(SLOTS, sizeof(*cache.slots));
	stock.slots = calloc(STOCK_SLOTS, sizeof(*stock.slots));
	atomic_store(&cache.valid_until, 0);
	if (!cache.slots || !stock.slots)
		return MC_ERR_INTERNAL;
	store_stock_watch(S_stock_mark);
	return MC_OK;
}

void catalog_cache_unref(void *p)
{
	struct cache_entry *e = p;

	if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
		free(e->stock);
		free(e);
	}
}

static size_t S_entry_bytes(const struct cache_entry *e)
{
	return e->len + e->nstock * sizeof(*e->stock);
}

/* Caller holds the write lock. */
static void S_flush_locked(void)
{
	for (size_t i = 0; i < SLOTS; i++) {
		if (cache.slots[i].e) {
			catalog_cache_unref(cache.slots[i].e);
			cache.slots[i].e = NULL;
		}
	}
	cache.count = 0;
	cache.bytes = 0;
	atomic_fetch_add(&cache.generation, 1);
}

void catalog_cache_release(void)
{
	store_stock_watch(NULL);
	pthread_rwlock_wrlock(&cache.lock);
	if (cache.slots)
		S_flush_locked();
	free(cache.slots);
	cache.slots = NULL;
	pthread_rwlock_unlock(&cache.lock);
	free(stock.slots);
	stock.slots = NULL;
}

static void S_invalidate_now(void)
{
	pthread_rwlock_wrlock(&cache.lock);
	S_flush_locked();
	/* Make the next request re-read the version and the next boundary. */
	atomic_store(&cache.valid_until, 0);
	pthread_rwlock_unlock(&cache.lock);
}

/* After the commit: a flush before it could be refilled, by a read on
 * another thread, with the rows the commit replaces. */
void catalog_cache_invalidate(void)
{
	store_after_txn(S_invalidate_now);
}

uint64_t catalog_cache_refresh(int64_t now)
{
	int64_t mono = clock_mono_us(), version = 0, boundary = 0;
	int ok;

	marks_seen = atomic_load(&stock.marks);
	if (marks_seen != atomic_load(&stock.applied))
		S_stock_apply_marks();
	/* Due every MC_CACHE_POLL_US, and at once past a sale boundary. */
	if (!poll_gate_enter(&cache.poll, mono, now < atomic_load(&cache.valid_until) ? MC_CACHE_POLL_US : 0))
		return atomic_load(&cache.generation);
	ok = !store_catalog_version(&version) && !store_catalog_next_boundary(now, &boundary);
	if (ok) {
		if (version != atomic_load(&cache.version) || now >= atomic_load(&cache.valid_until)) {
			pthread_rwlock_wrlock(&cache.lock);
			S_flush_locked();
			pthread_rwlock_unlock(&cache.lock);
			atomic_store(&cache.version, version);
			atomic_store(&cache.valid_until, boundary ? boundary : INT64_MAX);
		}
		/* Other processes' stock moves, which no version bump announces. */
		pthread_mutex_lock(&stock.refresh_mu);
		S_stock_scan();
		pthread_mutex_unlock(&stock.refresh_mu);
	}
	poll_gate_leave(&cache.poll, mono, ok);
	return atomic_load(&cache.generation);
}

/* The slot holding key, or the free slot where it would go. Caller holds
 * the lock. */
static struct cache_slot *S_slot(const char *key, uint64_t hash)
{
	size_t i;

	for (i = hash % SLOTS; cache.slots[i].e; i = (i + 1) % SLOTS)
		if (cache.slots[i].hash == hash && !strcmp(cache.slots[i].e->key, key))
			break;
	return &cache.slots[i];
}

/* An entry for key with room for len body bytes and nstock refs, not yet
 * sealed; NULL when out of memory. */
static struct cache_entry *S_entry_new(const char *key, size_t len, size_t nstock)
{
	size_t klen = strlen(key);
	struct cache_entry *e = malloc(sizeof(*e) + klen + 1 + len + 1);

	if (!e)
		return NULL;
	e->stock = nstock ? malloc(nstock * sizeof(*e->stock)) : NULL;
	if (nstock && !e->stock) {
		free(e);
		return NULL;
	}
	e->hash = hash_str(key);
	memcpy(e->key, key, klen + 1);
	e->body = e->key + klen + 1;
	e->len = len;
	e->nstock = nstock;
	e->body[len] = '\0';
	return e;
}

/* Computes the ETag of a filled entry, whose figures are live at epoch. */
static void S_entry_seal(struct cache_entry *e, uint64_t epoch)
{
	unsigned char h[8];

	crypto_generichash(h, sizeof(h), (const unsigned char *)e->body, e->len, NULL, 0);
	e->etag[0] = '"';
	sodium_bin2hex(e->etag + 1, 17, h, sizeof(h));
	e->etag[17] = '"';
	e->etag[18] = '\0';
	atomic_store(&e->checked, epoch);
}

/* A copy of e with the live figures spliced in; it takes e's place in the
 * table if e still holds it. Takes the caller's ref on e; NULL when out of
 * memory (the caller then builds afresh). */
static struct cache_entry *S_splice(struct cache_entry *e, uint64_t epoch)
{
	char text[CATALOG_STOCK_TEXT_MAX];
	struct cache_slot *slot;
	struct cache_entry *n;
	size_t len = e->len, from = 0, to = 0, i;
	int64_t live[MC_PAGE_MAX];

	if (e->nstock > MC_PAGE_MAX) { /* no page holds more */
		catalog_cache_unref(e);
		return NULL;
	}
	/* Each figure read once, so the text and the refs agree. */
	for (i = 0; i < e->nstock; i++) {
		struct stock_slot *s = S_stock_find(e->stock[i].id);

		live[i] = s ? atomic_load(&s->stock) : e->stock[i].shown;
		len = len - e->stock[i].len + catalog_cache_stock_text(live[i], text);
	}
	n = S_entry_new(e->key, len, e->nstock);
	if (!n) {
		catalog_cache_unref(e);
		return NULL;
	}
	for (i = 0; i < e->nstock; i++) {
		const struct stock_ref *r = &e->stock[i];
		size_t tlen = catalog_cache_stock_text(live[i], text);

		memcpy(n->body + to, e->body + from, r->at - from);
		to += r->at - from;
		n->stock[i] = (struct stock_ref){ .id = r->id, .shown = live[i], .at = to, .len = tlen };
		memcpy(n->body + to, text, tlen);
		to += tlen;
		from = r->at + r->len;
	}
	memcpy(n->body + to, e->body + from, e->len - from);
	S_entry_seal(n, epoch);
	n->refs = 1;
	pthread_rwlock_wrlock(&cache.lock);
	slot = S_slot(e->key, e->hash);
	if (slot->e == e) {
		slot->e = n;
		n->refs = 2; /* the table's and the caller's */
		cache.bytes = cache.bytes - S_entry_bytes(e) + S_entry_bytes(n);
		catalog_cache_unref(e); /* the table's */
	}
	pthread_rwlock_unlock(&cache.lock);
	catalog_cache_unref(e);
	return n;
}

/* e, or its re-spliced copy when a figure moved. Takes the caller's ref. */
static struct cache_entry *S_live(struct cache_entry *e)
{
	uint64_t epoch = atomic_load(&stock.epoch);

	if (atomic_load(&e->checked) == epoch)
		return e;
	for (size_t i = 0; i < e->nstock; i++) {
		struct stock_slot *s = S_stock_find(e->stock[i].id);

		if (s && atomic_load(&s->stock) != e->stock[i].shown)
			return S_splice(e, epoch);
	}
	/* The epoch read before the comparison: a later move checks again. */
	atomic_store(&e->checked, epoch);
	return e;
}

struct cache_entry *catalog_cache_get(const char *key)
{
	struct cache_entry *found;

	pthread_rwlock_rdlock(&cache.lock);
	found = S_slot(key, hash_str(key))->e;
	if (found)
		atomic_fetch_add(&found->refs, 1);
	pthread_rwlock_unlock(&cache.lock);
	return found ? S_live(found) : NULL;
}

struct cache_entry *catalog_cache_put(const char *key, const char *body, size_t len, const struct stock_ref *refs,
				      size_t nstock, uint64_t generation)
{
	struct cache_entry *e = S_entry_new(key, len, nstock);
	struct cache_slot *slot;

	if (!e)
		return NULL;
	memcpy(e->body, body, len);
	if (nstock)
		memcpy(e->stock, refs, nstock * sizeof(*refs));
	/* An epoch that has passed: the first read checks the figures, which
	 * may have moved since the caller read them. */
	S_entry_seal(e, atomic_load(&stock.epoch) - 1);
	e->refs = 2; /* the table's and the caller's */
	pthread_rwlock_wrlock(&cache.lock);
	if (generation != atomic_load(&cache.generation) || cache.count >= MC_CACHE_ENTRIES ||
	    cache.bytes + S_entry_bytes(e) > MC_CACHE_BYTES) {
		pthread_rwlock_unlock(&cache.lock);
		e->refs = 1; /* not cached: the caller's alone */
		return e;
	}
	slot = S_slot(e->key, e->hash);
	if (slot->e) {
		/* Another thread filled it first; keep theirs. */
		struct cache_entry *theirs = slot->e;

		atomic_fetch_add(&theirs->refs, 1);
		pthread_rwlock_unlock(&cache.lock);
		e->refs = 1;
		catalog_cache_unref(e);
		return S_live(theirs);
	}
	*slot = (struct cache_slot){ .hash = e->hash, .e = e };
	cache.count++;
	cache.bytes += S_entry_bytes(e);
	pthread_rwlock_unlock(&cache.lock);
	return e;
}
