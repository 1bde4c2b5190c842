/* Settings, query readers and JSON shapes shared by the handlers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/parse.h"
#include "core/strbuf.h"

static const struct config *cfg;
static struct token_key signing_key;

mc_rc api_init(const struct config *c, const struct token_key *key)
{
	cfg = c;
	signing_key = *key;
	return MC_OK;
}

void api_release(void)
{
	memset(&signing_key, 0, sizeof(signing_key));
	cfg = NULL;
}

const struct config *api_config(void)
{
	return cfg;
}

const struct token_key *api_signing_key(void)
{
	return &signing_key;
}

json_t *api_time_json(int64_t t)
{
	char buf[32];

	clock_format_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

json_t *api_user_json(const struct user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)u->id, "name", u->name, "email",
			 u->email, "role", role_name(u->role), "createdAt", api_time_json(u->created_at));
}

json_t *api_body(struct http_req *req, struct http_res *res, const char *const *allowed, mc_error *err)
{
	json_t *body = NULL;
	mc_rc rc = http_req_json(req, &body, err);

	if (!rc && allowed)
		rc = json_allow_only(body, allowed, err);
	if (rc) {
		http_res_error(res, rc, err);
		return NULL;
	}
	return body;
}

struct actor api_actor(const struct http_req *req)
{
	struct actor a = { .user_id = req->auth.user_id, .role = req->auth.role };

	return a;
}

void api_query_int(struct http_req *req, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out,
		   mc_error *err)
{
	const char *v = http_req_query(req, name);

	*out = def;
	if (v && mc_parse_i64(v, min, max, out))
		mc_error_field(err, name, "must be an integer between %lld and %lld", (long long)min, (long long)max);
}

void api_query_bool(struct http_req *req, const char *name, int64_t *out, mc_error *err)
{
	const char *v = http_req_query(req, name);

	if (!v)
		return;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		mc_error_field(err, name, "must be true or false");
}

const char *api_query_str(struct http_req *req, const char *name, size_t maxlen, mc_error *err)
{
	const char *v = http_req_query(req, name);
	long n;

	if (!v || !*v)
		return NULL;
	n = utf8_length(v);
	if (n < 0 || (size_t)n > maxlen) {
		mc_error_field(err, name, "must be valid text of at most %zu characters", maxlen);
		return NULL;
	}
	return v;
}

void api_query_page(struct http_req *req, int64_t *limit, int64_t *offset, mc_error *err)
{
	api_query_int(req, "limit", 1, MC_PAGE_MAX, MC_PAGE_DEFAULT, limit, err);
	api_query_int(req, "offset", 0, MC_OFFSET_MAX, 0, offset, err);
}

void api_res_strbuf(struct http_res *res, int status, strbuf *sb)
{
	size_t len = 0;
	char *body = strbuf_detach(sb, &len);

	if (!body)
		http_res_problem(res, MC_ERR_INTERNAL, NULL, "out of memory");
	else
		http_res_bytes(res, status, "application/json", body, len);
}

json_t *api_page_json(json_t *items, int64_t total, int64_t limit, int64_t offset)
{
	return json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "limit",
			 (json_int_t)limit, "offset", (json_int_t)offset);
}

int api_id_and_body(struct http_req *req, struct http_res *res, const char *const *allowed, int optional,
		    int64_t *id, json_t **body, mc_error *err)
{
	mc_rc rc = http_req_param_id(req, 0, id, err);

	*body = NULL;
	if (rc) {
		http_res_error(res, rc, err);
		return 0;
	}
	if (optional && !req->body_len)
		return 1;
	*body = api_body(req, res, allowed, err);
	return *body != NULL;
}
