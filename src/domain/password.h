/* Password hashing with argon2id (libsodium) at the OWASP floor, with at
 * most one hash per core in flight so a login flood cannot exhaust memory. */
#ifndef MC_PASSWORD_H
#define MC_PASSWORD_H

#include <stddef.h>

#include "core/result.h"

/* `slots` concurrent hashes (0 = number of cores). Call once at start. */
mc_rc password_init(int slots);
/* Length rules only (MC_PASSWORD_MIN..MAX bytes); records a field error. */
mc_rc password_check_rules(const char *field, const char *pw, mc_error *err);
/* out must hold 128 bytes. MC_ERR_BUSY when no slot frees up in time. */
mc_rc password_hash(const char *pw, char out[128], mc_error *err);
/* MC_OK on match, MC_ERR_UNAUTHORIZED on mismatch, MC_ERR_BUSY when saturated.
 * A NULL hash runs a dummy verification so unknown accounts cost the same. */
mc_rc password_verify(const char *hash, const char *pw, mc_error *err);

#endif
