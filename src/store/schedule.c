#include "store/schedule.h"

#include "store/store.h"

/* Leases and cut-offs are on the database's clock (mc_now(), mc_now_ms()):
 * a scheduler whose clock runs ahead neither takes a live lease nor
 * expires young orders. */
static const char sql_lease_take[] =
	"INSERT INTO scheduler_leases (name, holder, lease_until) VALUES (?, ?, mc_now_ms() + ?)"
	" ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until"
	" WHERE scheduler_leases.lease_until <= mc_now_ms() OR scheduler_leases.holder = excluded.holder";
static const char sql_lease_release[] = "UPDATE scheduler_leases SET lease_until = 0 WHERE name = ? AND holder = ?";
static const char sql_unpaid[] =
	"SELECT id FROM orders WHERE status = 'pending_payment' AND payment_status = 'unpaid' AND created_at < mc_now() - ?"
	" AND id > ? ORDER BY id LIMIT ?";
static const char sql_unconfirmed_cod[] =
	"SELECT id FROM orders o WHERE status = 'pending_payment' AND payment_status = 'pending' AND created_at < mc_now() - ?"
	" AND id > ? AND EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.confirmed_at IS NULL)"
	" ORDER BY id LIMIT ?";
static const char sql_sale_starts[] =
	"SELECT p.id, p.sale_start FROM products p WHERE p.deleted_at IS NULL AND p.sale_start >= ?"
	" AND p.sale_start <= ? AND p.sale_end > ? AND NOT EXISTS (SELECT 1 FROM sale_notifications n"
	" WHERE n.product_id = p.id AND n.sale_start = p.sale_start) ORDER BY p.sale_start, p.id LIMIT ?";
static const char sql_sale_mark[] =
	"INSERT INTO sale_notifications (product_id, sale_start, sent_at) VALUES (?, ?, ?)"
	" ON CONFLICT (product_id, sale_start) DO NOTHING";
static const char sql_wishlist_users[] =
	"SELECT user_id FROM wishlist_items WHERE product_id = ? AND user_id > ? ORDER BY user_id LIMIT ?";
static const char sql_digest_due[] =
	"SELECT u.id FROM users u LEFT JOIN digest_sends d ON d.user_id = u.id WHERE u.role = 'buyer'"
	" AND (d.sent_at IS NULL OR d.sent_at < ?) AND u.id > ? ORDER BY u.id LIMIT ?";
static const char sql_digest_mark[] =
	"INSERT INTO digest_sends (user_id, sent_at) VALUES (?, ?) ON CONFLICT (user_id)"
	" DO UPDATE SET sent_at = excluded.sent_at WHERE digest_sends.sent_at < ?";
static const char sql_clean_carts[] = "DELETE FROM carts WHERE user_id IS NULL AND updated_at < mc_now() - ?";
static const char sql_clean_tokens[] = "DELETE FROM revoked_tokens WHERE expires_at < mc_now() - ?";
static const char sql_clean_failures[] = "DELETE FROM login_failures WHERE window_start < mc_now() - ?";
static const char sql_clean_idem[] = "DELETE FROM idempotency_keys WHERE created_at < mc_now() - ?";
static const char sql_clean_jobs[] = "DELETE FROM jobs WHERE status = 'done' AND updated_at < mc_now() - ?";

mc_rc store_lease_take(const char *name, const char *holder, int64_t now, int64_t until, int *taken)
{
	db_stmt *s = store_stmt(sql_lease_take);
	int64_t changes;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, holder);
	db_bind_int(s, 3, until - now);
	rc = store_exec(s, &changes);
	if (!rc)
		*taken = changes > 0;
	return rc;
}

mc_rc store_lease_release(const char *name, const char *holder)
{
	db_stmt *s = store_stmt(sql_lease_release);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, name);
	db_bind_text(s, 2, holder);
	return store_exec(s, NULL);
}

