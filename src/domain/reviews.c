#include "domain/reviews.h"

#include <string.h>

#include "core/clock.h"
#include "store/products.h"

/* Order states in which the buyer has paid for the product (DESIGN section 5:
 * "a paid (or later) order"); cancelled and refunded orders do not count. */
static const int bought[ORDER_STATUS_COUNT] = {
	[ORDER_PAID] = 1, [ORDER_PROCESSING] = 1, [ORDER_SHIPPED] = 1, [ORDER_DELIVERED] = 1,
};

static mc_rc S_live_product(int64_t id, mc_error *err)
{
	struct product p;
	mc_rc rc = store_product_get(id, &p);

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "product_not_found", "no product %lld", (long long)id);
	if (!rc)
		product_release(&p);
	return rc;
}

static int S_bought(const struct review_purchases *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->status[i] > ORDER_NONE && p->status[i] < ORDER_STATUS_COUNT && bought[p->status[i]])
			return 1;
	return 0;
}

mc_rc review_post(const struct actor *a, int64_t product_id, const struct review_input *in, struct review *out,
		  int *created, mc_error *err)
{
	struct review_draft d = { .product_id = product_id, .user_id = a->user_id, .rating = in->rating,
				  .comment = in->comment ? in->comment : "" };
	struct review_purchases purchases;
	int64_t id = 0;
	mc_rc rc = S_live_product(product_id, err);

	if (!rc)
		rc = store_review_purchases(a->user_id, product_id, &purchases);
	if (rc)
		return rc;
	if (!S_bought(&purchases))
		return mc_fail(err, MC_ERR_FORBIDDEN, "not_a_buyer",
			       "only a buyer with a paid order of product %lld may review it", (long long)product_id);
	rc = store_review_upsert(&d, clock_now(), &id, created);
	return rc ? rc : store_review_get(id, out);
}

mc_rc review_list(int64_t product_id, int64_t limit, int64_t offset, struct review **items, size_t *n,
		  int64_t *total, mc_error *err)
{
	mc_rc rc = S_live_product(product_id, err);

	return rc ? rc : store_review_list(product_id, limit, offset, items, n, total);
}

mc_rc review_delete(int64_t product_id, int64_t review_id, mc_error *err)
{
	mc_rc rc = store_review_delete(product_id, review_id);

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "review_not_found", "product %lld has no review %lld", (long long)product_id,
			       (long long)review_id);
	return rc;
}
