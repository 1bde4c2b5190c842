/* Money for people: integer minor units shown as "INR 49.99". Every
 * currency Mercato takes has two decimals (DESIGN section 4). */
#ifndef MC_MONEY_H
#define MC_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Writes "CUR units.cents" ("INR -0.50" for negatives); 32 bytes always suffice. */
void money_format(int64_t minor, const char *currency, char *buf, size_t len);

#endif
