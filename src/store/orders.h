/* Orders, their lines, and the stock movements that go with them. */
#ifndef MC_STORE_ORDERS_H
#define MC_STORE_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/states.h"
#include "store/carts.h"

struct user;

struct order_line {
	int64_t product_id;
	int64_t seller_id;
	int64_t quantity;
	int64_t unit_price;
	int64_t line_total;
	int64_t confirmed_at;       /* cash on delivery accepted by its seller or an admin; 0: not yet */
	char *name;
};

struct order {
	int64_t id;
	int64_t user_id;
	int64_t original_total;
	int64_t discount;
	int64_t total;
	int64_t created_at;
	int64_t updated_at;
	int64_t coupon_id;          /* 0: none */
	order_status status;
	pay_state payment_status;
	char cancelled_by[8];
	char currency[4];
	char *coupon_code;          /* NULL: none */
	char *cancel_reason;        /* NULL: none */
	struct order_line *lines;
	size_t n;
	struct address *ship_to;    /* NULL: none (store/addresses.h) */
	/* A seller's view of another's order (domain/orders.c): only its lines,
	 * and their sum instead of the order's totals. */
	int seller_view;
	int64_t seller_subtotal;
};

void order_release(struct order *o);
void order_list_free(struct order *items, size_t n);

/* A line whose product has too few units left, and how many it has. */
struct stock_short {
	size_t line;
	int64_t available;
};

/* Puts qty units back; *now_stock is the result. */
mc_rc store_stock_give(int64_t product_id, int64_t qty, int64_t *now_stock);

/* Places o (at least one line, in product-id order): takes each line's
 * quantity of its product if that many are left (never below zero), then
 * inserts the order and its lines; sets o->id, and o->created_at and
 * o->updated_at to the database clock's now. MC_OK, with *sold_out set
 * when a product has none left now; or MC_ERR_CONFLICT with *short_of the
 * first short line, and other lines maybe taken and the order maybe
 * written (the caller's transaction or savepoint undoes them). Four lines
 * per statement; up to four lines, the stock and the order take one round
 * trip, and in a transaction the lines go with the next statement
 * (store_send). */
mc_rc store_order_place(struct order *o, int *sold_out, struct stock_short *short_of);
/* The order with all its lines, or only `seller_id`'s lines when non-zero
 * (MC_ERR_NOT_FOUND when that seller has none in it). */
mc_rc store_order_get(int64_t id, int64_t seller_id, struct order *out);

enum order_scope { ORDERS_ALL, ORDERS_OF_BUYER, ORDERS_OF_SELLER };

struct order_query {
	enum order_scope scope;
	int64_t who;                /* buyer or seller id */
	order_status status;        /* ORDER_NONE: any */
	int64_t limit;
	int64_t offset;
};

/* Newest first, each with its lines (a seller sees only their lines). */
mc_rc store_order_list(const struct order_query *q, struct order **items, size_t *n, int64_t *total);

/* Moves the order from `from` to `to`; MC_ERR_CONFLICT if it was no longer `from`.
 * This and store_order_cancel() also move the buyer's reviews of the order's
 * products in or out of the ratings (store_review_follow_order). */
mc_rc store_order_set_status(int64_t id, order_status from, order_status to, int64_t now);
/* The same, recording who cancelled (buyer | seller | admin | system) and why. */
mc_rc store_order_cancel(int64_t id, order_status from, order_status to, const char *by, const char *reason,
			 int64_t now);

/* What checkout reads before it writes, in one round trip (db_send): the
 * buyer's account, the owner's cart opened (store_cart_open(), which locks
 * it on PostgreSQL), then the count of the user's orders awaiting payment
 * (cash on delivery included; counted up to count_up_to at most) and the
 * cart's lines (store_cart_lines()), read after that lock. */
mc_rc store_checkout_open(const struct cart_owner *o, int64_t now, struct user *buyer, int64_t *cart_id,
			  int64_t count_up_to, int64_t *open_orders, struct cart_line **lines, size_t *n);
/* Marks cash on delivery accepted on the order's lines of seller_id (0:
 * all lines) not yet confirmed. */
mc_rc store_order_confirm_lines(int64_t order_id, int64_t seller_id, int64_t now);

mc_rc store_order_set_payment_status(int64_t id, pay_state to, int64_t now);

#endif
