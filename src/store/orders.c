#include "store/orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "store/addresses.h"
#include "store/reviews.h"
#include "store/stock.h"
#include "store/store.h"
#include "store/users.h"

#define ORDER_COLS                                                                                  \
	"o.id, o.user_id, o.status, o.original_total, o.discount, o.total, o.currency, o.coupon_code,"  \
	" o.payment_status, o.cancelled_by, o.cancel_reason, o.created_at, o.updated_at, o.coupon_id"
#define LINE_COLS "i.product_id, i.seller_id, i.name, i.quantity, i.unit_price, i.line_total, i.confirmed_at"

/* An order's stock, up to four lines per statement, like its lines below.
 * The VALUES rows come in product-id order and are joined to the primary
 * key in that order, so concurrent orders lock rows in one order. A line
 * whose product is short (or withdrawn) is simply not updated: the RETURNING
 * rows say which lines were taken. */
#define TAKE_HEAD "UPDATE products SET stock = products.stock - v.column2 FROM (VALUES "
#define TAKE_VALUES "(CAST(? AS BIGINT), CAST(? AS BIGINT))"
#define TAKE_TAIL                                                                                   \
	") AS v WHERE products.id = v.column1 AND products.stock >= v.column2"                         \
	" AND products.deleted_at IS NULL RETURNING products.id, products.stock"
static const char *const sql_take_lines[] = {
	TAKE_HEAD TAKE_VALUES TAKE_TAIL,
	TAKE_HEAD TAKE_VALUES ", " TAKE_VALUES TAKE_TAIL,
	TAKE_HEAD TAKE_VALUES ", " TAKE_VALUES ", " TAKE_VALUES TAKE_TAIL,
	TAKE_HEAD TAKE_VALUES ", " TAKE_VALUES ", " TAKE_VALUES ", " TAKE_VALUES TAKE_TAIL,
};
#define TAKES_PER_UPDATE (sizeof(sql_take_lines) / sizeof(sql_take_lines[0]))
static const char sql_stock[] = "SELECT stock FROM products WHERE id = ? AND deleted_at IS NULL";
static const char sql_give[] = "UPDATE products SET stock = stock + ? WHERE id = ? RETURNING stock";
static const char sql_insert[] =
	"INSERT INTO orders (user_id, status, original_total, discount, total, currency, coupon_code,"
	" payment_status, created_at, updated_at, coupon_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, mc_now(), mc_now(), ?)"
	" RETURNING id, created_at"; /* stamped by the database's clock: one clock for every node */
/* An order's lines, up to four per statement: one statement per order on
 * PostgreSQL, where each costs a round trip and an executor start. */
#define INSERT_LINES                                                                                \
	"INSERT INTO order_items (order_id, product_id, seller_id, name, quantity, unit_price, line_total)" \
	" VALUES "
#define LINE_VALUES "(?, ?, ?, ?, ?, ?, ?)"
#define LINE_PARAMS 7
static const char *const sql_insert_lines[] = {
	INSERT_LINES LINE_VALUES,
	INSERT_LINES LINE_VALUES ", " LINE_VALUES,
	INSERT_LINES LINE_VALUES ", " LINE_VALUES ", " LINE_VALUES,
	INSERT_LINES LINE_VALUES ", " LINE_VALUES ", " LINE_VALUES ", " LINE_VALUES,
};
#define LINES_PER_INSERT (sizeof(sql_insert_lines) / sizeof(sql_insert_lines[0]))
_Static_assert(LINES_PER_INSERT * LINE_PARAMS <= MC_DB_MAX_PARAMS, "an INSERT of the most lines binds too many parameters");
static const char sql_get[] =
	"SELECT " ORDER_COLS ", " LINE_COLS " FROM orders o JOIN order_items i ON i.order_id = o.id"
	" WHERE o.id = ? AND (CAST(? AS BIGINT) = 0 OR i.seller_id = ?) ORDER BY i.product_id";
