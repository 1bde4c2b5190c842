/* Checkout: a buyer's cart becomes an order, in one durable transaction
 * (DESIGN section 6, "Checkout"). */
#include "domain/checkout.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "domain/coupons.h"
#include "domain/notify.h"
#include "domain/pricing.h"
#include "store/carts.h"
#include "store/products.h"
#include "store/store.h"
#include "store/users.h"

/* MERCATO_MAX_OPEN_ORDERS (DESIGN section 6, "Abuse bounds"); until
 * checkout_configure() runs, the setting's default. */
static int64_t max_open = 3;

void checkout_configure(int64_t max_open_orders)
{
	max_open = max_open_orders;
}

/* A buyer holds at most max_open unpaid orders (cash on delivery
 * included), so no one can lock stock up for free. */
static mc_rc S_may_open_order(int64_t open, mc_error *err)
{
	if (open < max_open)
		return MC_OK;
	/* open is counted up to max_open only: say the limit, not a count. */
	return mc_fail(err, MC_ERR_CONFLICT, "too_many_open_orders",
		       "you already hold the most unpaid orders allowed (%lld); pay or cancel one first",
		       (long long)max_open);
}

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
		ol->name = l->name;      /* the order takes the name over from the cart line */
		l->name = NULL;
		o->n++;
		if (ol->unit_price != l->price_snapshot)
			json_array_append_new(*changes, json_pack("{s:I, s:I, s:I}", "productId",
								  (json_int_t)l->product_id, "previousPrice",
								  (json_int_t)l->price_snapshot, "unitPrice",
								  (json_int_t)ol->unit_price));
	}
	return pricing_check_total(o->original_total, err);
}

/* Takes stock for every line and writes the order, or fails naming the
 * first short product. */
static mc_rc S_place(struct order *o, int *sold_out, mc_error *err)
{
	struct stock_short short_of;
	mc_rc rc = store_order_place(o, sold_out, &short_of);

	if (rc == MC_ERR_CONFLICT) {
		const struct order_line *l = &o->lines[short_of.line];

		err->extra = json_pack("{s:I, s:I, s:I}", "productId", (json_int_t)l->product_id, "requested",
				       (json_int_t)l->quantity, "available", (json_int_t)short_of.available);
		return mc_fail(err, rc, "out_of_stock", "only %lld of %s left", (long long)short_of.available,
			       l->name);
	}
	return rc;
}

mc_rc checkout_place(const struct actor *a, const struct checkout_req *req, struct order *out, struct user *buyer,
		     int *catalog_changed, mc_error *err)
{
	struct cart_owner owner = { .user_id = a->user_id };
	struct cart_line *lines = NULL;
	json_t *changes = json_array();
	int64_t now = clock_now(), cart_id = 0, open = 0;
	struct order o;
	struct user u;
	size_t n = 0;
	int sold_out = 0;
	mc_rc rc;

	memset(&o, 0, sizeof(o));
	if (!changes)
		return MC_ERR_INTERNAL;
	/* The order keeps its own copy: later edits of the book leave it alone. */
	if ((req->ship_to || req->ship_address_id) &&
	    (rc = address_for_order(a->user_id, req->ship_address_id, req->ship_to, &o.ship_to, err)))
		goto out_free;
	rc = store_begin(DB_TXN_DURABLE);
	if (rc)
		goto out_free;
	/* Opening the cart locks it (PostgreSQL): one checkout per buyer at a
	 * time, so the count of open orders, read after it, cannot race. The
	 * buyer, whom the email goes to, is read in the same round trip. */
	rc = store_checkout_open(&owner, now, &u, &cart_id, max_open, &open, &lines, &n);
	if (!rc && req->cart_id && req->cart_id != cart_id) {
		rc = mc_fail(err, MC_ERR_NOT_FOUND, "cart_not_found", "cart %lld is not yours", (long long)req->cart_id);
		goto out;
	}
	if (!rc)
		rc = S_may_open_order(open, err);
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
	o.status = ORDER_PENDING_PAYMENT;
	o.payment_status = PAY_UNPAID;
	rc = S_place(&o, &sold_out, err);
	if (!rc && o.ship_to)
		rc = store_order_address_insert(o.id, o.ship_to);
	if (!rc)
		rc = store_cart_clear(cart_id);
	if (!rc && sold_out)
		rc = store_catalog_bump();
	if (!rc)
		rc = notify_order(&o, EMAIL_ORDER_PLACED, &u);
out:
	rc = store_finish(rc);
	if (!rc)
		metrics_inc(METRIC_ORDERS_CREATED);
	/* The order as written is the answer: no read after the commit. */
	if (!rc) {
		*out = o;
		*buyer = u;
		memset(&o, 0, sizeof(o));
		*catalog_changed = sold_out;
	}
out_free:
	order_release(&o);
	cart_lines_free(lines, n);
	json_decref(changes);
	return rc;
}
