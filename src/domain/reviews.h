/* Review rules: only a buyer of the product reviews it, once (a second post
 * replaces the first), and the product's rating follows every change. */
#ifndef MC_REVIEWS_H
#define MC_REVIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/role.h"
#include "store/reviews.h"

/* The star scale (the migration's CHECK says the same). */
#define REVIEW_RATING_MIN 1
#define REVIEW_RATING_MAX 5

struct review_input {
	int64_t rating;            /* REVIEW_RATING_MIN..MAX */
	const char *comment;       /* NULL: none */
};

/* Creates or replaces the actor's review of a live product they bought
 * (an order of theirs with it is paid or further along): 404 unknown
 * product, 403 not_a_buyer, 403 own_shop for the product's seller and for
 * admins. *created tells which. */
mc_rc review_post(const struct actor *a, int64_t product_id, const struct review_input *in, struct review *out,
		  int *created, mc_error *err);
/* A live product's reviews that count (their author's purchase stands),
 * newest first; 404 unknown product. */
mc_rc review_list(int64_t product_id, int64_t limit, int64_t offset, struct review **items, size_t *n,
		  int64_t *total, mc_error *err);
/* Removes a review (moderation; the route is admin-only). */
mc_rc review_delete(int64_t product_id, int64_t review_id, mc_error *err);

#endif
