#include "domain/cart.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "domain/pricing.h"
#include "store/products.h"
#include "store/store.h"

void cart_view_release(struct cart_view *v)
{
	if (v->lines) {
		for (size_t i = 0; i < v->n; i++) {
			free(v->lines[i].line.name);
			free(v->lines[i].line.image_url);
		}
		free(v->lines);
	}
	memset(v, 0, sizeof(*v));
}

static mc_rc S_insufficient(mc_error *err, int64_t product_id, int64_t available)
{
	err->extra = json_pack("{s:I, s:I}", "productId", (json_int_t)product_id, "available", (json_int_t)available);
	return mc_fail(err, MC_ERR_CONFLICT, "insufficient_stock", "only %lld of product %lld available",
		       (long long)available, (long long)product_id);
}

/* Checks a line's new quantity against the rules and, when p is given, the
 * product's stock. */
static mc_rc S_check(const struct product_brief *p, int64_t qty, mc_error *err)
{
	if (qty < 1 || qty > MC_CART_QTY_MAX)
		return mc_fail(err, MC_ERR_UNPROCESSABLE, "quantity_limit",
			       "a cart line holds 1 to %d units", MC_CART_QTY_MAX);
	if (p && qty > p->stock)
		return S_insufficient(err, p->id, p->stock);
	return MC_OK;
}

static mc_rc S_load_product(int64_t id, struct product_brief *p, mc_error *err)
{
	mc_rc rc = store_product_brief(id, p);

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "product_not_found", "no product %lld", (long long)id);
	return rc;
}

/* Sets one line inside an open transaction; absolute (add = 0) or relative.
 * An add writes first and checks the sum it reads back: a failed check
 * makes the caller roll the write back. */
static mc_rc S_put_line(int64_t cart_id, int64_t product_id, int64_t qty, int add, int64_t now, mc_error *err)
{
	struct product_brief p;
	int64_t snapshot;
	mc_rc rc = S_load_product(product_id, &p, err);

	if (!rc)
		rc = S_check(add ? NULL : &p, qty, err);
	if (rc)
		return rc;
	snapshot = pricing_effective(p.price, &p.sale, now);
	if (!add)
		return store_cart_set(cart_id, product_id, qty, snapshot, now);
	rc = store_cart_add(cart_id, product_id, qty, MC_CART_QTY_MAX, snapshot, now, &qty);
	return rc ? rc : S_check(&p, qty, err);
}

/* The view of a known cart (0: none yet). */
static mc_rc S_view(int64_t cart_id, struct cart_view *out)
{
	struct cart_view v;
	struct cart_line *lines = NULL;
	int64_t now = clock_now();
	size_t n = 0;
	mc_rc rc;

	memset(&v, 0, sizeof(v));
	memcpy(v.currency, "INR", 4);
	v.id = cart_id;
	if (!cart_id) {
		*out = v;
		return MC_OK;
	}
	rc = store_cart_lines(v.id, &lines, &n);
	if (rc)
		return rc;
	v.lines = calloc(n ? n : 1, sizeof(*v.lines));
	if (!v.lines) {
		cart_lines_free(lines, n);
		return MC_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		struct cart_view_line *vl = &v.lines[v.n];

		if (lines[i].deleted) {
			/* A withdrawn product leaves the cart. */
			store_cart_remove(v.id, lines[i].product_id);
			free(lines[i].name);
			free(lines[i].image_url);
			continue;
		}
		vl->line = lines[i];
		vl->unit_price = pricing_effective(lines[i].price, &lines[i].sale, now);
		vl->line_total = vl->unit_price * lines[i].quantity;
		if (vl->unit_price != lines[i].price_snapshot) {
			vl->price_changed = 1;
			vl->previous_price = lines[i].price_snapshot;
			store_cart_set_snapshot(v.id, lines[i].product_id, vl->unit_price);
		}
		v.total += vl->line_total;
		v.item_count += lines[i].quantity;
		memcpy(v.currency, lines[i].currency, 4);
		v.n++;
	}
	free(lines); /* the strings moved into v.lines */
	*out = v;
	return MC_OK;
}

/* Reads the cart inside the change's transaction, then commits: one
 * transaction per request instead of a write and a separate read. */
static mc_rc S_commit_with_view(int64_t cart_id, mc_rc rc, struct cart_view *out)
{
	int viewed = 0;

	if (!rc) {
		rc = S_view(cart_id, out);
		viewed = !rc;
	}
	rc = store_finish(rc);
	if (rc && viewed)
		cart_view_release(out);
	return rc;
}

mc_rc cart_add(const struct cart_owner *o, int64_t product_id, int64_t qty, struct cart_view *out, mc_error *err)
{
	int64_t now = clock_now(), cart_id;
	mc_rc rc;

	if (qty < 1 || qty > MC_CART_QTY_MAX) {
		mc_error_field(err, "quantity", "must be between 1 and %d", MC_CART_QTY_MAX);
		return mc_error_fields_result(err);
	}
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_cart_open(o, now, &cart_id);
	if (!rc)
		rc = S_put_line(cart_id, product_id, qty, 1, now, err);
	return S_commit_with_view(cart_id, rc, out);
}

