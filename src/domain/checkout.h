/* Checkout: the caller's cart becomes an order. */
#ifndef MC_DOMAIN_CHECKOUT_H
#define MC_DOMAIN_CHECKOUT_H

#include <stdint.h>

#include "core/result.h"
#include "core/role.h"
#include "domain/addresses.h"
#include "store/orders.h"
#include "store/users.h"

/* The unpaid orders a buyer may hold (MERCATO_MAX_OPEN_ORDERS). Called
 * once at start; the default is the setting's. */
void checkout_configure(int64_t max_open_orders);

struct checkout_req {
	int has_expected;
	int64_t expected_total;   /* the total the client showed its user */
	int64_t cart_id;          /* 0: the caller's cart */
	const char *coupon_code;  /* NULL: none */
	int64_t ship_address_id;  /* the caller's saved address, or 0 */
	const struct address_input *ship_to; /* an address given inline, or NULL */
};

/* Turns the caller's cart into an order in one durable transaction; 409
 * too_many_open_orders when the buyer already holds the most unpaid ones.
 * On success *out is the order, *buyer its buyer's account, and
 * *catalog_changed is set when a product sold out (cached reads must go). */
mc_rc checkout_place(const struct actor *a, const struct checkout_req *req, struct order *out, struct user *buyer,
		     int *catalog_changed, mc_error *err);

#endif
