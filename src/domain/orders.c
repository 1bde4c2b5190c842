#include "domain/orders.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "domain/coupons.h"
#include "domain/notify.h"
#include "domain/payments.h"
#include "domain/pricing.h"
#include "store/carts.h"
#include "store/products.h"
#include "store/store.h"

#define WHO_BUYER  (1u << ROLE_BUYER)
#define WHO_SELLER (1u << ROLE_SELLER)
#define WHO_ADMIN  (1u << ROLE_ADMIN)

static const char *const statuses[] = {
	"pending_payment", "paid", "processing", "shipped", "delivered", "cancelled", "refunded", NULL,
};

/* The one state machine: who may move an order from where to where.
 * A seller acts only on orders whose every line is theirs. Cancelling has
 * its own rules (order_cancel). */
static const struct {
	const char *from;
	const char *to;
	unsigned who;
} transitions[] = {
	{ "pending_payment", "paid", WHO_ADMIN },         /* COD or offline payment received */
	{ "paid", "processing", WHO_ADMIN | WHO_SELLER },
	{ "paid", "shipped", WHO_ADMIN | WHO_SELLER },
	{ "processing", "shipped", WHO_ADMIN | WHO_SELLER },
	{ "shipped", "delivered", WHO_ADMIN | WHO_SELLER },
};

static const char *const cancellable[] = { "pending_payment", "paid", "processing", NULL };

const char *order_status_parse(const char *s)
{
	if (!strcmp(s, "pending"))
		return "pending_payment";
	for (const char *const *p = statuses; *p; p++)
		if (!strcmp(*p, s))
			return *p;
	return NULL;
}

static int S_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* --- checkout ------------------------------------------------------------ */

/* Builds the order from the cart at `now`; fails on a withdrawn product or
 * mixed currencies. Lines are in product-id order so concurrent checkouts
 * take row locks in one order (no deadlocks on PostgreSQL). */
static int S_by_product(const void *a, const void *b)
{
	const struct cart_line *x = a, *y = b;

	return (x->product_id > y->product_id) - (x->product_id < y->product_id);
}

static mc_rc S_price_cart(struct cart_line *lines, size_t n, int64_t now, struct order *o, json_t **changes,
			  mc_error *err)
{
	mc_rc rc;

	qsort(lines, n, sizeof(*lines), S_by_product);
	o->lines = calloc(n, sizeof(*o->lines));
	if (!o->lines)
		return MC_ERR_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		struct cart_line *l = &lines[i];
		struct order_line *ol = &o->lines[i];

		if (l->deleted)
			return mc_fail(err, MC_ERR_CONFLICT, "product_unavailable",
				       "product %lld is no longer sold; remove it from the cart", (long long)l->product_id);
		if (i && strcmp(l->currency, o->currency))
			return mc_fail(err, MC_ERR_UNPROCESSABLE, "mixed_currencies",
				       "a cart must be paid in one currency");
		memcpy(o->currency, l->currency, 4);
		ol->product_id = l->product_id;
		ol->seller_id = l->seller_id;
		ol->quantity = l->quantity;
		ol->unit_price = pricing_effective(l->price, &l->sale, now);
		rc = pricing_add_line(ol->unit_price, l->quantity, &ol->line_total, &o->original_total, err);
		if (rc)
			return rc;
		ol->name = l->name;      /* borrowed from the cart line until the order is saved */
		o->n++;
		if (ol->unit_price != l->price_snapshot)
			json_array_append_new(*changes, json_pack("{s:I, s:I, s:I}", "productId",
								  (json_int_t)l->product_id, "previousPrice",
								  (json_int_t)l->price_snapshot, "unitPrice",
								  (json_int_t)ol->unit_price));
	}
	return pricing_check_total(o->original_total, err);
}

/* Takes stock for every line, or fails naming the first short product. */
static mc_rc S_take_stock(const struct order *o, int *sold_out, mc_error *err)
{
	for (size_t i = 0; i < o->n; i++) {
		int64_t left = 0;
		mc_rc rc = store_stock_take(o->lines[i].product_id, o->lines[i].quantity, &left);

		if (rc == MC_ERR_CONFLICT) {
			err->extra = json_pack("{s:I, s:I, s:I}", "productId", (json_int_t)o->lines[i].product_id,
					       "requested", (json_int_t)o->lines[i].quantity, "available",
					       (json_int_t)left);
			return mc_fail(err, rc, "out_of_stock", "only %lld of %s left", (long long)left,
				       o->lines[i].name);
		}
		if (rc)
			return rc;
		if (!left)
			*sold_out = 1;
	}
	return MC_OK;
}

