/* Address books (a user's saved shipping addresses) and the copy of one
 * that each order keeps. */
#ifndef MC_STORE_ADDRESSES_H
#define MC_STORE_ADDRESSES_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

struct order;

/* Optional text fields are "" when absent, never NULL. */
struct address {
	int64_t id;                /* 0 in an order's copy */
	int64_t user_id;
	int64_t slot;              /* 1..MC_ADDRESSES_MAX, unique per user: bounds the book */
	int is_default;
	int64_t created_at;
	int64_t updated_at;
	char *name;
	char *line1;
	char *line2;
	char *city;
	char *state;
	char *postal_code;
	char country[3];           /* ISO 3166-1 alpha-2 */
	char *phone;
};

void address_release(struct address *a);
void address_list_free(struct address *items, size_t n);
/* The text fields in one order, for code that treats them alike. */
enum address_text { AT_NAME, AT_LINE1, AT_LINE2, AT_CITY, AT_STATE, AT_POSTAL_CODE, AT_PHONE, AT_COUNT };
/* Sets a's text fields to copies of texts (NULL: ""); on failure releases a
 * and returns MC_ERR_INTERNAL. */
mc_rc address_set_texts(struct address *a, const char *const texts[AT_COUNT]);
/* A deep copy (out is overwritten); MC_ERR_INTERNAL when out of memory. */
mc_rc address_copy(const struct address *from, struct address *out);

/* The user's addresses, the default first, then oldest first (at most
 * MC_ADDRESSES_MAX, so no paging). *items is malloc'd. */
mc_rc store_address_list(int64_t user_id, struct address **items, size_t *n);
/* One of the user's addresses; MC_ERR_NOT_FOUND for another user's. */
mc_rc store_address_get(int64_t user_id, int64_t id, struct address *out);
/* Inserts a->... with a->slot; sets a->id. MC_ERR_CONFLICT when the slot
 * (or the default) was taken meanwhile. */
mc_rc store_address_insert(struct address *a);
/* Writes every field of the user's address a->id; MC_ERR_NOT_FOUND when gone. */
mc_rc store_address_update(const struct address *a);
mc_rc store_address_delete(int64_t user_id, int64_t id);
/* Clears the user's default (before another becomes it). */
mc_rc store_address_clear_default(int64_t user_id);
/* Makes the user's oldest address the default (after the default was deleted). */
mc_rc store_address_promote_oldest(int64_t user_id);

/* The order's own copy of its shipping address. */
mc_rc store_order_address_insert(int64_t order_id, const struct address *a);
/* Sets ship_to on each of the orders that has one, in one query. */
mc_rc store_order_addresses_attach(struct order *orders, size_t n);

#endif
