#include "store/payments.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"

#define PAYMENT_COLS \
	"id, order_id, amount, currency, method, status, transaction_id, refund_date, created_at, updated_at"

static const char sql_insert[] =
	"INSERT INTO payments (order_id, amount, currency, method, status, transaction_id, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_get[] = "SELECT " PAYMENT_COLS " FROM payments WHERE id = ?";
static const char sql_find[] =
	"SELECT " PAYMENT_COLS " FROM payments WHERE order_id = ? AND status = ? ORDER BY id DESC LIMIT 1";
static const char sql_status[] =
	"UPDATE payments SET status = ?, updated_at = ?,"
	" refund_date = CASE WHEN ? = 'refunded' THEN ? ELSE refund_date END WHERE id = ? AND status = ?";
static const char sql_refund[] =
	"INSERT INTO refunds (order_id, payment_id, amount, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)";

static void S_read(db_stmt *s, struct payment *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_col_int(s, 0);
	p->order_id = db_col_int(s, 1);
	p->amount = db_col_int(s, 2);
	snprintf(p->currency, sizeof(p->currency), "%s", db_col_text(s, 3));
	p->method = payment_method_parse(db_col_text(s, 4));
	p->status = payment_status_parse(db_col_text(s, 5));
	snprintf(p->transaction_id, sizeof(p->transaction_id), "%s", db_col_text(s, 6));
	p->refund_date = db_col_is_null(s, 7) ? 0 : db_col_int(s, 7);
	p->created_at = db_col_int(s, 8);
	p->updated_at = db_col_int(s, 9);
}

mc_rc store_payment_insert(struct payment *p)
{
	db_stmt *s = store_stmt(sql_insert);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, p->order_id);
	db_bind_int(s, 2, p->amount);
	db_bind_text(s, 3, p->currency);
	db_bind_text(s, 4, payment_method_name(p->method));
	db_bind_text(s, 5, payment_status_name(p->status));
	db_bind_text(s, 6, p->transaction_id[0] ? p->transaction_id : NULL);
	db_bind_int(s, 7, p->created_at);
	db_bind_int(s, 8, p->updated_at);
	return store_row_int(s, MC_ERR_INTERNAL, &p->id);
}

static mc_rc S_one(db_stmt *s, struct payment *out)
{
	mc_rc rc = store_row(s, MC_ERR_NOT_FOUND);

	if (!rc) {
		S_read(s, out);
		db_reset(s);
	}
	return rc;
}

mc_rc store_payment_get(int64_t id, struct payment *out)
{
	db_stmt *s = store_stmt(sql_get);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, id);
	return S_one(s, out);
}

mc_rc store_payment_find(int64_t order_id, payment_status status, struct payment *out)
{
	db_stmt *s = store_stmt(sql_find);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, order_id);
	db_bind_text(s, 2, payment_status_name(status));
	return S_one(s, out);
}

mc_rc store_payment_set_status(int64_t id, payment_status from, payment_status to, int64_t now)
{
	db_stmt *s = store_stmt(sql_status);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, payment_status_name(to));
	db_bind_int(s, 2, now);
	db_bind_text(s, 3, payment_status_name(to));
	db_bind_int(s, 4, now);
	db_bind_int(s, 5, id);
	db_bind_text(s, 6, payment_status_name(from));
	return store_exec_changed(s, MC_ERR_CONFLICT);
}

mc_rc store_refund_insert(int64_t order_id, int64_t payment_id, int64_t amount, const char *reason,
			  const char *by, int64_t now)
{
	db_stmt *s = store_stmt(sql_refund);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, payment_id);
	db_bind_int(s, 3, amount);
	db_bind_text(s, 4, reason);
	db_bind_text(s, 5, by);
	db_bind_int(s, 6, now);
	return store_exec(s, NULL);
}