#define LIST_FILTER                                                                                 \
	" FROM orders o, t WHERE (t.st IS NULL OR o.status = t.st) AND (t.scope = 0"                    \
	" OR (t.scope = 1 AND o.user_id = t.who)"                                                       \
	" OR (t.scope = 2 AND EXISTS (SELECT 1 FROM order_items x WHERE x.order_id = o.id AND x.seller_id = t.who)))"
#define LIST_PARAMS "WITH t AS (SELECT CAST(? AS INTEGER) AS scope, CAST(? AS BIGINT) AS who, CAST(? AS TEXT) AS st)"
static const char sql_list[] =
	LIST_PARAMS ", page AS (SELECT o.*" LIST_FILTER " ORDER BY o.id DESC LIMIT ? OFFSET ?)"
	" SELECT " ORDER_COLS ", " LINE_COLS " FROM page o JOIN order_items i ON i.order_id = o.id, t"
	" WHERE t.scope <> 2 OR i.seller_id = t.who ORDER BY o.id DESC, i.product_id";
static const char sql_count[] = LIST_PARAMS " SELECT COUNT(*)" LIST_FILTER;
/* Counts no further than the rule needs: a buyer who never pays must not
 * make each checkout of theirs read every order they left unpaid. */
static const char sql_count_open[] =
	"SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE user_id = ? AND status = 'pending_payment' LIMIT ?) AS pending";
static const char sql_confirm[] =
	"UPDATE order_items SET confirmed_at = ? WHERE order_id = ? AND confirmed_at IS NULL"
	" AND (CAST(? AS BIGINT) = 0 OR seller_id = ?)";
static const char sql_status[] = "UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?";
static const char sql_payment_status[] = "UPDATE orders SET payment_status = ?, updated_at = ? WHERE id = ?";
static const char sql_cancel[] =
	"UPDATE orders SET status = ?, cancelled_by = ?, cancel_reason = ?, updated_at = ? WHERE id = ? AND status = ?";

void order_release(struct order *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->lines[i].name);
	free(o->lines);
	free(o->coupon_code);
	free(o->cancel_reason);
	if (o->ship_to)
		address_release(o->ship_to);
	free(o->ship_to);
	memset(o, 0, sizeof(*o));
}

void order_list_free(struct order *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++)
		order_release(&items[i]);
	free(items);
}

/* Binds one sql_take_lines statement to lines[0..k). */
static db_stmt *S_take_bind(const struct order_line *lines, size_t k)
{
	db_stmt *s = store_stmt(sql_take_lines[k - 1]);

	if (!s)
		return NULL;
	for (size_t j = 0; j < k; j++) {
		store_stock_touched(lines[j].product_id);
		db_bind_int(s, (int)j * 2 + 1, lines[j].product_id);
		db_bind_int(s, (int)j * 2 + 2, lines[j].quantity);
	}
	return s;
}

/* Runs (or reads, once sent) a bound take for lines[0..k): *taken is the
 * first line not taken, or k; *sold_out is set when a line has none left. */
static mc_rc S_take_read(db_stmt *s, const struct order_line *lines, size_t k, size_t *taken, int *sold_out)
{
	int got[TAKES_PER_UPDATE] = { 0 }, rc;
	size_t j;

	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_col_int(s, 0);

		for (j = 0; j < k; j++)
			if (lines[j].product_id == id)
				got[j] = 1;
		if (!db_col_int(s, 1))
			*sold_out = 1;
	}
	db_reset(s);
	if (rc < 0) /* a constraint cannot fail here: the WHERE keeps stock >= 0 */
		return rc == DB_CONSTRAINT ? MC_ERR_INTERNAL : store_rc(rc);
	for (j = 0; j < k && got[j]; j++)
		;
	*taken = j;
	return MC_OK;
}

/* How many units of the product there are, for a client's message; a
 * failure here is neither returned nor counted, so no store_row_int(). */
static int64_t S_available(int64_t product_id)
{
	db_stmt *s = store_stmt(sql_stock);
	int64_t n = 0;

	if (s) {
		db_bind_int(s, 1, product_id);
		if (db_step(s) == DB_ROW)
			n = db_col_int(s, 0);
		db_reset(s);
	}
	return n;
}

