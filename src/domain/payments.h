/* The mock payment processor, captures and refunds.
 *
 * UPI and CARD succeed at once unless the transactionId starts with "fail";
 * COD stays pending until an admin marks the order paid. Exactly one
 * captured payment per order (a unique index backs the rule). */
#ifndef MC_PAYMENTS_H
#define MC_PAYMENTS_H

#include "core/result.h"
#include "core/role.h"
#include "store/orders.h"
#include "store/payments.h"

struct payment_req {
	int64_t order_id;
	const char *method;          /* UPI | CARD | COD */
	const char *transaction_id;  /* NULL: generated */
};

/* MC_OK with *out filled on success or pending (COD); MC_ERR_PAYMENT with
 * *out filled (status "failed") when the mock processor declines. */
mc_rc payment_create(const struct actor *a, const struct payment_req *req, struct payment *out,
		     char order_status[20], mc_error *err);
/* A payment of the actor's own order (any for an admin); else 404. */
mc_rc payment_get(const struct actor *a, int64_t id, struct payment *out, mc_error *err);

/* Inside an order transaction: the captured payment (if any) is refunded in
 * full and recorded; *refunded says whether there was one. A pending COD
 * payment is voided. */
mc_rc payment_settle_cancel(const struct order *o, const char *by, const char *reason, int *refunded);
/* Inside an order transaction: an admin marks the order paid; a pending COD
 * payment is captured, otherwise an OFFLINE payment is recorded. */
mc_rc payment_capture_offline(const struct order *o);

/* Admin refund of a delivered order: ends `refunded`. */
mc_rc payment_refund_order(const struct actor *a, int64_t order_id, const char *reason, struct order *out,
			   mc_error *err);

#endif
