/* The mock payment processor, captures and refunds.
 *
 * UPI and CARD succeed at once unless the transactionId starts with "fail";
 * COD stays pending until an admin marks the order paid. Exactly one
 * captured payment per order (a unique index backs the rule).
 *
 * Payments never move an order's status: domain/orders.c does (its one
 * state machine) and calls these inside its transaction. They write the
 * payment rows and the order's payment status only. */
#ifndef MC_PAYMENTS_H
#define MC_PAYMENTS_H

#include "core/result.h"
#include "core/role.h"
#include "core/states.h"
#include "store/orders.h"
#include "store/payments.h"

struct payment_req {
	int64_t order_id;
	payment_method method;       /* UPI | CARD | COD */
	const char *transaction_id;  /* NULL: generated */
};

/* What the mock processor answers: PAYMENT_PENDING (COD), PAYMENT_FAILED
 * (declined) or PAYMENT_SUCCESS. Pure. */
payment_status payment_outcome(const struct payment_req *req);

/* Inside an order transaction, for an order awaiting payment: records the
 * processor's answer `st` as *out. A capture voids a pending COD payment
 * and marks the order paid; a COD payment marks it pending.
 * MC_ERR_CONFLICT when a payment was captured meanwhile. */
mc_rc payment_record(const struct order *o, const struct payment_req *req, payment_status st, struct payment *out);

/* A payment of the actor's own order (any for an admin); else 404. */
mc_rc payment_get(const struct actor *a, int64_t id, struct payment *out, mc_error *err);

/* Inside an order transaction: the captured payment (if any) is refunded in
 * full and recorded; *refunded says whether there was one. A pending COD
 * payment is voided. */
mc_rc payment_settle_cancel(const struct order *o, const char *by, const char *reason, int *refunded);
/* Inside an order transaction: an admin marks the order paid; a pending COD
 * payment is captured, otherwise an OFFLINE payment is recorded. */
mc_rc payment_capture_offline(const struct order *o);

#endif
