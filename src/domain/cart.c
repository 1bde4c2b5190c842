#include "domain/cart.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/money.h"
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

/* rc of a read of product id: not found is the client's error. */
static mc_rc S_product_read(mc_rc rc, int64_t id, mc_error *err)
{
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "product_not_found", "no product %lld", (long long)id);
	return rc;
}

static mc_rc S_load_product(int64_t id, struct product_brief *p, mc_error *err)
{
	return S_product_read(store_product_brief(id, p), id, err);
}

/* Sets one line's quantity inside an open transaction. */
static mc_rc S_put_line(int64_t cart_id, int64_t product_id, int64_t qty, int64_t now, mc_error *err)
{
	struct product_brief p;
	mc_rc rc = S_load_product(product_id, &p, err);

	if (!rc)
		rc = S_check(&p, qty, err);
	return rc ? rc : store_cart_set(cart_id, product_id, qty, pricing_effective(p.price, &p.sale, now), now);
}

/* The view of a known cart (0: none yet) from its lines, read now or, when
 * `lines` is not NULL, already (the view takes them over). */
static mc_rc S_view(int64_t cart_id, struct cart_line *lines, size_t n, struct cart_view *out, mc_error *err)
{
	struct cart_view v;
	int64_t now = clock_now();
	mc_rc rc = MC_OK;

	memset(&v, 0, sizeof(v));
	memcpy(v.currency, "INR", 4);
	v.id = cart_id;
	if (!cart_id) {
		cart_lines_free(lines, n);
		*out = v;
		return MC_OK;
	}
	if (!lines && (rc = store_cart_lines(v.id, &lines, &n)))
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
		v.n++;
		vl->unit_price = pricing_effective(lines[i].price, &lines[i].sale, now);
		if (!rc)
			rc = pricing_add_line(vl->unit_price, lines[i].quantity, &vl->line_total, &v.total, err);
		if (vl->unit_price != lines[i].price_snapshot) {
			vl->price_changed = 1;
			vl->previous_price = lines[i].price_snapshot;
			store_cart_set_snapshot(v.id, lines[i].product_id, vl->unit_price);
		}
		v.item_count += lines[i].quantity;
		memcpy(v.currency, lines[i].currency, 4);
	}
	free(lines); /* the strings moved into v.lines */
	if (rc) {
		cart_view_release(&v);
		return rc;
	}
	*out = v;
	return MC_OK;
}

/* After a change that may grow the cart: the caps on lines and on the total
 * (DESIGN section 6, "Abuse bounds"). A change that only shrinks a cart is
 * always allowed, even one a price rise put over the total cap. */
static mc_rc S_check_caps(const struct cart_view *v, mc_error *err)
{
	if (v->n > MC_CART_LINES_MAX)
		return mc_fail(err, MC_ERR_CONFLICT, "cart_full", "a cart holds at most %d products",
			       MC_CART_LINES_MAX);
	return pricing_check_total(v->total, err);
}

/* Reads the cart inside the change's transaction (unless the change read
 * its lines: `lines`, taken over), then commits: one transaction per
 * request instead of a write and a separate read. */
static mc_rc S_commit_with_view(int64_t cart_id, mc_rc rc, int grew, struct cart_line *lines, size_t n,
				struct cart_view *out, mc_error *err)
{
	int viewed = 0;

	if (!rc) {
		rc = S_view(cart_id, lines, n, out, err);
		viewed = !rc;
	} else {
		cart_lines_free(lines, n);
	}
	if (!rc && grew)
		rc = S_check_caps(out, err);
	rc = store_finish(rc);
	if (rc && viewed)
		cart_view_release(out);
	return rc;
}

mc_rc cart_add(const struct cart_owner *o, int64_t product_id, int64_t qty, struct cart_view *out, mc_error *err)
{
	int64_t now = clock_now(), cart_id = 0, total = 0;
	struct cart_line *lines = NULL;
	struct product_brief p;
	size_t n = 0;
	mc_rc rc;

	if (qty < 1 || qty > MC_CART_QTY_MAX) {
		mc_error_field(err, "quantity", "must be between 1 and %d", MC_CART_QTY_MAX);
		return mc_error_fields_result(err);
	}
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	/* The product's read carries the cart's opening: one round trip. */
	rc = S_product_read(store_cart_open_with_product(o, now, product_id, &cart_id, &p), product_id, err);
	/* Write first, then check the sum read back (a failed check rolls the
	 * write back); the cart's lines come back with it. */
	if (!rc)
		rc = store_cart_add_lines(cart_id, product_id, qty, MC_CART_QTY_MAX, pricing_effective(p.price, &p.sale, now),
					  now, &total, &lines, &n);
	if (!rc)
		rc = S_check(&p, total, err);
	return S_commit_with_view(cart_id, rc, 1, lines, n, out, err);
}

