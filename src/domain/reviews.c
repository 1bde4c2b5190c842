#include "domain/reviews.h"

#include <string.h>

#include "core/clock.h"
#include "store/products.h"

/* A live product; *seller_id (may be NULL) gets its seller. */
static mc_rc S_live_product(int64_t id, int64_t *seller_id, mc_error *err)
{
	struct product p;
	mc_rc rc = store_product_get(id, &p);

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "product_not_found", "no product %lld", (long long)id);
	if (!rc && seller_id)
		*seller_id = p.seller_id;
	if (!rc)
		product_release(&p);
	return rc;
}

/* A comment is text: newlines, but no other C0 control, DEL or C1 control
 * (U+0080..U+009F, UTF-8 C2 80..C2 9F), which could rewrite a terminal or
 * hide text. jansson has already checked it is valid UTF-8. */
static int S_comment_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return 0;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

mc_rc review_post(const struct actor *a, int64_t product_id, const struct review_input *in, struct review *out,
		  int *created, mc_error *err)
{
	struct review_draft d = { .product_id = product_id, .user_id = a->user_id, .rating = in->rating,
				  .comment = in->comment ? in->comment : "" };
	int64_t id = 0, seller_id = 0;
	mc_rc rc;

	if (in->comment && !S_comment_ok(in->comment)) {
		mc_error_field(err, "comment", "must not contain control characters other than newlines");
		return mc_error_fields_result(err);
	}
	rc = S_live_product(product_id, &seller_id, err);
	if (rc)
		return rc;
	/* No one rates their own shop (DESIGN section 6); for an admin the
	 * whole marketplace is theirs. */
	if (a->role == ROLE_ADMIN || seller_id == a->user_id)
		return mc_fail(err, MC_ERR_FORBIDDEN, "own_shop", "sellers and admins do not review their own shop");
	rc = store_review_upsert(&d, clock_now(), &id, created);
	if (rc == MC_ERR_FORBIDDEN)
		return mc_fail(err, rc, "not_a_buyer", "only a buyer with a paid order of product %lld may review it",
			       (long long)product_id);
	return rc ? rc : store_review_get(id, out);
}

mc_rc review_list(int64_t product_id, int64_t limit, int64_t offset, struct review **items, size_t *n,
		  int64_t *total, mc_error *err)
{
	mc_rc rc = S_live_product(product_id, NULL, err);

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
