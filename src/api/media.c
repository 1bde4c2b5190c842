/* Product images: uploads (the bytes as the body, or a direct upload to
 * the bucket attached by its key) and the disk store's public files. File
 * names are content-addressed, so a URL always means the same bytes and may
 * be cached forever. */
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/catalog.h"
#include "domain/media.h"

/* A JSON body names an upload to attach; anything else is the image. */
static int S_is_json(struct http_req *req)
{
	const char *ct = http_req_header(req, "Content-Type");

	return ct && !strncasecmp(ct, "application/json", 16);
}

/* POST /api/products/:id/image: the image bytes, or {key} of a direct upload. */
void api_products_image(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "key", NULL };
	struct blob_store b = config_blob_store(api_config());
	struct actor a = api_actor(req);
	const char *key = NULL;
	struct media_owner owner = { .quota = api_config()->media_quota_mb * 1024 * 1024 };
	struct product p;
	int64_t id;
	json_t *body = NULL;
	strbuf url;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	strbuf_init(&url);
	rc = http_req_param_id(req, 0, &id, &err);
	/* Ownership first, so nobody else's bytes reach the store. */
	if (!rc)
		rc = catalog_get_owned(&a, id, &p, &err);
	/* The bytes count against the product's seller. */
	if (!rc) {
		owner.seller_id = p.seller_id;
		product_release(&p);
	}
	if (!rc && S_is_json(req)) {
		if (!(body = api_body(req, res, allowed, &err)))
			goto out;
		mc_json_str(body, "key", 1, MEDIA_KEY_MAX - 1, true, &key, &err);
		rc = mc_error_fields_result(&err);
		if (!rc)
			rc = media_upload_attach(&b, id, &owner, key, &url, &err);
	} else if (!rc) {
		rc = media_save_product_image(&b, id, &owner, req->body, req->body_len, &url, &err);
	}
	if (!rc)
		rc = catalog_set_image(&a, id, url.buf, &p, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		api_product_answer(res, 200, &p);
out:
	strbuf_release(&url);
	mc_error_release(&err);
}

/* POST /api/products/:id/image-upload {contentType}: a presigned PUT URL. */
void api_products_image_upload(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "contentType", NULL };
	struct blob_store b = config_blob_store(api_config());
	struct actor a = api_actor(req);
	struct media_upload up;
	const char *type = NULL;
	struct product p;
	int64_t id;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	if (api_id_and_body(req, res, allowed, false, &id, &body, &err))
		goto out;
	mc_json_str(body, "contentType", 1, 64, true, &type, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = catalog_get_owned(&a, id, &p, &err);
	if (!rc) {
		product_release(&p);
		rc = media_upload_start(&b, id, type, clock_now(), &up, &err);
	}
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	http_res_json(res, 201, json_pack("{s:s, s:s, s:s, s:{s:s}, s:o, s:i}", "uploadUrl", up.url.buf, "method",
					  "PUT", "key", up.key, "headers", "Content-Type", up.type, "expiresAt",
					  api_time_json(up.expires_at), "maxBytes", MC_MAX_IMAGE_BODY));
	strbuf_release(&up.url);
out:
	mc_error_release(&err);
}

void api_media_product(struct http_req *req, struct http_res *res)
{
	const char *type = NULL;
	char *data = NULL;
	size_t len = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = media_read_product_image(api_config()->data_dir, req->params[0], &data, &len, &type, &err);
	if (rc) {
		http_res_error(res, rc, &err);
	} else {
		http_res_bytes(res, 200, type, data, len);
		http_res_header(res, "Cache-Control", "public, max-age=31536000, immutable");
		res->cacheable = 1;
	}
	mc_error_release(&err);
}
