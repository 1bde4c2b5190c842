/* POST /api/auth/register, /login, /logout, /logout-all, /refresh,
 * /forgot-password, /reset-password; GET /api/auth/me is api_users_me. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/account.h"
#include "domain/cart.h"
#include "domain/sessions.h"

/* Moves a guest cart (cart_session cookie) into the user's cart; the
 * answer lists what changed. NULL without a guest cart. */
static json_t *S_merge_guest_cart(struct http_req *req, struct http_res *res, const struct user *u, mc_rc *rc,
				  mc_error *err)
{
	struct cart_merged *merged = NULL;
	char session[33];
	json_t *list;
	size_t n = 0;

	*rc = MC_OK;
	if (!api_guest_session(req, session))
		return NULL;
	*rc = cart_merge(u->id, session, &merged, &n, err);
	if (*rc)
		return NULL;
	api_guest_session_clear(res);
	list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:I, s:b}", "productId", (json_int_t)merged[i].product_id,
						      "quantity", (json_int_t)merged[i].quantity, "capped",
						      merged[i].capped));
	free(merged);
	return json_pack("{s:o}", "merged", list);
}

/* A new token for u, issued no earlier than its tokens_valid_after. */
mc_rc api_issue_token(const struct user *u, int64_t sid, char **token)
{
	const struct config *cfg = api_config();

	return token_issue(api_signing_key(), u->id, u->role, sid, account_token_time(u, clock_now()), cfg->jwt_ttl,
			   token, NULL);
}

/* Adds "token" and "refreshToken" of the session g of u to obj. */
static mc_rc S_add_tokens(const struct user *u, const struct session_grant *g, json_t *obj)
{
	char *token = NULL;
	mc_rc rc = api_issue_token(u, g->id, &token);

	if (rc)
		return rc;
	json_object_set_new(obj, "token", json_string(token));
	json_object_set_new(obj, "refreshToken", json_string(g->refresh));
	free(token);
	return MC_OK;
}

mc_rc api_add_session(struct http_req *req, const struct user *u, json_t *obj)
{
	struct session_grant g;
	mc_rc rc = session_start(u->id, http_req_header(req, "User-Agent"), api_config()->refresh_ttl, &g);

	return rc ? rc : S_add_tokens(u, &g, obj);
}

/* Answers {token, refreshToken, user, cartMerge?} with `status`. */
static void S_session(struct http_req *req, struct http_res *res, int status, const struct user *u)
{
	json_t *merge, *body = NULL;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	merge = S_merge_guest_cart(req, res, u, &rc, &err);
	if (!rc) {
		body = json_pack("{s:o}", "user", api_user_json(u));
		rc = api_add_session(req, u, body);
	}
	if (rc) {
		json_decref(merge);
		json_decref(body);
		http_res_error(res, rc, &err);
		goto out;
	}
	if (merge)
		json_object_set_new(body, "cartMerge", merge);
	http_res_json(res, status, body);
out:
	mc_error_release(&err);
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
	mc_json_str(body, mc_json_has(body, "username") && !mc_json_has(body, "name") ? "username" : "name", 1,
		    MC_NAME_MAX, true, &in.name, &err);
	mc_json_str(body, "email", 1, MC_EMAIL_MAX, true, &in.email, &err);
	mc_json_str(body, "password", 1, MC_PASSWORD_MAX, true, &in.password, &err);
	if (mc_json_str(body, "role", 1, 16, false, &role, &err)) {
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
	http_res_header(res, "Location", "/api/users/me");
	S_session(req, res, 201, &u);
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
	mc_json_str(body, "email", 1, MC_EMAIL_MAX, true, &email, &err);
	mc_json_str(body, "password", 1, MC_PASSWORD_MAX, true, &password, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = account_login(email, password, &u, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	S_session(req, res, 200, &u);
out:
	mc_error_release(&err);
}

/* Ends the token's session (its refresh tokens and every access token
 * issued in it) and revokes the token itself. */
void api_auth_logout(struct http_req *req, struct http_res *res)
{
	mc_error err;
	mc_rc rc = MC_OK;

	mc_error_init(&err);
	if (req->auth.sid)
		rc = session_end(req->auth.user_id, req->auth.sid, &err);
	/* Already ended (or expired): the token still goes. */
	if (!rc || rc == MC_ERR_NOT_FOUND)
		rc = store_token_revoke(req->auth.jti, req->auth.exp);
	if (rc)
		http_res_problem(res, rc, NULL, "cannot revoke the token");
	else
		http_res_empty(res, 204);
	mc_error_release(&err);
}

void api_auth_logout_all(struct http_req *req, struct http_res *res)
{
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = account_logout_all(req->auth.user_id, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_empty(res, 204);
	mc_error_release(&err);
}

/* POST /api/auth/refresh {refreshToken}: the family's next refresh token
 * and a new access token. */
void api_auth_refresh(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "refreshToken", NULL };
	const char *refresh = NULL;
	struct session_grant g;
	struct user u;
	json_t *body, *out;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	mc_json_str(body, "refreshToken", 1, MC_OPAQUE_TOKEN_LEN, true, &refresh, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = session_refresh(refresh, http_req_header(req, "User-Agent"), api_config()->refresh_ttl, &u, &g,
				     &err);
	out = json_object();
	if (!rc)
		rc = S_add_tokens(&u, &g, out);
	if (rc) {
		json_decref(out);
		http_res_error(res, rc, &err);
	} else {
		http_res_json(res, 200, out);
	}
out:
	mc_error_release(&err);
}

/* POST /api/auth/forgot-password {email}: 202 whether or not the address
 * has an account. */
void api_auth_forgot_password(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "email", NULL };
	const char *email = NULL;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	mc_json_str(body, "email", 1, MC_EMAIL_MAX, true, &email, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = account_forgot_password(email, api_config()->storefront_url, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_json(res, 202, json_pack("{s:s}", "message",
						  "if an account has this email, a reset link is on its way"));
out:
	mc_error_release(&err);
}

/* POST /api/auth/reset-password {token, newPassword}. */
void api_auth_reset_password(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "token", "newPassword", NULL };
	const char *token = NULL, *password = NULL;
	json_t *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	mc_json_str(body, "token", 1, MC_OPAQUE_TOKEN_LEN, true, &token, &err);
	mc_json_str(body, "newPassword", 1, MC_PASSWORD_MAX, true, &password, &err);
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = account_reset_password(token, password, &err);
	if (rc)
		http_res_error(res, rc, &err);
	else
		http_res_empty(res, 204);
out:
	mc_error_release(&err);
}
