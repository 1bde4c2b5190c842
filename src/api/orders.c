/* Checkout and order endpoints. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/catalog_cache.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "domain/addresses.h"
#include "domain/checkout.h"
#include "domain/orders.h"

/* The order's members without the braces, so checkout can add its own.
 * Written straight into the answer: building it with jansson and dumping
 * it was 6% of the server's CPU in the checkout benchmark. */
static void S_order_members(strbuf *sb, const struct order *o)
{
	strbuf_add_member_int(sb, "\"id\":", o->id);
	strbuf_add_member_int(sb, ",\"orderId\":", o->id);
	strbuf_add_member_int(sb, ",\"userId\":", o->user_id);
	strbuf_add_member_text(sb, ",\"status\":", order_status_name(o->status));
	strbuf_adds(sb, ",\"items\":[");
	for (size_t i = 0; i < o->n; i++) {
		const struct order_line *l = &o->lines[i];

		strbuf_add_member_int(sb, i ? ",{\"productId\":" : "{\"productId\":", l->product_id);
		strbuf_add_member_text(sb, ",\"name\":", l->name);
		strbuf_add_member_int(sb, ",\"qty\":", l->quantity);
		strbuf_add_member_int(sb, ",\"quantity\":", l->quantity);
		strbuf_add_member_int(sb, ",\"unitPrice\":", l->unit_price);
		strbuf_add_member_int(sb, ",\"lineTotal\":", l->line_total);
		strbuf_add_member_int(sb, ",\"sellerId\":", l->seller_id);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
	/* A seller sees its own share, not the whole order's money. */
	if (o->seller_view) {
		strbuf_add_member_int(sb, ",\"sellerSubtotal\":", o->seller_subtotal);
	} else {
		strbuf_add_member_int(sb, ",\"originalTotal\":", o->original_total);
		strbuf_add_member_int(sb, ",\"discountApplied\":", o->discount);
		strbuf_add_member_int(sb, ",\"total\":", o->total);
		strbuf_add_member_int(sb, ",\"totalAmount\":", o->total);
		strbuf_add_member_int(sb, ",\"payableAmount\":", o->total);
		strbuf_add_member_text(sb, ",\"couponCode\":", o->coupon_code);
	}
	strbuf_add_member_text(sb, ",\"currency\":", o->currency);
	strbuf_add_member_text(sb, ",\"paymentStatus\":", pay_state_name(o->payment_status));
	strbuf_add_member_text(sb, ",\"cancelledBy\":", o->cancelled_by[0] ? o->cancelled_by : NULL);
	strbuf_add_member_text(sb, ",\"cancelReason\":", o->cancel_reason);
	api_member_time(sb, ",\"createdAt\":", &o->created_at);
	api_member_time(sb, ",\"updatedAt\":", &o->updated_at);
	strbuf_adds(sb, ",\"shippingAddress\":");
	if (o->ship_to)
		api_write_json(sb, api_address_json(o->ship_to));
	else
		strbuf_adds(sb, "null");
	strbuf_adds(sb, order_cod_confirmed(o) ? ",\"codConfirmed\":true" : ",\"codConfirmed\":false");
}

static void S_order_write(strbuf *sb, const struct order *o)
{
	strbuf_addch(sb, '{');
	S_order_members(sb, o);
	strbuf_addch(sb, '}');
}

static void S_answer_order(struct http_res *res, int status, mc_rc rc, struct order *o, int catalog_changed,
			   mc_error *err)
{
	strbuf sb;

	if (rc) {
		http_res_error(res, rc, err);
		return;
	}
	if (catalog_changed)
		catalog_cache_invalidate();
	strbuf_init(&sb);
	S_order_write(&sb, o);
	order_release(o);
	api_res_strbuf(res, status, &sb);
}

/* POST /api/checkout and POST /api/orders */
void api_checkout(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "couponCode", "expectedTotal", "cartId", "shippingAddressId",
					       "shippingAddress", NULL };
	struct checkout_req in = { 0 };
	struct address_input ship;
	struct api_idem idem;
	struct order o;
	struct user buyer;
	int changed = 0;
	mc_error err;
	json_t *body, *j;
	strbuf sb;
	mc_rc rc = MC_OK;

	mc_error_init(&err);
	if (!api_idem_begin(req, res, "checkout", &idem))
		goto out;
	/* An empty body means "check out my cart as it is". */
	if (req->body_len) {
		body = api_body(req, res, allowed, &err);
		if (!body)
			goto done;
		mc_json_str(body, "couponCode", 1, 64, false, &in.coupon_code, &err);
		in.has_expected = mc_json_int(body, "expectedTotal", 0, INT64_MAX, false, &in.expected_total, &err);
		mc_json_int(body, "cartId", 1, INT64_MAX, false, &in.cart_id, &err);
		mc_json_int(body, "shippingAddressId", 1, INT64_MAX, false, &in.ship_address_id, &err);
		j = json_object_get(body, "shippingAddress");
		if (json_is_object(j))
			rc = api_address_input(j, false, &ship, &err);
		else if (j && !json_is_null(j))
			mc_error_field(&err, "shippingAddress", "must be an address object");
		in.ship_to = json_is_object(j) && !rc ? &ship : NULL;
		if (in.ship_to && in.ship_address_id)
			mc_error_field(&err, "shippingAddress", "give shippingAddressId or shippingAddress, not both");
	}
	if (!rc)
		rc = mc_error_fields_result(&err);
	if (!rc)
		rc = checkout_place(&(struct actor){ req->auth.user_id, req->auth.role }, &in, &o, &buyer, &changed, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto done;
	}
	if (changed)
		catalog_cache_invalidate();
	strbuf_init(&sb);
	strbuf_addch(&sb, '{');
	S_order_members(&sb, &o);
	api_member_time(&sb, ",\"timestamp\":", &o.created_at);
	strbuf_adds(&sb, ",\"paymentOptions\":[\"UPI\",\"CARD\",\"COD\"]");
	strbuf_add_member_text(&sb, ",\"buyer\":{\"name\":", buyer.name);
	strbuf_add_member_text(&sb, ",\"email\":", buyer.email);
	strbuf_adds(&sb, "}}");
	http_res_header(res, "Location", "/api/orders/%lld", (long long)o.id);
	order_release(&o);
	api_res_strbuf(res, 201, &sb);
done:
	api_idem_finish(&idem, res);
out:
	mc_error_release(&err);
}

