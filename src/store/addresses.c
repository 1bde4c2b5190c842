#include "store/addresses.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/strbuf.h"
#include "store/orders.h"
#include "store/store.h"

/* The text fields, in this order, in both tables. */
#define TEXT_COLS "name, line1, line2, city, state, postal_code, country, phone"
#define COLS "id, user_id, slot, is_default, created_at, updated_at, " TEXT_COLS

static const char sql_list[] =
	"SELECT " COLS " FROM addresses WHERE user_id = ? ORDER BY is_default DESC, id";
static const char sql_get[] = "SELECT " COLS " FROM addresses WHERE user_id = ? AND id = ?";
static const char sql_insert[] =
	"INSERT INTO addresses (user_id, slot, is_default, created_at, updated_at, " TEXT_COLS ")"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_update[] =
	"UPDATE addresses SET is_default = ?, updated_at = ?, name = ?, line1 = ?, line2 = ?, city = ?, state = ?,"
	" postal_code = ?, country = ?, phone = ? WHERE user_id = ? AND id = ?";
static const char sql_delete[] = "DELETE FROM addresses WHERE user_id = ? AND id = ?";
static const char sql_clear_default[] = "UPDATE addresses SET is_default = 0 WHERE user_id = ? AND is_default = 1";
static const char sql_promote[] =
	"UPDATE addresses SET is_default = 1 WHERE id = (SELECT MIN(id) FROM addresses WHERE user_id = ?)";
static const char sql_order_insert[] =
	"INSERT INTO order_addresses (order_id, " TEXT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* The page's order ids as one parameter: a JSON array for SQLite, an array
 * literal for PostgreSQL. */
static const char *const sql_order_attach[2] = {
	[DB_SQLITE] = "SELECT order_id, " TEXT_COLS " FROM order_addresses"
		      " WHERE order_id IN (SELECT value FROM json_each(?))",
	[DB_PG] = "SELECT order_id, " TEXT_COLS " FROM order_addresses WHERE order_id = ANY (CAST(? AS BIGINT[]))",
};

void address_release(struct address *a)
{
	free(a->name);
	free(a->line1);
	free(a->line2);
	free(a->city);
	free(a->state);
	free(a->postal_code);
	free(a->phone);
	memset(a, 0, sizeof(*a));
}

void address_list_free(struct address *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		address_release(&items[i]);
	free(items);
}

mc_rc address_set_texts(struct address *a, const char *const texts[AT_COUNT])
{
	char **slots[AT_COUNT] = {
		[AT_NAME] = &a->name, [AT_LINE1] = &a->line1, [AT_LINE2] = &a->line2, [AT_CITY] = &a->city,
		[AT_STATE] = &a->state, [AT_POSTAL_CODE] = &a->postal_code, [AT_PHONE] = &a->phone,
	};

	for (int i = 0; i < AT_COUNT; i++)
		*slots[i] = NULL;
	for (int i = 0; i < AT_COUNT; i++) {
		*slots[i] = strdup(texts[i] ? texts[i] : "");
		if (!*slots[i]) {
			address_release(a);
			return MC_ERR_INTERNAL;
		}
	}
	return MC_OK;
}

mc_rc address_copy(const struct address *from, struct address *out)
{
	const char *texts[AT_COUNT] = { from->name, from->line1, from->line2, from->city,
					from->state, from->postal_code, from->phone };
	struct address a = *from;

	if (address_set_texts(&a, texts))
		return MC_ERR_INTERNAL;
	*out = a;
	return MC_OK;
}

/* Reads TEXT_COLS starting at column `col`. */
static mc_rc S_read_texts(db_stmt *s, int col, struct address *a)
{
	const char *texts[AT_COUNT] = {
		db_col_text(s, col), db_col_text(s, col + 1), db_col_text(s, col + 2), db_col_text(s, col + 3),
		db_col_text(s, col + 4), db_col_text(s, col + 5), db_col_text(s, col + 7),
	};

	snprintf(a->country, sizeof(a->country), "%s", db_col_text(s, col + 6));
	return address_set_texts(a, texts);
}

static mc_rc S_read(db_stmt *s, struct address *a)
{
	memset(a, 0, sizeof(*a));
	a->id = db_col_int(s, 0);
	a->user_id = db_col_int(s, 1);
	a->slot = db_col_int(s, 2);
	a->is_default = db_col_int(s, 3) != 0;
	a->created_at = db_col_int(s, 4);
	a->updated_at = db_col_int(s, 5);
	return S_read_texts(s, 6, a);
}

