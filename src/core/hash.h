/* FNV-1a over a NUL-terminated string: a fast, non-cryptographic hash for
 * in-memory tables (cache slots, rate-limit buckets). */
#ifndef MC_HASH_H
#define MC_HASH_H

#include <stdint.h>

static inline uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

#endif
