#include "domain/coupons.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/money.h"
#include "core/ratelimit.h"
#include "domain/cart.h"
#include "domain/pricing.h"
#include "store/users.h"

/* Failed previews per user (DESIGN section 6): guessing codes is slow. */
static struct ratelimit *failed_previews;

mc_rc coupon_init(void)
{
	if (!failed_previews)
		failed_previews = ratelimit_new((double)MC_COUPON_FAILS_MAX / MC_COUPON_FAILS_WINDOW,
						MC_COUPON_FAILS_MAX);
	return failed_previews ? MC_OK : MC_ERR_INTERNAL;
}

void coupon_release(void)
{
	ratelimit_free(failed_previews);
	failed_previews = NULL;
}

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

/* An admin's seller-scoped coupon names a seller that exists (as a
 * product's sellerId must). */
static mc_rc S_check_seller(int64_t seller_id, mc_error *err)
{
	struct user u;
	mc_rc rc = store_user_by_id(seller_id, &u);

	if (rc == MC_ERR_NOT_FOUND || (!rc && u.role != ROLE_SELLER)) {
		mc_error_field(err, "sellerId", "must be a seller account");
		return mc_error_fields_result(err);
	}
	return rc;
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
	if (in->set & CI_SELLER) {
		rc = S_check_seller(in->seller_id, err);
		if (rc)
			return rc;
	}
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

/* Upper-cases what the caller typed, for the answer: a code that exists
 * and one that does not are echoed the same way. */
static void S_echo(const char *in, char out[65])
{
	size_t i;

	for (i = 0; in[i] && i < 64; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[i] = '\0';
}

mc_rc coupon_quote(const char *code, const struct order_line *lines, size_t n, int64_t now,
		   struct coupon_quote *out, mc_error *err)
{
	char upper[33];
	mc_rc rc = MC_OK;

	memset(out, 0, sizeof(*out));
	S_echo(code, out->code);
	for (size_t i = 0; !rc && i < n; i++)
		if (money_add(out->original_total, lines[i].line_total, &out->original_total))
			rc = money_overflow(err);
	if (!rc && !S_normalize(code, upper))
		rc = store_coupon_by_code(upper, &out->coupon);
	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	/* Unknown, inactive and not yet valid look the same to a buyer: nothing
	 * tells a guessed code from a real one (the owner sees the state). */
	if (rc || !out->coupon.active || now < out->coupon.valid_from) {
		memset(&out->coupon, 0, sizeof(out->coupon));
		out->reason = "not_valid";
		return MC_OK;
	}
	if (now >= out->coupon.valid_to)
		out->reason = "expired";
	else if (out->coupon.used_count >= out->coupon.usage_limit)
		out->reason = "used_up";
	if (out->reason)
		return MC_OK;
	out->usable = 1;
	for (size_t i = 0; !rc && i < n; i++) {
		if (out->coupon.seller_id && lines[i].seller_id != out->coupon.seller_id)
			continue;
		if (money_add(out->eligible_total, lines[i].line_total, &out->eligible_total))
			rc = money_overflow(err);
		if (out->neligible < sizeof(out->eligible) / sizeof(out->eligible[0]))
			out->eligible[out->neligible++] = lines[i].product_id;
	}
	if (!rc && !n)
		out->reason = "cart_empty";
	else if (!rc && !out->neligible)
		out->reason = "no_eligible_lines";
	out->valid = !rc && !out->reason;
	if (out->valid)
		rc = pricing_discount(out->eligible_total, out->coupon.percentage, &out->discount, err);
	return rc;
}

mc_rc coupon_redeem(const char *code, const struct order_line *lines, size_t n, int64_t now,
		    struct coupon_quote *out, mc_error *err)
{
	mc_rc rc = coupon_quote(code, lines, n, now, out, err);

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

/* Once a user has failed too many previews, every preview is refused, so
 * the answer to a guess is no longer an oracle. */
static mc_rc S_preview_limited(const struct actor *a, int take, mc_error *err)
{
	struct ratelimit_state st;
	char key[32];

	snprintf(key, sizeof(key), "%lld", (long long)a->user_id);
	if (!(take ? ratelimit_take : ratelimit_check)(failed_previews, key, clock_mono_us(), &st))
		return MC_OK;
	err->retry_after = st.retry_after > 0 ? st.retry_after : 1;
	return mc_fail(err, MC_ERR_RATE_LIMITED, "coupon_preview_limit",
		       "too many coupon codes that did not apply; try again in %ld s", err->retry_after);
}

mc_rc coupon_preview(const struct actor *a, const char *code, struct coupon_quote *out, mc_error *err)
{
	struct cart_owner o = { .user_id = a->user_id };
	struct order_line *lines = NULL;
	struct cart_view v;
	mc_rc rc = S_preview_limited(a, 0, err);

	if (!rc)
		rc = cart_view(&o, &v, err);
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
	rc = coupon_quote(code, lines, v.n, clock_now(), out, err);
	free(lines);
	cart_view_release(&v);
	if (!rc && !out->valid)
		S_preview_limited(a, 1, err); /* counts the failure; this answer still goes out */
	return rc;
}
