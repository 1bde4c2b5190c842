#include "domain/wishlist.h"

#include <stdlib.h>

#include "core/clock.h"

mc_rc wishlist_add(int64_t user_id, int64_t product_id, struct wishlist_item *out, int *added, mc_error *err)
{
	struct wishlist_item *items = NULL;
	int64_t total = 0;
	size_t n = 0;
	int fresh = 0;
	mc_rc rc = store_wishlist_add(user_id, product_id, clock_now(), &fresh);

	if (!rc)
		rc = store_wishlist_list(user_id, product_id, 1, 0, &items, &n, &total);
	if (rc)
		return rc;
	/* Nothing in the list under that id: the product is unknown or withdrawn. */
	if (!n) {
		wishlist_items_free(items, n);
		return mc_fail(err, MC_ERR_NOT_FOUND, "product_not_found", "no product %lld", (long long)product_id);
	}
	*out = items[0];
	*added = fresh;
	free(items);
	return MC_OK;
}

mc_rc wishlist_remove(int64_t user_id, int64_t product_id, mc_error *err)
{
	mc_rc rc = store_wishlist_remove(user_id, product_id);

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "not_in_wishlist", "product %lld is not in your wishlist", (long long)product_id);
	return rc;
}

mc_rc wishlist_list(int64_t user_id, int64_t limit, int64_t offset, struct wishlist_item **items, size_t *n,
		    int64_t *total)
{
	return store_wishlist_list(user_id, 0, limit, offset, items, n, total);
}
