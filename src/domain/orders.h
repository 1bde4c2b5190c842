/* Checkout and the order lifecycle: the one order state machine.
 *
 * Every change of an order's status goes through one function in orders.c
 * and one transition table (from, to, who may). The states and who moves
 * them are in docs/ARCHITECTURE.md ("The order state machine"). Payments
 * (domain/payments.h) record money and never move an order themselves. */
#ifndef MC_ORDERS_H
#define MC_ORDERS_H

#include <stdint.h>

#include "core/result.h"
#include "core/role.h"
#include "core/states.h"
#include "domain/addresses.h"
#include "domain/payments.h"
#include "store/orders.h"
#include "store/users.h"

/* Who may move an order: bits of a mask. A caller holds the hats that fit
 * the order (an admin; its buyer; a seller of every one of its lines). */
enum order_actor {
	ACTOR_BUYER = 1u << 0,      /* the order's buyer */
	ACTOR_SELLER = 1u << 1,     /* the seller of every line */
	ACTOR_ADMIN = 1u << 2,
	ACTOR_PROCESSOR = 1u << 3,  /* the payment processor, capturing the money */
	ACTOR_SYSTEM = 1u << 4,     /* the scheduler, expiring an unpaid order */
};

enum order_verdict {
	ORDER_MOVE_OK,
	ORDER_MOVE_FORBIDDEN,       /* 403: not who's to do */
	ORDER_MOVE_ILLEGAL,         /* 409 illegal_transition */
};

/* Whether any actor in `who` may ever set status `to`, in whatever state. */
int order_may_set(order_status to, unsigned who);
/* The transition table's answer, without the database: FORBIDDEN when
 * order_may_set(to, who) is false (authorization before state), ILLEGAL
 * when the table has no from -> to, FORBIDDEN when it has one that is not
 * who's, else OK. */
enum order_verdict order_transition_check(order_status from, order_status to, unsigned who);

/* The largest total paid cash on delivery (MERCATO_COD_MAX). Called once
 * at start; the default is the setting's. */
void order_configure(int64_t cod_max);

/* An order the actor may see, else 404. A seller sees someone else's order
 * as a seller view: only its own lines and their sum (o->seller_view). */
mc_rc order_get(const struct actor *a, int64_t id, struct order *out, mc_error *err);
/* status ORDER_NONE: any. */
mc_rc order_list(const struct actor *a, order_status status, int64_t limit, int64_t offset, struct order **items,
		 size_t *n, int64_t *total, mc_error *err);

/* Moves the order to `to` for the caller, with the target's effects:
 * cancelled restores stock and the coupon use and refunds a captured
 * payment (the order then ends refunded); paid records the money received
 * (COD, offline); shipped emails the buyer; refunded (an admin, a delivered
 * order) refunds the captured payment. `reason` (NULL: none) is kept for a
 * cancellation or refund. 403 before 404 when the caller's role may never
 * set `to`. *catalog_changed: a product came back from sold out. */
mc_rc order_set_status(const struct actor *a, int64_t id, order_status to, const char *reason,
		       struct order *out, int *catalog_changed, mc_error *err);
/* The scheduler's expiry: a cancellation by "system" of an unpaid order
 * older than unpaid_ttl seconds, or of a cash-on-delivery order not
 * confirmed by all its sellers (or an admin) older than cod_ttl, both by the
 * database's clock. MC_ERR_CONFLICT when it is neither (any more). */
mc_rc order_expire(int64_t id, int64_t unpaid_ttl, int64_t cod_ttl);
/* A seller accepts cash on delivery for its lines of the order, an admin
 * for all of them: 403 for other roles or a seller without lines in it,
 * 409 not_cash_on_delivery unless a COD payment is pending. */
mc_rc order_confirm_cod(const struct actor *a, int64_t id, struct order *out, mc_error *err);
/* Every line of `o` (as the caller sees it) has been confirmed that way. */
int order_cod_confirmed(const struct order *o);

/* Pays the actor's own order (any for an admin) through the mock
 * processor; a capture moves it to processing. Cash on delivery above
 * MERCATO_COD_MAX is 422 cod_limit. MC_OK with *out filled on
 * success or pending (COD); MC_ERR_PAYMENT with *out filled (status
 * failed) when declined. *status: the order's status afterwards. */
mc_rc order_pay(const struct actor *a, const struct payment_req *req, struct payment *out, order_status *status,
		mc_error *err);

#endif
