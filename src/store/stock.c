#include "store/stock.h"

#include <stdatomic.h>

#include "core/limits.h"
#include "store/store.h"

static const char sql_of[] = "SELECT stock FROM products WHERE id = ? AND deleted_at IS NULL";
static const char sql_scan[] = "SELECT id, stock FROM products WHERE deleted_at IS NULL";

static _Atomic(store_stock_fn *) watcher;

/* This thread's open transaction's changes: an order touches at most
 * MC_CART_LINES_MAX products, so more only comes from bulk writes. */
static __thread struct {
	int64_t ids[MC_CART_LINES_MAX];
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
	if (pending.n < MC_CART_LINES_MAX)
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

mc_rc store_stock_of(int64_t product_id, int64_t *stock)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_of, product_id, &s);

	if (!rc) {
		*stock = db_col_int(s, 0);
		db_reset(s);
	}
	return rc;
}

mc_rc store_stock_scan(void (*fn)(void *ctx, int64_t id, int64_t stock), void *ctx)
{
	db_stmt *s = store_stmt(sql_scan);
	int rc;

	if (!s)
		return MC_ERR_INTERNAL;
	while ((rc = db_step(s)) == DB_ROW)
		fn(ctx, db_col_int(s, 0), db_col_int(s, 1));
	db_reset(s);
	return rc < 0 ? store_rc(rc) : MC_OK;
}
