/* Wishlist rules: each user has one list of live products, seen and changed
 * only by that user (the callers pass the token's user id). */
#ifndef MC_WISHLIST_H
#define MC_WISHLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "store/wishlist.h"

/* Adds a live product (idempotent: *added is 0 when it was already there)
 * and reads back its entry; 404 product_not_found otherwise. */
mc_rc wishlist_add(int64_t user_id, int64_t product_id, struct wishlist_item *out, int *added, mc_error *err);
/* 404 not_in_wishlist when it is not in this user's list. */
mc_rc wishlist_remove(int64_t user_id, int64_t product_id, mc_error *err);
/* Newest first, with each product as it is now. */
mc_rc wishlist_list(int64_t user_id, int64_t limit, int64_t offset, struct wishlist_item **items, size_t *n,
		    int64_t *total);

#endif
