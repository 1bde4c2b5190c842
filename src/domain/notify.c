#include "domain/notify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "store/jobs.h"
#include "store/orders.h"
#include "store/users.h"

/* Set by notify_init; the jobs table refuses 0, so a missing init fails loudly. */
static int64_t max_attempts;

void notify_init(int64_t attempts)
{
	max_attempts = attempts;
}

/* Writes the job in the open transaction; takes ownership of payload. The
 * dedupe key is formatted from key_fmt; it always fits (an email address
 * and a few numbers). */
static mc_rc S_enqueue(email_kind kind, json_t *payload, const char *key_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static mc_rc S_enqueue(email_kind kind, json_t *payload, const char *key_fmt, ...)
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
	j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:o}", "id", (json_int_t)o->id, "status",
		      order_status_name(o->status), "currency", o->currency, "originalTotal",
		      (json_int_t)o->original_total, "discount", (json_int_t)o->discount, "total", (json_int_t)o->total,
		      "items", items);
	if (j && o->coupon_code)
		json_object_set_new(j, "couponCode", json_string(o->coupon_code));
	if (j && o->cancel_reason)
		json_object_set_new(j, "cancelReason", json_string(o->cancel_reason));
	return j;
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
	return S_enqueue(event,
			 json_pack("{s:s, s:s, s:o}", "to", buyer->email, "name", buyer->name, "order", S_order_json(o)),
			 "%s:%lld:%s", email_kind_name(event), (long long)o->id, buyer->email);
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
