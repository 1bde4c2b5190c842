/* Catalog import from a file in the Fake Store API format
 * (https://fakestoreapi.com/products): an array of {id, title, price,
 * description, category, image, rating {rate, count}}. */
#ifndef MC_IMPORT_H
#define MC_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

#define IMPORT_STOCK_DEFAULT 100

/* A JSON price in major units (109.95) as minor units (10995), exactly.
 * More than 2 decimals (1.005), a negative price or one above MC_PRICE_MAX
 * is refused with a "price" field error, never rounded. */
mc_rc import_price_minor(double major, int64_t *out, mc_error *err);

struct import_item {
	int64_t id;               /* the source's id: external_ref "fakestore:<id>" */
	int64_t price;            /* minor units */
	int64_t rating_sum;       /* round(rate * count) */
	int64_t rating_count;
	const char *title;        /* borrowed from the parsed document */
	const char *description;
	const char *category;
	const char *image;        /* NULL: none */
};

struct json_t;
struct import_list {
	struct json_t *doc;       /* owns the strings of the items */
	struct import_item *items;
	size_t n;
};

/* Parses and checks every item; the first bad one fails the whole file with
 * a message naming it (position, id and title). */
mc_rc import_fakestore_parse(const char *text, size_t len, struct import_list *out, mc_error *err);
void import_list_release(struct import_list *l);

struct import_counts {
	int created;
	int existing;             /* already imported before */
	int seller_created;       /* the demo seller had to be created */
};

/* Imports the file at `path` for the seller or admin with `seller_email`
 * (NULL: the demo seller seller1@mercato.dev, created when missing), each
 * product with `stock` units. Nothing is written unless every item is valid;
 * a re-import creates nothing. */
mc_rc import_fakestore_file(const char *path, const char *seller_email, int64_t stock, struct import_counts *out,
			    mc_error *err);

#endif
