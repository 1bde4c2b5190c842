/* Prices are integer minor units. A sale price is a pure function of the
 * clock, so sales start and end with no job running. */
#ifndef MC_PRICING_H
#define MC_PRICING_H

#include <stdint.h>

#include "core/sale.h"

int pricing_on_sale(const struct sale *s, int64_t now);
/* price * (100 - pct) / 100, rounded half up to the minor unit. The SQL in
 * store/products.c computes the same expression for filters and sorting. */
int64_t pricing_sale_price(int64_t price, int percentage);
int64_t pricing_effective(int64_t price, const struct sale *s, int64_t now);
/* A coupon's discount on the lines it applies to: eligible * pct / 100,
 * rounded half up to the minor unit, once per order (not per line). */
int64_t pricing_discount(int64_t eligible_total, int percentage);

#endif
