/* Address books: each user's saved shipping addresses (at most
 * MC_ADDRESSES_MAX, exactly one default while any exist), seen and changed
 * only by that user (callers pass the token's user id, so another user's
 * address is 404). Checkout turns one, or an address given inline, into
 * the order's own copy. */
#ifndef MC_ADDRESSES_H
#define MC_ADDRESSES_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "store/addresses.h"

enum address_field {
	AF_NAME = 1u << 0,
	AF_LINE1 = 1u << 1,
	AF_LINE2 = 1u << 2,
	AF_CITY = 1u << 3,
	AF_STATE = 1u << 4,
	AF_POSTAL_CODE = 1u << 5,
	AF_COUNTRY = 1u << 6,
	AF_PHONE = 1u << 7,
	AF_DEFAULT = 1u << 8,
};

/* What a client sent: `set` says which fields it gave ("" clears an
 * optional one). Strings are borrowed. */
struct address_input {
	unsigned set;
	const char *name;
	const char *line1;
	const char *line2;
	const char *city;
	const char *state;
	const char *postal_code;
	const char *country;       /* ISO 3166-1 alpha-2, either case */
	const char *phone;
	int is_default;
};

/* 1 when code is an assigned ISO 3166-1 alpha-2 code (either case). */
int address_country_valid(const char *code);

/* Builds a complete, checked address from input alone (a new address, or
 * one given inline at checkout): 400 naming each bad field. */
mc_rc address_from_input(const struct address_input *in, struct address *out, mc_error *err);

mc_rc address_list(int64_t user_id, struct address **items, size_t *n);
/* 404 address_not_found unless it is the user's. */
mc_rc address_get(int64_t user_id, int64_t id, struct address *out, mc_error *err);
/* The first address becomes the default, as does one sent with
 * isDefault true. 422 too_many_addresses past MC_ADDRESSES_MAX. */
mc_rc address_create(int64_t user_id, const struct address_input *in, struct address *out, mc_error *err);
/* Changes the given fields; isDefault true moves the default here, false
 * on the default is 422 default_required (make another the default). */
mc_rc address_update(int64_t user_id, int64_t id, const struct address_input *in, struct address *out,
		     mc_error *err);
/* Deleting the default makes the oldest remaining address the default. */
mc_rc address_delete(int64_t user_id, int64_t id, mc_error *err);

/* The shipping address of a checkout: the user's saved address `id`, or
 * the inline one (exactly one of the two). *out is malloc'd. */
mc_rc address_for_order(int64_t user_id, int64_t id, const struct address_input *in, struct address **out,
			mc_error *err);

#endif