mc_rc order_checkout(const struct actor *a, const struct checkout_req *req, struct order *out,
		     int *catalog_changed, mc_error *err)
{
	struct cart_owner owner = { .user_id = a->user_id };
	struct cart_line *lines = NULL;
	json_t *changes = json_array();
	int64_t now = clock_now(), cart_id = 0;
	struct order o;
	size_t n = 0;
	int sold_out = 0;
	mc_rc rc;

	memset(&o, 0, sizeof(o));
	if (!changes)
		return MC_ERR_INTERNAL;
	rc = store_begin(DB_TXN_DURABLE);
	if (rc)
		goto out_free;
	rc = store_cart_find(&owner, &cart_id);
	if ((rc == MC_ERR_NOT_FOUND && req->cart_id) || (!rc && req->cart_id && req->cart_id != cart_id)) {
		rc = mc_fail(err, MC_ERR_NOT_FOUND, "cart_not_found", "cart %lld is not yours", (long long)req->cart_id);
		goto out;
	}
	if (!rc)
		rc = store_cart_lines(cart_id, &lines, &n);
	if (rc == MC_ERR_NOT_FOUND || (!rc && !n)) {
		rc = mc_fail(err, MC_ERR_UNPROCESSABLE, "cart_empty", "the cart is empty");
		goto out;
	}
	if (rc)
		goto out;
	o.user_id = a->user_id;
	rc = S_price_cart(lines, n, now, &o, &changes, err);
	if (rc)
		goto out;
	if (req->has_expected && req->expected_total != o.original_total) {
		err->extra = json_pack("{s:I, s:I, s:O}", "expectedTotal", (json_int_t)req->expected_total, "total",
				       (json_int_t)o.original_total, "changes", changes);
		rc = mc_fail(err, MC_ERR_CONFLICT, "cart_changed",
			     "the cart total is now %lld, not %lld; review the cart", (long long)o.original_total,
			     (long long)req->expected_total);
		goto out;
	}
	if (req->coupon_code) {
		struct coupon_quote q;

		rc = coupon_redeem(req->coupon_code, o.lines, o.n, now, &q, err);
		if (rc)
			goto out;
		o.coupon_id = q.coupon.id;
		o.discount = q.discount;
		o.coupon_code = strdup(q.coupon.code);
		if (!o.coupon_code) {
			rc = MC_ERR_INTERNAL;
			goto out;
		}
	}
	o.total = o.original_total - o.discount;
	rc = S_take_stock(&o, &sold_out, err);
	if (rc)
		goto out;
	snprintf(o.status, sizeof(o.status), "pending_payment");
	snprintf(o.payment_status, sizeof(o.payment_status), "unpaid");
	o.created_at = o.updated_at = now;
	rc = store_order_insert(&o);
	if (!rc)
		rc = store_cart_clear(cart_id);
	if (!rc && sold_out)
		rc = store_catalog_bump();
	if (!rc)
		rc = notify_order_event(o.id, "order_placed");
out:
	rc = store_finish(rc);
	/* The lines borrowed their names from the cart; give the order its own. */
	for (size_t i = 0; i < o.n; i++)
		o.lines[i].name = NULL;
	if (!rc)
		rc = store_order_get(o.id, 0, out);
	if (!rc)
		*catalog_changed = sold_out;
out_free:
	order_release(&o);
	cart_lines_free(lines, n);
	json_decref(changes);
	return rc;
}

/* --- reading ------------------------------------------------------------- */

static int S_all_lines_of(const struct order *o, int64_t seller_id)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->lines[i].seller_id != seller_id)
			return 0;
	return o->n > 0;
}

/* Loads the whole order: 404 unless `a` is its buyer, an admin, or a seller
 * of one of its lines. */
static mc_rc S_load_visible(const struct actor *a, int64_t id, struct order *o, mc_error *err)
{
	mc_rc rc = store_order_get(id, 0, o);
	int visible;

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "order_not_found", "no order %lld", (long long)id);
	if (rc)
		return rc;
	visible = a->role == ROLE_ADMIN || o->user_id == a->user_id;
	for (size_t i = 0; !visible && i < o->n; i++)
		visible = a->role == ROLE_SELLER && o->lines[i].seller_id == a->user_id;
	if (!visible) {
		order_release(o);
		return mc_fail(err, MC_ERR_NOT_FOUND, "order_not_found", "no order %lld", (long long)id);
	}
	return MC_OK;
}

mc_rc order_get(const struct actor *a, int64_t id, struct order *out, mc_error *err)
{
	mc_rc rc = S_load_visible(a, id, out, err);
	size_t kept = 0;

	if (rc || a->role != ROLE_SELLER || out->user_id == a->user_id)
		return rc;
	/* A seller sees only their own lines of someone else's order. */
	for (size_t i = 0; i < out->n; i++) {
		if (out->lines[i].seller_id == a->user_id)
			out->lines[kept++] = out->lines[i];
		else
			free(out->lines[i].name);
	}
	out->n = kept;
	return MC_OK;
}

mc_rc order_list(const struct actor *a, const char *status, int64_t limit, int64_t offset, struct order **items,
		 size_t *n, int64_t *total, mc_error *err)
{
	struct order_query q = { .status = status, .limit = limit, .offset = offset, .who = a->user_id };

	q.scope = a->role == ROLE_ADMIN ? ORDERS_ALL : a->role == ROLE_SELLER ? ORDERS_OF_SELLER : ORDERS_OF_BUYER;
	return store_order_list(&q, items, n, total);
}

/* --- changes ------------------------------------------------------------- */

/* Cancels `o` inside the open transaction: stock and the coupon use go
 * back, a captured payment is refunded (the order then ends refunded), the
 * buyer is emailed. *restocked: a product came back from sold out. */