mc_rc cart_set(const struct cart_owner *o, int64_t product_id, int64_t qty, struct cart_view *out, mc_error *err)
{
	int64_t now = clock_now(), cart_id;
	mc_rc rc;

	if (qty < 0 || qty > MC_CART_QTY_MAX) {
		mc_error_field(err, "quantity", "must be between 0 and %d", MC_CART_QTY_MAX);
		return mc_error_fields_result(err);
	}
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_cart_open(o, now, &cart_id);
	if (!rc && qty == 0) {
		rc = store_cart_remove(cart_id, product_id);
		if (rc == MC_ERR_NOT_FOUND)
			rc = MC_OK;
	} else if (!rc) {
		rc = S_put_line(cart_id, product_id, qty, 0, now, err);
	}
	return S_commit_with_view(cart_id, rc, out);
}

mc_rc cart_remove(const struct cart_owner *o, int64_t product_id, mc_error *err)
{
	int64_t cart_id;
	mc_rc rc = store_cart_find(o, &cart_id);

	if (!rc)
		rc = store_cart_remove(cart_id, product_id);
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "not_in_cart", "product %lld is not in the cart", (long long)product_id);
	return rc;
}

mc_rc cart_clear(const struct cart_owner *o, mc_error *err)
{
	int64_t cart_id;
	mc_rc rc = store_cart_find(o, &cart_id);

	if (rc == MC_ERR_NOT_FOUND)
		return MC_OK;
	return rc ? rc : store_cart_clear(cart_id);
}

mc_rc cart_replace(const struct cart_owner *o, const struct cart_item_req *items, size_t n, struct cart_view *out,
		   mc_error *err)
{
	int64_t now = clock_now(), cart_id;
	mc_rc rc;

	if (n > MC_CART_LINES_MAX)
		return mc_fail(err, MC_ERR_INVALID, "too_many_lines", "a cart holds at most %d products",
			       MC_CART_LINES_MAX);
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_cart_open(o, now, &cart_id);
	if (!rc)
		rc = store_cart_clear(cart_id);
	for (size_t i = 0; !rc && i < n; i++)
		if (items[i].quantity > 0)
			rc = S_put_line(cart_id, items[i].product_id, items[i].quantity, 0, now, err);
	return S_commit_with_view(cart_id, rc, out);
}

mc_rc cart_view(const struct cart_owner *o, struct cart_view *out, mc_error *err)
{
	int64_t cart_id = 0;
	mc_rc rc = store_cart_find(o, &cart_id);

	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	return S_view(rc ? 0 : cart_id, out);
}

mc_rc cart_merge(int64_t user_id, const char *session_hash, struct cart_merged **out, size_t *n, mc_error *err)
{
	struct cart_owner guest = { 0 }, user = { .user_id = user_id };
	struct cart_line *lines = NULL;
	struct cart_merged *merged = NULL;
	int64_t now = clock_now(), guest_id, user_id_cart;
	size_t count = 0, done = 0;
	mc_rc rc;

	*n = 0;
	*out = NULL;
	if (!session_hash || strlen(session_hash) >= sizeof(guest.session_hash))
		return MC_OK;
	memcpy(guest.session_hash, session_hash, strlen(session_hash) + 1);
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_cart_find(&guest, &guest_id);
	if (rc == MC_ERR_NOT_FOUND) {
		store_rollback();
		return MC_OK;
	}
	if (!rc)
		rc = store_cart_lines(guest_id, &lines, &count);
	if (!rc)
		rc = store_cart_open(&user, now, &user_id_cart);
	if (!rc && count && !(merged = calloc(count, sizeof(*merged))))
		rc = MC_ERR_INTERNAL;
	for (size_t i = 0; !rc && i < count; i++) {
		const struct cart_line *l = &lines[i];
		int64_t cur = 0, want, qty;

		if (l->deleted)
			continue;
		rc = store_cart_quantity(user_id_cart, l->product_id, &cur);
		if (rc)
			break;
		want = cur + l->quantity;
		qty = want;
		if (qty > l->stock)
			qty = l->stock;
		if (qty > MC_CART_QTY_MAX)
			qty = MC_CART_QTY_MAX;
		merged[done].product_id = l->product_id;
		merged[done].quantity = qty;
		merged[done].capped = qty < want;
		done++;
		if (qty > 0)
			rc = store_cart_set(user_id_cart, l->product_id, qty, pricing_effective(l->price, &l->sale, now), now);
		else if (cur)
			rc = store_cart_remove(user_id_cart, l->product_id);
	}
	if (!rc)
		rc = store_cart_delete(guest_id);
	cart_lines_free(lines, count);
	rc = store_finish(rc);
	if (rc) {
		free(merged);
		return rc;
	}
	*out = merged;
	*n = done;
	return MC_OK;
}
