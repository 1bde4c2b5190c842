/* Product reviews, and the rating totals on products they move. */
#ifndef MC_STORE_REVIEWS_H
#define MC_STORE_REVIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "core/states.h"

struct review {
	int64_t id;
	int64_t product_id;
	int64_t user_id;
	int64_t rating;
	int64_t created_at;
	int64_t updated_at;
	char *comment;                          /* heap, freed by review_release */
	char reviewer_name[MC_NAME_MAX * 4 + 1]; /* the author's display name (reads only) */
};

void review_release(struct review *r);
void review_list_free(struct review *items, size_t n);

/* The distinct statuses of user_id's orders that contain product_id. */
struct review_purchases {
	size_t n;
	order_status status[ORDER_STATUS_COUNT];
};
mc_rc store_review_purchases(int64_t user_id, int64_t product_id, struct review_purchases *out);

/* What a post writes. */
struct review_draft {
	int64_t product_id;
	int64_t user_id;
	int64_t rating;
	const char *comment;
};
/* Creates d->user_id's review of d->product_id, or replaces its rating and
 * comment, and moves the product's rating totals by the difference, all in
 * one transaction that also bumps the catalog version. */
mc_rc store_review_upsert(const struct review_draft *d, int64_t now, int64_t *id, int *created);
/* Deletes the review (MC_ERR_NOT_FOUND unless it is product_id's) and takes
 * its rating out of the product's totals, in one transaction. */
mc_rc store_review_delete(int64_t product_id, int64_t review_id);

mc_rc store_review_get(int64_t id, struct review *out);
/* A product's reviews, newest first, with their authors' names. */
mc_rc store_review_list(int64_t product_id, int64_t limit, int64_t offset, struct review **items, size_t *n,
			int64_t *total);

#endif
