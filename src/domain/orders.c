/* The order state machine, reading orders and paying them: they share the
 * visibility rules and the one move function (S_move). Checkout, which
 * makes orders, is domain/checkout.c. */
#include "domain/orders.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/money.h"
#include "domain/coupons.h"
#include "domain/notify.h"
#include "domain/payments.h"
#include "store/products.h"
#include "store/store.h"

/* The one state machine: who may move an order from where to where. A
 * cancellation whose payment was captured is stored as refunded (the
 * money went back at once). */
static const struct transition {
	order_status from;
	order_status to;
	unsigned who;
} transitions[] = {
	/* Paid: a captured payment, or an admin receiving the money (COD, offline). */
	{ ORDER_PENDING_PAYMENT, ORDER_PAID, ACTOR_ADMIN | ACTOR_PROCESSOR },
	{ ORDER_PENDING_PAYMENT, ORDER_CANCELLED, ACTOR_BUYER | ACTOR_SELLER | ACTOR_ADMIN | ACTOR_SYSTEM },
	/* A captured payment goes straight on to processing. */
	{ ORDER_PAID, ORDER_PROCESSING, ACTOR_SELLER | ACTOR_ADMIN | ACTOR_PROCESSOR },
	{ ORDER_PAID, ORDER_SHIPPED, ACTOR_SELLER | ACTOR_ADMIN },
	{ ORDER_PAID, ORDER_CANCELLED, ACTOR_BUYER | ACTOR_SELLER | ACTOR_ADMIN },
	{ ORDER_PROCESSING, ORDER_SHIPPED, ACTOR_SELLER | ACTOR_ADMIN },
	{ ORDER_PROCESSING, ORDER_CANCELLED, ACTOR_BUYER | ACTOR_SELLER | ACTOR_ADMIN },
	{ ORDER_SHIPPED, ORDER_DELIVERED, ACTOR_SELLER | ACTOR_ADMIN },
	{ ORDER_DELIVERED, ORDER_REFUNDED, ACTOR_ADMIN },                /* with its captured payment */
};
#define NTRANSITIONS (sizeof(transitions) / sizeof(transitions[0]))

int order_may_set(order_status to, unsigned who)
{
	for (size_t i = 0; i < NTRANSITIONS; i++)
		if (transitions[i].to == to && (transitions[i].who & who))
			return 1;
	return 0;
}

enum order_verdict order_transition_check(order_status from, order_status to, unsigned who)
{
	if (!order_may_set(to, who))
		return ORDER_MOVE_FORBIDDEN;
	for (size_t i = 0; i < NTRANSITIONS; i++)
		if (transitions[i].from == from && transitions[i].to == to)
			return transitions[i].who & who ? ORDER_MOVE_OK : ORDER_MOVE_FORBIDDEN;
	return ORDER_MOVE_ILLEGAL;
}

/* The largest total paid cash on delivery (MERCATO_COD_MAX, DESIGN section
 * 6, "Abuse bounds"); until order_configure() runs, the setting's default. */
static int64_t cod_max = 5000000;

void order_configure(int64_t cod_max_total)
{
	cod_max = cod_max_total;
}

/* --- reading ------------------------------------------------------------- */

static int S_all_lines_of(const struct order *o, int64_t seller_id)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->lines[i].seller_id != seller_id)
			return 0;
	return o->n > 0;
}

/* Loads the whole order: 404 unless `a` is its buyer, an admin, or a seller
 * of one of its lines. */
static mc_rc S_load_visible(const struct actor *a, int64_t id, struct order *o, mc_error *err)
{
	mc_rc rc = store_order_get(id, 0, o);
	int visible;

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "order_not_found", "no order %lld", (long long)id);
	if (rc)
		return rc;
	visible = a->role == ROLE_ADMIN || o->user_id == a->user_id;
	for (size_t i = 0; !visible && i < o->n; i++)
		visible = a->role == ROLE_SELLER && o->lines[i].seller_id == a->user_id;
	if (!visible) {
		order_release(o);
		return mc_fail(err, MC_ERR_NOT_FOUND, "order_not_found", "no order %lld", (long long)id);
	}
	return MC_OK;
}

