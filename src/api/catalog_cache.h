/* The catalog's fast read path: serialized list and detail responses kept in
 * memory, keyed by the normalized query. Invalidated by any product write on
 * this node at once, on other nodes within MC_CACHE_POLL_US (they poll the
 * database's catalog version), and at the next sale boundary. */
#ifndef MC_CATALOG_CACHE_H
#define MC_CATALOG_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

struct cache_entry {
	_Atomic int refs;
	size_t len;
	char etag[20];         /* "\"" + 16 hex + "\"" */
	char *key;
	char body[];
};

mc_rc catalog_cache_init(void);
void catalog_cache_release(void);

/* Re-reads the catalog version when due and flushes on change or at a sale
 * boundary. Returns the generation a response built now belongs to. */
uint64_t catalog_cache_refresh(int64_t now);
/* A referenced entry, or NULL. */
struct cache_entry *catalog_cache_get(const char *key);
/* Wraps a copy of body in a referenced entry with its ETag, and keeps it
 * under key unless the cache moved past `generation` meanwhile or is full.
 * NULL only when out of memory. */
struct cache_entry *catalog_cache_put(const char *key, const char *body, size_t len, uint64_t generation);
/* Drops a reference (usable as a response's body_release). */
void catalog_cache_unref(void *entry);
/* Flushes now: called after this node changes the catalog. */
void catalog_cache_invalidate(void);

#endif
