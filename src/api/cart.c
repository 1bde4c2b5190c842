/* Cart endpoints, for guests (cart_session cookie) and users (by id).
 * Every route variant the seeds name maps to one of these handlers. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "domain/cart.h"

#define COOKIE "cart_session"
#define COOKIE_DAYS 30

/* The cookie is "<32 hex id>.<32 hex tag>": the tag is a MAC of the id
 * under the server's key, so only ids this server issued are honoured; a
 * planted one (session fixation) is ignored and replaced. */
#define COOKIE_ID_HEX 32
#define COOKIE_LEN (COOKIE_ID_HEX * 2 + 1)

static bool S_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* BLAKE2b over a label, the signing key and the id: keyed by prefix,
 * which BLAKE2 allows (no length extension). */
static void S_tag(const char *id, char out[COOKIE_ID_HEX + 1])
{
	const struct token_key *key = api_signing_key();
	unsigned char tag[COOKIE_ID_HEX / 2];
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, sizeof(tag));
	crypto_generichash_update(&st, (const unsigned char *)"mercato cart_session", 20);
	crypto_generichash_update(&st, key->bytes, key->len);
	crypto_generichash_update(&st, (const unsigned char *)id, COOKIE_ID_HEX);
	crypto_generichash_final(&st, tag, sizeof(tag));
	sodium_bin2hex(out, COOKIE_ID_HEX + 1, tag, sizeof(tag));
}

/* The database keeps a hash of the id, never the id itself. */
static void S_hash_session(const char *id, char out[33])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), (const unsigned char *)id, COOKIE_ID_HEX, NULL, 0);
	sodium_bin2hex(out, 33, h, sizeof(h));
}

bool api_guest_session(struct http_req *req, char out[33])
{
	const char *c = http_req_cookie(req, COOKIE);
	char tag[COOKIE_ID_HEX + 1];

	if (!c || strlen(c) != COOKIE_LEN || c[COOKIE_ID_HEX] != '.' || !S_hex(c, COOKIE_ID_HEX))
		return false;
	S_tag(c, tag);
	if (sodium_memcmp(tag, c + COOKIE_ID_HEX + 1, COOKIE_ID_HEX))
		return false;
	S_hash_session(c, out);
	return true;
}

