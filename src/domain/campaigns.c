#include "domain/campaigns.h"

#include <jansson.h>

#include "core/limits.h"
#include "domain/notify.h"
#include "domain/pricing.h"
#include "store/products.h"
#include "store/schedule.h"
#include "store/store.h"

/* A product as the timed emails show it. */
static json_t *S_product_json(const struct product *p, int64_t now)
{
	return json_pack("{s:I, s:s, s:I, s:I, s:i, s:s, s:I}", "id", (json_int_t)p->id, "name", p->name, "price",
			 (json_int_t)p->price, "salePrice", (json_int_t)pricing_effective(p->price, &p->sale, now),
			 "percentage", p->sale.percentage, "currency", p->currency, "saleEnd", (json_int_t)p->sale.end);
}

/* Announces one sale window in one transaction; another scheduler that
 * announced it first makes this a no-op. */
static mc_rc S_announce(const struct sale_window *w, int64_t now, int *queued)
{
	int64_t ids[MC_SCHED_BATCH], after = 0;
	struct product p;
	json_t *prod = NULL;
	size_t n = MC_SCHED_BATCH;
	int first = 0;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = store_sale_mark(w, now, &first);
	if (!rc && first) {
		rc = store_product_get(w->product_id, &p);
		if (!rc) {
			prod = S_product_json(&p, now);
			product_release(&p);
			rc = prod ? MC_OK : MC_ERR_INTERNAL;
		} else if (rc == MC_ERR_NOT_FOUND) {
			rc = MC_OK; /* withdrawn meanwhile: nothing to announce */
		}
	}
	while (!rc && prod && n == MC_SCHED_BATCH) {
		rc = store_wishlist_users(w->product_id, after, MC_SCHED_BATCH, ids, &n);
		for (size_t i = 0; !rc && i < n; i++) {
			rc = notify_user(ids[i], EMAIL_SALE_START, w->product_id, w->start, "product", prod);
			*queued += !rc;
			after = ids[i];
		}
	}
	json_decref(prod);
	return store_finish(rc);
}

mc_rc campaign_sale_starts(int64_t now, int *queued)
{
	struct sale_window due[MC_SCHED_BATCH];
	size_t n = 0;
	mc_rc rc;

	*queued = 0;
	do {
		rc = store_sale_starts(now - MC_SALE_NOTIFY_WINDOW, now, MC_SCHED_BATCH, due, &n);
		for (size_t i = 0; !rc && i < n; i++)
			rc = S_announce(&due[i], now, queued);
	} while (!rc && n == MC_SCHED_BATCH);
	return rc;
}

/* Digests for a page of due buyers in one transaction. */
static mc_rc S_digest_page(const int64_t *ids, size_t n, json_t *products, int64_t now, int *queued)
{
	mc_rc rc = store_begin(DB_TXN_WRITE);

	for (size_t i = 0; !rc && i < n; i++) {
		int first = 0;

		rc = store_digest_mark(ids[i], now, now - MC_DIGEST_THROTTLE, &first);
		if (!rc && first) {
			rc = notify_user(ids[i], EMAIL_PROMO_DIGEST, ids[i], now, "products", products);
			*queued += !rc;
		}
	}
	return store_finish(rc);
}

mc_rc campaign_promo_digest(int64_t now, int *queued)
{
	struct product_filter f = {
		.min_price = -1, .max_price = -1, .on_sale = 1, .sort = SORT_NEWEST, .limit = MC_DIGEST_PRODUCTS,
	};
	int64_t ids[MC_SCHED_BATCH], after = 0, total = 0;
	struct product *items = NULL;
	json_t *products = json_array();
	size_t nitems = 0, n = MC_SCHED_BATCH;
	mc_rc rc;

	*queued = 0;
	if (!products)
		return MC_ERR_INTERNAL;
	rc = store_product_list(&f, now, &items, &nitems, &total);
	for (size_t i = 0; !rc && i < nitems; i++)
		if (json_array_append_new(products, S_product_json(&items[i], now)))
			rc = MC_ERR_INTERNAL;
	/* Nothing on sale: nothing to tell. */
	while (!rc && nitems && n == MC_SCHED_BATCH) {
		rc = store_digest_due(now - MC_DIGEST_THROTTLE, after, MC_SCHED_BATCH, ids, &n);
		if (!rc && n) {
			rc = S_digest_page(ids, n, products, now, queued);
			after = ids[n - 1];
		}
	}
	product_list_free(items, nitems);
	json_decref(products);
	return rc;
}
