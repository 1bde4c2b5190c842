#include "domain/notify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "store/jobs.h"
#include "store/orders.h"
#include "store/users.h"

/* Set by notify_init; the jobs table refuses 0, so a missing init fails loudly. */
static int64_t max_attempts;

void notify_init(int64_t attempts)
{
	max_attempts = attempts;
}

/* Writes the job with its JSON text (NULL: it could not be built) in the
 * open transaction. The dedupe key is formatted from key_fmt; it always
 * fits (an email address and a few numbers). */
static mc_rc S_enqueue_text(email_kind kind, const char *text, const char *key_fmt, va_list ap)
{
	char key[96 + MC_EMAIL_MAX];
	int len = vsnprintf(key, sizeof(key), key_fmt, ap);

	if (!text || len <= 0 || (size_t)len >= sizeof(key))
		return MC_ERR_INTERNAL;
	return store_job_enqueue(kind, key, text, clock_now_ms(), max_attempts);
}

/* S_enqueue_text() for a jansson payload, which it takes ownership of. */
static mc_rc S_enqueue(email_kind kind, json_t *payload, const char *key_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static mc_rc S_enqueue(email_kind kind, json_t *payload, const char *key_fmt, ...)
{
	char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	va_list ap;
	mc_rc rc;

	json_decref(payload);
	va_start(ap, key_fmt);
	rc = S_enqueue_text(kind, text, key_fmt, ap);
	va_end(ap);
	free(text);
	return rc;
}

/* S_enqueue_text() for a payload written into sb, which it releases. */
static mc_rc S_enqueue_written(email_kind kind, strbuf *sb, const char *key_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static mc_rc S_enqueue_written(email_kind kind, strbuf *sb, const char *key_fmt, ...)
{
	va_list ap;
	mc_rc rc;

	va_start(ap, key_fmt);
	rc = S_enqueue_text(kind, sb->failed ? NULL : sb->buf, key_fmt, ap);
	va_end(ap);
	strbuf_release(sb);
	return rc;
}

/* The order as its emails show it, written as text: one goes out per
 * checkout, and building it with jansson was 2.5% of a checkout's CPU. */
static void S_order_payload(strbuf *sb, const struct order *o, const struct user *buyer)
{
	strbuf_add_member_text(sb, "{\"to\":", buyer->email);
	strbuf_add_member_text(sb, ",\"name\":", buyer->name);
	strbuf_add_member_int(sb, ",\"order\":{\"id\":", o->id);
	strbuf_add_member_text(sb, ",\"status\":", order_status_name(o->status));
	strbuf_add_member_text(sb, ",\"currency\":", o->currency);
	strbuf_add_member_int(sb, ",\"originalTotal\":", o->original_total);
	strbuf_add_member_int(sb, ",\"discount\":", o->discount);
	strbuf_add_member_int(sb, ",\"total\":", o->total);
	strbuf_adds(sb, ",\"items\":[");
	for (size_t i = 0; i < o->n; i++) {
		const struct order_line *l = &o->lines[i];

		strbuf_add_member_text(sb, i ? ",{\"name\":" : "{\"name\":", l->name);
		strbuf_add_member_int(sb, ",\"qty\":", l->quantity);
		strbuf_add_member_int(sb, ",\"unitPrice\":", l->unit_price);
		strbuf_add_member_int(sb, ",\"lineTotal\":", l->line_total);
		strbuf_addch(sb, '}');
	}
	strbuf_addch(sb, ']');
	if (o->coupon_code)
		strbuf_add_member_text(sb, ",\"couponCode\":", o->coupon_code);
	if (o->cancel_reason)
		strbuf_add_member_text(sb, ",\"cancelReason\":", o->cancel_reason);
	strbuf_adds(sb, "}}");
}

/* Another kind is a caller's bug: logged. */
static int S_is_order_email(int64_t order_id, email_kind event)
{
	if (email_kind_is_order(event))
		return 1;
	log_error("notify", "order %lld: %s (%d) is not an order email", (long long)order_id, email_kind_name(event),
		  (int)event);
	return 0;
}

/* notify_order() once the kind is known to be an order email's. */
static mc_rc S_order_email(const struct order *o, email_kind event, const struct user *buyer)
{
	strbuf sb;

	strbuf_init(&sb);
	S_order_payload(&sb, o, buyer);
	return S_enqueue_written(event, &sb, "%s:%lld:%s", email_kind_name(event), (long long)o->id, buyer->email);
}

mc_rc notify_order(const struct order *o, email_kind event, const struct user *buyer)
{
	return S_is_order_email(o->id, event) ? S_order_email(o, event, buyer) : MC_ERR_INTERNAL;
}

mc_rc notify_order_event(int64_t order_id, email_kind event)
{
	struct order o;
	struct user u;
	mc_rc rc;

	if (!S_is_order_email(order_id, event))
		return MC_ERR_INTERNAL;
	rc = store_order_get(order_id, 0, &o);
	if (rc)
		return rc;
	rc = store_user_by_id(o.user_id, &u);
	if (!rc)
		rc = S_order_email(&o, event, &u);
	order_release(&o);
	return rc;
}

mc_rc notify_welcome(int64_t user_id)
{
	struct user u;
	mc_rc rc = store_user_by_id(user_id, &u);

	if (rc)
		return rc;
	return S_enqueue(EMAIL_WELCOME, json_pack("{s:s, s:s, s:I, s:s}", "to", u.email, "name", u.name, "userId",
					      (json_int_t)u.id, "role", role_name(u.role)),
			 "welcome:%lld:%s", (long long)u.id, u.email);
}

mc_rc notify_password_reset(int64_t user_id, const char *link, const char *ref)
{
	struct user u;
	mc_rc rc = store_user_by_id(user_id, &u);

	if (rc)
		return rc;
	return S_enqueue(EMAIL_PASSWORD_RESET, json_pack("{s:s, s:s, s:I, s:s, s:I}", "to", u.email, "name", u.name,
							 "userId", (json_int_t)u.id, "link", link, "validMinutes",
							 (json_int_t)(MC_RESET_TTL / 60)),
			 "password_reset:%lld:%s:%s", (long long)u.id, ref, u.email);
}

mc_rc notify_user(int64_t user_id, email_kind kind, int64_t a, int64_t b, const char *what, json_t *shared)
{
	struct user u;
	mc_rc rc = store_user_by_id(user_id, &u);

	if (rc)
		return rc;
	return S_enqueue(kind, json_pack("{s:s, s:s, s:I, s:O}", "to", u.email, "name", u.name, "userId",
					 (json_int_t)u.id, what, shared),
			 "%s:%lld:%lld:%s", email_kind_name(kind), (long long)a, (long long)b, u.email);
}