static mc_rc S_cancel(const struct order *o, const char *by, const char *reason, int *restocked)
{
	const char *end = "cancelled";
	int refunded = 0;
	mc_rc rc = MC_OK;

	for (size_t i = 0; !rc && i < o->n; i++) {
		int64_t now_stock = 0;

		rc = store_stock_give(o->lines[i].product_id, o->lines[i].quantity, &now_stock);
		if (!rc && now_stock == o->lines[i].quantity)
			*restocked = 1; /* back from sold out */
	}
	if (!rc && o->coupon_id)
		rc = store_coupon_release(o->coupon_id);
	if (!rc)
		rc = payment_settle_cancel(o, by, reason, &refunded);
	/* A captured payment is refunded at once: the order ends refunded. */
	if (refunded)
		end = "refunded";
	if (!rc)
		rc = store_order_cancel(o->id, o->status, end, by, reason, clock_now());
	if (!rc && *restocked)
		rc = store_catalog_bump();
	if (!rc)
		rc = notify_order_event(o->id, "order_cancelled");
	return rc;
}

mc_rc order_cancel(const struct actor *a, int64_t id, const char *reason, struct order *out,
		   int *catalog_changed, mc_error *err)
{
	struct order o;
	const char *by;
	int restocked = 0;
	mc_rc rc;

	rc = store_begin(DB_TXN_DURABLE);
	if (rc)
		return rc;
	rc = S_load_visible(a, id, &o, err);
	if (rc) {
		store_rollback();
		return rc;
	}
	if (a->role == ROLE_ADMIN)
		by = "admin";
	else if (o.user_id == a->user_id)
		by = "buyer";
	else
		by = "seller";
	if (!strcmp(by, "seller") && !S_all_lines_of(&o, a->user_id))
		rc = mc_fail(err, MC_ERR_FORBIDDEN, "not_all_lines_yours",
			     "the order has lines of other sellers; ask an admin");
	else if (!S_in(o.status, cancellable))
		rc = mc_fail(err, MC_ERR_CONFLICT, "illegal_transition", "an order that is %s cannot be cancelled",
			     o.status);
	if (!rc)
		rc = S_cancel(&o, by, reason, &restocked);
	order_release(&o);
	rc = store_finish(rc);
	if (!rc) {
		*catalog_changed = restocked;
		rc = order_get(a, id, out, err);
	}
	return rc;
}

mc_rc order_expire(int64_t id)
{
	struct order o;
	int restocked = 0;
	mc_rc rc = store_begin(DB_TXN_DURABLE);

	if (rc)
		return rc;
	rc = store_order_get(id, 0, &o);
	if (rc) {
		store_rollback();
		return rc;
	}
	/* Paid (or cash on delivery chosen) meanwhile: it stays. */
	if (strcmp(o.status, "pending_payment") || strcmp(o.payment_status, "unpaid"))
		rc = MC_ERR_CONFLICT;
	else
		rc = S_cancel(&o, "system", "not paid in time", &restocked);
	order_release(&o);
	return store_finish(rc);
}

mc_rc order_set_status(const struct actor *a, int64_t id, const char *status, struct order *out,
		       int *catalog_changed, mc_error *err)
{
	const char *to = order_status_parse(status);
	struct order o;
	unsigned who = 1u << a->role;
	int allowed = 0, known = 0;
	mc_rc rc;

	if (!to) {
		mc_error_field(err, "status", "must be one of pending_payment, paid, processing, shipped, delivered,"
					      " cancelled");
		return mc_error_fields_result(err);
	}
	if (!strcmp(to, "cancelled"))
		return order_cancel(a, id, NULL, out, catalog_changed, err);
	rc = S_load_visible(a, id, &o, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
		if (strcmp(transitions[i].from, o.status) || strcmp(transitions[i].to, to))
			continue;
		known = 1;
		allowed = (transitions[i].who & who) &&
			  (a->role != ROLE_SELLER || S_all_lines_of(&o, a->user_id));
	}
	if (!known)
		rc = mc_fail(err, MC_ERR_CONFLICT, "illegal_transition", "an order cannot go from %s to %s", o.status,
			     to);
	else if (!allowed)
		rc = mc_fail(err, MC_ERR_FORBIDDEN, "forbidden", "you may not move this order to %s", to);
	if (rc) {
		order_release(&o);
		return rc;
	}
	rc = store_begin(DB_TXN_DURABLE);
	if (!rc)
		rc = store_order_set_status(id, o.status, to, clock_now());
	if (rc == MC_ERR_CONFLICT)
		rc = mc_fail(err, rc, "order_changed", "the order changed meanwhile; reload it");
	/* Marking an order paid is the admin receiving the money (COD, offline). */
	if (!rc && !strcmp(to, "paid"))
		rc = payment_capture_offline(&o);
	if (!rc && !strcmp(to, "shipped"))
		rc = notify_order_event(id, "order_shipped");
	rc = store_finish(rc);
	order_release(&o);
	*catalog_changed = 0;
	return rc ? rc : order_get(a, id, out, err);
}
