/* Products: the catalog's rows, list queries and the catalog version. */
#ifndef MC_STORE_PRODUCTS_H
#define MC_STORE_PRODUCTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "core/sale.h"
#include "store/db.h"

/* For queries that join products (store/ only): PRODUCT_SOURCE is the live
 * products with their seller's name; select PRODUCT_COLS from it as `c`,
 * first, and read them with store_product_read(). */
#define PRODUCT_COLS                                                                                 \
	"c.id, c.seller_id, c.price, c.stock, c.sale_start, c.sale_end, c.sale_percentage,"          \
	" c.rating_sum, c.rating_count, c.created_at, c.updated_at, c.currency, c.name,"             \
	" c.description, c.image_url, c.category, c.seller_name"
#define PRODUCT_NCOLS 17
#define PRODUCT_SOURCE                                                                               \
	"SELECT p.*, u.name AS seller_name FROM products p JOIN users u ON u.id = p.seller_id"        \
	" WHERE p.deleted_at IS NULL"

struct product {
	int64_t id;
	int64_t seller_id;
	int64_t price;
	int64_t stock;
	struct sale sale;          /* all zero: no sale scheduled */
	int64_t rating_sum;
	int64_t rating_count;
	int64_t created_at;
	int64_t updated_at;
	char currency[4];
	char *name;                /* heap strings, freed by product_release */
	char *description;
	char *image_url;           /* NULL: none */
	char *category;
	char *seller_name;
};

void product_release(struct product *p);
void product_list_free(struct product *items, size_t n);

enum product_sort {
	SORT_NEWEST,
	SORT_PRICE,
	SORT_PRICE_DESC,
	SORT_RATING,
	SORT_NAME,
	SORT_COUNT
};

struct product_filter {
	const char *q;             /* free text; NULL = none */
	const char *category;      /* NULL = any */
	int64_t seller_id;         /* 0 = any */
	int64_t min_price;         /* on the effective price; -1 = none */
	int64_t max_price;         /* -1 = none */
	int on_sale;
	enum product_sort sort;
	int64_t limit;
	int64_t offset;
};

/* Live products matching f, evaluated at `now`. *items is malloc'd. */
mc_rc store_product_list(const struct product_filter *f, int64_t now, struct product **items, size_t *n,
			 int64_t *total);
/* A live (not deleted) product. */
mc_rc store_product_get(int64_t id, struct product *out);
/* Reads PRODUCT_COLS from columns 0..PRODUCT_NCOLS-1 of the current row; -1
 * when out of memory (p is then empty). */
int store_product_read(db_stmt *s, struct product *p);

/* What a cart line needs of a product: its price and stock. */
struct product_brief {
	int64_t id;
	int64_t price;
	int64_t stock;
	struct sale sale;          /* all zero: no sale scheduled */
};

/* A live product's brief; MC_ERR_NOT_FOUND like store_product_get. */
mc_rc store_product_brief(int64_t id, struct product_brief *out);

/* Writes. Each bumps the catalog version in the same transaction. */
mc_rc store_product_insert(struct product *p);
/* Inserts unless a product with `ref` exists; *inserted tells which. */
mc_rc store_product_insert_ref(struct product *p, const char *ref, int *inserted);
mc_rc store_product_update(const struct product *p);
mc_rc store_product_delete(int64_t id, int64_t now);

/* Increments the catalog version (inside the caller's transaction), so every
 * node drops its cached catalog responses. */
mc_rc store_catalog_bump(void);
/* The catalog version every product write increments. */
mc_rc store_catalog_version(int64_t *version);
/* The next sale start or end after `now` (0 when none): cached prices stay
 * right until then. */
mc_rc store_catalog_next_boundary(int64_t now, int64_t *at);

/* Stored images (media_files): who uploaded what, for the per-seller quota,
 * and since when no live product shows a file, for the cleanup. A file is
 * named by its blob store key; products refer to its public URL. */

/* *bytes: what the seller's stored images take; *stored: whether `key` is
 * one of them already. */
mc_rc store_media_usage(int64_t seller_id, const char *key, int64_t *bytes, int *stored);
/* Records an upload; a stored one counts as unshown from `now` again, so
 * the cleanup leaves it a grace period to be attached. */
mc_rc store_media_put(const char *url, const char *key, int64_t seller_id, int64_t bytes, int64_t now);
/* Stamps files no live product shows with `now` (if not yet stamped), and
 * clears the stamp of those shown again. */
mc_rc store_media_mark(int64_t now);
/* Up to max keys unshown since `before` or earlier; *n is how many. Each
 * key holds MC_URL_MAX + 1 bytes. */
mc_rc store_media_expired(int64_t before, size_t max, char (*keys)[MC_URL_MAX + 1], size_t *n);
/* Forgets key if it is still unshown since `before`; *gone says whether.
 * Inside the caller's transaction, which deletes the blob before it commits. */
mc_rc store_media_forget(const char *key, int64_t before, int *gone);

/* A live product's stock now (MC_ERR_NOT_FOUND when gone). */
mc_rc store_stock_of(int64_t product_id, int64_t *stock);
/* Every live product's stock, to fn(ctx, id, stock) row by row. */
mc_rc store_stock_scan(void (*fn)(void *ctx, int64_t id, int64_t stock), void *ctx);

#endif
