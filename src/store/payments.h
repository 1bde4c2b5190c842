/* Payments (mock processor results) and refunds. */
#ifndef MC_STORE_PAYMENTS_H
#define MC_STORE_PAYMENTS_H

#include <stdint.h>

#include "core/result.h"
#include "core/states.h"

struct payment {
	int64_t id;
	int64_t order_id;
	int64_t amount;
	int64_t refund_date;      /* 0: not refunded */
	int64_t created_at;
	int64_t updated_at;
	char currency[4];
	payment_method method;
	payment_status status;
	char transaction_id[65];  /* "" when none */
};

/* MC_ERR_CONFLICT when the order already has a captured payment. */
mc_rc store_payment_insert(struct payment *p);
mc_rc store_payment_get(int64_t id, struct payment *out);
/* The order's payment in `status` (newest), MC_ERR_NOT_FOUND if none. */
mc_rc store_payment_find(int64_t order_id, payment_status status, struct payment *out);
/* from -> to; MC_ERR_CONFLICT if it was not `from`. Refunding stamps refund_date. */
mc_rc store_payment_set_status(int64_t id, payment_status from, payment_status to, int64_t now);
/* One refund per order; MC_ERR_CONFLICT on a second. */
mc_rc store_refund_insert(int64_t order_id, int64_t payment_id, int64_t amount, const char *reason,
			  const char *by, int64_t now);

#endif
