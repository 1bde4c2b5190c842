/* Catalog rules: who may change which product, and what a valid product is. */
#ifndef MC_CATALOG_H
#define MC_CATALOG_H

#include "core/result.h"
#include "core/role.h"
#include "store/products.h"

/* Which fields of a product_input were given. */
enum {
	PI_NAME = 1 << 0,
	PI_DESCRIPTION = 1 << 1,
	PI_PRICE = 1 << 2,
	PI_CURRENCY = 1 << 3,
	PI_IMAGE_URL = 1 << 4,
	PI_CATEGORY = 1 << 5,
	PI_STOCK = 1 << 6,
	PI_SELLER = 1 << 7,
};

struct product_input {
	unsigned set;              /* PI_* bits */
	const char *name;
	const char *description;
	const char *currency;
	const char *image_url;     /* NULL with PI_IMAGE_URL clears it */
	const char *category;
	int64_t price;
	int64_t stock;
	int64_t seller_id;         /* admins only */
};

/* The text and URL rules create and update apply, for products that arrive
 * another way (imports); field errors go to err. */
mc_rc catalog_check_input(const struct product_input *in, mc_error *err);
mc_rc catalog_create(const struct actor *a, const struct product_input *in, struct product *out, mc_error *err);
/* replace = PUT semantics: name and price required; description, category,
 * currency and imageUrl reset when left out; stock is kept unless given. */
mc_rc catalog_update(const struct actor *a, int64_t id, const struct product_input *in, int replace,
		     struct product *out, mc_error *err);
mc_rc catalog_delete(const struct actor *a, int64_t id, mc_error *err);
mc_rc catalog_schedule_sale(const struct actor *a, int64_t id, const struct sale *sale, struct product *out,
			    mc_error *err);
/* Points the product's image at `url` (an uploaded file's /media/ path). */
mc_rc catalog_set_image(const struct actor *a, int64_t id, const char *url, struct product *out, mc_error *err);
/* Loads a product the actor may change: 404 unknown, 403 another seller's. */
mc_rc catalog_get_owned(const struct actor *a, int64_t id, struct product *out, mc_error *err);

#endif
