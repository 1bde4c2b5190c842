/* Coupons and their usage counter. */
#ifndef MC_STORE_COUPONS_H
#define MC_STORE_COUPONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

struct coupon {
	int64_t id;
	char code[33];
	int percentage;
	int64_t valid_from;
	int64_t valid_to;
	int64_t usage_limit;
	int64_t used_count;
	int64_t seller_id;        /* 0: store-wide */
	int active;
	int64_t created_by;
	int64_t created_at;
	int64_t updated_at;
};

/* MC_ERR_CONFLICT when the code exists. */
mc_rc store_coupon_insert(struct coupon *c);
mc_rc store_coupon_get(int64_t id, struct coupon *out);
mc_rc store_coupon_by_code(const char *upper_code, struct coupon *out);
/* Seller's coupons (seller_id != 0) or all, newest first. */
mc_rc store_coupon_list(int64_t seller_id, int64_t limit, int64_t offset, struct coupon **items, size_t *n,
			int64_t *total);
/* Saves the editable fields; MC_ERR_CONFLICT if usage_limit < used_count. */
mc_rc store_coupon_update(const struct coupon *c);
/* Counts one use if the coupon is active, valid at `now` and not used up.
 * MC_ERR_CONFLICT otherwise. Never lets used_count pass usage_limit. */
mc_rc store_coupon_use(int64_t id, int64_t now);
/* Gives one use back (a cancelled or expired order). */
mc_rc store_coupon_release(int64_t id);

#endif
