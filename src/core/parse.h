/* Strict parsing of operator and client text into numbers and lists. */
#ifndef MC_PARSE_H
#define MC_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* A decimal integer in [min, max]: an optional '-', then digits, nothing
 * else (no spaces, no '+', no hex). MC_ERR_INVALID otherwise; *out is set
 * only on success. */
mc_rc mc_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Splits a comma-separated list into `max` slots of `width` bytes at dst
 * (each item trimmed of spaces, NUL-terminated; empty items skipped).
 * With dst NULL it only counts. Returns the number of items, or -1 when
 * there are more than `max` or an item does not fit in `width`: a list is
 * never silently truncated. */
int mc_parse_list(const char *csv, char *dst, size_t width, int max);

#endif
