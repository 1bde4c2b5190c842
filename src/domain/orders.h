/* Checkout and the order lifecycle.
 *
 * States: pending_payment -> paid -> processing -> shipped -> delivered;
 * paid -> shipped; pending_payment | paid | processing -> cancelled (or
 * refunded when a payment was captured); delivered -> refunded (admin). */
#ifndef MC_ORDERS_H
#define MC_ORDERS_H

#include <stdint.h>

#include "core/result.h"
#include "core/role.h"
#include "store/orders.h"

struct checkout_req {
	int has_expected;
	int64_t expected_total;   /* the total the client showed its user */
	int64_t cart_id;          /* 0: the caller's cart */
	const char *coupon_code;  /* NULL: none */
};

/* Turns the caller's cart into an order in one durable transaction.
 * *catalog_changed is set when a product sold out (cached reads must go). */
mc_rc order_checkout(const struct actor *a, const struct checkout_req *req, struct order *out,
		     int *catalog_changed, mc_error *err);

/* An order the actor may see (a seller sees only their lines); else 404. */
mc_rc order_get(const struct actor *a, int64_t id, struct order *out, mc_error *err);
mc_rc order_list(const struct actor *a, const char *status, int64_t limit, int64_t offset, struct order **items,
		 size_t *n, int64_t *total, mc_error *err);

/* Canonical status name for client input ("pending" is seed 001's name for
 * pending_payment); NULL when unknown. */
const char *order_status_parse(const char *s);

mc_rc order_set_status(const struct actor *a, int64_t id, const char *status, struct order *out,
		       int *catalog_changed, mc_error *err);
mc_rc order_cancel(const struct actor *a, int64_t id, const char *reason, struct order *out,
		   int *catalog_changed, mc_error *err);
/* The scheduler's expiry of an unpaid order: order_cancel's effects, by
 * "system". MC_ERR_CONFLICT when it is no longer pending_payment and unpaid
 * (a pending cash-on-delivery payment keeps it). */
mc_rc order_expire(int64_t id);

#endif