/* A seller's view of someone else's order: its own lines and their sum,
 * none of the other sellers' money (the order's totals and coupon). */
static mc_rc S_seller_view(const struct actor *a, struct order *o, mc_error *err)
{
	size_t kept = 0;
	int overflow = 0;

	if (a->role != ROLE_SELLER || o->user_id == a->user_id)
		return MC_OK;
	o->seller_view = 1;
	o->seller_subtotal = 0;
	for (size_t i = 0; i < o->n; i++) {
		if (o->lines[i].seller_id != a->user_id) {
			free(o->lines[i].name);
			continue;
		}
		o->lines[kept++] = o->lines[i];
		overflow |= money_add(o->seller_subtotal, o->lines[i].line_total, &o->seller_subtotal);
	}
	o->n = kept;
	return overflow ? money_overflow(err) : MC_OK;
}

/* Opens a durable transaction with the order loaded as S_load_visible()
 * does; nothing is left open on failure. */
static mc_rc S_begin_visible(const struct actor *a, int64_t id, struct order *o, mc_error *err)
{
	mc_rc rc = store_begin(DB_TXN_DURABLE);

	if (!rc && (rc = S_load_visible(a, id, o, err)))
		store_rollback();
	return rc;
}

mc_rc order_get(const struct actor *a, int64_t id, struct order *out, mc_error *err)
{
	mc_rc rc = S_load_visible(a, id, out, err);

	if (!rc && (rc = S_seller_view(a, out, err)))
		order_release(out);
	return rc;
}

mc_rc order_list(const struct actor *a, order_status status, int64_t limit, int64_t offset, struct order **items,
		 size_t *n, int64_t *total, mc_error *err)
{
	struct order_query q = { .status = status, .limit = limit, .offset = offset, .who = a->user_id };

	mc_rc rc;

	q.scope = a->role == ROLE_ADMIN ? ORDERS_ALL : a->role == ROLE_SELLER ? ORDERS_OF_SELLER : ORDERS_OF_BUYER;
	rc = store_order_list(&q, items, n, total);
	for (size_t i = 0; !rc && i < *n; i++)
		rc = S_seller_view(a, &(*items)[i], err);
	if (rc && *items) {
		order_list_free(*items, *n);
		*items = NULL;
	}
	return rc;
}

/* --- changes ------------------------------------------------------------- */

/* The hats the caller wears on this order (enum order_actor bits). */
static unsigned S_hats(const struct actor *a, const struct order *o)
{
	unsigned who = 0;

	if (a->role == ROLE_ADMIN)
		who |= ACTOR_ADMIN;
	if (o->user_id == a->user_id)
		who |= ACTOR_BUYER;
	if (a->role == ROLE_SELLER && S_all_lines_of(o, a->user_id))
		who |= ACTOR_SELLER;
	return who;
}

/* Every hat a role may wear on some order (a seller may also buy). */
static unsigned S_role_hats(mc_role r)
{
	switch (r) {
	case ROLE_ADMIN:
		return ACTOR_ADMIN;
	case ROLE_SELLER:
		return ACTOR_SELLER | ACTOR_BUYER;
	case ROLE_BUYER:
		return ACTOR_BUYER;
	case ROLE_NONE:
		break;
	}
	return 0;
}

/* cancelledBy: the strongest hat. */
static const char *S_by(unsigned who)
{
	if (who & ACTOR_ADMIN)
		return "admin";
	if (who & ACTOR_SYSTEM)
		return "system";
	return who & ACTOR_BUYER ? "buyer" : "seller";
}

/* One move: who makes it, why (a cancellation or refund), what it did. */
struct move {
	unsigned who;
	const char *reason;         /* NULL: none */
	int restocked;              /* out: a product came back from sold out */
	/* out, counted in the metrics once the transaction commits */
	int paid, cancelled, refunded;
	int64_t amount;             /* the order's total */
};

