#include "jobs/render.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/money.h"
#include "core/limits.h"
#include "core/strbuf.h"
#include "domain/account.h"

/* Order emails: the subject is "Your order #ID: <title>"; the lead opens the body. */
static const struct order_email {
	const char *title;
	const char *lead;
} order_emails[EMAIL_KIND_COUNT] = {
	[EMAIL_ORDER_PLACED] = { "received", "Thank you for your order. We keep it for you until it is paid." },
	[EMAIL_PAYMENT_SUCCEEDED] = { "payment received",
				      "We received your payment and are preparing your order." },
	[EMAIL_PAYMENT_FAILED] = { "payment failed",
				   "Your payment did not go through. Your order is still waiting: please try again." },
	[EMAIL_ORDER_SHIPPED] = { "shipped", "Your order is on its way." },
	[EMAIL_ORDER_CANCELLED] = { "cancelled", "Your order has been cancelled." },
	[EMAIL_ORDER_REFUNDED] = { "refunded", "Your order has been refunded in full." },
};

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

static mc_rc S_render_order(struct doc *d, email_kind kind, json_t *o, struct email *out)
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
	if (asprintf(&out->subject, "Your order #%lld: %s", (long long)id, order_emails[kind].title) < 0) {
		out->subject = NULL;
		return MC_ERR_INTERNAL;
	}
	out->ref = id;
	S_para(d, "%s", order_emails[kind].lead);
	if (reason)
		S_para(d, "Reason: %s", reason);
	if (kind == EMAIL_ORDER_CANCELLED && order_status_parse(status) == ORDER_REFUNDED)
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

static mc_rc S_render_reset(struct doc *d, json_t *p, struct email *out)
{
	const char *to, *link;
	json_int_t id, minutes;

	if (json_unpack(p, "{s:s, s:I, s:s, s:I}", "to", &to, "userId", &id, "link", &link, "validMinutes", &minutes))
		return MC_ERR_INVALID;
	out->subject = strdup("Reset your Mercato password");
	if (!out->subject)
		return MC_ERR_INTERNAL;
	out->ref = id;
	S_para(d, "Someone, hopefully you, asked to reset the password of the account %s. To choose a new one, "
		  "open this link within %lld minutes (it works once):", to, (long long)minutes);
	strbuf_adds(&d->html, "<p><a href=\"");
	S_escape(&d->html, link);
	strbuf_adds(&d->html, "\">");
	S_escape(&d->html, link);
	strbuf_adds(&d->html, "</a></p>\n");
	strbuf_adds(&d->text, link);
	strbuf_adds(&d->text, "\n\n");
	S_para(d, "If you did not ask, ignore this email: your password stays as it is.");
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

/* `to` goes into the To header as it is: only an address an account could
 * have (no CR or LF, no spaces) is rendered. */
static bool S_address_ok(const char *to)
{
	char norm[MC_EMAIL_MAX + 1];
	mc_error ignored;
	mc_rc rc;

	mc_error_init(&ignored);
	rc = account_normalize_email(to, norm, &ignored);
	mc_error_release(&ignored);
	return !rc;
}

mc_rc render_email(email_kind kind, const char *payload, struct email *out)
{
	json_t *p = json_loads(payload, 0, NULL);
	const char *to, *name;
	struct doc d;
	mc_rc rc = MC_ERR_INVALID;

	memset(out, 0, sizeof(*out));
	strbuf_init(&d.text);
	strbuf_init(&d.html);
	if (!p || json_unpack(p, "{s:s, s:s}", "to", &to, "name", &name) || !S_address_ok(to))
		goto out;
	strbuf_adds(&d.html, "<!DOCTYPE html>\n<html><body>\n");
	S_para(&d, "Hello %s,", name);
	if (email_kind_is_order(kind))
		rc = S_render_order(&d, kind, json_object_get(p, "order"), out);
	else if (kind == EMAIL_WELCOME)
		rc = S_render_welcome(&d, p, out);
	else if (kind == EMAIL_SALE_START)
		rc = S_render_sale(&d, p, out);
	else if (kind == EMAIL_PROMO_DIGEST)
		rc = S_render_digest(&d, p, out);
	else if (kind == EMAIL_PASSWORD_RESET)
		rc = S_render_reset(&d, p, out);
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
