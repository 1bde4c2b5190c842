/* The API description and its reference page:
 *   GET /api/openapi.json  docs/openapi.json, embedded at build time
 *                          (scripts/embed_file.sh -> build/gen/openapi.c)
 *   GET /docs              docs/renderer/, a small renderer of that document,
 *   GET /docs/:asset       embedded the same way (build/gen/docs_page.c) */
#include <string.h>

#include "api/api.h"

extern const char mc_openapi_json[];
extern const size_t mc_openapi_json_len;
extern const char mc_docs_html[], mc_docs_js[], mc_docs_css[];
extern const size_t mc_docs_html_len, mc_docs_js_len, mc_docs_css_len;
extern const char mc_docs_tag[];   /* hash of the assets, in their names */

/* The page runs only its own script and style and reads only this origin. */
static const char S_docs_csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
				 "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void api_docs_openapi(struct http_req *req, struct http_res *res)
{
	http_res_static(res, 200, "application/json", mc_openapi_json, mc_openapi_json_len);
	http_res_header(res, "Cache-Control", "public, max-age=300");
	res->cacheable = 1;
}

void api_docs_page(struct http_req *req, struct http_res *res)
{
	http_res_static(res, 200, "text/html; charset=utf-8", mc_docs_html, mc_docs_html_len);
	http_res_header(res, "Cache-Control", "public, max-age=300");
	http_res_header_text(res, "Content-Security-Policy", S_docs_csp);
	res->cacheable = 1;
}

/* True when `name` is "docs-<tag>.<ext>". */
static int S_is_asset(const char *name, const char *ext)
{
	size_t tag_len = strlen(mc_docs_tag);

	return !strncmp(name, "docs-", 5) && !strncmp(name + 5, mc_docs_tag, tag_len) && name[5 + tag_len] == '.' &&
	       !strcmp(name + 6 + tag_len, ext);
}

void api_docs_asset(struct http_req *req, struct http_res *res)
{
	const char *name = req->params[0];

	if (S_is_asset(name, "js")) {
		http_res_static(res, 200, "text/javascript; charset=utf-8", mc_docs_js, mc_docs_js_len);
	} else if (S_is_asset(name, "css")) {
		http_res_static(res, 200, "text/css; charset=utf-8", mc_docs_css, mc_docs_css_len);
	} else {
		http_res_problem(res, MC_ERR_NOT_FOUND, "not_found", "no such asset (an old page? reload /docs)");
		return;
	}
	/* The name changes whenever the bytes do. */
	http_res_header(res, "Cache-Control", "public, max-age=31536000, immutable");
	res->cacheable = 1;
}
