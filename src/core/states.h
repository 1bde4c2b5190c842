/* The states and kinds of the shop's records: an order's status and its
 * payment status, a payment's status and method, an outbox job's state and
 * an email's kind. The domain decides with them and the store turns them
 * into the text the database keeps, so they live in core, below both (like
 * core/role.h). Each has one name table (states.c); 0 is "none" (unknown
 * text, or "any" in a filter). */
#ifndef MC_STATES_H
#define MC_STATES_H

typedef enum order_status {
	ORDER_NONE = 0,
	ORDER_PENDING_PAYMENT,
	ORDER_PAID,
	ORDER_PROCESSING,
	ORDER_SHIPPED,
	ORDER_DELIVERED,
	ORDER_CANCELLED,
	ORDER_REFUNDED,
	ORDER_STATUS_COUNT
} order_status;

/* An order's payment status. */
typedef enum pay_state {
	PAY_NONE = 0,
	PAY_UNPAID,
	PAY_PENDING,                /* cash on delivery awaiting the money */
	PAY_PAID,
	PAY_REFUNDED,
	PAY_STATE_COUNT
} pay_state;

/* A payment's status (one row of the mock processor's results). */
typedef enum payment_status {
	PAYMENT_NONE = 0,
	PAYMENT_SUCCESS,
	PAYMENT_PENDING,
	PAYMENT_FAILED,
	PAYMENT_REFUNDED,
	PAYMENT_VOID,
	PAYMENT_STATUS_COUNT
} payment_status;

/* How a payment was made; OFFLINE is an admin marking the money received. */
typedef enum payment_method {
	METHOD_NONE = 0,
	METHOD_UPI,
	METHOD_CARD,
	METHOD_COD,
	METHOD_OFFLINE,
	PAYMENT_METHOD_COUNT
} payment_method;

typedef enum job_state {
	JOB_NONE = 0,
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE,
	JOB_DEAD,
	JOB_STATE_COUNT
} job_state;

/* Every job in the outbox is an email of one of these kinds; the order
 * emails come first, EMAIL_ORDER_PLACED..EMAIL_ORDER_REFUNDED. */
typedef enum email_kind {
	EMAIL_NONE = 0,
	EMAIL_ORDER_PLACED,
	EMAIL_PAYMENT_SUCCEEDED,
	EMAIL_PAYMENT_FAILED,
	EMAIL_ORDER_SHIPPED,
	EMAIL_ORDER_CANCELLED,
	EMAIL_ORDER_REFUNDED,
	EMAIL_WELCOME,
	EMAIL_SALE_START,
	EMAIL_PROMO_DIGEST,
	EMAIL_PASSWORD_RESET,
	EMAIL_KIND_COUNT
} email_kind;

/* Whether k is an email about one order (its payload carries the order). */
int email_kind_is_order(email_kind k);

/* Names as the API and the database spell them; "none" for 0 or out of range. */
const char *order_status_name(order_status s);
const char *pay_state_name(pay_state s);
const char *payment_status_name(payment_status s);
const char *payment_method_name(payment_method m);
const char *job_state_name(job_state s);
const char *email_kind_name(email_kind k);

/* The value named s, or 0 (the _NONE value) when s names none. Order
 * statuses also accept "pending", seed 001's name for pending_payment. */
order_status order_status_parse(const char *s);
pay_state pay_state_parse(const char *s);
payment_status payment_status_parse(const char *s);
payment_method payment_method_parse(const char *s);
job_state job_state_parse(const char *s);
email_kind email_kind_parse(const char *s);

#endif
