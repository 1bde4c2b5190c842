/* Coupons: percentage off a whole order (admin, store-wide) or off one
 * seller's lines (that seller's coupon). Usage never passes the limit. */
#ifndef MC_COUPONS_H
#define MC_COUPONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/role.h"
#include "store/coupons.h"
#include "store/orders.h"

enum {
	CI_CODE = 1 << 0,
	CI_PERCENT = 1 << 1,
	CI_FROM = 1 << 2,
	CI_TO = 1 << 3,
	CI_LIMIT = 1 << 4,
	CI_ACTIVE = 1 << 5,
	CI_SELLER = 1 << 6,
};

struct coupon_input {
	unsigned set;          /* CI_* bits */
	const char *code;
	int64_t percentage;
	int64_t valid_from;
	int64_t valid_to;
	int64_t usage_limit;
	int active;
	int64_t seller_id;     /* admins only: a seller-scoped coupon */
};

/* The failed-preview limiter, once per process. */
mc_rc coupon_init(void);
void coupon_release(void);

mc_rc coupon_create(const struct actor *a, const struct coupon_input *in, struct coupon *out, mc_error *err);
mc_rc coupon_update(const struct actor *a, int64_t id, const struct coupon_input *in, struct coupon *out,
		    mc_error *err);
/* A seller's own coupons, or all for an admin. */
mc_rc coupon_list(const struct actor *a, int64_t limit, int64_t offset, struct coupon **items, size_t *n,
		  int64_t *total);

struct coupon_quote {
	int valid;
	int usable;             /* the coupon exists and could apply now: its percentage may be shown */
	const char *reason;     /* why not, when !valid */
	char code[65];          /* what was asked, upper-cased */
	struct coupon coupon;   /* id 0 when the code is unknown, inactive or not yet valid */
	int64_t original_total;
	int64_t eligible_total;
	int64_t discount;
	int64_t eligible[64];   /* product ids the coupon applies to */
	size_t neligible;
};

/* What `code` would do to these lines at `now` (no use is counted). An
 * unknown, inactive or not yet valid code is reason "not_valid", whichever it
 * is (DESIGN section 6). */
mc_rc coupon_quote(const char *code, const struct order_line *lines, size_t n, int64_t now,
		   struct coupon_quote *out, mc_error *err);
/* Inside the checkout transaction: counts one use or fails with 409
 * coupon_unavailable (never a silent full-price order). */
mc_rc coupon_redeem(const char *code, const struct order_line *lines, size_t n, int64_t now,
		    struct coupon_quote *out, mc_error *err);
/* Preview of `code` on the actor's current cart. A preview that does not
 * apply counts against MC_COUPON_FAILS_MAX per user; past it every preview
 * is 429 coupon_preview_limit. */
mc_rc coupon_preview(const struct actor *a, const char *code, struct coupon_quote *out, mc_error *err);

#endif