mc_rc store_stock_give(int64_t product_id, int64_t qty, int64_t *now_stock)
{
	db_stmt *s = store_stmt(sql_give);

	if (!s)
		return MC_ERR_INTERNAL;
	store_stock_touched(product_id);
	db_bind_int(s, 1, qty);
	db_bind_int(s, 2, product_id);
	return store_row_int(s, MC_ERR_NOT_FOUND, now_stock);
}

/* Runs sql_insert for o: its id and the database clock's now. */
static mc_rc S_insert(const struct order *o, int64_t *id, int64_t *created_at)
{
	db_stmt *s = store_stmt(sql_insert);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, o->user_id);
	db_bind_text(s, 2, order_status_name(o->status));
	db_bind_int(s, 3, o->original_total);
	db_bind_int(s, 4, o->discount);
	db_bind_int(s, 5, o->total);
	db_bind_text(s, 6, o->currency);
	db_bind_text(s, 7, o->coupon_code);
	db_bind_text(s, 8, pay_state_name(o->payment_status));
	if (o->coupon_id)
		db_bind_int(s, 9, o->coupon_id);
	else
		db_bind_null(s, 9);
	rc = store_row(s, MC_ERR_INTERNAL);
	if (rc)
		return rc;
	*id = db_col_int(s, 0);
	*created_at = db_col_int(s, 1);
	db_reset(s);
	return MC_OK;
}

/* Sends o's lines, up to four per statement: in a transaction they go
 * with the next statement (store_send). */
static mc_rc S_send_lines(const struct order *o)
{
	for (size_t i = 0; i < o->n; i += LINES_PER_INSERT) {
		size_t k = o->n - i < LINES_PER_INSERT ? o->n - i : LINES_PER_INSERT;
		db_stmt *s = store_stmt(sql_insert_lines[k - 1]);
		mc_rc rc;

		if (!s)
			return MC_ERR_INTERNAL;
		for (size_t j = 0; j < k; j++) {
			const struct order_line *l = &o->lines[i + j];
			int at = (int)j * LINE_PARAMS;

			db_bind_int(s, at + 1, o->id);
			db_bind_int(s, at + 2, l->product_id);
			db_bind_int(s, at + 3, l->seller_id);
			db_bind_text(s, at + 4, l->name);
			db_bind_int(s, at + 5, l->quantity);
			db_bind_int(s, at + 6, l->unit_price);
			db_bind_int(s, at + 7, l->line_total);
		}
		if ((rc = store_send(s)))
			return rc;
	}
	return MC_OK;
}

/* Line i is short: what is left of it, for the client's message. */
static mc_rc S_short(const struct order *o, size_t i, struct stock_short *short_of)
{
	short_of->line = i;
	short_of->available = S_available(o->lines[i].product_id);
	return MC_ERR_CONFLICT;
}

mc_rc store_order_place(struct order *o, int *sold_out, struct stock_short *short_of)
{
	size_t last, k, taken;
	int64_t id = 0, created_at = 0;
	int none_left = 0;
	db_stmt *take;
	mc_rc rc, took;

	if (!o->n) /* a caller's bug: checkout refuses an empty cart */
		return MC_ERR_INTERNAL;
	last = (o->n - 1) / TAKES_PER_UPDATE * TAKES_PER_UPDATE;
	k = o->n - last;
	/* Past four lines, every statement but the last runs on its own: a
	 * short line there ends the order before it is written. */
	for (size_t at = 0; at < last; at += TAKES_PER_UPDATE) {
		if (!(take = S_take_bind(o->lines + at, TAKES_PER_UPDATE)))
			return MC_ERR_INTERNAL;
		if ((rc = S_take_read(take, o->lines + at, TAKES_PER_UPDATE, &taken, &none_left)))
			return rc;
		if (taken < TAKES_PER_UPDATE)
			return S_short(o, at + taken, short_of);
	}
	/* The last one goes with the order's insert, which runs after it: one
	 * round trip. When a line of it was short, the order just written is
	 * undone with the rest by the caller's rollback. */
	if (!(take = S_take_bind(o->lines + last, k)))
		return MC_ERR_INTERNAL;
	db_send(take); /* a failure to send is also the first step's */
	rc = S_insert(o, &id, &created_at);
	/* The take's own result first: a failure of it is also the insert's. */
	took = S_take_read(take, o->lines + last, k, &taken, &none_left);
	if (took)
		return took;
	if (taken < k)
		return S_short(o, last + taken, short_of);
	if (rc)
		return rc;
	o->id = id;
	o->created_at = o->updated_at = created_at;
	rc = S_send_lines(o);
	if (!rc)
		*sold_out = none_left;
	return rc;
}

