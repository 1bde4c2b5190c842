#include "http/problem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "http/http.h"

static const struct {
	int status;
	const char *title;
	const char *code;
} table[MC_RC_COUNT] = {
	[MC_OK] = { 200, "OK", "ok" },
	[MC_ERR_INVALID] = { 400, "Bad Request", "invalid_request" },
	[MC_ERR_UNAUTHORIZED] = { 401, "Unauthorized", "unauthorized" },
	[MC_ERR_PAYMENT] = { 402, "Payment Required", "payment_failed" },
	[MC_ERR_FORBIDDEN] = { 403, "Forbidden", "forbidden" },
	[MC_ERR_NOT_FOUND] = { 404, "Not Found", "not_found" },
	[MC_ERR_METHOD] = { 405, "Method Not Allowed", "method_not_allowed" },
	[MC_ERR_CONFLICT] = { 409, "Conflict", "conflict" },
	[MC_ERR_TOO_LARGE] = { 413, "Content Too Large", "too_large" },
	[MC_ERR_UNSUPPORTED] = { 415, "Unsupported Media Type", "unsupported_media_type" },
	[MC_ERR_UNPROCESSABLE] = { 422, "Unprocessable Content", "unprocessable" },
	[MC_ERR_RATE_LIMITED] = { 429, "Too Many Requests", "rate_limited" },
	[MC_ERR_BUSY] = { 503, "Service Unavailable", "busy" },
	[MC_ERR_UNAVAILABLE] = { 503, "Service Unavailable", "database_unavailable" },
	[MC_ERR_INTERNAL] = { 500, "Internal Server Error", "internal_error" },
	[MC_ERR_STORAGE] = { 503, "Service Unavailable", "storage_unavailable" },
};

static int S_valid(mc_rc rc)
{
	return rc > MC_OK && rc < MC_RC_COUNT;
}

int problem_status(mc_rc rc)
{
	return S_valid(rc) ? table[rc].status : 500;
}

const char *problem_title(mc_rc rc)
{
	return S_valid(rc) ? table[rc].title : table[MC_ERR_INTERNAL].title;
}

const char *problem_default_code(mc_rc rc)
{
	return S_valid(rc) ? table[rc].code : table[MC_ERR_INTERNAL].code;
}

/* RFC 6750 section 3: every 401 names the scheme; a token that was sent but
 * cannot be used says invalid_token, so clients know to sign in again. */
static void S_www_authenticate(struct http_res *res, const char *code)
{
	static const char *const token_codes[] = { "invalid_token", "token_expired", "token_revoked",
						   "unknown_account" };

	for (size_t i = 0; i < sizeof(token_codes) / sizeof(token_codes[0]); i++)
		if (!strcmp(code, token_codes[i])) {
			http_res_header(res, "WWW-Authenticate",
					"Bearer realm=\"mercato\", error=\"invalid_token\", error_description=\"%s\"",
					code);
			return;
		}
	http_res_header(res, "WWW-Authenticate", "Bearer realm=\"mercato\"");
}

void http_res_error(struct http_res *res, mc_rc rc, mc_error *err)
{
	const char *code = err && err->code ? err->code : problem_default_code(rc);
	int status = problem_status(rc);
	char type[96];
	json_t *body;

	snprintf(type, sizeof(type), "https://mercato.dev/problems/%s", code);
	body = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", problem_title(rc), "status", status,
			 "code", code);
	if (!body) {
		http_res_static(res, 500, "application/problem+json", "{\"status\":500}", 14);
		return;
	}
	/* Internal failures say nothing about their cause to the client. */
	if (status == 500)
		json_object_set_new(body, "detail", json_string("an unexpected error occurred; see the server log"));
	else if (err && err->detail[0])
		json_object_set_new(body, "detail", json_string(err->detail));
	else
		json_object_set_new(body, "detail", json_string(problem_title(rc)));
	if (err && err->nfields) {
		json_t *arr = json_array();

		for (int i = 0; i < err->nfields; i++)
			json_array_append_new(arr, json_pack("{s:s, s:s}", "field", err->fields[i].field,
							     "message", err->fields[i].message));
		json_object_set_new(body, "errors", arr);
	}
	if (res->request_id)
		json_object_set_new(body, "requestId", json_string(res->request_id));
	if (err && err->extra && json_is_object((json_t *)err->extra))
		json_object_update_missing(body, (json_t *)err->extra);
	if (status == 401)
		S_www_authenticate(res, code);
	if (rc == MC_ERR_RATE_LIMITED || rc == MC_ERR_BUSY || rc == MC_ERR_UNAVAILABLE || rc == MC_ERR_STORAGE)
		http_res_header(res, "Retry-After", "%ld", err && err->retry_after > 0 ? err->retry_after : 1);
	http_res_json(res, status, body);
	res->content_type = "application/problem+json";
}

void http_res_problem(struct http_res *res, mc_rc rc, const char *code, const char *detail)
{
	mc_error e;

	mc_error_init(&e);
	mc_fail(&e, rc, code, "%s", detail);
	http_res_error(res, rc, &e);
}
