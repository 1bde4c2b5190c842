/* Stock changes, told to whoever shows stock (the catalog read cache) after
 * the transaction that made them commits, and the reads that follow them. */
#ifndef MC_STORE_STOCK_H
#define MC_STORE_STOCK_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* Called after a commit on this process that changed the stock of `ids`;
 * ids NULL (n 0) means "too many to list: re-read them all". */
typedef void store_stock_fn(const int64_t *ids, size_t n);

/* Sets the one watcher (the serving process's catalog cache). */
void store_stock_watch(store_stock_fn *fn);
/* A statement of the open transaction changed the product's stock. */
void store_stock_touched(int64_t product_id);
/* The transaction ended: committed, the watcher hears of its changes. */
void store_stock_end(int committed);

/* A live product's stock now (MC_ERR_NOT_FOUND when gone). */
mc_rc store_stock_of(int64_t product_id, int64_t *stock);
/* Every live product's stock, to fn(ctx, id, stock) row by row. */
mc_rc store_stock_scan(void (*fn)(void *ctx, int64_t id, int64_t stock), void *ctx);

#endif
