/* Coupon endpoints: sellers and admins manage them; anyone signed in
 * previews one against their cart. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/coupons.h"

static json_t *S_coupon_json(const struct coupon *c)
{
	json_t *j = json_pack("{s:I, s:s, s:i, s:o, s:o, s:I, s:I, s:I, s:b, s:o, s:o}", "id", (json_int_t)c->id,
			      "code", c->code, "discountPercentage", c->percentage, "validFrom",
			      api_time_json(c->valid_from), "validTo", api_time_json(c->valid_to), "usageLimit",
			      (json_int_t)c->usage_limit, "usedCount", (json_int_t)c->used_count, "remaining",
			      (json_int_t)(c->usage_limit - c->used_count), "isActive", c->active, "createdAt",
			      api_time_json(c->created_at), "updatedAt", api_time_json(c->updated_at));

	json_object_set_new(j, "sellerId", c->seller_id ? json_integer(c->seller_id) : json_null());
	return j;
}

/* Reads a coupon body into `in`; answers the problem itself on failure. */
static mc_rc S_parse(struct http_req *req, struct http_res *res, struct coupon_input *in, mc_error *err)
{
	static const char *const allowed[] = { "code", "discountPercentage", "validFrom", "validTo", "usageLimit",
					       "isActive", "sellerId", NULL };
	static const struct { const char *key; unsigned bit; size_t off; } times[] = {
		{ "validFrom", CI_FROM, offsetof(struct coupon_input, valid_from) },
		{ "validTo", CI_TO, offsetof(struct coupon_input, valid_to) },
	};
	json_t *body = api_body(req, res, allowed, err);
	mc_rc rc;

	memset(in, 0, sizeof(*in));
	if (!body)
		return MC_ERR_INVALID;
	if (mc_json_str(body, "code", 1, 64, false, &in->code, err))
		in->set |= CI_CODE;
	if (mc_json_int(body, "discountPercentage", MC_COUPON_PCT_MIN, MC_COUPON_PCT_MAX, false, &in->percentage, err))
		in->set |= CI_PERCENT;
	for (size_t i = 0; i < 2; i++) {
		const char *t = NULL;

		if (!mc_json_str(body, times[i].key, 1, 40, false, &t, err))
			continue;
		if (clock_parse_rfc3339(t, (int64_t *)((char *)in + times[i].off)))
			mc_error_field(err, times[i].key, "must be an RFC 3339 time such as 2026-11-22T10:00:00Z");
		else
			in->set |= times[i].bit;
	}
	if (mc_json_int(body, "usageLimit", 0, MC_STOCK_MAX, false, &in->usage_limit, err))
		in->set |= CI_LIMIT;
	if (mc_json_bool(body, "isActive", false, &in->active, err))
		in->set |= CI_ACTIVE;
	if (mc_json_int(body, "sellerId", 1, INT64_MAX, false, &in->seller_id, err))
		in->set |= CI_SELLER;
	rc = mc_error_fields_result(err);
	if (rc)
		http_res_error(res, rc, err);
	return rc;
}

void api_coupons_create(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct coupon_input in;
	struct coupon c;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (!S_parse(req, res, &in, &err)) {
		rc = coupon_create(&a, &in, &c, &err);
		if (rc)
			http_res_error(res, rc, &err);
		else {
			http_res_header(res, "Location", "/api/coupons/%lld", (long long)c.id);
			http_res_json(res, 201, S_coupon_json(&c));
		}
	}
	mc_error_release(&err);
}

void api_coupons_update(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct coupon_input in;
	struct coupon c;
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else if (!S_parse(req, res, &in, &err)) {
		rc = coupon_update(&a, id, &in, &c, &err);
		if (rc)
			http_res_error(res, rc, &err);
		else
			http_res_json(res, 200, S_coupon_json(&c));
	}
	mc_error_release(&err);
}

void api_coupons_list(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct coupon *items = NULL;
	int64_t limit, offset, total = 0;
	size_t n = 0;
	json_t *arr;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	api_query_page(req, &limit, &offset, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = coupon_list(&a, limit, offset, &items, &n, &total);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, S_coupon_json(&items[i]));
	api_res_page(res, arr, total, limit, offset);
out:
	free(items);
	mc_error_release(&err);
}

/* GET /api/coupons/apply?code= */
void api_coupons_apply(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct coupon_quote q;
	const char *code;
	json_t *ids, *j;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	code = api_query_str(req, "code", 64, &err);
	if (!code && !err.nfields)
		mc_error_field(&err, "code", "is required");
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = coupon_preview(&a, code, &q, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	ids = json_array();
	for (size_t i = 0; i < q.neligible; i++)
		json_array_append_new(ids, json_integer(q.eligible[i]));
	j = json_pack("{s:s, s:b, s:i, s:o, s:I, s:I, s:I}", "code", q.coupon.id ? q.coupon.code : code, "valid",
		      q.valid, "discountPercentage", q.coupon.percentage, "eligibleProductIds", ids, "originalTotal",
		      (json_int_t)q.original_total, "discountApplied", (json_int_t)q.discount, "payableAmount",
		      (json_int_t)(q.original_total - q.discount));
	if (q.reason)
		json_object_set_new(j, "reason", json_string(q.reason));
	http_res_json(res, 200, j);
out:
	mc_error_release(&err);
}
