/* Carts and their lines, joined with today's product data. */
#ifndef MC_STORE_CARTS_H
#define MC_STORE_CARTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/sale.h"

/* Whose cart: a user, or a guest by the hash of their session cookie. */
struct cart_owner {
	int64_t user_id;            /* 0 for a guest */
	char session_hash[33];      /* hex; empty for a user */
};

struct cart_line {
	int64_t product_id;
	int64_t quantity;
	int64_t price_snapshot;
	/* The product as it is now. */
	int64_t seller_id;
	int64_t price;
	int64_t stock;
	struct sale sale;
	int deleted;
	char currency[4];
	char *name;
	char *image_url;            /* NULL: none */
};

void cart_lines_free(struct cart_line *lines, size_t n);

/* MC_ERR_NOT_FOUND when the owner has no cart yet. */
mc_rc store_cart_find(const struct cart_owner *o, int64_t *cart_id);
/* Finds or creates, and on PostgreSQL locks the cart until the transaction
 * ends; a guest's cart is stamped as used now. */
mc_rc store_cart_open(const struct cart_owner *o, int64_t now, int64_t *cart_id);
/* store_cart_open() in two halves, for the store's functions that read
 * with the opening (a domain function calls one of those): the next
 * statement run carries the opening in its round trip and runs after it.
 * Start, run that one statement, then finish (always: it reads what start
 * began). */
struct product_brief;

struct cart_opening {
	const struct cart_owner *owner;
	int64_t now;
	struct db_stmt *opening;
};
void store_cart_open_start(const struct cart_owner *o, int64_t now, struct cart_opening *op);
mc_rc store_cart_open_finish(struct cart_opening *op, int64_t *cart_id);
/* store_cart_open(), and store_product_brief() of product_id into *p, in
 * one round trip: the opening's failure first, then MC_ERR_NOT_FOUND when
 * the product is not sold (the cart is opened all the same). */
mc_rc store_cart_open_with_product(const struct cart_owner *o, int64_t now, int64_t product_id, int64_t *cart_id,
				    struct product_brief *p);
/* Lines in the order they were added, with product data (one query). */
mc_rc store_cart_lines(int64_t cart_id, struct cart_line **lines, size_t *n);
/* store_cart_lines() of a user's cart, for a read that goes before the
 * cart's id is known (none when there is no cart). */
mc_rc store_cart_lines_of_user(int64_t user_id, struct cart_line **lines, size_t *n);
/* Quantity of one line; 0 when absent. */
mc_rc store_cart_quantity(int64_t cart_id, int64_t product_id, int64_t *qty);
/* Inserts or replaces a line's quantity and snapshot. */
mc_rc store_cart_set(int64_t cart_id, int64_t product_id, int64_t qty, int64_t snapshot, int64_t now);
/* Adds qty to a line (inserting it) and sets its snapshot; *total gets the
 * line's new quantity, or 0 when that would pass max (the line is then left
 * as it was). Then store_cart_lines(), in the same round trip. */
mc_rc store_cart_add_lines(int64_t cart_id, int64_t product_id, int64_t qty, int64_t max, int64_t snapshot,
			   int64_t now, int64_t *total, struct cart_line **lines, size_t *n);
mc_rc store_cart_set_snapshot(int64_t cart_id, int64_t product_id, int64_t snapshot);
/* MC_ERR_NOT_FOUND when the line was not there. */
mc_rc store_cart_remove(int64_t cart_id, int64_t product_id);
mc_rc store_cart_clear(int64_t cart_id);
mc_rc store_cart_delete(int64_t cart_id);

#endif
