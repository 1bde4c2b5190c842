#include "store/wishlist.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* Only a live product goes in. */
static const char sql_add[] =
	"INSERT INTO wishlist_items (user_id, product_id, added_at)"
	" SELECT CAST(? AS BIGINT), id, CAST(? AS BIGINT) FROM products WHERE id = ? AND deleted_at IS NULL"
	" ON CONFLICT (user_id, product_id) DO NOTHING";
static const char sql_remove[] = "DELETE FROM wishlist_items WHERE user_id = ? AND product_id = ?";
/* Withdrawn products drop out: PRODUCT_SOURCE holds live products only. */
#define LIST_FROM                                                                                   \
	" FROM wishlist_items w JOIN (" PRODUCT_SOURCE ") c ON c.id = w.product_id"                    \
	" WHERE w.user_id = ? AND (CAST(? AS BIGINT) = 0 OR w.product_id = ?)"
static const char sql_count[] = "SELECT COUNT(*)" LIST_FROM;
static const char sql_page[] =
	"SELECT " PRODUCT_COLS ", w.added_at" LIST_FROM " ORDER BY w.added_at DESC, w.product_id DESC LIMIT ? OFFSET ?";

void wishlist_items_free(struct wishlist_item *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		product_release(&items[i].product);
	free(items);
}

mc_rc store_wishlist_add(int64_t user_id, int64_t product_id, int64_t now, int *added)
{
	int64_t v[3] = { user_id, now, product_id }, changes = 0;
	mc_rc rc = store_exec_ints(sql_add, 3, v, &changes);

	if (!rc)
		*added = changes > 0;
	return rc;
}

mc_rc store_wishlist_remove(int64_t user_id, int64_t product_id)
{
	int64_t v[2] = { user_id, product_id }, changes = 0;
	mc_rc rc = store_exec_ints(sql_remove, 2, v, &changes);

	return rc ? rc : changes ? MC_OK : MC_ERR_NOT_FOUND;
}

static void S_bind_owner(db_stmt *s, int64_t user_id, int64_t product_id)
{
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, product_id);
	db_bind_int(s, 3, product_id);
}

static int S_read_item(db_stmt *s, void *item)
{
	struct wishlist_item *w = item;

	w->added_at = db_col_int(s, PRODUCT_NCOLS);
	return store_product_read(s, &w->product);
}

mc_rc store_wishlist_list(int64_t user_id, int64_t product_id, int64_t limit, int64_t offset,
			  struct wishlist_item **items, size_t *n, int64_t *total)
{
	db_stmt *s = store_stmt(sql_count);
	struct wishlist_item *list = NULL;
	size_t count = 0;
	int64_t tot = 0;
	mc_rc ret;

	if (!s)
		return MC_ERR_INTERNAL;
	S_bind_owner(s, user_id, product_id);
	ret = store_row_int(s, MC_ERR_INTERNAL, &tot);
	if (ret)
		return ret;
	ret = MC_ERR_INTERNAL;
	list = calloc((size_t)limit, sizeof(*list));
	if (!list || !(s = store_stmt(sql_page)))
		goto out;
	S_bind_owner(s, user_id, product_id);
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	ret = store_read_rows(s, list, sizeof(*list), (size_t)limit, S_read_item, &count);
	if (ret)
		goto out;
	*items = list;
	*n = count;
	*total = tot;
	list = NULL;
	ret = MC_OK;
out:
	wishlist_items_free(list, count);
	return ret;
}
