#include "store/carts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/products.h"
#include "store/store.h"

static const char sql_find_user[] = "SELECT id FROM carts WHERE user_id = ?";
static const char sql_find_guest[] = "SELECT id FROM carts WHERE session_hash = ?";
static const char sql_create[] =
	"INSERT INTO carts (user_id, session_hash, created_at, updated_at) VALUES (?, ?, ?, ?)"
	" ON CONFLICT DO NOTHING";
/* A cart's lines are found by cart_id alone, and every checkout deletes
 * them. Without statistics (a young table, until autovacuum's first
 * ANALYZE), PostgreSQL expects 1 row in 200 per cart_id and reads by a
 * bitmap scan, which never marks dead index entries: each read then
 * visits the heap page of every line the cart ever had. This range, true
 * of every id, makes it expect a row or two (an unknown two-sided range
 * counts 1 in 200 again), so it takes the primary key's index scan,
 * which marks them dead once: the plan a database with statistics gets. */
#define EVERY_PRODUCT "product_id BETWEEN 1 AND 9223372036854775807"
#define LINES_OF(cart)                                                                              \
	"SELECT i.product_id, i.quantity, i.price_snapshot, p.seller_id, p.price, p.stock, p.sale_start,"  \
	" p.sale_end, p.sale_percentage, p.deleted_at IS NOT NULL, p.currency, p.name, p.image_url"       \
	" FROM cart_items i JOIN products p ON p.id = i.product_id"                                         \
	" WHERE i.cart_id = " cart " AND i." EVERY_PRODUCT " ORDER BY i.added_at, i.product_id"
static const char sql_lines[] = LINES_OF("?");
static const char sql_lines_of_user[] = LINES_OF("(SELECT id FROM carts WHERE user_id = ?)");
static const char sql_quantity[] = "SELECT quantity FROM cart_items WHERE cart_id = ? AND product_id = ?";
static const char sql_set[] =
	"INSERT INTO cart_items (cart_id, product_id, quantity, price_snapshot, added_at) VALUES (?, ?, ?, ?, ?)"
	" ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = excluded.quantity,"
	" price_snapshot = excluded.price_snapshot";
/* sql_set adding to the quantity, with the sum read back in the same
 * statement. The WHERE turns a sum past the column's CHECK into no row
 * instead of a constraint error the caller could not tell apart. */
static const char sql_add[] =
	"INSERT INTO cart_items (cart_id, product_id, quantity, price_snapshot, added_at) VALUES (?, ?, ?, ?, ?)"
	" ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_items.quantity + excluded.quantity,"
	" price_snapshot = excluded.price_snapshot WHERE cart_items.quantity + excluded.quantity <= ?"
	" RETURNING quantity";
static const char sql_snapshot[] = "UPDATE cart_items SET price_snapshot = ? WHERE cart_id = ? AND product_id = ?";
static const char sql_remove[] = "DELETE FROM cart_items WHERE cart_id = ? AND product_id = ?";
static const char sql_clear[] = "DELETE FROM cart_items WHERE cart_id = ? AND " EVERY_PRODUCT;
static const char sql_delete[] = "DELETE FROM carts WHERE id = ?";
/* Opening an existing cart finds it and, on PostgreSQL, locks it, so that
 * the writes and checkouts of one cart take turns (on SQLite the write lock
 * already serializes them): one statement on the hot path. Idle guest carts
 * expire (store_cleanup_guest_carts), so a guest's is stamped as well; a
 * user's never expires, so it is only locked, which writes no new version
 * of its row. */
static const char *const sql_open_user[] = {
	[DB_SQLITE] = "SELECT id FROM carts WHERE user_id = ?",
	[DB_PG] = "SELECT id FROM carts WHERE user_id = ? FOR NO KEY UPDATE",
};
static const char sql_touch_guest[] = "UPDATE carts SET updated_at = ? WHERE session_hash = ? RETURNING id";

