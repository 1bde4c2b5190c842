/* Access tokens: JWT HS256 (RFC 7519) signed with libsodium's HMAC-SHA256,
 * with the algorithm pinned by the server (never taken from the token),
 * `exp`, `sub`, `role` and `jti`, and
 * `sid`, the session it belongs to, when it has one. Refresh tokens and
 * reset links are opaque random values instead (token_opaque_*). */
#ifndef MC_TOKEN_H
#define MC_TOKEN_H

#include <stdbool.h>
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
	int64_t sid; /* the session (refresh-token family) it was issued in; 0: none */
};

struct token_key {
	unsigned char bytes[256];
	size_t len;
};

/* Issues a token in session `sid` (0: none); *out is malloc'd. */
mc_rc token_issue(const struct token_key *key, int64_t user_id, mc_role role, int64_t sid, int64_t now, int64_t ttl,
		  char **out, struct token_claims *claims);
/* Verifies signature (HS256 only), expiry and claim shapes. Any failure is
 * MC_ERR_UNAUTHORIZED with code "invalid_token" ("token_expired" past exp).
 * Revocation is the caller's. */
mc_rc token_verify(const struct token_key *key, const char *token, int64_t now, struct token_claims *out,
		   mc_error *err);

/* A new opaque token: MC_OPAQUE_TOKEN_BYTES random bytes as hex in
 * `token` (for the client, never stored) and its SHA-256 as hex in `hash`
 * (what the database keeps). */
void token_opaque_new(char token[MC_OPAQUE_TOKEN_LEN + 1], char hash[MC_OPAQUE_TOKEN_LEN + 1]);
/* The stored form of a presented opaque token; false when it cannot be one
 * of ours (length, characters), so it matches nothing. */
bool token_opaque_hash(const char *token, char hash[MC_OPAQUE_TOKEN_LEN + 1]);

/* The signing key: `secret` (MERCATO_JWT_SECRET) when set, at least
 * MC_JWT_SECRET_MIN bytes in production; otherwise, outside production, a
 * random key kept in data_dir/jwt.secret (written atomically, mode 0600) so
 * tokens survive restarts. On failure errbuf says why. */
mc_rc token_key_load(const char *secret, int production, const char *data_dir, struct token_key *out,
		     char *errbuf, size_t errlen);

#endif
