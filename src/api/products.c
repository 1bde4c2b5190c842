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
#include "domain/media.h"
#include "domain/pricing.h"
#include "domain/seed.h"

static void S_add_time_or_null(strbuf *sb, const char *key, int64_t t, int present)
{
	char buf[32];

	strbuf_addf(sb, ",\"%s\":", key);
	if (!present) {
		strbuf_adds(sb, "null");
		return;
	}
	clock_format_rfc3339(t, buf, sizeof(buf));
	strbuf_addf(sb, "\"%s\"", buf);
}

void api_product_write(strbuf *sb, const struct product *p, int64_t now)
{
	int has_sale = p->sale.percentage > 0;

	strbuf_addf(sb, "{\"id\":%" PRId64 ",\"name\":", p->id);
	strbuf_add_json_string(sb, p->name);
	strbuf_adds(sb, ",\"description\":");
	strbuf_add_json_string(sb, p->description);
	strbuf_addf(sb, ",\"price\":%" PRId64 ",\"effectivePrice\":%" PRId64 ",\"currency\":\"%s\",\"onSale\":%s",
		    p->price, pricing_effective(p->price, &p->sale, now), p->currency,
		    pricing_on_sale(&p->sale, now) ? "true" : "false");
	S_add_time_or_null(sb, "saleStart", p->sale.start, has_sale);
	S_add_time_or_null(sb, "saleEnd", p->sale.end, has_sale);
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
	strbuf_addf(sb, ",\"stock\":%" PRId64 ",\"inStock\":%s,\"sellerId\":%" PRId64 ",\"sellerName\":", p->stock,
		    p->stock > 0 ? "true" : "false", p->seller_id);
	strbuf_add_json_string(sb, p->seller_name);
	if (p->rating_count > 0) {
		int64_t avg100 = (p->rating_sum * 100 + p->rating_count / 2) / p->rating_count;

		strbuf_addf(sb, ",\"rating\":{\"average\":%" PRId64 ".%02" PRId64 ",\"count\":%" PRId64 "}",
			    avg100 / 100, avg100 % 100, p->rating_count);
	} else {
		strbuf_adds(sb, ",\"rating\":{\"average\":0,\"count\":0}");
	}
	S_add_time_or_null(sb, "createdAt", p->created_at, 1);
	S_add_time_or_null(sb, "updatedAt", p->updated_at, 1);
	strbuf_addch(sb, '}');
}

/* Answers from a cache entry (or 304 when the client has it). Takes the ref. */
static void S_send_entry(struct http_req *req, struct http_res *res, struct cache_entry *e)
{
	const char *inm = http_req_header(req, "If-None-Match");

	http_res_header(res, "ETag", "%s", e->etag);
	http_res_header(res, "Cache-Control", "no-cache");
	res->cacheable = 1;
	if (inm && (strstr(inm, e->etag) || !strcmp(inm, "*"))) {
		catalog_cache_unref(e);
		http_res_empty(res, 304);
		return;
	}
	http_res_bytes(res, 200, "application/json", e->body, e->len);
	res->body_release = catalog_cache_unref;
	res->body_release_cls = e;
}

