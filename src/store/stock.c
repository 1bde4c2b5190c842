#include "store/stock.h"

#include <stdatomic.h>

#include "core/limits.h"

static _Atomic(store_stock_fn *) watcher;

/* This thread's open transaction's changes: a batch of orders touches
 * fewer than MC_STOCK_DIRTY products, so more only comes from bulk writes. */
static __thread struct {
	int64_t ids[MC_STOCK_DIRTY];
	size_t n;
	int overflow;
} pending;

void store_stock_watch(store_stock_fn *fn)
{
	atomic_store(&watcher, fn);
}

void store_stock_touched(int64_t product_id)
{
	for (size_t i = 0; i < pending.n; i++)
		if (pending.ids[i] == product_id)
			return;
	if (pending.n < MC_STOCK_DIRTY)
		pending.ids[pending.n++] = product_id;
	else
		pending.overflow = 1;
}

void store_stock_end(int committed)
{
	store_stock_fn *fn = atomic_load(&watcher);

	if (committed && fn && (pending.n || pending.overflow))
		fn(pending.overflow ? NULL : pending.ids, pending.overflow ? 0 : pending.n);
	pending.n = 0;
	pending.overflow = 0;
}