mc_rc cart_set(const struct cart_owner *o, int64_t product_id, int64_t qty, struct cart_view *out, mc_error *err)
{
	int64_t now = clock_now(), cart_id, before = 0;
	mc_rc rc;

	if (qty < 0 || qty > MC_CART_QTY_MAX) {
		mc_error_field(err, "quantity", "must be between 0 and %d", MC_CART_QTY_MAX);
		return mc_error_fields_result(err);
	}
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_cart_open(o, now, &cart_id);
	if (!rc)
		rc = store_cart_quantity(cart_id, product_id, &before);
	if (!rc && qty == 0) {
		rc = store_cart_remove(cart_id, product_id);
		if (rc == MC_ERR_NOT_FOUND)
			rc = MC_OK;
	} else if (!rc) {
		rc = S_put_line(cart_id, product_id, qty, now, err);
	}
	return S_commit_with_view(cart_id, rc, qty > before, NULL, 0, out, err);
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
		return mc_fail(err, MC_ERR_CONFLICT, "cart_full", "a cart holds at most %d products", MC_CART_LINES_MAX);
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_cart_open(o, now, &cart_id);
	if (!rc)
		rc = store_cart_clear(cart_id);
	for (size_t i = 0; !rc && i < n; i++)
		if (items[i].quantity > 0)
			rc = S_put_line(cart_id, items[i].product_id, items[i].quantity, now, err);
	return S_commit_with_view(cart_id, rc, 1, NULL, 0, out, err);
}

mc_rc cart_view(const struct cart_owner *o, struct cart_view *out, mc_error *err)
{
	int64_t cart_id = 0;
	mc_rc rc = store_cart_find(o, &cart_id);

	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	return S_view(rc ? 0 : cart_id, NULL, 0, out, err);
}

/* The units of product_id in a cart's lines; 0 when absent. */
static int64_t S_line_quantity(const struct cart_line *lines, size_t n, int64_t product_id)
{
	for (size_t i = 0; i < n; i++)
		if (lines[i].product_id == product_id && !lines[i].deleted)
			return lines[i].quantity;
	return 0;
}

/* The user's cart before a merge: its live lines and their total today. */
struct merge_target {
	int64_t cart_id;
	struct cart_line *lines;
	size_t n;
	size_t live;
	int64_t total;
};

static mc_rc S_merge_target(int64_t user_id, int64_t now, struct merge_target *t, mc_error *err)
{
	struct cart_owner user = { .user_id = user_id };
	int64_t line;
	mc_rc rc = store_cart_open(&user, now, &t->cart_id);

	if (!rc)
		rc = store_cart_lines(t->cart_id, &t->lines, &t->n);
	for (size_t i = 0; !rc && i < t->n; i++) {
		if (t->lines[i].deleted)
			continue;
		t->live++;
		rc = pricing_add_line(pricing_effective(t->lines[i].price, &t->lines[i].sale, now), t->lines[i].quantity,
				      &line, &t->total, err);
	}
	return rc;
}

/* How many units of guest line l the user's cart ends with: the sum of
 * both, capped at stock, the line limit, the cart's line cap and the order
 * total cap (DESIGN section 6). Moves t's counts by the change. */
static mc_rc S_merge_quantity(struct merge_target *t, const struct cart_line *l, int64_t unit, int64_t cur,
			      int64_t *qty, mc_error *err)
{
	int64_t q = cur + l->quantity, delta;

	if (q > l->stock)
		q = l->stock;
	if (q > MC_CART_QTY_MAX)
		q = MC_CART_QTY_MAX;
	if (!cur && t->live >= MC_CART_LINES_MAX)
		q = 0;
	if (q > cur && unit > 0) {
		int64_t room = t->total < MC_ORDER_TOTAL_MAX ? (MC_ORDER_TOTAL_MAX - t->total) / unit : 0;

		if (q - cur > room)
			q = cur + room;
	}
	if (money_mul(q - cur, unit, &delta) || money_add(t->total, delta, &t->total))
		return money_overflow(err);
	if (!cur && q > 0)
		t->live++;
	*qty = q;
	return MC_OK;
}

mc_rc cart_merge(int64_t user_id, const char *session_hash, struct cart_merged **out, size_t *n, mc_error *err)
{
	struct cart_owner guest = { 0 };
	struct merge_target t = { 0 };
	struct cart_line *lines = NULL;
	struct cart_merged *merged = NULL;
	int64_t now = clock_now(), guest_id;
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
		rc = S_merge_target(user_id, now, &t, err);
	if (!rc && count && !(merged = calloc(count, sizeof(*merged))))
		rc = MC_ERR_INTERNAL;
	for (size_t i = 0; !rc && i < count; i++) {
		const struct cart_line *l = &lines[i];
		int64_t unit = pricing_effective(l->price, &l->sale, now), cur, qty = 0;

		if (l->deleted)
			continue;
		cur = S_line_quantity(t.lines, t.n, l->product_id);
		rc = S_merge_quantity(&t, l, unit, cur, &qty, err);
		if (rc)
			break;
		merged[done].product_id = l->product_id;
		merged[done].quantity = qty;
		merged[done].capped = qty < cur + l->quantity;
		done++;
		if (qty > 0)
			rc = store_cart_set(t.cart_id, l->product_id, qty, unit, now);
		else if (cur)
			rc = store_cart_remove(t.cart_id, l->product_id);
	}
	if (!rc)
		rc = store_cart_delete(guest_id);
	cart_lines_free(lines, count);
	cart_lines_free(t.lines, t.n);
	rc = store_finish(rc);
	if (rc) {
		free(merged);
		return rc;
	}
	*out = merged;
	*n = done;
	return MC_OK;
}
