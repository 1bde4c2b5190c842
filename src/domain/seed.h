/* Demo data for development: sellers, buyers and a catalog of ~50 products.
 * Idempotent: accounts are matched by email and products by external_ref
 * ("seed:<n>"), so running it again creates nothing. */
#ifndef MC_SEED_H
#define MC_SEED_H

#include <stdint.h>

#include "core/result.h"
#include "store/users.h"

#define SEED_PASSWORD "mercato-demo"

struct seed_counts {
	int users_created;
	int products_created;
};

/* Creates whatever of the demo data is missing; `now` anchors the sale
 * windows (some running now, a couple starting next week). */
mc_rc seed_demo(int64_t now, struct seed_counts *out, mc_error *err);

/* The first demo seller (seller1@mercato.dev), created as seed_demo() would
 * when missing; *created tells which. */
mc_rc seed_demo_seller(struct user *out, int *created, mc_error *err);

#endif