/* Caches a freshly built body and answers with it. */
static void S_send_built(struct http_req *req, struct http_res *res, const char *key, strbuf *sb,
			 uint64_t generation)
{
	struct cache_entry *e;

	if (sb->failed) {
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	e = catalog_cache_put(key, sb->buf, sb->len, generation);
	if (!e) {
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	S_send_entry(req, res, e);
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
	struct cache_entry *e;
	size_t n = 0;
	int64_t total = 0, now = clock_now();
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
	gen = catalog_cache_refresh(now);
	if (!key.failed && (e = catalog_cache_get(key.buf))) {
		metrics_inc(METRIC_CACHE_HIT);
		S_send_entry(req, res, e);
		goto out;
	}
	metrics_inc(METRIC_CACHE_MISS);
	rc = store_product_list(&f, now, &items, &n, &total);
	if (rc) {
		http_res_problem(res, rc, NULL, "cannot list products");
		goto out;
	}
	strbuf_adds(&sb, "{\"items\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		api_product_write(&sb, &items[i], now);
	}
	strbuf_addf(&sb, "],\"total\":%" PRId64 ",\"limit\":%" PRId64 ",\"offset\":%" PRId64 "}", total, f.limit,
		    f.offset);
	S_send_built(req, res, key.failed ? "" : key.buf, &sb, key.failed ? 0 : gen);
out:
	product_list_free(items, n);
	strbuf_release(&key);
	strbuf_release(&sb);
	mc_error_release(&err);
}

/* --- GET /api/products/:id ------------------------------------------------ */

void api_products_get(struct http_req *req, struct http_res *res)
{
	struct cache_entry *e;
	struct product p;
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
	gen = catalog_cache_refresh(now);
	e = catalog_cache_get(key);
	if (e) {
		metrics_inc(METRIC_CACHE_HIT);
		S_send_entry(req, res, e);
		goto out;
	}
	metrics_inc(METRIC_CACHE_MISS);
	rc = store_product_get(id, &p);
	if (rc) {
		http_res_problem(res, rc, rc == MC_ERR_NOT_FOUND ? "product_not_found" : NULL, "no such product");
		goto out;
	}
	api_product_write(&sb, &p, now);
	product_release(&p);
	S_send_built(req, res, key, &sb, gen);
out:
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
	int got;

	memset(in, 0, sizeof(*in));
	if (!body)
		return MC_ERR_INVALID;
	if (json_get_str(body, "name", 1, MC_PRODUCT_NAME_MAX, 0, &in->name, err) > 0 ||
	    json_get_str(body, "title", 1, MC_PRODUCT_NAME_MAX, 0, &in->name, err) > 0)
		in->set |= PI_NAME;
	if (json_get_str(body, "description", 0, MC_PRODUCT_DESC_MAX, 0, &in->description, err) > 0)
		in->set |= PI_DESCRIPTION;
	if (json_is_real(json_object_get(body, "price")))
		mc_error_field(err, "price", "must be an integer number of minor units (4999 for 49.99)");
	else if (json_get_int(body, "price", 0, MC_PRICE_MAX, 0, &in->price, err) > 0)
		in->set |= PI_PRICE;
	if (json_get_str(body, "currency", 3, 3, 0, &in->currency, err) > 0)
		in->set |= PI_CURRENCY;
	got = json_get_str(body, "imageUrl", 1, MC_URL_MAX, 0, &in->image_url, err);
	if (!got)
		got = json_get_str(body, "image", 1, MC_URL_MAX, 0, &in->image_url, err);
	if (got > 0 || json_is_null(json_object_get(body, "imageUrl")))
		in->set |= PI_IMAGE_URL;
	if (json_get_str(body, "category", 0, MC_CATEGORY_MAX, 0, &in->category, err) > 0)
		in->set |= PI_CATEGORY;
	if (json_get_int(body, "stock", 0, MC_STOCK_MAX, 0, &in->stock, err) > 0 ||
	    json_get_int(body, "quantity", 0, MC_STOCK_MAX, 0, &in->stock, err) > 0)
		in->set |= PI_STOCK;
	if (json_get_int(body, "sellerId", 1, INT64_MAX, 0, &in->seller_id, err) > 0)
		in->set |= PI_SELLER;
	return mc_error_fields_result(err);
}

/* Answers with one product (after a write) and flushes the read cache. */
static void S_answer_product(struct http_res *res, int status, struct product *p)
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
	else
		S_answer_product(res, 201, &p);
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
		S_answer_product(res, 200, &p);
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
	if (!api_id_and_body(req, res, allowed, 0, &id, &body, &err))
		goto out;
	if (json_get_str(body, "saleStart", 1, 40, 1, &start, &err) > 0 && clock_parse_rfc3339(start, &sale.start))
		mc_error_field(&err, "saleStart", "must be an RFC 3339 time such as 2026-11-22T10:00:00Z");
	if (json_get_str(body, "saleEnd", 1, 40, 1, &end, &err) > 0 && clock_parse_rfc3339(end, &sale.end))
		mc_error_field(&err, "saleEnd", "must be an RFC 3339 time such as 2026-11-22T10:00:00Z");
	json_get_int(body, "salePercentage", MC_SALE_PCT_MIN, MC_SALE_PCT_MAX, 1, &pct, &err);
	sale.percentage = (int)pct;
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = catalog_schedule_sale(&a, id, &sale, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		S_answer_product(res, 200, &p);
out:
	mc_error_release(&err);
}

/* --- POST /api/products/:id/image: the raw image bytes are the body -------- */

void api_products_image(struct http_req *req, struct http_res *res)
{
	struct actor a = api_actor(req);
	char url[MEDIA_URL_MAX];
	struct product p;
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	/* Ownership first, so nobody else's bytes reach the disk. */
	if (!rc)
		rc = catalog_get_owned(&a, id, &p, &err);
	if (!rc) {
		product_release(&p);
		rc = media_save_product_image(api_config()->data_dir, id, req->body, req->body_len, url, &err);
	}
	if (!rc)
		rc = catalog_set_image(&a, id, url, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		S_answer_product(res, 200, &p);
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
		http_res_json(res, n.users_created || n.products_created ? 201 : 200,
			      json_pack("{s:i, s:i}", "usersCreated", n.users_created, "productsCreated",
					n.products_created));
	}
	mc_error_release(&err);
}
