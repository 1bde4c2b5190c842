/* Review endpoints. Review writes change a product's rating, so they flush
 * the catalog cache (the store has bumped the catalog version for the other
 * nodes). Bodies are written with strbuf, whose strings escape <, > and &. */
#include <inttypes.h>

#include "api/api.h"
#include "api/catalog_cache.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "domain/reviews.h"

/* The reviewer is shown by display name only, never by email. */
static void S_review_write(strbuf *sb, const struct review *r)
{
	char created[32], updated[32];

	clock_format_rfc3339(r->created_at, created, sizeof(created));
	clock_format_rfc3339(r->updated_at, updated, sizeof(updated));
	strbuf_addf(sb, "{\"id\":%" PRId64 ",\"productId\":%" PRId64 ",\"rating\":%" PRId64 ",\"comment\":", r->id,
		    r->product_id, r->rating);
	strbuf_add_json_string(sb, r->comment);
	strbuf_addf(sb, ",\"reviewer\":{\"id\":%" PRId64 ",\"name\":", r->user_id);
	strbuf_add_json_string(sb, r->reviewer_name);
	strbuf_addf(sb, "},\"createdAt\":\"%s\",\"updatedAt\":\"%s\"}", created, updated);
}

/* POST /api/products/:id/review and /reviews {rating, comment}: 201 when
 * created, 200 when it replaced the caller's earlier review. */
void api_reviews_post(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "rating", "comment", NULL };
	struct actor a = api_actor(req);
	struct review_input in = { 0 };
	struct review r;
	int64_t pid;
	int created = 0;
	json_t *body;
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (api_id_and_body(req, res, allowed, false, &pid, &body, &err))
		goto out;
	mc_json_int(body, "rating", REVIEW_RATING_MIN, REVIEW_RATING_MAX, true, &in.rating, &err);
	mc_json_str(body, "comment", 0, MC_REVIEW_COMMENT_MAX, false, &in.comment, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = review_post(&a, pid, &in, &r, &created, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	catalog_cache_invalidate();
	if (created)
		http_res_header(res, "Location", "/api/products/%lld/reviews/%lld", (long long)pid, (long long)r.id);
	strbuf_init(&sb);
	S_review_write(&sb, &r);
	review_release(&r);
	api_res_strbuf(res, created ? 201 : 200, &sb);
out:
	mc_error_release(&err);
}

/* GET /api/products/:id/reviews: public, newest first. */
void api_reviews_list(struct http_req *req, struct http_res *res)
{
	struct review *items = NULL;
	int64_t pid, limit = 0, offset = 0, total = 0;
	size_t n = 0;
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &pid, &err);
	if (!rc) {
		api_query_page(req, &limit, &offset, &err);
		rc = mc_error_fields_result(&err);
	}
	if (!rc)
		rc = review_list(pid, limit, offset, &items, &n, &total, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	strbuf_init(&sb);
	api_page_begin(&sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		S_review_write(&sb, &items[i]);
	}
	api_page_end(&sb, total, limit, offset);
	api_res_strbuf(res, 200, &sb);
out:
	review_list_free(items, n);
	mc_error_release(&err);
}

/* DELETE /api/products/:id/reviews/:reviewId (admin) */
void api_reviews_delete(struct http_req *req, struct http_res *res)
{
	int64_t pid = 0, rid = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &pid, &err);
	if (!rc)
		rc = http_req_param_id(req, 1, &rid, &err);
	if (!rc)
		rc = review_delete(pid, rid, &err);
	if (rc) {
		http_res_error(res, rc, &err);
	} else {
		catalog_cache_invalidate();
		http_res_empty(res, 204);
	}
	mc_error_release(&err);
}
