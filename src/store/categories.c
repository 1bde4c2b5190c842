#include "store/categories.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define CATEGORY_FROM " FROM products WHERE deleted_at IS NULL AND category <> ''"
static const char sql_count[] = "SELECT COUNT(DISTINCT lower(category))" CATEGORY_FROM;
static const char sql_page[] = "SELECT MIN(category), COUNT(*)" CATEGORY_FROM
			       " GROUP BY lower(category) ORDER BY lower(category) LIMIT ? OFFSET ?";

void category_list_free(struct category *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		free(items[i].name);
	free(items);
}

static int S_read(db_stmt *s, void *item)
{
	struct category *c = item;

	c->name = strdup(db_col_text(s, 0));
	c->product_count = db_col_int(s, 1);
	return c->name ? 0 : -1;
}

mc_rc store_category_list(int64_t limit, int64_t offset, struct category **items, size_t *n, int64_t *total)
{
	struct category *list = NULL;
	db_stmt *s = store_stmt(sql_count);
	size_t count = 0;
	int64_t tot = 0;
	mc_rc ret;

	if (!s)
		return MC_ERR_INTERNAL;
	ret = store_row_int(s, MC_OK, &tot);
	if (ret)
		return ret;
	ret = MC_ERR_INTERNAL;
	list = calloc((size_t)limit, sizeof(*list));
	if (!list || !(s = store_stmt(sql_page)))
		goto out;
	db_bind_int(s, 1, limit);
	db_bind_int(s, 2, offset);
	ret = store_read_rows(s, list, sizeof(*list), (size_t)limit, S_read, &count);
	if (ret)
		goto out;
	*items = list;
	*n = count;
	*total = tot;
	list = NULL;
	ret = MC_OK;
out:
	category_list_free(list, count);
	return ret;
}
