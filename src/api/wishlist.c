/* Wishlist endpoints. The list is always the caller's own: the user id comes
 * from the token, never from the request. Bodies are written with strbuf so
 * every product has the one shape api_product_write() gives it. */
#include <inttypes.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "domain/wishlist.h"

static void S_entry_write(strbuf *sb, const struct wishlist_item *it, int64_t now)
{
	char added[32];

	clock_format_rfc3339(it->added_at, added, sizeof(added));
	strbuf_addf(sb, "{\"productId\":%" PRId64 ",\"addedAt\":\"%s\",\"product\":", it->product.id, added);
	api_product_write(sb, &it->product, now);
	strbuf_addch(sb, '}');
}

/* POST /api/wishlist {productId}: 201 with the entry, 200 when it was there. */
void api_wishlist_add(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "productId", NULL };
	struct wishlist_item it;
	int64_t pid = 0;
	int added = 0;
	json_t *body;
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	mc_json_int(body, "productId", 1, INT64_MAX, true, &pid, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = wishlist_add(req->auth.user_id, pid, &it, &added, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	if (added)
		http_res_header(res, "Location", "/api/wishlist/%lld", (long long)pid);
	strbuf_init(&sb);
	S_entry_write(&sb, &it, clock_now());
	product_release(&it.product);
	api_res_strbuf(res, added ? 201 : 200, &sb);
out:
	mc_error_release(&err);
}

void api_wishlist_list(struct http_req *req, struct http_res *res)
{
	struct wishlist_item *items = NULL;
	int64_t limit, offset, total = 0, now = clock_now();
	size_t n = 0;
	strbuf sb;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	api_query_page(req, &limit, &offset, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = wishlist_list(req->auth.user_id, limit, offset, &items, &n, &total);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	strbuf_init(&sb);
	api_page_begin(&sb);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		S_entry_write(&sb, &items[i], now);
	}
	api_page_end(&sb, total, limit, offset);
	api_res_strbuf(res, 200, &sb);
out:
	wishlist_items_free(items, n);
	mc_error_release(&err);
}

/* DELETE /api/wishlist/:productId */
void api_wishlist_remove(struct http_req *req, struct http_res *res)
{
	int64_t pid = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &pid, &err);
	if (!rc)
		rc = wishlist_remove(req->auth.user_id, pid, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_empty(res, 204);
	mc_error_release(&err);
}