void cart_lines_free(struct cart_line *lines, size_t n)
{
	if (!lines)
		return;
	for (size_t i = 0; i < n; i++) {
		free(lines[i].name);
		free(lines[i].image_url);
	}
	free(lines);
}

mc_rc store_cart_find(const struct cart_owner *o, int64_t *cart_id)
{
	db_stmt *s = store_stmt(o->user_id ? sql_find_user : sql_find_guest);

	if (!s)
		return MC_ERR_INTERNAL;
	if (o->user_id)
		db_bind_int(s, 1, o->user_id);
	else
		db_bind_text(s, 1, o->session_hash);
	return store_row_int(s, MC_ERR_NOT_FOUND, cart_id);
}

void store_cart_open_start(const struct cart_owner *o, int64_t now, struct cart_opening *op)
{
	db *d = store_db();
	db_stmt *s = NULL;

	if (d)
		s = store_stmt(o->user_id ? sql_open_user[db_get_kind(d)] : sql_touch_guest);
	op->owner = o;
	op->now = now;
	op->opening = s;
	if (!s)
		return;
	if (o->user_id) {
		db_bind_int(s, 1, o->user_id);
	} else {
		db_bind_int(s, 1, now);
		db_bind_text(s, 2, o->session_hash);
	}
	/* A failure to start is also the first step's: finish reports it. */
	db_send(s);
}

mc_rc store_cart_open_finish(struct cart_opening *op, int64_t *cart_id)
{
	const struct cart_owner *o = op->owner;
	int64_t now = op->now;
	db_stmt *s = op->opening;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	op->opening = NULL;
	rc = store_row_int(s, MC_ERR_NOT_FOUND, cart_id);
	if (rc != MC_ERR_NOT_FOUND)
		return rc;
	if (!(s = store_stmt(sql_create)))
		return MC_ERR_INTERNAL;
	if (o->user_id) {
		db_bind_int(s, 1, o->user_id);
		db_bind_null(s, 2);
	} else {
		db_bind_null(s, 1);
		db_bind_text(s, 2, o->session_hash);
	}
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, now);
	rc = store_exec(s, NULL);
	return rc ? rc : store_cart_find(o, cart_id);
}

mc_rc store_cart_open(const struct cart_owner *o, int64_t now, int64_t *cart_id)
{
	struct cart_opening op;

	store_cart_open_start(o, now, &op);
	return store_cart_open_finish(&op, cart_id);
}

mc_rc store_cart_open_with_product(const struct cart_owner *o, int64_t now, int64_t product_id, int64_t *cart_id,
				    struct product_brief *p)
{
	struct cart_opening op;
	mc_rc read, opened;

	/* The opening waits for the product's read, which carries it. */
	store_cart_open_start(o, now, &op);
	read = store_product_brief(product_id, p);
	opened = store_cart_open_finish(&op, cart_id);
	return opened ? opened : read;
}

/* The lines of sql_lines or sql_lines_of_user, bound to id. */
static mc_rc S_lines(const char *sql, int64_t id, struct cart_line **out, size_t *n)
{
	db_stmt *s = store_stmt(sql);
	struct cart_line *lines = NULL;
	size_t count = 0, cap = 0;
	mc_rc ret = MC_OK;
	int rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		struct cart_line *l;

		if (count == cap) {
			struct cart_line *grown = realloc(lines, (cap ? cap * 2 : 8) * sizeof(*lines));

			if (!grown) {
				ret = MC_ERR_INTERNAL;
				break;
			}
			lines = grown;
			cap = cap ? cap * 2 : 8;
		}
		l = &lines[count++];
		memset(l, 0, sizeof(*l));
		l->product_id = db_col_int(s, 0);
		l->quantity = db_col_int(s, 1);
		l->price_snapshot = db_col_int(s, 2);
		l->seller_id = db_col_int(s, 3);
		l->price = db_col_int(s, 4);
		l->stock = db_col_int(s, 5);
		if (!db_col_is_null(s, 8)) {
			l->sale.start = db_col_int(s, 6);
			l->sale.end = db_col_int(s, 7);
			l->sale.percentage = (int)db_col_int(s, 8);
		}
		l->deleted = (int)db_col_int(s, 9);
		snprintf(l->currency, sizeof(l->currency), "%s", db_col_text(s, 10));
		l->name = strdup(db_col_text(s, 11));
		l->image_url = db_col_is_null(s, 12) ? NULL : strdup(db_col_text(s, 12));
		if (!l->name) {
			ret = MC_ERR_INTERNAL;
			break;
		}
	}
	db_reset(s);
	if (!ret && rc < 0)
		ret = store_rc(rc);
	if (ret) {
		cart_lines_free(lines, count);
		return ret;
	}
	*out = lines;
	*n = count;
	return MC_OK;
}

