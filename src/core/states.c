#include "core/states.h"

#include <string.h>

static const char *const order_names[ORDER_STATUS_COUNT] = {
	[ORDER_PENDING_PAYMENT] = "pending_payment",
	[ORDER_PAID] = "paid",
	[ORDER_PROCESSING] = "processing",
	[ORDER_SHIPPED] = "shipped",
	[ORDER_DELIVERED] = "delivered",
	[ORDER_CANCELLED] = "cancelled",
	[ORDER_REFUNDED] = "refunded",
};

static const char *const pay_names[PAY_STATE_COUNT] = {
	[PAY_UNPAID] = "unpaid",
	[PAY_PENDING] = "pending",
	[PAY_PAID] = "paid",
	[PAY_REFUNDED] = "refunded",
};

static const char *const payment_names[PAYMENT_STATUS_COUNT] = {
	[PAYMENT_SUCCESS] = "success",
	[PAYMENT_PENDING] = "pending",
	[PAYMENT_FAILED] = "failed",
	[PAYMENT_REFUNDED] = "refunded",
	[PAYMENT_VOID] = "void",
};

static const char *const method_names[PAYMENT_METHOD_COUNT] = {
	[METHOD_UPI] = "UPI",
	[METHOD_CARD] = "CARD",
	[METHOD_COD] = "COD",
	[METHOD_OFFLINE] = "OFFLINE",
};

static const char *const job_names[JOB_STATE_COUNT] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_DONE] = "done",
	[JOB_DEAD] = "dead",
};

static const char *const email_names[EMAIL_KIND_COUNT] = {
	[EMAIL_ORDER_PLACED] = "order_placed",
	[EMAIL_PAYMENT_SUCCEEDED] = "payment_succeeded",
	[EMAIL_PAYMENT_FAILED] = "payment_failed",
	[EMAIL_ORDER_SHIPPED] = "order_shipped",
	[EMAIL_ORDER_CANCELLED] = "order_cancelled",
	[EMAIL_ORDER_REFUNDED] = "order_refunded",
	[EMAIL_WELCOME] = "welcome",
	[EMAIL_SALE_START] = "sale_start",
	[EMAIL_PROMO_DIGEST] = "promo_digest",
	[EMAIL_PASSWORD_RESET] = "password_reset",
};

static const char *S_name(const char *const *names, int count, int v)
{
	return v > 0 && v < count ? names[v] : "none";
}

static int S_parse(const char *const *names, int count, const char *s)
{
	for (int v = 1; s && v < count; v++)
		if (!strcmp(names[v], s))
			return v;
	return 0;
}

#define NAMES(t) t, (int)(sizeof(t) / sizeof(t[0]))

const char *order_status_name(order_status s) { return S_name(NAMES(order_names), (int)s); }
const char *pay_state_name(pay_state s) { return S_name(NAMES(pay_names), (int)s); }
const char *payment_status_name(payment_status s) { return S_name(NAMES(payment_names), (int)s); }
const char *payment_method_name(payment_method m) { return S_name(NAMES(method_names), (int)m); }
const char *job_state_name(job_state s) { return S_name(NAMES(job_names), (int)s); }
const char *email_kind_name(email_kind k) { return S_name(NAMES(email_names), (int)k); }

order_status order_status_parse(const char *s)
{
	if (s && !strcmp(s, "pending"))
		return ORDER_PENDING_PAYMENT;
	return (order_status)S_parse(NAMES(order_names), s);
}

pay_state pay_state_parse(const char *s) { return (pay_state)S_parse(NAMES(pay_names), s); }
payment_status payment_status_parse(const char *s) { return (payment_status)S_parse(NAMES(payment_names), s); }
payment_method payment_method_parse(const char *s) { return (payment_method)S_parse(NAMES(method_names), s); }
job_state job_state_parse(const char *s) { return (job_state)S_parse(NAMES(job_names), s); }
email_kind email_kind_parse(const char *s) { return (email_kind)S_parse(NAMES(email_names), s); }

int email_kind_is_order(email_kind k)
{
	return k >= EMAIL_ORDER_PLACED && k <= EMAIL_ORDER_REFUNDED;
}
