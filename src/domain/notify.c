#include "domain/notify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/money.h"
#include "core/strbuf.h"
#include "domain/account.h"
#include "domain/pricing.h"
#include "store/jobs.h"
#include "store/orders.h"
#include "store/products.h"
#include "store/schedule.h"
#include "store/store.h"
#include "store/users.h"

/* Set by notify_init; the jobs table refuses 0, so a missing init fails loudly. */
static int64_t max_attempts;

/* Order events: the subject is "Your order #ID: <title>". */
static const struct order_event {
	const char *event;
	const char *title;
	const char *lead;
} order_events[] = {
	{ "order_placed", "received", "Thank you for your order. We keep it for you until it is paid." },
	{ "payment_succeeded", "payment received", "We received your payment and are preparing your order." },
	{ "payment_failed", "payment failed",
	  "Your payment did not go through. Your order is still waiting: please try again." },
	{ "order_shipped", "shipped", "Your order is on its way." },
	{ "order_cancelled", "cancelled", "Your order has been cancelled." },
	{ "order_refunded", "refunded", "Your order has been refunded in full." },
};

void notify_init(int64_t attempts)
{
	max_attempts = attempts;
}

static const struct order_event *S_event(const char *name)
{
	for (size_t i = 0; i < sizeof(order_events) / sizeof(order_events[0]); i++)
		if (!strcmp(order_events[i].event, name))
			return &order_events[i];
	return NULL;
}

/* --- enqueueing ------------------------------------------------------------ */

/* Writes the job in the open transaction; takes ownership of payload. The
 * dedupe key is formatted from key_fmt; it always fits (an email address
 * and a few numbers). */
static mc_rc S_enqueue(const char *kind, json_t *payload, const char *key_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static mc_rc S_enqueue(const char *kind, json_t *payload, const char *key_fmt, ...)
{
	char key[96 + MC_EMAIL_MAX], *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	va_list ap;
	int len;
	mc_rc rc = MC_ERR_INTERNAL;

	json_decref(payload);
	va_start(ap, key_fmt);
	len = vsnprintf(key, sizeof(key), key_fmt, ap);
	va_end(ap);
	if (text && len > 0 && (size_t)len < sizeof(key))
		rc = store_job_enqueue(kind, key, text, clock_now_ms(), max_attempts);
	free(text);
	return rc;
}

static json_t *S_order_json(const struct order *o)
{
	json_t *items = json_array(), *j;

	for (size_t i = 0; i < o->n; i++) {
		const struct order_line *l = &o->lines[i];

		json_array_append_new(items, json_pack("{s:s, s:I, s:I, s:I}", "name", l->name, "qty",
						       (json_int_t)l->quantity, "unitPrice", (json_int_t)l->unit_price,
						       "lineTotal", (json_int_t)l->line_total));
	}
	j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:o}", "id", (json_int_t)o->id, "status", o->status,
		      "currency", o->currency, "originalTotal", (json_int_t)o->original_total, "discount",
		      (json_int_t)o->discount, "total", (json_int_t)o->total, "items", items);
	if (j && o->coupon_code)
		json_object_set_new(j, "couponCode", json_string(o->coupon_code));
	if (j && o->cancel_reason)
		json_object_set_new(j, "cancelReason", json_string(o->cancel_reason));
	return j;
}

mc_rc notify_order_event(int64_t order_id, const char *event)
{
	struct order o;
	struct user u;
	mc_rc rc;

	if (!S_event(event)) {
		log_error("notify", "unknown order event %s", event);
		return MC_ERR_INVALID;
	}
	rc = store_order_get(order_id, 0, &o);
	if (rc)
		return rc;
	rc = store_user_by_id(o.user_id, &u);
	if (!rc)
		rc = S_enqueue(event, json_pack("{s:s, s:s, s:o}", "to", u.email, "name", u.name, "order", S_order_json(&o)),
			       "%s:%lld:%s", event, (long long)o.id, u.email);
	order_release(&o);
	return rc;
}

