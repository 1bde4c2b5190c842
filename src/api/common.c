/* Settings, query readers and JSON shapes shared by the handlers. */
#include <inttypes.h>
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

void api_member_time(strbuf *sb, const char *key, const int64_t *t)
{
	char buf[32];

	if (t)
		clock_format_rfc3339(*t, buf, sizeof(buf));
	strbuf_add_member_text(sb, key, t ? buf : NULL);
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
		rc = mc_json_allow_only(body, allowed, err);
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

void api_page_begin(strbuf *sb)
{
	strbuf_adds(sb, "{\"items\":[");
}

void api_page_end(strbuf *sb, int64_t total, int64_t limit, int64_t offset)
{
	strbuf_addf(sb, "],\"total\":%" PRId64 ",\"limit\":%" PRId64 ",\"offset\":%" PRId64 "}", total, limit,
		    offset);
}

static int S_dump_into(const char *buf, size_t len, void *sb)
{
	strbuf_add(sb, buf, len);
	return 0;
}

void api_write_json(strbuf *sb, json_t *v)
{
	/* The flags http_res_json() writes with. */
	if (!v || json_dump_callback(v, S_dump_into, sb, JSON_COMPACT | JSON_ENSURE_ASCII))
		sb->failed = 1;
	json_decref(v);
}

void api_res_page(struct http_res *res, json_t *items, int64_t total, int64_t limit, int64_t offset)
{
	strbuf sb;
	size_t i;
	json_t *it;

	strbuf_init(&sb);
	api_page_begin(&sb);
	json_array_foreach(items, i, it) {
		if (i)
			strbuf_addch(&sb, ',');
		api_write_json(&sb, json_incref(it));
	}
	api_page_end(&sb, total, limit, offset);
	json_decref(items);
	api_res_strbuf(res, 200, &sb);
}

mc_rc api_id_and_body(struct http_req *req, struct http_res *res, const char *const *allowed, bool optional,
		      int64_t *id, json_t **body, mc_error *err)
{
	mc_rc rc = http_req_param_id(req, 0, id, err);

	*body = NULL;
	if (rc) {
		http_res_error(res, rc, err);
		return rc;
	}
	if (optional && !req->body_len)
		return MC_OK;
	*body = api_body(req, res, allowed, err);
	return *body ? MC_OK : MC_ERR_INVALID;
}
