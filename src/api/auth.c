/* POST /api/auth/register, /login, /logout; GET /api/auth/me is api_users_me. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/account.h"

/* Answers {token, user} with `status`. */
static void S_session(struct http_res *res, int status, const struct user *u)
{
	const struct config *cfg = api_config();
	char *token = NULL;
	mc_rc rc;

	rc = token_issue(api_signing_key(), u->id, u->role, clock_now(), cfg->jwt_ttl, &token, NULL);
	if (rc) {
		http_res_problem(res, rc, NULL, "cannot issue a token");
		return;
	}
	http_res_json(res, status, json_pack("{s:s, s:o}", "token", token, "user", api_user_json(u)));
	free(token);
}

void api_auth_register(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "name", "username", "email", "password", "role", NULL };
	struct account_new in = { .role = ROLE_BUYER };
	const char *role = NULL;
	struct user u;
	mc_error err;
	json_t *body;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	/* Seed 001 registers with "username"; the others with "name". */
	if (!json_get_str(body, "name", 1, MC_NAME_MAX, 0, &in.name, &err) &&
	    !json_get_str(body, "username", 1, MC_NAME_MAX, 0, &in.name, &err) && !err.nfields)
		mc_error_field(&err, "name", "is required");
	json_get_str(body, "email", 1, MC_EMAIL_MAX, 1, &in.email, &err);
	json_get_str(body, "password", 1, MC_PASSWORD_MAX, 1, &in.password, &err);
	if (json_get_str(body, "role", 1, 16, 0, &role, &err) > 0) {
		in.role = role_parse(role);
		if (in.role == ROLE_NONE || in.role == ROLE_ADMIN)
			mc_error_field(&err, "role", "must be buyer or seller");
	}
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = account_register(&in, 0, &u, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	S_session(res, 201, &u);
out:
	mc_error_release(&err);
}

void api_auth_login(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "email", "password", NULL };
	const char *email = NULL, *password = NULL;
	struct user u;
	mc_error err;
	json_t *body;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	json_get_str(body, "email", 1, MC_EMAIL_MAX, 1, &email, &err);
	json_get_str(body, "password", 1, MC_PASSWORD_MAX, 1, &password, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = account_login(email, password, &u, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	S_session(res, 200, &u);
out:
	mc_error_release(&err);
}

void api_auth_logout(struct http_req *req, struct http_res *res)
{
	mc_rc rc = store_token_revoke(req->auth.jti, req->auth.exp);

	if (rc)
		http_res_problem(res, rc, NULL, "cannot revoke the token");
	else
		http_res_empty(res, 204);
}