static char *S_dup_or_null(db_stmt *s, int col)
{
	return db_col_is_null(s, col) ? NULL : strdup(db_col_text(s, col));
}

static void S_read_order(db_stmt *s, struct order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = db_col_int(s, 0);
	o->user_id = db_col_int(s, 1);
	o->status = order_status_parse(db_col_text(s, 2));
	o->original_total = db_col_int(s, 3);
	o->discount = db_col_int(s, 4);
	o->total = db_col_int(s, 5);
	snprintf(o->currency, sizeof(o->currency), "%s", db_col_text(s, 6));
	o->coupon_code = S_dup_or_null(s, 7);
	o->payment_status = pay_state_parse(db_col_text(s, 8));
	snprintf(o->cancelled_by, sizeof(o->cancelled_by), "%s", db_col_text(s, 9));
	o->cancel_reason = S_dup_or_null(s, 10);
	o->created_at = db_col_int(s, 11);
	o->updated_at = db_col_int(s, 12);
	o->coupon_id = db_col_is_null(s, 13) ? 0 : db_col_int(s, 13);
}

static int S_add_line(db_stmt *s, struct order *o, size_t *cap)
{
	struct order_line *l;

	if (o->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct order_line *grown = realloc(o->lines, ncap * sizeof(*grown));

		if (!grown)
			return -1;
		o->lines = grown;
		*cap = ncap;
	}
	l = &o->lines[o->n];
	l->product_id = db_col_int(s, 14);
	l->seller_id = db_col_int(s, 15);
	l->name = strdup(db_col_text(s, 16));
	l->quantity = db_col_int(s, 17);
	l->unit_price = db_col_int(s, 18);
	l->line_total = db_col_int(s, 19);
	l->confirmed_at = db_col_is_null(s, 20) ? 0 : db_col_int(s, 20);
	if (!l->name)
		return -1;
	o->n++;
	return 0;
}

/* Reads rows of (order columns, line columns) grouped by order id. */
static mc_rc S_read_orders(db_stmt *s, size_t max, struct order **out, size_t *n)
{
	struct order *list = calloc(max ? max : 1, sizeof(*list));
	size_t count = 0, cap = 0;
	int rc;
	mc_rc ret;

	if (!list)
		return MC_ERR_INTERNAL;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_col_int(s, 0);

		if (!count || list[count - 1].id != id) {
			if (count == max)
				break;
			S_read_order(s, &list[count++]);
			cap = 0;
		}
		if (S_add_line(s, &list[count - 1], &cap)) {
			rc = DB_ERR;
			break;
		}
	}
	db_reset(s);
	if (rc < 0) {
		order_list_free(list, count);
		return store_rc(rc);
	}
	ret = store_order_addresses_attach(list, count);
	if (ret) {
		order_list_free(list, count);
		return ret;
	}
	*out = list;
	*n = count;
	return MC_OK;
}

mc_rc store_order_get(int64_t id, int64_t seller_id, struct order *out)
{
	db_stmt *s = store_stmt(sql_get);
	struct order *list = NULL;
	size_t n = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, seller_id);
	db_bind_int(s, 3, seller_id);
	rc = S_read_orders(s, 1, &list, &n);
	if (rc)
		return rc;
	if (!n) {
		free(list);
		return MC_ERR_NOT_FOUND;
	}
	*out = list[0];
	free(list);
	return MC_OK;
}