mc_rc notify_welcome(int64_t user_id)
{
	struct user u;
	mc_rc rc = store_user_by_id(user_id, &u);

	if (rc)
		return rc;
	return S_enqueue("welcome", json_pack("{s:s, s:s, s:I, s:s}", "to", u.email, "name", u.name, "userId",
					      (json_int_t)u.id, "role", role_name(u.role)),
			 "welcome:%lld:%s", (long long)u.id, u.email);
}

/* A product as the timed emails show it. */
static json_t *S_product_json(const struct product *p, int64_t now)
{
	return json_pack("{s:I, s:s, s:I, s:I, s:i, s:s, s:I}", "id", (json_int_t)p->id, "name", p->name, "price",
			 (json_int_t)p->price, "salePrice", (json_int_t)pricing_effective(p->price, &p->sale, now),
			 "percentage", p->sale.percentage, "currency", p->currency, "saleEnd", (json_int_t)p->sale.end);
}

/* One user's email with a shared part (product or product list) under `what`. */
static mc_rc S_enqueue_for(int64_t user_id, const char *kind, int64_t a, int64_t b, const char *what,
			   json_t *shared)
{
	struct user u;
	mc_rc rc = store_user_by_id(user_id, &u);

	if (rc)
		return rc;
	return S_enqueue(kind, json_pack("{s:s, s:s, s:I, s:O}", "to", u.email, "name", u.name, "userId",
					 (json_int_t)u.id, what, shared),
			 "%s:%lld:%lld:%s", kind, (long long)a, (long long)b, u.email);
}

/* Announces one sale window in one transaction; another scheduler that
 * announced it first makes this a no-op. */
static mc_rc S_announce(const struct sale_window *w, int64_t now, int *queued)
{
	int64_t ids[MC_SCHED_BATCH], after = 0;
	struct product p;
	json_t *prod = NULL;
	size_t n = MC_SCHED_BATCH;
	int first = 0;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = store_sale_mark(w, now, &first);
	if (!rc && first) {
		rc = store_product_get(w->product_id, &p);
		if (!rc) {
			prod = S_product_json(&p, now);
			product_release(&p);
			rc = prod ? MC_OK : MC_ERR_INTERNAL;
		} else if (rc == MC_ERR_NOT_FOUND) {
			rc = MC_OK; /* withdrawn meanwhile: nothing to announce */
		}
	}
	while (!rc && prod && n == MC_SCHED_BATCH) {
		rc = store_wishlist_users(w->product_id, after, MC_SCHED_BATCH, ids, &n);
		for (size_t i = 0; !rc && i < n; i++) {
			rc = S_enqueue_for(ids[i], "sale_start", w->product_id, w->start, "product", prod);
			*queued += !rc;
			after = ids[i];
		}
	}
	json_decref(prod);
	return store_finish(rc);
}

mc_rc notify_sale_starts(int64_t now, int *queued)
{
	struct sale_window due[MC_SCHED_BATCH];
	size_t n = 0;
	mc_rc rc;

	*queued = 0;
	do {
		rc = store_sale_starts(now - MC_SALE_NOTIFY_WINDOW, now, MC_SCHED_BATCH, due, &n);
		for (size_t i = 0; !rc && i < n; i++)
			rc = S_announce(&due[i], now, queued);
	} while (!rc && n == MC_SCHED_BATCH);
	return rc;
}

/* Digests for a page of due buyers in one transaction. */
static mc_rc S_digest_page(const int64_t *ids, size_t n, json_t *products, int64_t now, int *queued)
{
	mc_rc rc = store_begin(DB_TXN_WRITE);

	for (size_t i = 0; !rc && i < n; i++) {
		int first = 0;

		rc = store_digest_mark(ids[i], now, now - MC_DIGEST_THROTTLE, &first);
		if (!rc && first) {
			rc = S_enqueue_for(ids[i], "promo_digest", ids[i], now, "products", products);
			*queued += !rc;
		}
	}
	return store_finish(rc);
}

