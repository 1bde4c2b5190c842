/* Catalog endpoints. Reads go through the response cache (catalog_cache.c);
 * writes go through domain/catalog.c and flush it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/catalog_cache.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/strbuf.h"
#include "domain/catalog.h"
#include "domain/pricing.h"
#include "domain/seed.h"
#include "store/categories.h"

/* Writes p; with ref, notes where its stock text went (for the cache). */
static void S_product_write(strbuf *sb, const struct product *p, int64_t now, struct stock_ref *ref)
{
	char stock_text[CATALOG_STOCK_TEXT_MAX];
	size_t stock_len = catalog_cache_stock_text(p->stock, stock_text);
	int has_sale = p->sale.percentage > 0;

	strbuf_addf(sb, "{\"id\":%" PRId64 ",\"name\":", p->id);
	strbuf_add_json_string(sb, p->name);
	strbuf_adds(sb, ",\"description\":");
	strbuf_add_json_string(sb, p->description);
	strbuf_addf(sb, ",\"price\":%" PRId64 ",\"effectivePrice\":%" PRId64 ",\"currency\":\"%s\",\"onSale\":%s",
		    p->price, pricing_effective(p->price, &p->sale, now), p->currency,
		    pricing_on_sale(&p->sale, now) ? "true" : "false");
	api_member_time(sb, ",\"saleStart\":", has_sale ? &p->sale.start : NULL);
	api_member_time(sb, ",\"saleEnd\":", has_sale ? &p->sale.end : NULL);
	if (has_sale)
		strbuf_addf(sb, ",\"salePercentage\":%d,\"salePrice\":%" PRId64, p->sale.percentage,
			    pricing_sale_price(p->price, p->sale.percentage));
	else
		strbuf_adds(sb, ",\"salePercentage\":null,\"salePrice\":null");
	strbuf_adds(sb, ",\"imageUrl\":");
	if (p->image_url)
		strbuf_add_json_string(sb, p->image_url);
	else
		strbuf_adds(sb, "null");
	strbuf_adds(sb, ",\"category\":");
	strbuf_add_json_string(sb, p->category);
	strbuf_addch(sb, ',');
	if (ref)
		*ref = (struct stock_ref){ .id = p->id, .shown = p->stock, .at = sb->len, .len = stock_len };
	strbuf_add(sb, stock_text, stock_len);
	strbuf_addf(sb, ",\"sellerId\":%" PRId64 ",\"sellerName\":", p->seller_id);
	strbuf_add_json_string(sb, p->seller_name);
	if (p->rating_count > 0) {
		int64_t avg100 = (p->rating_sum * 100 + p->rating_count / 2) / p->rating_count;

		strbuf_addf(sb, ",\"rating\":{\"average\":%" PRId64 ".%02" PRId64 ",\"count\":%" PRId64 "}",
			    avg100 / 100, avg100 % 100, p->rating_count);
	} else {
		strbuf_adds(sb, ",\"rating\":{\"average\":0,\"count\":0}");
	}
	api_member_time(sb, ",\"createdAt\":", &p->created_at);
	api_member_time(sb, ",\"updatedAt\":", &p->updated_at);
	strbuf_addch(sb, '}');
}

void api_product_write(strbuf *sb, const struct product *p, int64_t now)
{
	S_product_write(sb, p, now, NULL);
}

/* Writes p for a cached body: with the node's live stock figure, noting
 * where it went. False when the figure is not tracked (do not cache). */
static bool S_product_write_cached(strbuf *sb, struct product *p, int64_t now, struct stock_ref *ref)
{
	bool tracked = catalog_cache_stock(p->id, &p->stock);

	S_product_write(sb, p, now, ref);
	return tracked;
}

/* Answers from a cache entry (or 304 when the client has it). Takes the ref. */
static void S_send_entry(struct http_req *req, struct http_res *res, struct cache_entry *e)
{
	const char *inm = http_req_header(req, "If-None-Match");
	int fresh = inm && (strstr(inm, e->etag) || !strcmp(inm, "*"));

	http_res_header_text(res, "ETag", e->etag);
	http_res_header_text(res, "Cache-Control", "no-cache");
	res->cacheable = 1;
	/* A 304 keeps the body: libmicrohttpd sends none with it, but (0.9.75)
	 * always writes a Content-Length, which RFC 9110 8.6 allows only when
	 * it is the 200's length, as this makes it. */
	http_res_bytes(res, fresh ? 304 : 200, "application/json", e->body, e->len);
	res->body_release = catalog_cache_unref;
	res->body_release_cls = e;
}

