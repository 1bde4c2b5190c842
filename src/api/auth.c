/* POST /api/auth/register, /login, /logout, /logout-all; GET /api/auth/me is api_users_me. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "domain/account.h"
#include "domain/cart.h"

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
mc_rc api_issue_token(const struct user *u, char **token)
{
	const struct config *cfg = api_config();

	return token_issue(api_signing_key(), u->id, u->role, account_token_time(u, clock_now()), cfg->jwt_ttl, token,
			   NULL);
}

/* Answers {token, user, cartMerge?} with `status`. */
static void S_session(struct http_req *req, struct http_res *res, int status, const struct user *u)
{
	char *token = NULL;
	json_t *merge, *body;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	merge = S_merge_guest_cart(req, res, u, &rc, &err);
	if (!rc)
		rc = api_issue_token(u, &token);
	if (rc) {
		json_decref(merge);
		http_res_error(res, rc, &err);
		goto out;
	}
	body = json_pack("{s:s, s:o}", "token", token, "user", api_user_json(u));
	if (merge)
		json_object_set_new(body, "cartMerge", merge);
	http_res_json(res, status, body);
	free(token);
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

void api_auth_logout(struct http_req *req, struct http_res *res)
{
	mc_rc rc = store_token_revoke(req->auth.jti, req->auth.exp);

	if (rc)
		http_res_problem(res, rc, NULL, "cannot revoke the token");
	else
		http_res_empty(res, 204);
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