/* Binds TEXT_COLS from parameter `idx` on. */
static void S_bind_texts(db_stmt *s, int idx, const struct address *a)
{
	db_bind_text(s, idx, a->name);
	db_bind_text(s, idx + 1, a->line1);
	db_bind_text(s, idx + 2, a->line2);
	db_bind_text(s, idx + 3, a->city);
	db_bind_text(s, idx + 4, a->state);
	db_bind_text(s, idx + 5, a->postal_code);
	db_bind_text(s, idx + 6, a->country);
	db_bind_text(s, idx + 7, a->phone);
}

mc_rc store_address_list(int64_t user_id, struct address **items, size_t *n)
{
	struct address *list = calloc(MC_ADDRESSES_MAX, sizeof(*list));
	db_stmt *s = store_stmt(sql_list);
	size_t count = 0;
	int rc = DB_ERR;

	if (!list || !s)
		goto out;
	db_bind_int(s, 1, user_id);
	while ((rc = db_step(s)) == DB_ROW && count < MC_ADDRESSES_MAX) {
		if (S_read(s, &list[count])) {
			rc = DB_ERR;
			break;
		}
		count++;
	}
	db_reset(s);
out:
	if (rc < 0) {
		address_list_free(list, count);
		return store_rc(rc);
	}
	*items = list;
	*n = count;
	return MC_OK;
}

mc_rc store_address_get(int64_t user_id, int64_t id, struct address *out)
{
	db_stmt *s = store_stmt(sql_get);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, id);
	rc = store_row(s, MC_ERR_NOT_FOUND);
	if (rc)
		return rc;
	rc = S_read(s, out);
	db_reset(s);
	return rc;
}

mc_rc store_address_insert(struct address *a)
{
	db_stmt *s = store_stmt(sql_insert);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, a->user_id);
	db_bind_int(s, 2, a->slot);
	db_bind_int(s, 3, a->is_default);
	db_bind_int(s, 4, a->created_at);
	db_bind_int(s, 5, a->updated_at);
	S_bind_texts(s, 6, a);
	return store_row_int(s, MC_ERR_INTERNAL, &a->id);
}

mc_rc store_address_update(const struct address *a)
{
	db_stmt *s = store_stmt(sql_update);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, a->is_default);
	db_bind_int(s, 2, a->updated_at);
	S_bind_texts(s, 3, a);
	db_bind_int(s, 11, a->user_id);
	db_bind_int(s, 12, a->id);
	return store_exec_changed(s, MC_ERR_NOT_FOUND);
}

mc_rc store_address_delete(int64_t user_id, int64_t id)
{
	int64_t v[2] = { user_id, id }, changes = 0;
	mc_rc rc = store_exec_ints(sql_delete, 2, v, &changes);

	return rc ? rc : changes ? MC_OK : MC_ERR_NOT_FOUND;
}

mc_rc store_address_clear_default(int64_t user_id)
{
	return store_exec_ints(sql_clear_default, 1, &user_id, NULL);
}

mc_rc store_address_promote_oldest(int64_t user_id)
{
	return store_exec_ints(sql_promote, 1, &user_id, NULL);
}

mc_rc store_order_address_insert(int64_t order_id, const struct address *a)
{
	db_stmt *s = store_stmt(sql_order_insert);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, order_id);
	S_bind_texts(s, 2, a);
	return store_exec(s, NULL);
}

static struct order *S_find(struct order *orders, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (orders[i].id == id)
			return &orders[i];
	return NULL;
}

mc_rc store_order_addresses_attach(struct order *orders, size_t n)
{
	db *d = store_db();
	db_stmt *s;
	strbuf ids;
	int pg, rc = DB_ERR;

	if (!n)
		return MC_OK;
	if (!d)
		return MC_ERR_INTERNAL;
	pg = db_get_kind(d) == DB_PG;
	strbuf_init(&ids);
	strbuf_addch(&ids, pg ? '{' : '[');
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&ids, "%s%" PRId64, i ? "," : "", orders[i].id);
	strbuf_addch(&ids, pg ? '}' : ']');
	if (ids.failed || !(s = store_stmt(sql_order_attach[db_get_kind(d)])))
		goto out;
	db_bind_text(s, 1, ids.buf);
	while ((rc = db_step(s)) == DB_ROW) {
		struct order *o = S_find(orders, n, db_col_int(s, 0));

		if (!o || o->ship_to)
			continue;
		o->ship_to = calloc(1, sizeof(*o->ship_to));
		if (!o->ship_to || S_read_texts(s, 1, o->ship_to)) {
			free(o->ship_to);
			o->ship_to = NULL;
			rc = DB_ERR;
			break;
		}
	}
	db_reset(s);
out:
	strbuf_release(&ids);
	return rc < 0 ? store_rc(rc) : MC_OK;
}