static void S_count(const struct move *m)
{
	if (m->paid) {
		metrics_inc(METRIC_ORDERS_PAID);
		metrics_inc(METRIC_PAYMENTS_CAPTURED);
		metrics_add(METRIC_PAYMENTS_CAPTURED_AMOUNT, (uint64_t)m->amount);
	}
	if (m->cancelled)
		metrics_inc(METRIC_ORDERS_CANCELLED);
	if (m->refunded) {
		metrics_inc(METRIC_PAYMENTS_REFUNDED);
		metrics_add(METRIC_PAYMENTS_REFUNDED_AMOUNT, (uint64_t)m->amount);
	}
}

static mc_rc S_refuse(const struct order *o, order_status to, enum order_verdict v, mc_error *err)
{
	const char *from = order_status_name(o->status);

	if (v == ORDER_MOVE_FORBIDDEN)
		return mc_fail(err, MC_ERR_FORBIDDEN, "forbidden", "you may not move this order to %s",
			       order_status_name(to));
	if (to == ORDER_CANCELLED)
		return mc_fail(err, MC_ERR_CONFLICT, "illegal_transition", "an order that is %s cannot be cancelled",
			       from);
	if (to == ORDER_REFUNDED)
		return mc_fail(err, MC_ERR_CONFLICT, "illegal_transition",
			       "only a delivered order is refunded this way (this one is %s; cancel it instead)", from);
	return mc_fail(err, MC_ERR_CONFLICT, "illegal_transition", "an order cannot go from %s to %s", from,
		       order_status_name(to));
}

/* Cancels `o`: stock and the coupon use go back, a captured payment is
 * refunded (the order then ends refunded), the buyer is emailed. */
static mc_rc S_cancel(struct order *o, struct move *m)
{
	order_status end = ORDER_CANCELLED;
	int refunded = 0;
	mc_rc rc = MC_OK;

	for (size_t i = 0; !rc && i < o->n; i++) {
		int64_t now_stock = 0;

		rc = store_stock_give(o->lines[i].product_id, o->lines[i].quantity, &now_stock);
		if (!rc && now_stock == o->lines[i].quantity)
			m->restocked = 1; /* back from sold out */
	}
	if (!rc && o->coupon_id)
		rc = store_coupon_release(o->coupon_id);
	if (!rc)
		rc = payment_settle_cancel(o, S_by(m->who), m->reason, &refunded);
	if (refunded)
		end = ORDER_REFUNDED;
	if (!rc)
		rc = store_order_cancel(o->id, o->status, end, S_by(m->who), m->reason, clock_now());
	if (!rc && m->restocked)
		rc = store_catalog_bump();
	if (!rc)
		rc = notify_order_event(o->id, EMAIL_ORDER_CANCELLED);
	if (!rc) {
		o->status = end;
		m->cancelled = 1;
		m->refunded = refunded;
		m->amount = o->total;
	}
	return rc;
}

/* The one place an order changes status, inside the caller's open
 * transaction with `o` as read there: the table decides, then the target's
 * effects and the write; o->status follows. */
static mc_rc S_move(struct order *o, order_status to, struct move *m, mc_error *err)
{
	enum order_verdict v = order_transition_check(o->status, to, m->who);
	int refunded = 0;
	mc_rc rc = MC_OK;

	if (v != ORDER_MOVE_OK)
		return S_refuse(o, to, v, err);
	if (to == ORDER_CANCELLED)
		return S_cancel(o, m);
	if (to == ORDER_REFUNDED) {
		rc = payment_settle_cancel(o, S_by(m->who), m->reason, &refunded);
		if (!rc && !refunded)
			rc = mc_fail(err, MC_ERR_CONFLICT, "nothing_to_refund", "order %lld has no captured payment",
				     (long long)o->id);
	}
	if (!rc)
		rc = store_order_set_status(o->id, o->status, to, clock_now());
	if (rc == MC_ERR_CONFLICT && !err->code)
		rc = mc_fail(err, rc, "order_changed", "the order changed meanwhile; reload it");
	/* Paid by anyone but the processor: the money came in by hand. */
	if (!rc && to == ORDER_PAID && !(m->who & ACTOR_PROCESSOR))
		rc = payment_capture_offline(o);
	if (!rc && to == ORDER_SHIPPED)
		rc = notify_order_event(o->id, EMAIL_ORDER_SHIPPED);
	if (!rc && to == ORDER_REFUNDED)
		rc = notify_order_event(o->id, EMAIL_ORDER_REFUNDED);
	if (!rc) {
		o->status = to;
		m->paid |= to == ORDER_PAID;
		m->refunded |= refunded;
		m->amount = o->total;
	}
	return rc;
}

