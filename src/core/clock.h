/* Wall-clock time as Unix seconds, and RFC 3339 UTC formatting/parsing.
 * Times are stored as integers everywhere; only the API speaks strings. */
#ifndef MC_CLOCK_H
#define MC_CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t clock_now(void);
/* Wall-clock Unix milliseconds, for job scheduling (backoff, leases). */
int64_t clock_now_ms(void);
/* Monotonic microseconds, for durations only. */
int64_t clock_mono_us(void);
/* Writes "2026-11-22T10:00:00Z"; buf needs 21 bytes. */
void clock_format_rfc3339(int64_t t, char *buf, size_t len);
/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" or "YYYY-MM-DD".
 * Returns 0 and sets *out on success. */
int clock_parse_rfc3339(const char *s, int64_t *out);

#endif