void api_orders_list(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct order *items = NULL;
	order_status status = ORDER_NONE;
	const char *raw;
	int64_t limit, offset, total = 0;
	size_t n = 0;
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	api_query_page(req, &limit, &offset, &err);
	raw = http_req_query(req, "status");
	if (raw && !(status = order_status_parse(raw)))
		mc_error_field(&err, "status", "is not an order status");
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = order_list(&a, status, limit, offset, &items, &n, &total, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	strbuf_init(&sb);
	api_page_begin(&sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		S_order_write(&sb, &items[i]);
	}
	api_page_end(&sb, total, limit, offset);
	api_res_strbuf(res, 200, &sb);
out:
	order_list_free(items, n);
	mc_error_release(&err);
}

/* Answers with what `act` makes of the order named by the path. */
static void S_by_id(struct http_req *req, struct http_res *res,
		    mc_rc (*act)(const struct actor *, int64_t, struct order *, mc_error *))
{
	struct actor a = api_actor(req);
	struct order o;
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc)
		rc = act(&a, id, &o, &err);
	S_answer_order(res, 200, rc, &o, 0, &err);
	mc_error_release(&err);
}

void api_orders_get(struct http_req *req, struct http_res *res)
{
	S_by_id(req, res, order_get);
}

/* PATCH /api/orders/:id and /api/orders/:id/status {status} */
void api_orders_set_status(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "status", NULL };
	struct actor a = api_actor(req);
	const char *status = NULL;
	order_status to = ORDER_NONE;
	struct order o;
	int64_t id;
	int changed = 0;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (api_id_and_body(req, res, allowed, false, &id, &body, &err))
		goto out;
	if (mc_json_str(body, "status", 1, 32, true, &status, &err) && !(to = order_status_parse(status)))
		mc_error_field(&err, "status", "must be one of pending_payment, paid, processing, shipped, delivered,"
					       " cancelled, refunded");
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = order_set_status(&a, id, to, NULL, &o, &changed, &err);
	S_answer_order(res, 200, rc, &o, changed, &err);
out:
	mc_error_release(&err);
}

/* Moves the order to `to` with an optional {reason} (cancel, refund). */
static void S_move_with_reason(struct http_req *req, struct http_res *res, order_status to)
{
	static const char *const allowed[] = { "reason", NULL };
	struct actor a = api_actor(req);
	const char *reason = NULL;
	struct order o;
	int64_t id;
	int changed = 0;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (api_id_and_body(req, res, allowed, true, &id, &body, &err))
		goto out;
	if (body)
		mc_json_str(body, "reason", 1, MC_CANCEL_REASON_MAX, false, &reason, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = order_set_status(&a, id, to, reason, &o, &changed, &err);
	S_answer_order(res, 200, rc, &o, changed, &err);
out:
	mc_error_release(&err);
}

/* PATCH /api/orders/:id/cancel {reason} */
void api_orders_cancel(struct http_req *req, struct http_res *res)
{
	S_move_with_reason(req, res, ORDER_CANCELLED);
}

/* POST /api/orders/:id/refund {reason?} (admin, a delivered order) */
void api_orders_refund(struct http_req *req, struct http_res *res)
{
	struct api_idem idem;

	if (!api_idem_begin(req, res, "refund", &idem))
		return;
	S_move_with_reason(req, res, ORDER_REFUNDED);
	api_idem_finish(&idem, res);
}

/* POST /api/orders/:id/confirm: a seller (its lines) or an admin (all)
 * accepts cash on delivery before MERCATO_COD_CONFIRM_TTL runs out. */
void api_orders_confirm(struct http_req *req, struct http_res *res)
{
	S_by_id(req, res, order_confirm_cod);
}
