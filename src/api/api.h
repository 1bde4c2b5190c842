/* The API layer: thin handlers that turn HTTP requests into domain calls.
 * routes.c holds THE route table. */
#ifndef MC_API_H
#define MC_API_H

#include <jansson.h>
#include <stdbool.h>

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

/* A new access token for u in session `sid` (api/auth.c); *token is malloc'd. */
mc_rc api_issue_token(const struct user *u, int64_t sid, char **token);
/* Starts a session of u for the request's client and adds its "token" and
 * "refreshToken" to obj (api/auth.c). */
mc_rc api_add_session(struct http_req *req, const struct user *u, json_t *obj);

/* Shared JSON shapes. */
json_t *api_user_json(const struct user *u);
json_t *api_time_json(int64_t t);
/* Appends a time member (strbuf_add_member_text's key), null when t is NULL. */
void api_member_time(struct strbuf *sb, const char *key, const int64_t *t);

/* Reads the JSON body and checks its keys against `allowed`; on failure the
 * response is already a problem. */
json_t *api_body(struct http_req *req, struct http_res *res, const char *const *allowed, mc_error *err);

struct strbuf;
/* {items, total, limit, offset}, the one list envelope, for both JSON
 * writers: api_page_begin(), the items comma-separated, api_page_end().
 * api_res_page() answers 200 with a page of jansson items (takes items). */
void api_page_begin(struct strbuf *sb);
void api_page_end(struct strbuf *sb, int64_t total, int64_t limit, int64_t offset);
void api_res_page(struct http_res *res, json_t *items, int64_t total, int64_t limit, int64_t offset);
/* Path parameter 0 as an id, then the JSON body checked against `allowed`
 * (with `optional`, no body is fine and *body is NULL). On an error the
 * response is already the problem. */
mc_rc api_id_and_body(struct http_req *req, struct http_res *res, const char *const *allowed, bool optional,
		      int64_t *id, json_t **body, mc_error *err);

/* The caller as the domain sees it. */
struct actor api_actor(const struct http_req *req);

/* Query-string readers: each records a field error on a bad value and
 * leaves the default in place. */
void api_query_int(struct http_req *req, const char *name, int64_t min, int64_t max, int64_t def, int64_t *out,
		   mc_error *err);
void api_query_bool(struct http_req *req, const char *name, int64_t *out, mc_error *err);
const char *api_query_str(struct http_req *req, const char *name, size_t maxlen, mc_error *err);
/* ?limit= (default MC_PAGE_DEFAULT, max MC_PAGE_MAX) and ?offset=. */
void api_query_page(struct http_req *req, int64_t *limit, int64_t *offset, mc_error *err);
struct product_filter;
/* GET /api/products' query string (page, price range, sale, q, category,
 * sort) as a filter; every bad value is a field error. */
mc_rc api_products_filter(struct http_req *req, struct product_filter *f, mc_error *err);

struct product;
/* The one JSON shape of a product, written straight into a buffer. */
void api_product_write(struct strbuf *sb, const struct product *p, int64_t now);
/* Answers with one product after a write (takes it) and flushes the
 * catalog cache. */
void api_product_answer(struct http_res *res, int status, struct product *p);
/* Answers with the JSON written into sb (emptied). */
void api_res_strbuf(struct http_res *res, int status, struct strbuf *sb);
/* Appends v as http_res_json() writes it, and drops it (a NULL v fails sb). */
void api_write_json(struct strbuf *sb, json_t *v);

/* Guest carts: true and the hash of the cart_session cookie in out when
 * the request carries one this server issued (MAC-tagged); false for none,
 * a forged one or a tampered one. */
bool api_guest_session(struct http_req *req, char out[33]);
void api_guest_session_clear(struct http_res *res);

/* Idempotency-Key handling around an order-creating handler: begin returns
 * true when the handler should run (then call finish with its response)
 * and false when the response is already set (replay or refusal). */
struct api_idem {
	int active;
	int64_t user_id;
	const char *scope;
	char key[MC_IDEM_KEY_MAX + 1];
	char hash[33];
};
bool api_idem_begin(struct http_req *req, struct http_res *res, const char *scope, struct api_idem *st);
void api_idem_finish(struct api_idem *st, struct http_res *res);

struct address;
struct address_input;
/* The one JSON shape of an address (an order's copy has no id). */
json_t *api_address_json(const struct address *a);
/* Reads an address body: with_default allows isDefault (the address book;
 * an inline checkout address has none). null clears an optional field. */