mc_rc order_set_status(const struct actor *a, int64_t id, order_status to, const char *reason,
		       struct order *out, int *catalog_changed, mc_error *err)
{
	struct move m = { .reason = reason };
	struct order o;
	mc_rc rc;

	/* Authorization before state: a role that may never set `to` learns
	 * nothing about the order. */
	if (!order_may_set(to, S_role_hats(a->role)))
		return mc_fail(err, MC_ERR_FORBIDDEN, "forbidden", "a %s may not set an order %s", role_name(a->role),
			       order_status_name(to));
	rc = S_begin_visible(a, id, &o, err);
	if (rc)
		return rc;
	m.who = S_hats(a, &o);
	if (!m.who) /* a seller of some of its lines only */
		rc = mc_fail(err, MC_ERR_FORBIDDEN, "not_all_lines_yours",
			     "the order has lines of other sellers; ask an admin");
	else
		rc = S_move(&o, to, &m, err);
	order_release(&o);
	rc = store_finish(rc);
	if (!rc)
		S_count(&m);
	if (!rc)
		rc = order_get(a, id, out, err);
	if (!rc)
		*catalog_changed = m.restocked;
	return rc;
}

int order_cod_confirmed(const struct order *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (!o->lines[i].confirmed_at)
			return 0;
	return o->n > 0;
}

mc_rc order_expire(int64_t id, int64_t unpaid_ttl, int64_t cod_ttl)
{
	struct move m = { .who = ACTOR_SYSTEM };
	struct order o;
	mc_error err;
	int64_t now;
	mc_rc rc = store_begin(DB_TXN_DURABLE);

	if (rc)
		return rc;
	/* The database's clock, as the stamps were: a node's skew moves nothing. */
	rc = store_now(&now);
	if (!rc)
		rc = store_order_get(id, 0, &o);
	if (rc) {
		store_rollback();
		return rc;
	}
	mc_error_init(&err);
	/* Paid, or cash on delivery chosen and confirmed, meanwhile: it stays. */
	if (o.payment_status == PAY_UNPAID && o.created_at < now - unpaid_ttl)
		m.reason = "not paid in time";
	else if (o.payment_status == PAY_PENDING && !order_cod_confirmed(&o) && o.created_at < now - cod_ttl)
		m.reason = "cash on delivery not confirmed in time";
	rc = m.reason ? S_move(&o, ORDER_CANCELLED, &m, &err) : MC_ERR_CONFLICT;
	mc_error_release(&err);
	order_release(&o);
	rc = store_finish(rc);
	if (!rc)
		S_count(&m);
	return rc;
}

/* --- paying --------------------------------------------------------------- */

/* Checks that the order can take a payment answered `st` now. */
static mc_rc S_payable(const struct order *o, payment_status st, mc_error *err)
{
	if (o->status == ORDER_CANCELLED || o->status == ORDER_REFUNDED)
		return mc_fail(err, MC_ERR_CONFLICT, "order_not_payable", "order %lld is %s", (long long)o->id,
			       order_status_name(o->status));
	if (o->payment_status == PAY_PAID || o->status != ORDER_PENDING_PAYMENT)
		return mc_fail(err, MC_ERR_CONFLICT, "already_paid", "order %lld is already paid", (long long)o->id);
	if (st == PAYMENT_PENDING && o->payment_status == PAY_PENDING)
		return mc_fail(err, MC_ERR_CONFLICT, "payment_pending", "a cash-on-delivery payment is already pending");
	return MC_OK;
}

