/* GET /api/auth/me, GET and PATCH /api/users/me. */
#include <stdlib.h>

#include "api/api.h"
#include "core/json.h"
#include "domain/account.h"

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
	char *token = NULL;
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
	/* The change ended every session: the caller gets a new one. */
	if (!rc && ch.new_password)
		rc = api_issue_token(&u, &token);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	user = api_user_json(&u);
	if (token)
		json_object_set_new(user, "token", json_string(token));
	http_res_json(res, 200, user);
out:
	free(token);
	mc_error_release(&err);
}