mc_rc store_cart_lines(int64_t cart_id, struct cart_line **out, size_t *n)
{
	return S_lines(sql_lines, cart_id, out, n);
}

mc_rc store_cart_lines_of_user(int64_t user_id, struct cart_line **out, size_t *n)
{
	return S_lines(sql_lines_of_user, user_id, out, n);
}

mc_rc store_cart_quantity(int64_t cart_id, int64_t product_id, int64_t *qty)
{
	db_stmt *s = store_stmt(sql_quantity);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, cart_id);
	db_bind_int(s, 2, product_id);
	*qty = 0;
	return store_row_int(s, MC_OK, qty);
}

mc_rc store_cart_set(int64_t cart_id, int64_t product_id, int64_t qty, int64_t snapshot, int64_t now)
{
	int64_t v[5] = { cart_id, product_id, qty, snapshot, now };

	return store_exec_ints(sql_set, 5, v, NULL);
}

mc_rc store_cart_add_lines(int64_t cart_id, int64_t product_id, int64_t qty, int64_t max, int64_t snapshot,
			   int64_t now, int64_t *total, struct cart_line **lines, size_t *n)
{
	int64_t v[6] = { cart_id, product_id, qty, snapshot, now, max }, sum = 0;
	db_stmt *s = store_stmt(sql_add);
	struct cart_line *got = NULL;
	size_t count = 0;
	mc_rc rc, added;

	if (!s)
		return MC_ERR_INTERNAL;
	for (int i = 0; i < 6; i++)
		db_bind_int(s, i + 1, v[i]);
	/* The add waits for the read, which carries it to the database. */
	rc = store_rc(db_send(s));
	if (!rc)
		rc = store_cart_lines(cart_id, &got, &count);
	/* The add's own result first: a failure of it is also the read's. */
	added = store_row_int(s, MC_OK, &sum);
	if (added || rc) {
		cart_lines_free(got, count);
		return added ? added : rc;
	}
	*total = sum;
	*lines = got;
	*n = count;
	return MC_OK;
}

mc_rc store_cart_set_snapshot(int64_t cart_id, int64_t product_id, int64_t snapshot)
{
	int64_t v[3] = { snapshot, cart_id, product_id };

	return store_exec_ints(sql_snapshot, 3, v, NULL);
}

mc_rc store_cart_remove(int64_t cart_id, int64_t product_id)
{
	int64_t v[2] = { cart_id, product_id }, changed = 0;
	mc_rc rc = store_exec_ints(sql_remove, 2, v, &changed);

	return rc ? rc : changed ? MC_OK : MC_ERR_NOT_FOUND;
}

mc_rc store_cart_clear(int64_t cart_id)
{
	db_stmt *s = store_stmt(sql_clear);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, cart_id);
	return store_send(s);
}

mc_rc store_cart_delete(int64_t cart_id)
{
	mc_rc rc = store_cart_clear(cart_id);

	return rc ? rc : store_exec_ints(sql_delete, 1, &cart_id, NULL);
}
