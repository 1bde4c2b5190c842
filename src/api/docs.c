/* GET /api/openapi.json: the API description, docs/openapi.json embedded at
 * build time (scripts/embed_file.sh -> build/gen/openapi.c). */
#include "api/api.h"

extern const char mc_openapi_json[];
extern const size_t mc_openapi_json_len;

void api_docs_openapi(struct http_req *req, struct http_res *res)
{
	http_res_static(res, 200, "application/json", mc_openapi_json, mc_openapi_json_len);
	http_res_header(res, "Cache-Control", "public, max-age=300");
	res->cacheable = 1;
}