mc_rc notify_promo_digest(int64_t now, int *queued)
{
	struct product_filter f = {
		.min_price = -1, .max_price = -1, .on_sale = 1, .sort = SORT_NEWEST, .limit = MC_DIGEST_PRODUCTS,
	};
	int64_t ids[MC_SCHED_BATCH], after = 0, total = 0;
	struct product *items = NULL;
	json_t *products = json_array();
	size_t nitems = 0, n = MC_SCHED_BATCH;
	mc_rc rc;

	*queued = 0;
	if (!products)
		return MC_ERR_INTERNAL;
	rc = store_product_list(&f, now, &items, &nitems, &total);
	for (size_t i = 0; !rc && i < nitems; i++)
		if (json_array_append_new(products, S_product_json(&items[i], now)))
			rc = MC_ERR_INTERNAL;
	/* Nothing on sale: nothing to tell. */
	while (!rc && nitems && n == MC_SCHED_BATCH) {
		rc = store_digest_due(now - MC_DIGEST_THROTTLE, after, MC_SCHED_BATCH, ids, &n);
		if (!rc && n) {
			rc = S_digest_page(ids, n, products, now, queued);
			after = ids[n - 1];
		}
	}
	product_list_free(items, nitems);
	json_decref(products);
	return rc;
}

/* --- rendering --------------------------------------------------------------- */

/* The plain-text and HTML bodies of one email, written side by side. */
struct doc {
	strbuf text;
	strbuf html;
};

static void S_escape(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			strbuf_adds(sb, "&amp;");
			break;
		case '<':
			strbuf_adds(sb, "&lt;");
			break;
		case '>':
			strbuf_adds(sb, "&gt;");
			break;
		case '"':
			strbuf_adds(sb, "&quot;");
			break;
		case '\'':
			strbuf_adds(sb, "&#39;");
			break;
		default:
			strbuf_addch(sb, *s);
		}
	}
}

/* Formatted text into both bodies: HTML-escaped inside open/close tags. */
static void S_vadd(struct doc *d, const char *open, const char *close, const char *text_end, const char *fmt,
		   va_list ap) __attribute__((format(printf, 5, 0)));
static void S_vadd(struct doc *d, const char *open, const char *close, const char *text_end, const char *fmt,
		   va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		d->text.failed = 1;
		return;
	}
	strbuf_adds(&d->text, s);
	strbuf_adds(&d->text, text_end);
	strbuf_adds(&d->html, open);
	S_escape(&d->html, s);
	strbuf_adds(&d->html, close);
	free(s);
}

/* A paragraph. */
static void S_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void S_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	S_vadd(d, "<p>", "</p>\n", "\n\n", fmt, ap);
	va_end(ap);
}

