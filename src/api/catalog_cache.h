/* The catalog's fast read path: serialized list and detail responses kept in
 * memory, keyed by the normalized query. Invalidated by any product write on
 * this node at once, on other nodes within MC_CACHE_POLL_US (they poll the
 * database's catalog version), and at the next sale boundary.
 *
 * Stock is live without invalidation: each entry knows where every product's
 * stock text sits in its bytes, and the node keeps a table of live stock
 * figures, updated after each commit of this process that moved stock and,
 * for other processes' writes, by a re-read of the tracked figures at each
 * version poll. The first read that finds an entry's figures moved splices
 * the new ones into a copy of its bytes, which replaces it with a new ETag. */
#ifndef MC_CATALOG_CACHE_H
#define MC_CATALOG_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* Where one product's stock text sits in a cached body. */
struct stock_ref {
	int64_t id;
	int64_t shown;             /* the figure the text says */
	size_t at;                 /* offset of the text in the body */
	size_t len;
};

struct cache_entry {
	_Atomic int refs;
	_Atomic uint64_t checked;  /* stock epoch its figures were last found live at */
	size_t len;
	size_t nstock;
	struct stock_ref *stock;   /* nstock of them, in body order */
	char etag[20];             /* "\"" + 16 hex + "\"" */
	uint64_t hash;             /* of key */
	char *body;                /* right after the key, in the same block */
	/* The key first: a hit reads the header and the key in one or two
	 * cache lines, and the body right after them. */
	char key[];
};

/* The longest stock text, NUL included. */
#define CATALOG_STOCK_TEXT_MAX 48

mc_rc catalog_cache_init(void);
void catalog_cache_release(void);

/* Applies this node's committed stock changes, re-reads the catalog version
 * and the tracked stock figures when due, and flushes on a version change
 * or at a sale boundary. Returns the generation a response built now
 * belongs to. */
uint64_t catalog_cache_refresh(int64_t now);
/* A referenced entry showing the live stock, or NULL. */
struct cache_entry *catalog_cache_get(const char *key);
/* Wraps a copy of body (and of its nstock stock refs) in a referenced entry
 * with its ETag, and keeps it under key unless the cache moved past
 * `generation` meanwhile or is full. NULL only when out of memory. */
struct cache_entry *catalog_cache_put(const char *key, const char *body, size_t len, const struct stock_ref *stock,
				      size_t nstock, uint64_t generation);
/* Drops a reference (usable as a response's body_release). */
void catalog_cache_unref(void *entry);
/* Flushes once this thread's open transaction (or batch) has ended, at
 * once when none is open: called after this node changes the catalog. */
void catalog_cache_invalidate(void);

/* The figure to show for product id, whose row said *stock: the node's live
 * figure once tracked, and tracked from now on. False when the table is full
 * (*stock then stays; a response showing it must not be cached). */
bool catalog_cache_stock(int64_t id, int64_t *stock);
/* Writes `"stock":N,"inStock":B`, the one spelling of a product's stock,
 * into buf (CATALOG_STOCK_TEXT_MAX bytes); returns its length. */
size_t catalog_cache_stock_text(int64_t stock, char *buf);

#endif
