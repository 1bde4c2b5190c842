/* Checkout and order endpoints. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/catalog_cache.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/addresses.h"
#include "domain/checkout.h"
#include "domain/orders.h"

json_t *api_order_json(const struct order *o)
{
	json_t *items = json_array();
	json_t *j;

	for (size_t i = 0; i < o->n; i++) {
		const struct order_line *l = &o->lines[i];

		json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "productId",
						       (json_int_t)l->product_id, "name", l->name, "qty",
						       (json_int_t)l->quantity, "quantity", (json_int_t)l->quantity,
						       "unitPrice", (json_int_t)l->unit_price, "lineTotal",
						       (json_int_t)l->line_total, "sellerId", (json_int_t)l->seller_id));
	}
	j = json_pack("{s:I, s:I, s:I, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:s, s:s?, s:s, s:s?, s:s?, s:o, s:o, s:o}",
		      "id", (json_int_t)o->id, "orderId", (json_int_t)o->id, "userId", (json_int_t)o->user_id,
		      "status", order_status_name(o->status), "items", items, "originalTotal", (json_int_t)o->original_total,
		      "discountApplied", (json_int_t)o->discount, "total", (json_int_t)o->total, "totalAmount",
		      (json_int_t)o->total, "payableAmount", (json_int_t)o->total, "currency", o->currency,
		      "couponCode", o->coupon_code, "paymentStatus", pay_state_name(o->payment_status), "cancelledBy",
		      o->cancelled_by[0] ? o->cancelled_by : NULL, "cancelReason", o->cancel_reason, "createdAt",
		      api_time_json(o->created_at), "updatedAt", api_time_json(o->updated_at), "shippingAddress",
		      o->ship_to ? api_address_json(o->ship_to) : json_null());
	json_object_set_new(j, "codConfirmed", json_boolean(order_cod_confirmed(o)));
	if (o->seller_view) {
		/* A seller sees its own share, not the whole order's money. */
		static const char *const whole[] = { "originalTotal", "discountApplied", "total", "totalAmount",
						     "payableAmount", "couponCode" };

		for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
			json_object_del(j, whole[i]);
		json_object_set_new(j, "sellerSubtotal", json_integer(o->seller_subtotal));
	}
	return j;
}

static void S_answer_order(struct http_res *res, int status, mc_rc rc, struct order *o, int catalog_changed,
			   mc_error *err)
{
	if (rc) {
		http_res_error(res, rc, err);
		return;
	}
	if (catalog_changed)
		catalog_cache_invalidate();
	http_res_json(res, status, api_order_json(o));
	order_release(o);
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
	j = api_order_json(&o);
	json_object_set_new(j, "timestamp", api_time_json(o.created_at));
	json_object_set_new(j, "paymentOptions", json_pack("[s, s, s]", "UPI", "CARD", "COD"));
	json_object_set_new(j, "buyer", json_pack("{s:s, s:s}", "name", buyer.name, "email", buyer.email));
	http_res_header(res, "Location", "/api/orders/%lld", (long long)o.id);
	order_release(&o);
	http_res_json(res, 201, j);
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
	json_t *arr;
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
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_order_json(&items[i]));
	api_res_page(res, arr, total, limit, offset);
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