/* Reads the first column of every row as an id. */
static mc_rc S_read_ids(db_stmt *s, size_t max, int64_t *ids, size_t *n)
{
	int rc;

	*n = 0;
	while ((rc = db_step(s)) == DB_ROW && *n < max)
		ids[(*n)++] = db_col_int(s, 0);
	db_reset(s);
	return rc < 0 ? store_rc(rc) : MC_OK;
}

/* The id queries: (cut-off, after, limit) or (key, after, limit). */
static mc_rc S_ids(const char *sql, int64_t first, int64_t after, size_t max, int64_t *ids, size_t *n)
{
	db_stmt *s = store_stmt(sql);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, first);
	db_bind_int(s, 2, after);
	db_bind_int(s, 3, (int64_t)max);
	return S_read_ids(s, max, ids, n);
}

mc_rc store_unpaid_orders(int64_t older_than, int64_t after, size_t max, int64_t *ids, size_t *n)
{
	return S_ids(sql_unpaid, older_than, after, max, ids, n);
}

mc_rc store_unconfirmed_cod_orders(int64_t older_than, int64_t after, size_t max, int64_t *ids, size_t *n)
{
	return S_ids(sql_unconfirmed_cod, older_than, after, max, ids, n);
}

mc_rc store_wishlist_users(int64_t product_id, int64_t after, size_t max, int64_t *ids, size_t *n)
{
	return S_ids(sql_wishlist_users, product_id, after, max, ids, n);
}

mc_rc store_digest_due(int64_t before, int64_t after, size_t max, int64_t *ids, size_t *n)
{
	return S_ids(sql_digest_due, before, after, max, ids, n);
}

mc_rc store_sale_starts(int64_t since, int64_t now, size_t max, struct sale_window *out, size_t *n)
{
	db_stmt *s = store_stmt(sql_sale_starts);
	int rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, since);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, (int64_t)max);
	*n = 0;
	while ((rc = db_step(s)) == DB_ROW && *n < max) {
		out[*n].product_id = db_col_int(s, 0);
		out[*n].start = db_col_int(s, 1);
		(*n)++;
	}
	db_reset(s);
	return rc < 0 ? store_rc(rc) : MC_OK;
}

mc_rc store_sale_mark(const struct sale_window *w, int64_t now, int *first)
{
	const int64_t v[] = { w->product_id, w->start, now };
	int64_t changes = 0;
	mc_rc rc = store_exec_ints(sql_sale_mark, 3, v, &changes);

	*first = changes > 0;
	return rc;
}

mc_rc store_digest_mark(int64_t user_id, int64_t now, int64_t before, int *first)
{
	const int64_t v[] = { user_id, now, before };
	int64_t changes = 0;
	mc_rc rc = store_exec_ints(sql_digest_mark, 3, v, &changes);

	*first = changes > 0;
	return rc;
}

static mc_rc S_delete_older(const char *sql, int64_t age, int64_t *deleted)
{
	int64_t n = 0;
	mc_rc rc = store_exec_ints(sql, 1, &age, &n);

	if (!rc)
		*deleted += n;
	return rc;
}

mc_rc store_cleanup_guest_carts(int64_t idle, int64_t *deleted)
{
	return S_delete_older(sql_clean_carts, idle, deleted);
}

mc_rc store_cleanup_revoked_tokens(int64_t expired, int64_t *deleted)
{
	return S_delete_older(sql_clean_tokens, expired, deleted);
}

mc_rc store_cleanup_login_failures(int64_t age, int64_t *deleted)
{
	return S_delete_older(sql_clean_failures, age, deleted);
}

mc_rc store_cleanup_idempotency_keys(int64_t age, int64_t *deleted)
{
	return S_delete_older(sql_clean_idem, age, deleted);
}

mc_rc store_cleanup_done_jobs(int64_t age, int64_t *deleted)
{
	return S_delete_older(sql_clean_jobs, age, deleted);
}
