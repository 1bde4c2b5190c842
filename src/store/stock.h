/* Stock changes, told to whoever shows stock (the catalog read cache) after
 * the transaction that made them commits. The figures are re-read with
 * store_stock_of()/store_stock_scan() (store/products.h). No SQL here, so
 * store.c can call in without a cycle. */
#ifndef MC_STORE_STOCK_H
#define MC_STORE_STOCK_H

#include <stddef.h>
#include <stdint.h>

/* Called after a commit on this process that changed the stock of `ids`;
 * ids NULL (n 0) means "too many to list: re-read them all". */
typedef void store_stock_fn(const int64_t *ids, size_t n);

/* Sets the one watcher (the serving process's catalog cache). */
void store_stock_watch(store_stock_fn *fn);
/* A statement of the open transaction changed the product's stock. */
void store_stock_touched(int64_t product_id);
/* The transaction ended: committed, the watcher hears of its changes. */
void store_stock_end(int committed);

#endif
