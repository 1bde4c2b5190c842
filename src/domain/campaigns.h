/* The timed email campaigns the scheduler runs (jobs/scheduler.c). Each
 * runs its own short transactions and queues its emails through
 * domain/notify.h; *queued counts them. */
#ifndef MC_CAMPAIGNS_H
#define MC_CAMPAIGNS_H

#include <stdint.h>

#include "core/result.h"

/* Announces sales that began within MC_SALE_NOTIFY_WINDOW to every user
 * whose wishlist holds the product, once per (product, sale start). */
mc_rc campaign_sale_starts(int64_t now, int *queued);
/* Emails every buyer not emailed in MC_DIGEST_THROTTLE the products on sale
 * now (nothing when none is). */
mc_rc campaign_promo_digest(int64_t now, int *queued);

#endif
