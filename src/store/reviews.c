#include "store/reviews.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/products.h"
#include "store/store.h"

#define REVIEW_COLS "r.id, r.product_id, r.user_id, r.rating, r.created_at, r.updated_at, r.comment, u.name"
#define REVIEW_FROM " FROM reviews r JOIN users u ON u.id = r.user_id"

/* Whether the author of review r has a standing purchase of its product:
 * an order with it that is paid or further along, not cancelled or refunded
 * (DESIGN section 6). The one place that says which states count. */
#define STANDING(r)                                                                                        \
	"EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.user_id = " r ".user_id" \
	" AND i.product_id = " r ".product_id AND o.status IN ('paid', 'processing', 'shipped', 'delivered'))"

static const char sql_bought[] = "SELECT CASE WHEN " STANDING("r") " THEN 1 ELSE 0 END"
				 " FROM (SELECT CAST(? AS BIGINT) AS user_id, CAST(? AS BIGINT) AS product_id) r";
/* Flips the reviews of an order's buyer and products whose standing no
 * longer matches `counted`. */
static const char sql_follow[] =
	"UPDATE reviews SET counted = 1 - counted WHERE user_id = (SELECT user_id FROM orders WHERE id = ?)"
	" AND product_id IN (SELECT product_id FROM order_items WHERE order_id = ?)"
	" AND counted <> CASE WHEN " STANDING("reviews") " THEN 1 ELSE 0 END RETURNING product_id, rating, counted";
/* The caller's review, locked on PostgreSQL so two posts by one user apply
 * their differences one after the other; a SQLite write transaction already
 * holds the database's only write lock. */
static const char *const sql_mine[2] = {
	[DB_SQLITE] = "SELECT id, rating, counted FROM reviews WHERE product_id = ? AND user_id = ?",
	[DB_PG] = "SELECT id, rating, counted FROM reviews WHERE product_id = ? AND user_id = ? FOR UPDATE",
};
static const char sql_insert[] =
	"INSERT INTO reviews (product_id, user_id, rating, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
	" ON CONFLICT (product_id, user_id) DO NOTHING RETURNING id";
static const char sql_update[] =
	"UPDATE reviews SET rating = ?, comment = ?, updated_at = ?, counted = 1 WHERE id = ?";
static const char sql_delete[] = "DELETE FROM reviews WHERE id = ? AND product_id = ? RETURNING rating, counted";
/* Relative, so concurrent reviews of one product never lose each other's change. */
static const char sql_rate[] =
	"UPDATE products SET rating_sum = rating_sum + ? - ?, rating_count = rating_count + ? WHERE id = ?";
static const char sql_get[] = "SELECT " REVIEW_COLS REVIEW_FROM " WHERE r.id = ?";
static const char sql_count[] = "SELECT COUNT(*) FROM reviews WHERE product_id = ? AND counted = 1";
static const char sql_list[] =
	"SELECT " REVIEW_COLS REVIEW_FROM " WHERE r.product_id = ? AND r.counted = 1"
	" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?";

void review_release(struct review *r)
{
	free(r->comment);
	memset(r, 0, sizeof(*r));
}

void review_list_free(struct review *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		review_release(&items[i]);
	free(items);
}

static int S_read(db_stmt *s, void *item)
{
	struct review *r = item;

	memset(r, 0, sizeof(*r));
	r->id = db_col_int(s, 0);
	r->product_id = db_col_int(s, 1);
	r->user_id = db_col_int(s, 2);
	r->rating = db_col_int(s, 3);
	r->created_at = db_col_int(s, 4);
	r->updated_at = db_col_int(s, 5);
	r->comment = strdup(db_col_text(s, 6));
	snprintf(r->reviewer_name, sizeof(r->reviewer_name), "%s", db_col_text(s, 7));
	return r->comment ? 0 : -1;
}

/* Inside the write transaction: MC_ERR_FORBIDDEN unless the user has a
 * standing purchase of the product. */
static mc_rc S_bought(int64_t user_id, int64_t product_id)
{
	int64_t v[2] = { user_id, product_id }, yes = 0;
	db_stmt *s = store_stmt(sql_bought);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	for (int i = 0; i < 2; i++)
		db_bind_int(s, i + 1, v[i]);
	rc = store_row_int(s, MC_ERR_INTERNAL, &yes);
	return rc ? rc : yes ? MC_OK : MC_ERR_FORBIDDEN;
}

/* --- writes: each ends with S_rate_and_commit() ---------------------------- */

/* Moves the product's totals by (add - sub, count). */
static mc_rc S_rate(int64_t product_id, int64_t add, int64_t sub, int64_t count)
{
	db_stmt *s = store_stmt(sql_rate);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, add);
	db_bind_int(s, 2, sub);
	db_bind_int(s, 3, count);
	db_bind_int(s, 4, product_id);
	return store_exec(s, NULL);
}

/* After a successful write: moves the totals and bumps the catalog version,
 * then commits; or rolls everything back. */
static mc_rc S_rate_and_commit(mc_rc rc, int64_t product_id, int64_t add, int64_t sub, int64_t count)
{
	if (!rc)
		rc = S_rate(product_id, add, sub, count);
	if (!rc)
		rc = store_catalog_bump();
	return store_finish(rc);
}

/* MC_OK with the caller's review id, rating and whether it counted,
 * MC_ERR_NOT_FOUND when there is none. */
static mc_rc S_mine(db *d, const struct review_draft *r, int64_t *id, int64_t *rating, int *counted)
{
	db_stmt *s = store_stmt(sql_mine[db_get_kind(d)]);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, r->product_id);
	db_bind_int(s, 2, r->user_id);
	rc = store_row(s, MC_ERR_NOT_FOUND);
	if (!rc) {
		*id = db_col_int(s, 0);
		*rating = db_col_int(s, 1);
		*counted = (int)db_col_int(s, 2);
		db_reset(s);
	}
	return rc;
}

