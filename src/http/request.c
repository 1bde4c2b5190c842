/* Request accessors for handlers: headers, query, cookies, the JSON body
 * and path parameters. */
#include <microhttpd.h>
#include <stdint.h>

#include "core/json.h"
#include "core/parse.h"
#include "http/http.h"

const char *http_req_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_req_cookie(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

mc_rc http_req_json(struct http_req *req, json_t **out, mc_error *err)
{
	mc_rc rc;

	if (!req->json) {
		rc = mc_json_parse_body(req->body, req->body_len, &req->json, err);
		if (rc)
			return rc;
	}
	*out = req->json;
	return MC_OK;
}

mc_rc http_req_param_id(struct http_req *req, int i, int64_t *out, mc_error *err)
{
	const char *s = i < req->nparams ? req->params[i] : NULL;

	if (mc_parse_i64(s, 1, INT64_MAX, out))
		return mc_fail(err, MC_ERR_NOT_FOUND, "not_found", "no such resource");
	return MC_OK;
}