void api_guest_session_clear(struct http_res *res)
{
	http_res_header(res, "Set-Cookie", COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

/* Whose cart this request means; issues a guest cookie when there is none. */
static void S_owner(struct http_req *req, struct http_res *res, struct cart_owner *o)
{
	memset(o, 0, sizeof(*o));
	if (req->authenticated) {
		o->user_id = req->auth.user_id;
		return;
	}
	if (!api_guest_session(req, o->session_hash)) {
		unsigned char rnd[COOKIE_ID_HEX / 2];
		char id[COOKIE_ID_HEX + 1], tag[COOKIE_ID_HEX + 1];

		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(id, sizeof(id), rnd, sizeof(rnd));
		S_tag(id, tag);
		S_hash_session(id, o->session_hash);
		http_res_header(res, "Set-Cookie", COOKIE "=%s.%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax", id, tag,
				COOKIE_DAYS * 86400);
	}
}

/* "<name>":<v> after a comma: the cart is the answer of every cart write,
 * so it is written without printf. */
static void S_int_field(strbuf *sb, const char *name, int64_t v)
{
	strbuf_adds(sb, name);
	strbuf_add_int(sb, v);
}

static void S_cart_write(strbuf *sb, const struct cart_view *v)
{
	S_int_field(sb, "{\"id\":", v->id);
	strbuf_adds(sb, ",\"items\":[");
	for (size_t i = 0; i < v->n; i++) {
		const struct cart_view_line *l = &v->lines[i];

		S_int_field(sb, i ? ",{\"productId\":" : "{\"productId\":", l->line.product_id);
		strbuf_adds(sb, ",\"name\":");
		strbuf_add_json_string(sb, l->line.name);
		strbuf_adds(sb, ",\"imageUrl\":");
		if (l->line.image_url)
			strbuf_add_json_string(sb, l->line.image_url);
		else
			strbuf_adds(sb, "null");
		S_int_field(sb, ",\"qty\":", l->line.quantity);
		S_int_field(sb, ",\"quantity\":", l->line.quantity);
		S_int_field(sb, ",\"priceSnapshot\":", l->line.price_snapshot);
		S_int_field(sb, ",\"unitPrice\":", l->unit_price);
		S_int_field(sb, ",\"lineTotal\":", l->line_total);
		strbuf_adds(sb, l->price_changed ? ",\"priceChanged\":true" : ",\"priceChanged\":false");
		if (l->price_changed)
			S_int_field(sb, ",\"previousPrice\":", l->previous_price);
		S_int_field(sb, ",\"sellerId\":", l->line.seller_id);
		strbuf_adds(sb, ",\"currency\":");
		strbuf_add_json_string(sb, l->line.currency);
		strbuf_addch(sb, '}');
	}
	S_int_field(sb, "],\"total\":", v->total);
	strbuf_adds(sb, ",\"currency\":");
	strbuf_add_json_string(sb, v->currency);
	S_int_field(sb, ",\"itemCount\":", v->item_count);
	strbuf_addch(sb, '}');
}

/* Answers with the cart (a view the caller owns), or the error. */
static void S_send_view(struct http_res *res, int status, mc_rc rc, struct cart_view *v, mc_error *err)
{
	strbuf sb;

	if (rc) {
		http_res_error(res, rc, err);
		return;
	}
	strbuf_init(&sb);
	S_cart_write(&sb, v);
	cart_view_release(v);
	api_res_strbuf(res, status, &sb);
}

/* Answers with the cart as it is now (after a change made outside a
 * transaction, or none), or the error. */
static void S_answer(struct cart_owner *o, struct http_res *res, int status, mc_rc rc, mc_error *err)
{
	struct cart_view v;

	if (!rc)
		rc = cart_view(o, &v, err);
	S_send_view(res, status, rc, &v, err);
}

/* {productId, qty | quantity}; qty defaults to `def` (-1: required). */
static mc_rc S_item_body(struct http_req *req, struct http_res *res, int64_t *product_id, int64_t *qty,
			 int64_t def, mc_error *err)
{
	static const char *const allowed[] = { "productId", "qty", "quantity", NULL };
	json_t *body = api_body(req, res, allowed, err);

	if (!body)
		return MC_ERR_INVALID;
	*qty = def;
	if (product_id)
		mc_json_int(body, "productId", 1, INT64_MAX, true, product_id, err);
	mc_json_int(body, mc_json_has(body, "qty") ? "qty" : "quantity", 0, MC_CART_QTY_MAX, def < 0, qty, err);
	return mc_error_fields_result(err);
}

void api_cart_get(struct http_req *req, struct http_res *res)
{
	struct cart_owner o;
	mc_error err;

	mc_error_init(&err);
	S_owner(req, res, &o);
	S_answer(&o, res, 200, MC_OK, &err);
	mc_error_release(&err);
}

void api_cart_add(struct http_req *req, struct http_res *res)
{
	struct cart_view v;
	struct cart_owner o;
	int64_t pid = 0, qty = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = S_item_body(req, res, &pid, &qty, 1, &err);
	if (res->status)
		goto out;
	S_owner(req, res, &o);
	if (!rc)
		rc = cart_add(&o, pid, qty, &v, &err);
	S_send_view(res, 200, rc, &v, &err);
out:
	mc_error_release(&err);
}

/* PUT /api/cart/:productId and /api/cart/items/:productId {qty} */
void api_cart_set(struct http_req *req, struct http_res *res)
{
	struct cart_view v;
	struct cart_owner o;
	int64_t pid = 0, qty = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &pid, &err);
	if (!rc)
		rc = S_item_body(req, res, NULL, &qty, -1, &err);
	if (res->status)
		goto out;
	S_owner(req, res, &o);
	if (!rc && qty < 1) {
		mc_error_field(&err, "quantity", "must be between 1 and %d (DELETE removes a line)", MC_CART_QTY_MAX);
		rc = mc_error_fields_result(&err);
	}
	if (!rc)
		rc = cart_set(&o, pid, qty, &v, &err);
	S_send_view(res, 200, rc, &v, &err);
out:
	mc_error_release(&err);
}

static void S_remove(struct http_req *req, struct http_res *res, int64_t pid, mc_rc rc, mc_error *err)
{
	struct cart_owner o;

	S_owner(req, res, &o);
	if (!rc)
		rc = cart_remove(&o, pid, err);
	S_answer(&o, res, 200, rc, err);
}

/* DELETE /api/cart/:productId and /api/cart/items/:productId */
void api_cart_delete(struct http_req *req, struct http_res *res)
{
	int64_t pid = 0;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = http_req_param_id(req, 0, &pid, &err);
	S_remove(req, res, pid, rc, &err);
	mc_error_release(&err);
}

/* POST /api/cart/remove {productId} */
void api_cart_remove(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "productId", NULL };
	int64_t pid = 0;
	json_t *body;
	mc_error err;

	mc_error_init(&err);
	body = api_body(req, res, allowed, &err);
	if (body) {
		mc_json_int(body, "productId", 1, INT64_MAX, true, &pid, &err);
		S_remove(req, res, pid, mc_error_fields_result(&err), &err);
	}
	mc_error_release(&err);
}

