/* Money: integer minor units, checked arithmetic, and money for people
 * ("INR 49.99"). Every currency Mercato takes has two decimals (DESIGN
 * section 4), so a minor unit is always a hundredth. */
#ifndef MC_MONEY_H
#define MC_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* Checked arithmetic: 0 with the result in *out, or -1 on int64 overflow
 * with *out untouched. Every sum and product of amounts goes through these:
 * an overflow becomes an error, never wrong money. */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t amount, int64_t n, int64_t *out);
/* amount * pct / 100 rounded half up, for 0 <= amount and 0 <= pct <= 100
 * (-1 otherwise). Computed as (amount / 100) * pct + ((amount % 100) * pct
 * + 50) / 100, so no intermediate exceeds amount: it cannot overflow. */
int money_percent(int64_t amount, int64_t pct, int64_t *out);
/* The problem an overflow becomes: 422 amount_overflow. */
mc_rc money_overflow(mc_error *err);

/* Is `code` an ISO 4217 currency with two decimals (the only kind the
 * minor units above can express)? Upper-case letters only. */
int money_currency_known(const char *code);

/* Writes "CUR units.cents" ("INR -0.50" for negatives); 32 bytes always suffice. */
void money_format(int64_t minor, const char *currency, char *buf, size_t len);

#endif
