#include "store/coupons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define COUPON_COLS                                                                                   \
	"id, code, discount_percentage, valid_from, valid_to, usage_limit, used_count, seller_id, is_active," \
	" created_by, created_at, updated_at"

static const char sql_insert[] =
	"INSERT INTO coupons (code, discount_percentage, valid_from, valid_to, usage_limit, seller_id, is_active,"
	" created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_get[] = "SELECT " COUPON_COLS " FROM coupons WHERE id = ?";
static const char sql_by_code[] = "SELECT " COUPON_COLS " FROM coupons WHERE code = ?";
static const char sql_list[] =
	"SELECT " COUPON_COLS ", COUNT(*) OVER () FROM coupons WHERE (CAST(? AS BIGINT) = 0 OR seller_id = ?)"
	" ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_update[] =
	"UPDATE coupons SET discount_percentage = ?, valid_from = ?, valid_to = ?, usage_limit = ?, is_active = ?,"
	" updated_at = ? WHERE id = ? AND used_count <= ?";
static const char sql_use[] =
	"UPDATE coupons SET used_count = used_count + 1 WHERE id = ? AND is_active = 1"
	" AND used_count < usage_limit AND valid_from <= ? AND ? < valid_to";
static const char sql_release[] = "UPDATE coupons SET used_count = used_count - 1 WHERE id = ? AND used_count > 0";

static void S_read(db_stmt *s, struct coupon *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_col_int(s, 0);
	snprintf(c->code, sizeof(c->code), "%s", db_col_text(s, 1));
	c->percentage = (int)db_col_int(s, 2);
	c->valid_from = db_col_int(s, 3);
	c->valid_to = db_col_int(s, 4);
	c->usage_limit = db_col_int(s, 5);
	c->used_count = db_col_int(s, 6);
	c->seller_id = db_col_is_null(s, 7) ? 0 : db_col_int(s, 7);
	c->active = (int)db_col_int(s, 8);
	c->created_by = db_col_int(s, 9);
	c->created_at = db_col_int(s, 10);
	c->updated_at = db_col_int(s, 11);
}

mc_rc store_coupon_insert(struct coupon *c)
{
	db_stmt *s = store_stmt(sql_insert);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, c->code);
	db_bind_int(s, 2, c->percentage);
	db_bind_int(s, 3, c->valid_from);
	db_bind_int(s, 4, c->valid_to);
	db_bind_int(s, 5, c->usage_limit);
	if (c->seller_id)
		db_bind_int(s, 6, c->seller_id);
	else
		db_bind_null(s, 6);
	db_bind_int(s, 7, c->active);
	db_bind_int(s, 8, c->created_by);
	db_bind_int(s, 9, c->created_at);
	db_bind_int(s, 10, c->updated_at);
	return store_row_int(s, MC_ERR_INTERNAL, &c->id);
}

mc_rc store_coupon_get(int64_t id, struct coupon *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_get, id, &s);

	if (!rc) {
		S_read(s, out);
		db_reset(s);
	}
	return rc;
}

mc_rc store_coupon_by_code(const char *upper_code, struct coupon *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_text(sql_by_code, upper_code, &s);

	if (!rc) {
		S_read(s, out);
		db_reset(s);
	}
	return rc;
}

mc_rc store_coupon_list(int64_t seller_id, int64_t limit, int64_t offset, struct coupon **items, size_t *n,
			int64_t *total)
{
	struct coupon *list = calloc((size_t)limit, sizeof(*list));
	size_t count = 0;
	db_stmt *s;
	int rc;

	*total = 0;
	if (!list || !(s = store_stmt(sql_list))) {
		free(list);
		return MC_ERR_INTERNAL;
	}
	db_bind_int(s, 1, seller_id);
	db_bind_int(s, 2, seller_id);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	while ((rc = db_step(s)) == DB_ROW && count < (size_t)limit) {
		S_read(s, &list[count++]);
		*total = db_col_int(s, 12);
	}
	db_reset(s);
	if (rc < 0) {
		free(list);
		return store_rc(rc);
	}
	*items = list;
	*n = count;
	return MC_OK;
}

mc_rc store_coupon_update(const struct coupon *c)
{
	db_stmt *s = store_stmt(sql_update);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, c->percentage);
	db_bind_int(s, 2, c->valid_from);
	db_bind_int(s, 3, c->valid_to);
	db_bind_int(s, 4, c->usage_limit);
	db_bind_int(s, 5, c->active);
	db_bind_int(s, 6, c->updated_at);
	db_bind_int(s, 7, c->id);
	db_bind_int(s, 8, c->usage_limit);
	return store_exec_changed(s, MC_ERR_CONFLICT);
}

static mc_rc S_count(const char *sql, int64_t id, int64_t now)
{
	db_stmt *s = store_stmt(sql);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, id);
	if (sql == sql_use) {
		db_bind_int(s, 2, now);
		db_bind_int(s, 3, now);
	}
	return store_exec_changed(s, MC_ERR_CONFLICT);
}

mc_rc store_coupon_use(int64_t id, int64_t now)
{
	return S_count(sql_use, id, now);
}

mc_rc store_coupon_release(int64_t id)
{
	mc_rc rc = S_count(sql_release, id, 0);

	return rc == MC_ERR_CONFLICT ? MC_OK : rc;
}
