/* GET /api/auth/me, GET and PATCH /api/users/me, the caller's sessions. */
#include <stdlib.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/account.h"
#include "domain/sessions.h"
#include "store/sessions.h"

void api_users_me(struct http_req *req, struct http_res *res)
{
	struct user u;
	mc_rc rc = store_user_by_id(req->auth.user_id, &u);

	if (rc == MC_ERR_NOT_FOUND)
		http_res_problem(res, MC_ERR_UNAUTHORIZED, "unknown_account", "the account no longer exists");
	else if (rc)
		http_res_problem(res, rc, NULL, "cannot read the account");
	else
		http_res_json(res, 200, api_user_json(&u));
}

void api_users_update_me(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "name", "currentPassword", "newPassword", NULL };
	struct account_change ch = { 0 };
	json_t *user;
	struct user u;
	mc_error err;
	json_t *body;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	mc_json_str(body, "name", 1, MC_NAME_MAX, false, &ch.name, &err);
	mc_json_str(body, "currentPassword", 1, MC_PASSWORD_MAX, false, &ch.current_password, &err);
	mc_json_str(body, "newPassword", 1, MC_PASSWORD_MAX, false, &ch.new_password, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = account_update(req->auth.user_id, &ch, &u, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	user = api_user_json(&u);
	/* The change ended every session: the caller gets a new one. */
	if (ch.new_password)
		rc = api_add_session(req, &u, user);
	if (rc) {
		json_decref(user);
		http_res_error(res, rc, &err);
		goto out;
	}
	http_res_json(res, 200, user);
out:
	mc_error_release(&err);
}

/* GET /api/users/me/sessions: active sessions, most recently used first;
 * `current` marks the one of the token that asks. */
void api_users_sessions_list(struct http_req *req, struct http_res *res)
{
	struct session *items = NULL;
	int64_t limit, offset, total = 0;
	size_t n = 0;
	json_t *arr;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	api_query_page(req, &limit, &offset, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = store_sessions_list(req->auth.user_id, clock_now(), limit, offset, &items, &n, &total);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:s, s:b}", "id", (json_int_t)items[i].id,
						     "createdAt", api_time_json(items[i].created_at), "lastUsedAt",
						     api_time_json(items[i].last_used_at), "expiresAt",
						     api_time_json(items[i].expires_at), "userAgent", items[i].user_agent,
						     "current", items[i].id == req->auth.sid));
	api_res_page(res, arr, total, limit, offset);
out:
	free(items);
	mc_error_release(&err);
}

/* DELETE /api/users/me/sessions/:id: ends it (its refresh tokens and access tokens). */
void api_users_sessions_end(struct http_req *req, struct http_res *res)
{
	int64_t id;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &id, &err);
	if (!rc)
		rc = session_end(req->auth.user_id, id, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_empty(res, 204);
	mc_error_release(&err);
}