static void S_bind_query(db_stmt *s, const struct order_query *q)
{
	db_bind_int(s, 1, q->scope);
	db_bind_int(s, 2, q->who);
	db_bind_text(s, 3, q->status ? order_status_name(q->status) : NULL);
}

mc_rc store_order_list(const struct order_query *q, struct order **items, size_t *n, int64_t *total)
{
	db_stmt *s = store_stmt(sql_count);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	S_bind_query(s, q);
	rc = store_row_int(s, MC_ERR_INTERNAL, total);
	if (rc)
		return rc;
	if (!(s = store_stmt(sql_list)))
		return MC_ERR_INTERNAL;
	S_bind_query(s, q);
	db_bind_int(s, 4, q->limit);
	db_bind_int(s, 5, q->offset);
	return S_read_orders(s, (size_t)q->limit, items, n);
}

mc_rc store_order_set_status(int64_t id, order_status from, order_status to, int64_t now)
{
	db_stmt *s = store_stmt(sql_status);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, order_status_name(to));
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, id);
	db_bind_text(s, 4, order_status_name(from));
	rc = store_exec_changed(s, MC_ERR_CONFLICT);
	return rc ? rc : store_review_follow_order(id);
}

mc_rc store_order_cancel(int64_t id, order_status from, order_status to, const char *by, const char *reason,
			 int64_t now)
{
	db_stmt *s = store_stmt(sql_cancel);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, order_status_name(to));
	db_bind_text(s, 2, by);
	db_bind_text(s, 3, reason);
	db_bind_int(s, 4, now);
	db_bind_int(s, 5, id);
	db_bind_text(s, 6, order_status_name(from));
	rc = store_exec_changed(s, MC_ERR_CONFLICT);
	return rc ? rc : store_review_follow_order(id);
}

mc_rc store_order_set_payment_status(int64_t id, pay_state to, int64_t now)
{
	db_stmt *s = store_stmt(sql_payment_status);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, pay_state_name(to));
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, id);
	return store_exec_changed(s, MC_ERR_CONFLICT);
}

mc_rc store_checkout_open(const struct cart_owner *o, int64_t now, struct user *buyer, int64_t *cart_id,
			  int64_t count_up_to, int64_t *open_orders, struct cart_line **lines, size_t *n)
{
	db_stmt *buyer_read = store_user_by_id_start(o->user_id), *count = store_stmt(sql_count_open);
	struct cart_opening op;
	struct cart_line *got = NULL;
	struct user u;
	size_t k = 0;
	int64_t open = 0, id = 0;
	mc_rc bought, opened, counted, read;

	/* The buyer's read, the opening and the count wait for the lines'
	 * read, which carries them, in this order, in its round trip. */
	store_cart_open_start(o, now, &op);
	if (count) {
		db_bind_int(count, 1, o->user_id);
		db_bind_int(count, 2, count_up_to);
		db_send(count);
	}
	read = store_cart_lines_of_user(o->user_id, &got, &k);
	bought = store_user_by_id_finish(buyer_read, &u);
	opened = store_cart_open_finish(&op, &id);
	counted = count ? store_row_int(count, MC_ERR_INTERNAL, &open) : MC_ERR_INTERNAL;
	/* A signed-in buyer's account exists: its absence is no client error. */
	if (bought == MC_ERR_NOT_FOUND)
		bought = MC_ERR_INTERNAL;
	if (bought || opened || counted || read) {
		cart_lines_free(got, k);
		return bought ? bought : opened ? opened : counted ? counted : read;
	}
	*buyer = u;
	*cart_id = id;
	*open_orders = open;
	*lines = got;
	*n = k;
	return MC_OK;
}

mc_rc store_order_confirm_lines(int64_t order_id, int64_t seller_id, int64_t now)
{
	int64_t v[4] = { now, order_id, seller_id, seller_id };

	return store_exec_ints(sql_confirm, 4, v, NULL);
}