/* MC_OK with the new id, MC_ERR_NOT_FOUND when a review by this user already
 * exists (MC_ERR_CONFLICT would hide a constraint error). */
static mc_rc S_insert(const struct review_draft *r, int64_t now, int64_t *id)
{
	db_stmt *s = store_stmt(sql_insert);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, r->product_id);
	db_bind_int(s, 2, r->user_id);
	db_bind_int(s, 3, r->rating);
	db_bind_text(s, 4, r->comment);
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, now);
	return store_row_int(s, MC_ERR_NOT_FOUND, id);
}

static mc_rc S_update(const struct review_draft *r, int64_t id, int64_t now)
{
	db_stmt *s = store_stmt(sql_update);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, r->rating);
	db_bind_text(s, 2, r->comment);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, id);
	return store_exec(s, NULL);
}

mc_rc store_review_upsert(const struct review_draft *r, int64_t now, int64_t *id, int *created)
{
	db *d = store_db();
	int64_t rid = 0, old = 0;
	int found = 0, inserted = 0, counted = 0;
	mc_rc rc;

	if (!d)
		return MC_ERR_UNAVAILABLE;
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	/* Checked in the transaction that writes: a cancellation cannot slip
	 * between the check and the review. */
	rc = S_bought(r->user_id, r->product_id);
	if (rc)
		return store_finish(rc);
	/* When the user's first post races another, the loser's insert does
	 * nothing and its second look finds the winner's row to update. */
	rc = MC_ERR_NOT_FOUND;
	for (int tries = 0; tries < 2 && rc == MC_ERR_NOT_FOUND; tries++) {
		rc = S_mine(d, r, &rid, &old, &counted);
		found = !rc;
		if (rc == MC_ERR_NOT_FOUND) {
			rc = S_insert(r, now, &rid);
			inserted = !rc;
		}
	}
	if (found)
		rc = S_update(r, rid, now);
	else if (rc == MC_ERR_NOT_FOUND)
		rc = MC_ERR_BUSY;
	/* A review that did not count (its purchase was cancelled, a new one
	 * stands now) comes back into the totals whole. */
	rc = S_rate_and_commit(rc, r->product_id, r->rating, found && counted ? old : 0,
			       inserted || (found && !counted));
	if (!rc) {
		*id = rid;
		*created = inserted;
	}
	return rc;
}

mc_rc store_review_delete(int64_t product_id, int64_t review_id)
{
	int64_t rating = 0, counted = 0;
	db_stmt *s;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	if (!(s = store_stmt(sql_delete)))
		return store_finish(MC_ERR_INTERNAL);
	db_bind_int(s, 1, review_id);
	db_bind_int(s, 2, product_id);
	rc = store_row(s, MC_ERR_NOT_FOUND);
	if (!rc) {
		rating = db_col_int(s, 0);
		counted = db_col_int(s, 1);
		db_reset(s);
	}
	return S_rate_and_commit(rc, product_id, 0, counted ? rating : 0, counted ? -1 : 0);
}

/* A review whose counted flag flipped. */
struct flip {
	int64_t product_id;
	int64_t rating;
	int counted;
};

mc_rc store_review_follow_order(int64_t order_id)
{
	struct flip *flips = NULL, *grown;
	size_t n = 0, cap = 0;
	db_stmt *s = store_stmt(sql_follow);
	mc_rc ret = MC_OK;
	int rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, order_id);
	/* Read every row first: the totals are moved by other statements. */
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if (!(grown = realloc(flips, cap * sizeof(*flips)))) {
				ret = MC_ERR_INTERNAL;
				break;
			}
			flips = grown;
		}
		flips[n].product_id = db_col_int(s, 0);
		flips[n].rating = db_col_int(s, 1);
		flips[n++].counted = (int)db_col_int(s, 2);
	}
	db_reset(s);
	if (!ret && rc < 0)
		ret = store_rc(rc);
	for (size_t i = 0; !ret && i < n; i++)
		ret = S_rate(flips[i].product_id, flips[i].counted ? flips[i].rating : 0,
			     flips[i].counted ? 0 : flips[i].rating, flips[i].counted ? 1 : -1);
	if (!ret && n)
		ret = store_catalog_bump();
	free(flips);
	return ret;
}

/* --- reads ------------------------------------------------------------------ */

mc_rc store_review_get(int64_t id, struct review *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_get, id, &s);

	if (!rc) {
		if (S_read(s, out))
			rc = MC_ERR_INTERNAL;
		db_reset(s);
	}
	return rc;
}

mc_rc store_review_list(int64_t product_id, int64_t limit, int64_t offset, struct review **items, size_t *n,
			int64_t *total)
{
	db_stmt *s = store_stmt(sql_count);
	struct review *list = NULL;
	size_t count = 0;
	int64_t tot = 0;
	mc_rc ret;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, product_id);
	ret = store_row_int(s, MC_ERR_INTERNAL, &tot);
	if (ret)
		return ret;
	ret = MC_ERR_INTERNAL;
	list = calloc((size_t)limit, sizeof(*list));
	if (!list || !(s = store_stmt(sql_list)))
		goto out;
	db_bind_int(s, 1, product_id);
	db_bind_int(s, 2, limit);
	db_bind_int(s, 3, offset);
	ret = store_read_rows(s, list, sizeof(*list), (size_t)limit, S_read, &count);
	if (ret)
		goto out;
	*items = list;
	*n = count;
	*total = tot;
	list = NULL;
	ret = MC_OK;
out:
	review_list_free(list, count);
	return ret;
}
