/* Uploaded media. File names are content-addressed, so a URL always means
 * the same bytes and may be cached forever. */
#include "api/api.h"
#include "domain/media.h"

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
