/* Prices are integer minor units. A sale price is a pure function of the
 * clock, so sales start and end with no job running. */
#ifndef MC_PRICING_H
#define MC_PRICING_H

#include <stdint.h>

#include "core/result.h"
#include "core/sale.h"

int pricing_on_sale(const struct sale *s, int64_t now);
/* price * (100 - pct) / 100, rounded half up to the minor unit, exact for
 * every price (core/money.h). The SQL in store/products.c computes the same
 * value for filters and sorting. */
int64_t pricing_sale_price(int64_t price, int percentage);
int64_t pricing_effective(int64_t price, const struct sale *s, int64_t now);
/* A coupon's discount on the lines it applies to: eligible * pct / 100,
 * rounded half up to the minor unit, once per order (not per line). */
mc_rc pricing_discount(int64_t eligible_total, int percentage, int64_t *out, mc_error *err);
/* Adds a line of qty units at unit_price to *total and gives the line's
 * amount; 422 amount_overflow (both untouched) when either overflows. */
mc_rc pricing_add_line(int64_t unit_price, int64_t qty, int64_t *line_total, int64_t *total, mc_error *err);
/* 422 order_total_limit when a cart or order total passes MC_ORDER_TOTAL_MAX. */
mc_rc pricing_check_total(int64_t total, mc_error *err);

#endif
