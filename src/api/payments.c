/* Payments (mock processor); refunds are order handlers (api/orders.c). */
#include "api/api.h"
#include "core/json.h"
#include "domain/orders.h"
#include "domain/payments.h"

static json_t *S_payment_json(const struct payment *p)
{
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)p->id, "paymentId",
			      (json_int_t)p->id, "orderId", (json_int_t)p->order_id, "amount", (json_int_t)p->amount,
			      "currency", p->currency, "method", payment_method_name(p->method), "status",
			      payment_status_name(p->status), "transactionId", p->transaction_id, "createdAt",
			      api_time_json(p->created_at));

	json_object_set_new(j, "refunded", json_boolean(p->status == PAYMENT_REFUNDED));
	json_object_set_new(j, "refundDate", p->refund_date ? api_time_json(p->refund_date) : json_null());
	return j;
}

static const char *S_message(const struct payment *p)
{
	if (p->status == PAYMENT_PENDING)
		return "cash on delivery: the order is paid when the money is received";
	return "payment captured; the order is being processed";
}

/* POST /api/payments {orderId, method, transactionId?} */
void api_payments_create(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "orderId", "method", "transactionId", NULL };
	struct actor a = api_actor(req);
	struct payment_req in = { 0 };
	const char *method = NULL;
	struct api_idem idem;
	struct payment p;
	order_status status;
	json_t *body, *j;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (!api_idem_begin(req, res, "payment", &idem))
		goto out;
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto done;
	mc_json_int(body, "orderId", 1, INT64_MAX, true, &in.order_id, &err);
	if (mc_json_str(body, "method", 1, 8, true, &method, &err)) {
		in.method = payment_method_parse(method);
		if (in.method != METHOD_UPI && in.method != METHOD_CARD && in.method != METHOD_COD)
			mc_error_field(&err, "method", "must be UPI, CARD or COD");
	}
	mc_json_str(body, "transactionId", 1, 64, false, &in.transaction_id, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = order_pay(&a, &in, &p, &status, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto done;
	}
	j = S_payment_json(&p);
	json_object_set_new(j, "orderStatus", json_string(order_status_name(status)));
	json_object_set_new(j, "message", json_string(S_message(&p)));
	http_res_header(res, "Location", "/api/payments/%lld", (long long)p.id);
	http_res_json(res, 201, j);
done:
	api_idem_finish(&idem, res);
out:
	mc_error_release(&err);
}

void api_payments_get(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct payment p;
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc)
		rc = payment_get(&a, id, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_json(res, 200, S_payment_json(&p));
	mc_error_release(&err);
}
