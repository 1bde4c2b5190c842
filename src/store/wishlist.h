/* Wishlists: a user's saved products, read joined with today's product data. */
#ifndef MC_STORE_WISHLIST_H
#define MC_STORE_WISHLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "store/products.h"

struct wishlist_item {
	int64_t added_at;
	struct product product;    /* as it is now */
};

void wishlist_items_free(struct wishlist_item *items, size_t n);

/* Adds product_id to the user's list if it is a live product; *added is 0
 * when nothing was added (already there, or no such product). */
mc_rc store_wishlist_add(int64_t user_id, int64_t product_id, int64_t now, int *added);
/* MC_ERR_NOT_FOUND when it was not in the list. */
mc_rc store_wishlist_remove(int64_t user_id, int64_t product_id);
/* The user's live products, newest first, in one query; product_id != 0
 * narrows the page to that one entry. *items is malloc'd. */
mc_rc store_wishlist_list(int64_t user_id, int64_t product_id, int64_t limit, int64_t offset,
			  struct wishlist_item **items, size_t *n, int64_t *total);

#endif