/* A line of a block (totals). */
static void S_line(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void S_line(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	S_vadd(d, "<div>", "</div>\n", "\n", fmt, ap);
	va_end(ap);
}

static void S_cells(struct doc *d, const char *tag, const char *const cells[4])
{
	strbuf_adds(&d->html, "<tr>");
	for (int i = 0; i < 4; i++) {
		strbuf_addf(&d->html, "<%s>", tag);
		S_escape(&d->html, cells[i]);
		strbuf_addf(&d->html, "</%s>", tag);
	}
	strbuf_adds(&d->html, "</tr>\n");
}

static void S_table(struct doc *d, const char *const head[4])
{
	strbuf_adds(&d->html, "<table cellpadding=\"4\">\n");
	S_cells(d, "th", head);
}

/* A table row: cells in HTML, one formatted line in text. */
static void S_row(struct doc *d, const char *const cells[4], const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void S_row(struct doc *d, const char *const cells[4], const char *fmt, ...)
{
	va_list ap;

	S_cells(d, "td", cells);
	va_start(ap, fmt);
	S_vadd(d, "", "", "\n", fmt, ap);
	va_end(ap);
}

static void S_table_end(struct doc *d)
{
	strbuf_adds(&d->html, "</table>\n");
	strbuf_addch(&d->text, '\n');
}

/* "pending_payment" -> "pending payment" */
static const char *S_human(const char *status, char *buf, size_t len)
{
	snprintf(buf, len, "%s", status);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	return buf;
}

#define MONEY(buf, v, cur) (money_format((v), (cur), (buf), sizeof(buf)), (buf))

static mc_rc S_render_order(struct doc *d, const struct order_event *ev, json_t *o, struct email *out)
{
	json_int_t id, original, discount, total;
	const char *status, *cur, *coupon, *reason;
	char a[32], b[32], c[32], st[24];
	json_t *items, *it;
	size_t i;

	if (json_unpack(o, "{s:I, s:s, s:s, s:I, s:I, s:I, s:o}", "id", &id, "status", &status, "currency", &cur,
			"originalTotal", &original, "discount", &discount, "total", &total, "items", &items) ||
	    !json_is_array(items))
		return MC_ERR_INVALID;
	coupon = json_string_value(json_object_get(o, "couponCode"));
	reason = json_string_value(json_object_get(o, "cancelReason"));
	if (asprintf(&out->subject, "Your order #%lld: %s", (long long)id, ev->title) < 0) {
		out->subject = NULL;
		return MC_ERR_INTERNAL;
	}
	out->ref = id;
	S_para(d, "%s", ev->lead);
	if (reason)
		S_para(d, "Reason: %s", reason);
	if (!strcmp(ev->event, "order_cancelled") && !strcmp(status, "refunded"))
		S_para(d, "Your payment has been refunded in full.");
	S_para(d, "Order #%lld, now %s:", (long long)id, S_human(status, st, sizeof(st)));
	S_table(d, (const char *const[4]){ "Item", "Qty", "Price", "Total" });
	json_array_foreach(items, i, it) {
		json_int_t qty, unit, line;
		const char *name;
		char q[24];

		if (json_unpack(it, "{s:s, s:I, s:I, s:I}", "name", &name, "qty", &qty, "unitPrice", &unit, "lineTotal",
				&line))
			return MC_ERR_INVALID;
		snprintf(q, sizeof(q), "%lld", (long long)qty);
		S_row(d, (const char *const[4]){ name, q, MONEY(a, unit, cur), MONEY(b, line, cur) }, "%s x %s at %s: %s",
		      q, name, a, b);
	}
	S_table_end(d);
	S_line(d, "Subtotal: %s", MONEY(a, original, cur));
	if (discount)
		S_line(d, "Discount%s%s%s: -%s", coupon ? " (" : "", coupon ? coupon : "", coupon ? ")" : "",
		       MONEY(b, discount, cur));
	S_line(d, "Total: %s", MONEY(c, total, cur));
	strbuf_addch(&d->text, '\n');
	return MC_OK;
}

static mc_rc S_render_welcome(struct doc *d, json_t *p, struct email *out)
{
	const char *name, *to, *role;
	json_int_t id;

	if (json_unpack(p, "{s:s, s:s, s:I, s:s}", "name", &name, "to", &to, "userId", &id, "role", &role))
		return MC_ERR_INVALID;
	if (asprintf(&out->subject, "Welcome to Mercato, %s", name) < 0) {
		out->subject = NULL;
		return MC_ERR_INTERNAL;
	}
	out->ref = id;
	S_para(d, "Your %s account is ready. Sign in with %s.", role, to);
	return MC_OK;
}

/* A product of a timed email: the sale price and what it was. */
static int S_unpack_product(json_t *p, const char **name, char was[32], char now[32], int *pct, json_int_t *id,
			    json_int_t *end)
{
	json_int_t price, sale;
	const char *cur;

	if (json_unpack(p, "{s:I, s:s, s:I, s:I, s:i, s:s, s:I}", "id", id, "name", name, "price", &price,
			"salePrice", &sale, "percentage", pct, "currency", &cur, "saleEnd", end))
		return -1;
	money_format(price, cur, was, 32);
	money_format(sale, cur, now, 32);
	return 0;
}

static mc_rc S_render_sale(struct doc *d, json_t *p, struct email *out)
{
	const char *name;
	char was[32], now[32], end[32];
	json_int_t id, until;
	int pct;

	if (S_unpack_product(json_object_get(p, "product"), &name, was, now, &pct, &id, &until))
		return MC_ERR_INVALID;
	if (asprintf(&out->subject, "On sale now: %s, %d%% off", name, pct) < 0) {
		out->subject = NULL;
		return MC_ERR_INTERNAL;
	}
	out->ref = id;
	clock_format_rfc3339(until, end, sizeof(end));
	S_para(d, "%s from your wishlist is on sale: %s instead of %s (%d%% off) until %s.", name, now, was, pct, end);
	return MC_OK;
}

static mc_rc S_render_digest(struct doc *d, json_t *p, struct email *out)
{
	json_t *products = json_object_get(p, "products"), *it;
	json_int_t user;
	size_t i;

	if (json_unpack(p, "{s:I}", "userId", &user) || !json_is_array(products))
		return MC_ERR_INVALID;
	out->subject = strdup("Today's deals at Mercato");
	if (!out->subject)
		return MC_ERR_INTERNAL;
	out->ref = user;
	S_para(d, "These products are on sale now:");
	S_table(d, (const char *const[4]){ "Product", "Discount", "Was", "Now" });
	json_array_foreach(products, i, it) {
		char was[32], now[32], off[16];
		json_int_t id, end;
		const char *name;
		int pct;

		if (S_unpack_product(it, &name, was, now, &pct, &id, &end))
			return MC_ERR_INVALID;
		snprintf(off, sizeof(off), "%d%%", pct);
		S_row(d, (const char *const[4]){ name, off, was, now }, "%s: %s instead of %s (%s off)", name, now, was,
		      off);
	}
	S_table_end(d);
	return MC_OK;
}

void email_release(struct email *e)
{
	free(e->to);
	free(e->subject);
	free(e->text);
	free(e->html);
	memset(e, 0, sizeof(*e));
}

mc_rc notify_render(const char *kind, const char *payload, struct email *out)
{
	const struct order_event *ev = S_event(kind);
	json_t *p = json_loads(payload, 0, NULL);
	const char *to, *name;
	struct doc d;
	mc_rc rc = MC_ERR_INVALID;

	memset(out, 0, sizeof(*out));
	strbuf_init(&d.text);
	strbuf_init(&d.html);
	if (!p || json_unpack(p, "{s:s, s:s}", "to", &to, "name", &name))
		goto out;
	/* `to` goes into the To header as it is: only an address an account
	 * could have (no CR/LF, no spaces) is rendered. */
	{
		char norm[MC_EMAIL_MAX + 1];
		mc_error ignored;

		mc_error_init(&ignored);
		if (account_normalize_email(to, norm, &ignored))
			goto out;
	}
	strbuf_adds(&d.html, "<!DOCTYPE html>\n<html><body>\n");
	S_para(&d, "Hello %s,", name);
	if (ev)
		rc = S_render_order(&d, ev, json_object_get(p, "order"), out);
	else if (!strcmp(kind, "welcome"))
		rc = S_render_welcome(&d, p, out);
	else if (!strcmp(kind, "sale_start"))
		rc = S_render_sale(&d, p, out);
	else if (!strcmp(kind, "promo_digest"))
		rc = S_render_digest(&d, p, out);
	if (rc)
		goto out;
	S_para(&d, "Thank you for shopping at Mercato.");
	strbuf_adds(&d.html, "</body></html>\n");
	out->to = strdup(to);
	out->text = strbuf_detach(&d.text, NULL);
	out->html = strbuf_detach(&d.html, NULL);
	if (!out->to || !out->text || !out->html)
		rc = MC_ERR_INTERNAL;
out:
	if (rc)
		email_release(out);
	strbuf_release(&d.text);
	strbuf_release(&d.html);
	json_decref(p);
	return rc;
}
