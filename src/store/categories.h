/* Categories: the distinct category names of live products, with counts. */
#ifndef MC_STORE_CATEGORIES_H
#define MC_STORE_CATEGORIES_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

struct category {
	char *name;            /* as one of its products spells it */
	int64_t product_count; /* live products */
};

void category_list_free(struct category *items, size_t n);

/* Categories named alike but for case are one (the product filter compares
 * them that way), in name order; products with no category are left out.
 * *items is malloc'd. */
mc_rc store_category_list(int64_t limit, int64_t offset, struct category **items, size_t *n, int64_t *total);

#endif
