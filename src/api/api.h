/* The API layer: thin handlers that turn HTTP requests into domain calls.
 * routes.c holds THE route table. */
#ifndef MC_API_H
#define MC_API_H

#include <jansson.h>

#include "config.h"
#include "domain/token.h"
#include "http/http.h"
#include "store/users.h"

extern const struct route api_routes[];
extern const size_t api_nroutes;

/* Keeps the settings and signing key the handlers need. */
mc_rc api_init(const struct config *cfg, const struct token_key *key);
void api_release(void);
const struct config *api_config(void);
const struct token_key *api_signing_key(void);

/* The http layer's authenticator: signature, expiry, revocation. */
mc_rc api_authenticate(const char *token, struct http_principal *out, mc_error *err);

/* Shared JSON shapes. */
json_t *api_user_json(const struct user *u);
json_t *api_time_json(int64_t t);

/* Reads the JSON body and checks its keys against `allowed`; on failure the
 * response is already a problem. */
json_t *api_body(struct http_req *req, struct http_res *res, const char *const *allowed, mc_error *err);

/* Handlers, by area. */
void api_auth_register(struct http_req *req, struct http_res *res);
void api_auth_login(struct http_req *req, struct http_res *res);
void api_auth_logout(struct http_req *req, struct http_res *res);
void api_users_me(struct http_req *req, struct http_res *res);
void api_users_update_me(struct http_req *req, struct http_res *res);
void api_health_live(struct http_req *req, struct http_res *res);
void api_health_ready(struct http_req *req, struct http_res *res);

#endif