mc_rc order_pay(const struct actor *a, const struct payment_req *req, struct payment *out, order_status *status,
		mc_error *err)
{
	payment_status st = payment_outcome(req);
	struct move m = { .who = ACTOR_PROCESSOR };
	struct payment p;
	struct order o;
	mc_rc rc = store_begin(DB_TXN_DURABLE);

	if (rc)
		return rc;
	rc = S_load_visible(a, req->order_id, &o, err);
	if (!rc && a->role != ROLE_ADMIN && o.user_id != a->user_id) {
		order_release(&o);
		rc = mc_fail(err, MC_ERR_NOT_FOUND, "order_not_found", "no order %lld", (long long)req->order_id);
	}
	if (rc) {
		store_rollback();
		return rc;
	}
	rc = S_payable(&o, st, err);
	if (!rc && st == PAYMENT_PENDING && o.total > cod_max) {
		char max[32];

		money_format(cod_max, o.currency, max, sizeof(max));
		rc = mc_fail(err, MC_ERR_UNPROCESSABLE, "cod_limit", "cash on delivery is accepted up to %s", max);
	}
	if (rc)
		goto out;
	rc = payment_record(&o, req, st, &p);
	/* Only one request moves the order out of pending_payment. */
	if (!rc && st == PAYMENT_SUCCESS)
		rc = S_move(&o, ORDER_PAID, &m, err);
	if (!rc && st == PAYMENT_SUCCESS)
		rc = S_move(&o, ORDER_PROCESSING, &m, err);
	if (rc == MC_ERR_CONFLICT)
		rc = mc_fail(err, rc, "already_paid", "order %lld is already paid", (long long)o.id);
	if (!rc && st != PAYMENT_PENDING)
		rc = notify_order_event(o.id, st == PAYMENT_FAILED ? EMAIL_PAYMENT_FAILED : EMAIL_PAYMENT_SUCCEEDED);
out:
	rc = store_finish(rc);
	if (!rc) {
		S_count(&m);
		*out = p;
		*status = o.status;
		if (st == PAYMENT_FAILED) {
			err->extra = json_pack("{s:I, s:s, s:I}", "paymentId", (json_int_t)p.id, "paymentStatus", "failed",
					       "orderId", (json_int_t)o.id);
			rc = mc_fail(err, MC_ERR_PAYMENT, "payment_failed", "the payment was declined");
		}
	}
	order_release(&o);
	return rc;
}

/* --- confirming cash on delivery ------------------------------------------- */

mc_rc order_confirm_cod(const struct actor *a, int64_t id, struct order *out, mc_error *err)
{
	int64_t seller = a->role == ROLE_ADMIN ? 0 : a->user_id;
	int mine = !seller;
	struct order o;
	mc_rc rc;

	/* Authorization before state: a buyer learns nothing about the order. */
	if (a->role != ROLE_SELLER && a->role != ROLE_ADMIN)
		return mc_fail(err, MC_ERR_FORBIDDEN, "forbidden", "only the order's sellers or an admin confirm it");
	rc = S_begin_visible(a, id, &o, err);
	if (rc)
		return rc;
	for (size_t i = 0; !mine && i < o.n; i++)
		mine = o.lines[i].seller_id == seller;
	if (!mine)
		rc = mc_fail(err, MC_ERR_FORBIDDEN, "forbidden", "order %lld has no lines of yours", (long long)id);
	else if (o.status != ORDER_PENDING_PAYMENT || o.payment_status != PAY_PENDING)
		rc = mc_fail(err, MC_ERR_CONFLICT, "not_cash_on_delivery", "order %lld is not awaiting cash on delivery",
			     (long long)id);
	else
		rc = store_order_confirm_lines(id, seller, clock_now());
	order_release(&o);
	rc = store_finish(rc);
	return rc ? rc : order_get(a, id, out, err);
}
