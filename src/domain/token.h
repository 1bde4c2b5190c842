/* Access tokens: JWT HS256 through libjwt, with the algorithm pinned by the
 * server (never taken from the token), `exp`, `sub`, `role` and `jti`. */
#ifndef MC_TOKEN_H
#define MC_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "core/role.h"

struct token_claims {
	int64_t sub;
	mc_role role;
	char jti[MC_JTI_LEN + 1];
	int64_t iat;
	int64_t exp;
};

struct token_key {
	unsigned char bytes[256];
	size_t len;
};

/* Issues a token; *out is malloc'd. */
mc_rc token_issue(const struct token_key *key, int64_t user_id, mc_role role, int64_t now, int64_t ttl,
		  char **out, struct token_claims *claims);
/* Verifies signature (HS256 only), expiry and claim shapes. Any failure is
 * MC_ERR_UNAUTHORIZED with code "invalid_token" ("token_expired" past exp).
 * Revocation is the caller's. */
mc_rc token_verify(const struct token_key *key, const char *token, int64_t now, struct token_claims *out,
		   mc_error *err);

/* The signing key: `secret` (MERCATO_JWT_SECRET) when set, at least
 * MC_JWT_SECRET_MIN bytes in production; otherwise, outside production, a
 * random key kept in data_dir/jwt.secret (written atomically, mode 0600) so
 * tokens survive restarts. On failure errbuf says why. */
mc_rc token_key_load(const char *secret, int production, const char *data_dir, struct token_key *out,
		     char *errbuf, size_t errlen);

#endif
