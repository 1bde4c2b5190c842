/* Cart rules: quantities 1..MC_CART_QTY_MAX and never above stock, price
 * snapshots that report changes, and the guest-to-user merge at login. */
#ifndef MC_CART_H
#define MC_CART_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "store/carts.h"

struct cart_view_line {
	struct cart_line line;
	int64_t unit_price;       /* today's effective price */
	int64_t line_total;
	int price_changed;        /* since it was added or last shown */
	int64_t previous_price;   /* the snapshot, when changed */
};

struct cart_view {
	int64_t id;               /* 0: no cart yet */
	struct cart_view_line *lines;
	size_t n;
	int64_t total;
	int64_t item_count;
	char currency[4];
};

void cart_view_release(struct cart_view *v);

/* Reads the cart at `now`; lines whose price moved are flagged once and
 * their snapshot refreshed. */
mc_rc cart_view(const struct cart_owner *o, struct cart_view *out, mc_error *err);
/* Adds qty to the line (creating the cart); *out is the cart afterwards. */
mc_rc cart_add(const struct cart_owner *o, int64_t product_id, int64_t qty, struct cart_view *out, mc_error *err);
/* Sets the line's quantity; 0 removes it. *out is the cart afterwards. */
mc_rc cart_set(const struct cart_owner *o, int64_t product_id, int64_t qty, struct cart_view *out, mc_error *err);
mc_rc cart_remove(const struct cart_owner *o, int64_t product_id, mc_error *err);
mc_rc cart_clear(const struct cart_owner *o, mc_error *err);

struct cart_item_req {
	int64_t product_id;
	int64_t quantity;
};
/* Replaces the whole cart in one transaction; *out is the cart afterwards. */
mc_rc cart_replace(const struct cart_owner *o, const struct cart_item_req *items, size_t n, struct cart_view *out,
		   mc_error *err);

struct cart_merged {
	int64_t product_id;
	int64_t quantity;         /* the line's quantity after the merge */
	int capped;               /* less than the sum: stock or the quantity limit */
};
/* Moves a guest cart into the user's cart in one transaction: quantities
 * add, capped at stock; the guest cart is deleted. *n = 0 without a guest cart. */
mc_rc cart_merge(int64_t user_id, const char *session_hash, struct cart_merged **out, size_t *n, mc_error *err);

#endif