void api_cart_clear(struct http_req *req, struct http_res *res)
{
	struct cart_owner o;
	mc_error err;

	mc_error_init(&err);
	S_owner(req, res, &o);
	S_answer(&o, res, 200, cart_clear(&o, &err), &err);
	mc_error_release(&err);
}

/* /api/cart/:userId (seed 002): the caller's own cart, or any for an admin. */
static mc_rc S_user_owner(struct http_req *req, struct cart_owner *o, mc_error *err)
{
	int64_t uid;
	mc_rc rc = http_req_param_id(req, 0, &uid, err);

	memset(o, 0, sizeof(*o));
	if (rc)
		return rc;
	if (uid != req->auth.user_id && req->auth.role != ROLE_ADMIN)
		return mc_fail(err, MC_ERR_FORBIDDEN, "not_your_cart", "you may only see your own cart");
	o->user_id = uid;
	return MC_OK;
}

void api_cart_user_get(struct http_req *req, struct http_res *res)
{
	struct cart_owner o;
	mc_error err;

	mc_error_init(&err);
	S_answer(&o, res, 200, S_user_owner(req, &o, &err), &err);
	mc_error_release(&err);
}

/* {productId, quantity} sets one line (0 removes it); {items: [...]} replaces the cart. */
void api_cart_user_post(struct http_req *req, struct http_res *res)
{
	static const char *const allowed[] = { "productId", "quantity", "qty", "items", NULL };
	struct cart_item_req items[MC_CART_LINES_MAX];
	struct cart_view v;
	struct cart_owner o;
	json_t *body, *arr, *it;
	int64_t pid = 0, qty = 0;
	size_t n = 0, i;
	mc_error err;
	mc_rc rc;

	mc_error_init(&err);
	rc = S_user_owner(req, &o, &err);
	if (rc) {
		http_res_error(res, rc, &err);
		goto out;
	}
	body = api_body(req, res, allowed, &err);
	if (!body)
		goto out;
	arr = json_object_get(body, "items");
	if (!arr) {
		mc_json_int(body, "productId", 1, INT64_MAX, true, &pid, &err);
		mc_json_int(body, mc_json_has(body, "quantity") ? "quantity" : "qty", 0, MC_CART_QTY_MAX, true, &qty,
			    &err);
		rc = mc_error_fields_result(&err);
		if (!rc)
			rc = cart_set(&o, pid, qty, &v, &err);
		S_send_view(res, 200, rc, &v, &err);
		goto out;
	}
	if (!json_is_array(arr)) {
		mc_error_field(&err, "items", "must be an array of at most %d {productId, quantity}", MC_CART_LINES_MAX);
	} else if (json_array_size(arr) > MC_CART_LINES_MAX) {
		rc = mc_fail(&err, MC_ERR_CONFLICT, "cart_full", "a cart holds at most %d products", MC_CART_LINES_MAX);
		http_res_error(res, rc, &err);
		goto out;
	} else {
		json_array_foreach(arr, i, it) {
			static const char *const item_keys[] = { "productId", "quantity", "qty", NULL };

			if (!json_is_object(it) || mc_json_allow_only(it, item_keys, &err)) {
				mc_error_field(&err, "items", "each item is {productId, quantity}");
				break;
			}
			mc_json_int(it, "productId", 1, INT64_MAX, true, &items[n].product_id, &err);
			mc_json_int(it, mc_json_has(it, "quantity") ? "quantity" : "qty", 0, MC_CART_QTY_MAX, true,
				    &items[n].quantity, &err);
			n++;
		}
	}
	rc = mc_error_fields_result(&err);
	if (!rc)
		rc = cart_replace(&o, items, n, &v, &err);
	S_send_view(res, 200, rc, &v, &err);
out:
	mc_error_release(&err);
}