mc_rc api_address_input(json_t *obj, bool with_default, struct address_input *in, mc_error *err);

/* Handlers, by area. */
void api_auth_register(struct http_req *req, struct http_res *res);
void api_auth_login(struct http_req *req, struct http_res *res);
void api_auth_logout(struct http_req *req, struct http_res *res);
void api_auth_logout_all(struct http_req *req, struct http_res *res);
void api_auth_refresh(struct http_req *req, struct http_res *res);
void api_auth_forgot_password(struct http_req *req, struct http_res *res);
void api_auth_reset_password(struct http_req *req, struct http_res *res);
void api_users_sessions_list(struct http_req *req, struct http_res *res);
void api_users_sessions_end(struct http_req *req, struct http_res *res);
void api_users_me(struct http_req *req, struct http_res *res);
void api_users_update_me(struct http_req *req, struct http_res *res);
void api_addresses_list(struct http_req *req, struct http_res *res);
void api_addresses_get(struct http_req *req, struct http_res *res);
void api_addresses_create(struct http_req *req, struct http_res *res);
void api_addresses_update(struct http_req *req, struct http_res *res);
void api_addresses_delete(struct http_req *req, struct http_res *res);
void api_products_list(struct http_req *req, struct http_res *res);
void api_products_get(struct http_req *req, struct http_res *res);
void api_products_create(struct http_req *req, struct http_res *res);
void api_products_put(struct http_req *req, struct http_res *res);
void api_products_patch(struct http_req *req, struct http_res *res);
void api_products_delete(struct http_req *req, struct http_res *res);
void api_products_sale(struct http_req *req, struct http_res *res);
void api_products_image(struct http_req *req, struct http_res *res);
void api_products_image_upload(struct http_req *req, struct http_res *res);
void api_products_seed(struct http_req *req, struct http_res *res);
void api_categories_list(struct http_req *req, struct http_res *res);
void api_media_product(struct http_req *req, struct http_res *res);
void api_cart_get(struct http_req *req, struct http_res *res);
void api_cart_add(struct http_req *req, struct http_res *res);
void api_cart_set(struct http_req *req, struct http_res *res);
void api_cart_delete(struct http_req *req, struct http_res *res);
void api_cart_remove(struct http_req *req, struct http_res *res);
void api_cart_clear(struct http_req *req, struct http_res *res);
void api_cart_user_get(struct http_req *req, struct http_res *res);
void api_cart_user_post(struct http_req *req, struct http_res *res);
void api_checkout(struct http_req *req, struct http_res *res);
void api_orders_list(struct http_req *req, struct http_res *res);
void api_orders_get(struct http_req *req, struct http_res *res);
void api_orders_set_status(struct http_req *req, struct http_res *res);
void api_orders_cancel(struct http_req *req, struct http_res *res);
void api_orders_refund(struct http_req *req, struct http_res *res);
void api_orders_confirm(struct http_req *req, struct http_res *res);
void api_coupons_create(struct http_req *req, struct http_res *res);
void api_coupons_update(struct http_req *req, struct http_res *res);
void api_coupons_list(struct http_req *req, struct http_res *res);
void api_coupons_apply(struct http_req *req, struct http_res *res);
void api_payments_create(struct http_req *req, struct http_res *res);
void api_payments_get(struct http_req *req, struct http_res *res);
void api_wishlist_add(struct http_req *req, struct http_res *res);
void api_wishlist_list(struct http_req *req, struct http_res *res);
void api_wishlist_remove(struct http_req *req, struct http_res *res);
void api_reviews_post(struct http_req *req, struct http_res *res);
void api_reviews_list(struct http_req *req, struct http_res *res);
void api_reviews_delete(struct http_req *req, struct http_res *res);
void api_jobs_list(struct http_req *req, struct http_res *res);
void api_jobs_retry(struct http_req *req, struct http_res *res);
void api_metrics(struct http_req *req, struct http_res *res);
void api_docs_openapi(struct http_req *req, struct http_res *res);
void api_web_page(struct http_req *req, struct http_res *res);
void api_web_static(struct http_req *req, struct http_res *res);
void api_docs_page(struct http_req *req, struct http_res *res);
void api_docs_asset(struct http_req *req, struct http_res *res);
void api_health_live(struct http_req *req, struct http_res *res);
void api_health_ready(struct http_req *req, struct http_res *res);

#endif