/* Caches a freshly built body and answers with it. */
static void S_send_built(struct http_req *req, struct http_res *res, const char *key, strbuf *sb,
			 const struct stock_ref *stock, size_t nstock, uint64_t generation)
{
	struct cache_entry *e;

	if (sb->failed) {
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	e = catalog_cache_put(key, sb->buf, sb->len, stock, nstock, generation);
	if (!e) {
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	S_send_entry(req, res, e);
}

/* Answers from the cache when key (NULL: uncacheable) is there; otherwise
 * counts the miss and gives the generation a response built now belongs to. */
static bool S_answer_cached(struct http_req *req, struct http_res *res, const char *key, int64_t now,
			    uint64_t *generation)
{
	struct cache_entry *e;

	*generation = catalog_cache_refresh(now);
	if (key && (e = catalog_cache_get(key))) {
		metrics_inc(METRIC_CACHE_HIT);
		S_send_entry(req, res, e);
		return true;
	}
	metrics_inc(METRIC_CACHE_MISS);
	return false;
}

/* --- GET /api/products ---------------------------------------------------- */

mc_rc api_products_filter(struct http_req *req, struct product_filter *f, mc_error *err)
{
	static const struct { const char *name; enum product_sort sort; } sorts[] = {
		{ "newest", SORT_NEWEST }, { "price", SORT_PRICE }, { "-price", SORT_PRICE_DESC },
		{ "rating", SORT_RATING }, { "name", SORT_NAME },
	};
	const char *v;
	int64_t on_sale = 0;

	memset(f, 0, sizeof(*f));
	api_query_page(req, &f->limit, &f->offset, err);
	api_query_int(req, "seller", 1, INT64_MAX, 0, &f->seller_id, err);
	api_query_int(req, "minPrice", 0, MC_PRICE_MAX, -1, &f->min_price, err);
	api_query_int(req, "maxPrice", 0, MC_PRICE_MAX, -1, &f->max_price, err);
	api_query_bool(req, "onSale", &on_sale, err);
	/* Seed 003 calls the sale filter "discount". */
	if (!on_sale)
		api_query_bool(req, "discount", &on_sale, err);
	f->on_sale = (int)on_sale;
	f->q = api_query_str(req, "q", MC_MAX_QUERY_VALUE, err);
	f->category = api_query_str(req, "category", MC_CATEGORY_MAX, err);
	v = http_req_query(req, "sort");
	if (v) {
		size_t i;

		for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (!strcmp(v, sorts[i].name))
				break;
		if (i == sizeof(sorts) / sizeof(sorts[0]))
			mc_error_field(err, "sort", "must be one of price, -price, newest, rating, name");
		else
			f->sort = sorts[i].sort;
	}
	if (f->min_price >= 0 && f->max_price >= 0 && f->min_price > f->max_price)
		mc_error_field(err, "minPrice", "must not exceed maxPrice");
	return mc_error_fields_result(err);
}

static void S_filter_key(const struct product_filter *f, strbuf *key)
{
	strbuf_addf(key, "L|%d|%" PRId64 "|%" PRId64 "|%" PRId64 "|%d|%" PRId64 "|%" PRId64 "|", (int)f->sort,
		    f->seller_id, f->min_price, f->max_price, f->on_sale, f->limit, f->offset);
	/* Length-prefixed text, so no two filters can spell the same key. */
	strbuf_addf(key, "%zu:%s|", f->category ? strlen(f->category) : 0, f->category ? f->category : "");
	if (f->q)
		strbuf_addf(key, "%zu:%s", strlen(f->q), f->q);
	else
		strbuf_addch(key, '-');
}

void api_products_list(struct http_req *req, struct http_res *res)
{
	struct product_filter f;
	struct product *items = NULL;
	struct stock_ref *refs = NULL;
	size_t n = 0;
	int64_t total = 0, now = clock_now();
	bool untracked = false;
	uint64_t gen;
	strbuf key, sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	strbuf_init(&key);
	strbuf_init(&sb);
	rc = api_products_filter(req, &f, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	S_filter_key(&f, &key);
	if (S_answer_cached(req, res, key.failed ? NULL : key.buf, now, &gen))
		goto out;
	rc = store_product_list(&f, now, &items, &n, &total);
	if (rc) {
		http_res_problem(res, rc, NULL, "cannot list products");
		goto out;
	}
	refs = calloc(n ? n : 1, sizeof(*refs));
	if (!refs) {
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	api_page_begin(&sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		untracked |= !S_product_write_cached(&sb, &items[i], now, &refs[i]);
	}
	api_page_end(&sb, total, f.limit, f.offset);
	S_send_built(req, res, key.failed ? "" : key.buf, &sb, refs, n, key.failed || untracked ? 0 : gen);
out:
	free(refs);
	product_list_free(items, n);
	strbuf_release(&key);
	strbuf_release(&sb);
	mc_error_release(&err);
}

/* --- GET /api/products/:id ------------------------------------------------ */

void api_products_get(struct http_req *req, struct http_res *res)
{
	struct stock_ref ref;
	struct product p;
	bool untracked;
	int64_t id, now = clock_now();
	uint64_t gen;
	char key[32];
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	strbuf_init(&sb);
	rc = http_req_param_id(req, 0, &id, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	snprintf(key, sizeof(key), "D|%" PRId64, id);
	if (S_answer_cached(req, res, key, now, &gen))
		goto out;
	rc = store_product_get(id, &p);
	if (rc) {
		http_res_problem(res, rc, rc == MC_ERR_NOT_FOUND ? "product_not_found" : NULL, "no such product");
		goto out;
	}
	untracked = !S_product_write_cached(&sb, &p, now, &ref);
	product_release(&p);
	S_send_built(req, res, key, &sb, &ref, 1, untracked ? 0 : gen);
out:
	strbuf_release(&sb);
	mc_error_release(&err);
}

/* --- GET /api/categories: cached with the catalog, flushed with it -------- */

void api_categories_list(struct http_req *req, struct http_res *res)
{
	struct category *items = NULL;
	int64_t limit, offset, total = 0;
	size_t n = 0;
	uint64_t gen;
	char key[48];
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	strbuf_init(&sb);
	api_query_page(req, &limit, &offset, &err);
	rc = mc_error_fields_result(&err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	snprintf(key, sizeof(key), "C|%" PRId64 "|%" PRId64, limit, offset);
	if (S_answer_cached(req, res, key, clock_now(), &gen))
		goto out;
	rc = store_category_list(limit, offset, &items, &n, &total);
	if (rc) {
		http_res_problem(res, rc, NULL, "cannot list categories");
		goto out;
	}
	api_page_begin(&sb);
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&sb, i ? ",{\"name\":" : "{\"name\":");
		strbuf_add_json_string(&sb, items[i].name);
		strbuf_addf(&sb, ",\"productCount\":%" PRId64 "}", items[i].product_count);
	}
	api_page_end(&sb, total, limit, offset);
	S_send_built(req, res, key, &sb, NULL, 0, gen);
out:
	category_list_free(items, n);
	strbuf_release(&sb);
	mc_error_release(&err);
}

/* --- writes ---------------------------------------------------------------- */

/* Reads a product body: the seeds' aliases `title` (name) and `quantity` (stock). */
static mc_rc S_parse_input(struct http_req *req, struct http_res *res, struct product_input *in, mc_error *err)
{
	static const char *const allowed[] = { "name", "title", "description", "price", "currency", "imageUrl",
					       "image", "category", "stock", "quantity", "sellerId", NULL };
	json_t *body = api_body(req, res, allowed, err);

	memset(in, 0, sizeof(*in));
	if (!body)
		return MC_ERR_INVALID;
	if (mc_json_str(body, "name", 1, MC_PRODUCT_NAME_MAX, false, &in->name, err) ||
	    mc_json_str(body, "title", 1, MC_PRODUCT_NAME_MAX, false, &in->name, err))
		in->set |= PI_NAME;
	if (mc_json_str(body, "description", 0, MC_PRODUCT_DESC_MAX, false, &in->description, err))
		in->set |= PI_DESCRIPTION;
	if (json_is_real(json_object_get(body, "price")))
		mc_error_field(err, "price", "must be an integer number of minor units (4999 for 49.99)");
	else if (mc_json_int(body, "price", 0, MC_PRICE_MAX, false, &in->price, err))
		in->set |= PI_PRICE;
	if (mc_json_str(body, "currency", 3, 3, false, &in->currency, err))
		in->set |= PI_CURRENCY;
	if (mc_json_str(body, mc_json_has(body, "imageUrl") ? "imageUrl" : "image", 1, MC_URL_MAX, false,
			&in->image_url, err) ||
	    json_is_null(json_object_get(body, "imageUrl")))
		in->set |= PI_IMAGE_URL;
	if (mc_json_str(body, "category", 0, MC_CATEGORY_MAX, false, &in->category, err))
		in->set |= PI_CATEGORY;
	if (mc_json_int(body, "stock", 0, MC_STOCK_MAX, false, &in->stock, err) ||
	    mc_json_int(body, "quantity", 0, MC_STOCK_MAX, false, &in->stock, err))
		in->set |= PI_STOCK;
	if (mc_json_int(body, "sellerId", 1, INT64_MAX, false, &in->seller_id, err))
		in->set |= PI_SELLER;
	return mc_error_fields_result(err);
}

void api_product_answer(struct http_res *res, int status, struct product *p)
{
	strbuf sb;

	catalog_cache_invalidate();
	strbuf_init(&sb);
	api_product_write(&sb, p, clock_now());
	product_release(p);
	api_res_strbuf(res, status, &sb);
}

void api_products_create(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	struct product_input in;
	struct product p;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = S_parse_input(req, res, &in, &err);
	if (rc == MC_ERR_INVALID && res->status)
		goto out;
	if (!rc)
		rc = catalog_create(&a, &in, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else {
		http_res_header(res, "Location", "/api/products/%lld", (long long)p.id);
		api_product_answer(res, 201, &p);
	}
out:
	mc_error_release(&err);
}

static void S_update(struct http_req *req, struct http_res *res, int replace)
{
	struct actor a = api_actor(req);
	struct product_input in;
	struct product p;
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc) {
		rc = S_parse_input(req, res, &in, &err);
		if (rc == MC_ERR_INVALID && res->status)
			goto out;
	}
	if (!rc)
		rc = catalog_update(&a, id, &in, replace, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		api_product_answer(res, 200, &p);
out:
	mc_error_release(&err);
}

void api_products_put(struct http_req *req, struct http_res *res)
{
	S_update(req, res, 1);
}

void api_products_patch(struct http_req *req, struct http_res *res)
{
	S_update(req, res, 0);
}

void api_products_delete(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc)
		rc = catalog_delete(&a, id, &err);
	if (rc) {
		http_res_error(res, rc, &err);
	} else {
		catalog_cache_invalidate();
		http_res_empty(res, 204);
	}
	mc_error_release(&err);
}

void api_products_sale(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "saleStart", "saleEnd", "salePercentage", NULL };
	struct actor a = api_actor(req);
	struct sale sale = { 0 };
	const char *start = NULL, *end = NULL;
	int64_t id, pct = 0;
	struct product p;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (api_id_and_body(req, res, allowed, false, &id, &body, &err))
		goto out;
	if (mc_json_str(body, "saleStart", 1, 40, true, &start, &err) && clock_parse_rfc3339(start, &sale.start))
		mc_error_field(&err, "saleStart", "must be an RFC 3339 time such as 2026-11-22T10:00:00Z");
	if (mc_json_str(body, "saleEnd", 1, 40, true, &end, &err) && clock_parse_rfc3339(end, &sale.end))
		mc_error_field(&err, "saleEnd", "must be an RFC 3339 time such as 2026-11-22T10:00:00Z");
	mc_json_int(body, "salePercentage", MC_SALE_PCT_MIN, MC_SALE_PCT_MAX, true, &pct, &err);
	sale.percentage = (int)pct;
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = catalog_schedule_sale(&a, id, &sale, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		api_product_answer(res, 200, &p);
out:
	mc_error_release(&err);
}

/* --- POST /api/products/seed: demo data, development only ----------------- */

void api_products_seed(struct http_req *req, struct http_res *res)
{
	struct seed_counts n;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	/* In production the route does not exist, and says so like any other. */
	if (api_config()->production)
		rc = mc_fail(&err, MC_ERR_NOT_FOUND, "no_route", "no route for %s %s", req->method_name, req->path);
	else
		rc = seed_demo(clock_now(), &n, &err);
	if (rc) {
		http_res_error(res, rc, &err);
	} else {
		if (n.products_created)
			catalog_cache_invalidate();
		if (n.users_created || n.products_created)
			http_res_header(res, "Location", "/api/products");
		http_res_json(res, n.users_created || n.products_created ? 201 : 200,
			      json_pack("{s:i, s:i}", "usersCreated", n.users_created, "productsCreated",
					n.products_created));
	}
	mc_error_release(&err);
}
