#include "domain/coupons.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "domain/cart.h"
#include "domain/pricing.h"

/* Codes are case-insensitive: stored and looked up upper-case. Letters,
 * digits, '-' and '_' only, so a code never needs escaping anywhere. */
static int S_normalize(const char *in, char out[33])
{
	size_t n = strlen(in);

	if (n < 3 || n > 32)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!isalnum(c) && c != '-' && c != '_')
			return -1;
		out[i] = (char)toupper(c);
	}
	out[n] = '\0';
	return 0;
}

static void S_validate(const struct coupon *c, mc_error *err)
{
	if (c->percentage < MC_COUPON_PCT_MIN || c->percentage > MC_COUPON_PCT_MAX)
		mc_error_field(err, "discountPercentage", "must be between %d and %d", MC_COUPON_PCT_MIN,
			       MC_COUPON_PCT_MAX);
	if (c->valid_to <= c->valid_from)
		mc_error_field(err, "validTo", "must be after validFrom");
	if (c->usage_limit < 0)
		mc_error_field(err, "usageLimit", "must not be negative");
}

/* Copies the given fields onto c. */
static void S_apply(struct coupon *c, const struct coupon_input *in)
{
	if (in->set & CI_PERCENT)
		c->percentage = (int)in->percentage;
	if (in->set & CI_FROM)
		c->valid_from = in->valid_from;
	if (in->set & CI_TO)
		c->valid_to = in->valid_to;
	if (in->set & CI_LIMIT)
		c->usage_limit = in->usage_limit;
	if (in->set & CI_ACTIVE)
		c->active = in->active;
}

mc_rc coupon_create(const struct actor *a, const struct coupon_input *in, struct coupon *out, mc_error *err)
{
	static const struct { unsigned bit; const char *field; } required[] = {
		{ CI_PERCENT, "discountPercentage" }, { CI_FROM, "validFrom" }, { CI_TO, "validTo" },
		{ CI_LIMIT, "usageLimit" },
	};
	struct coupon c = { .active = 1 };
	mc_rc rc;

	if (!(in->set & CI_CODE) || S_normalize(in->code, c.code))
		mc_error_field(err, "code", "must be 3 to 32 letters, digits, '-' or '_'");
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(in->set & required[i].bit))
			mc_error_field(err, required[i].field, "is required");
	if ((in->set & CI_SELLER) && a->role != ROLE_ADMIN)
		mc_error_field(err, "sellerId", "only an admin may choose the seller");
	S_apply(&c, in);
	if (!err->nfields)
		S_validate(&c, err);
	rc = mc_error_fields_result(err);
	if (rc)
		return rc;
	/* A seller's coupon applies to their own products only. */
	c.seller_id = a->role == ROLE_SELLER ? a->user_id : (in->set & CI_SELLER) ? in->seller_id : 0;
	c.created_by = a->user_id;
	c.created_at = c.updated_at = clock_now();
	rc = store_coupon_insert(&c);
	if (rc == MC_ERR_CONFLICT)
		return mc_fail(err, rc, "coupon_code_taken", "a coupon with code %s exists", c.code);
	if (!rc)
		*out = c;
	return rc;
}

mc_rc coupon_update(const struct actor *a, int64_t id, const struct coupon_input *in, struct coupon *out,
		    mc_error *err)
{
	struct coupon c;
	mc_rc rc;

	if (in->set & (CI_CODE | CI_SELLER)) {
		mc_error_field(err, (in->set & CI_CODE) ? "code" : "sellerId", "cannot be changed");
		return mc_error_fields_result(err);
	}
	rc = store_coupon_get(id, &c);
	if (!rc && a->role != ROLE_ADMIN && c.seller_id != a->user_id)
		rc = MC_ERR_NOT_FOUND;
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "coupon_not_found", "no coupon %lld", (long long)id);
	if (rc)
		return rc;
	S_apply(&c, in);
	S_validate(&c, err);
	rc = mc_error_fields_result(err);
	if (rc)
		return rc;
	c.updated_at = clock_now();
	rc = store_coupon_update(&c);
	if (rc == MC_ERR_CONFLICT)
		return mc_fail(err, MC_ERR_UNPROCESSABLE, "usage_limit_below_used",
			       "usageLimit cannot go below the %lld uses already made", (long long)c.used_count);
	if (rc)
		return rc;
	return store_coupon_get(id, out);
}

mc_rc coupon_list(const struct actor *a, int64_t limit, int64_t offset, struct coupon **items, size_t *n,
		  int64_t *total)
{
	return store_coupon_list(a->role == ROLE_ADMIN ? 0 : a->user_id, limit, offset, items, n, total);
}

mc_rc coupon_quote(const char *code, const struct order_line *lines, size_t n, int64_t now,
		   struct coupon_quote *out)
{
	char upper[33];
	mc_rc rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out->original_total += lines[i].line_total;
	if (S_normalize(code, upper)) {
		out->reason = "unknown";
		return MC_OK;
	}
	rc = store_coupon_by_code(upper, &out->coupon);
	if (rc == MC_ERR_NOT_FOUND) {
		out->reason = "unknown";
		return MC_OK;
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (out->coupon.seller_id && lines[i].seller_id != out->coupon.seller_id)
			continue;
		out->eligible_total += lines[i].line_total;
		if (out->neligible < sizeof(out->eligible) / sizeof(out->eligible[0]))
			out->eligible[out->neligible++] = lines[i].product_id;
	}
	if (!out->coupon.active)
		out->reason = "inactive";
	else if (now < out->coupon.valid_from)
		out->reason = "not_yet_valid";
	else if (now >= out->coupon.valid_to)
		out->reason = "expired";
	else if (out->coupon.used_count >= out->coupon.usage_limit)
		out->reason = "used_up";
	else if (!n)
		out->reason = "cart_empty";
	else if (!out->neligible)
		out->reason = "no_eligible_lines";
	out->valid = !out->reason;
	if (out->valid)
		out->discount = pricing_discount(out->eligible_total, out->coupon.percentage);
	return MC_OK;
}

mc_rc coupon_redeem(const char *code, const struct order_line *lines, size_t n, int64_t now,
		    struct coupon_quote *out, mc_error *err)
{
	mc_rc rc = coupon_quote(code, lines, n, now, out);

	if (rc)
		return rc;
	/* The conditional update is the real check: the quote may be stale. */
	if (out->valid && store_coupon_use(out->coupon.id, now) == MC_ERR_CONFLICT)
		out->reason = "used_up";
	else if (out->valid)
		return MC_OK;
	return mc_fail(err, MC_ERR_CONFLICT, "coupon_unavailable", "coupon %.32s cannot be used: %s", code,
		       out->reason);
}

mc_rc coupon_preview(const struct actor *a, const char *code, struct coupon_quote *out, mc_error *err)
{
	struct cart_owner o = { .user_id = a->user_id };
	struct order_line *lines = NULL;
	struct cart_view v;
	mc_rc rc = cart_view(&o, &v, err);

	if (rc)
		return rc;
	if (v.n && !(lines = calloc(v.n, sizeof(*lines)))) {
		cart_view_release(&v);
		return MC_ERR_INTERNAL;
	}
	for (size_t i = 0; i < v.n; i++) {
		lines[i].product_id = v.lines[i].line.product_id;
		lines[i].seller_id = v.lines[i].line.seller_id;
		lines[i].line_total = v.lines[i].line_total;
	}
	rc = coupon_quote(code, lines, v.n, clock_now(), out);
	free(lines);
	cart_view_release(&v);
	return rc;
}
