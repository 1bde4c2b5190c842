#include "domain/token.h"

#include <errno.h>
#include <inttypes.h>
#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/parse.h"

mc_rc token_issue(const struct token_key *key, int64_t user_id, mc_role role, int64_t sid, int64_t now, int64_t ttl,
		  char **out, struct token_claims *claims)
{
	struct token_claims c = { .sub = user_id, .role = role, .iat = now, .exp = now + ttl, .sid = sid };
	unsigned char rnd[MC_JTI_LEN / 2];
	char sub[24];
	jwt_t *jwt = NULL;
	char *s = NULL;
	mc_rc rc = MC_ERR_INTERNAL;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(c.jti, sizeof(c.jti), rnd, sizeof(rnd));
	snprintf(sub, sizeof(sub), "%" PRId64, user_id);
	if (jwt_new(&jwt))
		goto out;
	if (jwt_add_grant(jwt, "sub", sub) || jwt_add_grant(jwt, "role", role_name(role)) ||
	    jwt_add_grant(jwt, "jti", c.jti) || jwt_add_grant_int(jwt, "iat", (long)c.iat) ||
	    jwt_add_grant_int(jwt, "exp", (long)c.exp) || (sid && jwt_add_grant_int(jwt, "sid", (long)sid)) ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, key->bytes, (int)key->len))
		goto out;
	s = jwt_encode_str(jwt);
	if (!s)
		goto out;
	*out = s;
	if (claims)
		*claims = c;
	rc = MC_OK;
out:
	jwt_free(jwt);
	return rc;
}

mc_rc token_verify(const struct token_key *key, const char *token, int64_t now, struct token_claims *out,
		   mc_error *err)
{
	struct token_claims c;
	const char *role, *jti;
	jwt_t *jwt = NULL;
	int expired = 0;
	mc_rc rc = MC_ERR_UNAUTHORIZED;

	memset(&c, 0, sizeof(c));
	if (strlen(token) > MC_JWT_MAX || jwt_decode(&jwt, token, key->bytes, (int)key->len))
		goto out;
	/* libjwt verifies with whatever algorithm the header names (even "none"):
	 * only our algorithm is acceptable. */
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;
	if (mc_parse_i64(jwt_get_grant(jwt, "sub"), 1, INT64_MAX, &c.sub))
		goto out;
	role = jwt_get_grant(jwt, "role");
	jti = jwt_get_grant(jwt, "jti");
	if (!role || !jti || strlen(jti) != MC_JTI_LEN)
		goto out;
	c.role = role_parse(role);
	if (c.role == ROLE_NONE)
		goto out;
	memcpy(c.jti, jti, MC_JTI_LEN + 1);
	errno = 0;
	c.exp = jwt_get_grant_int(jwt, "exp");
	if (errno || c.exp <= 0)
		goto out;
	/* Each node checks with its own clock: allow for their difference. */
	if (c.exp + MC_TOKEN_LEEWAY <= now) {
		expired = 1;
		goto out;
	}
	errno = 0;
	c.iat = jwt_get_grant_int(jwt, "iat");
	if (errno)
		c.iat = 0;
	/* Tokens issued outside a session (and before sessions) have no sid. */
	errno = 0;
	c.sid = jwt_get_grant_int(jwt, "sid");
	if (errno == ENOENT)
		c.sid = 0;
	else if (errno || c.sid < 0)
		goto out;
	*out = c;
	rc = MC_OK;
out:
	jwt_free(jwt);
	if (rc)
		mc_fail(err, rc, expired ? "token_expired" : "invalid_token",
			expired ? "the token has expired" : "the token is invalid");
	return rc;
}

void token_opaque_new(char token[MC_OPAQUE_TOKEN_LEN + 1], char hash[MC_OPAQUE_TOKEN_LEN + 1])
{
	unsigned char rnd[MC_OPAQUE_TOKEN_BYTES];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(token, MC_OPAQUE_TOKEN_LEN + 1, rnd, sizeof(rnd));
	sodium_memzero(rnd, sizeof(rnd));
	token_opaque_hash(token, hash);
}

bool token_opaque_hash(const char *token, char hash[MC_OPAQUE_TOKEN_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	_Static_assert(crypto_hash_sha256_BYTES * 2 == MC_OPAQUE_TOKEN_LEN, "a hash is as long as a token");
	if (strnlen(token, MC_OPAQUE_TOKEN_LEN + 1) != MC_OPAQUE_TOKEN_LEN ||
	    strspn(token, "0123456789abcdef") != MC_OPAQUE_TOKEN_LEN)
		return false;
	crypto_hash_sha256(digest, (const unsigned char *)token, MC_OPAQUE_TOKEN_LEN);
	sodium_bin2hex(hash, MC_OPAQUE_TOKEN_LEN + 1, digest, sizeof(digest));
	return true;
}

/* The development key file holds exactly this many random bytes. */
#define DEV_KEY_LEN 32

mc_rc token_key_load(const char *secret, int production, const char *data_dir, struct token_key *out,
		     char *errbuf, size_t errlen)
{
	struct token_key key = { .len = DEV_KEY_LEN };
	size_t n = strlen(secret), len = 0;
	char path[512];
	char *file = NULL;

	if (n) {
		if (n < MC_JWT_SECRET_MIN && production) {
			snprintf(errbuf, errlen, "MERCATO_JWT_SECRET must be at least %d bytes in production",
				 MC_JWT_SECRET_MIN);
			return MC_ERR_INVALID;
		}
		if (n > sizeof(out->bytes)) {
			snprintf(errbuf, errlen, "MERCATO_JWT_SECRET is longer than %zu bytes", sizeof(out->bytes));
			return MC_ERR_INVALID;
		}
		memcpy(out->bytes, secret, n);
		out->len = n;
		return MC_OK;
	}
	if (production) {
		snprintf(errbuf, errlen, "MERCATO_JWT_SECRET is required in production");
		return MC_ERR_INVALID;
	}
	snprintf(path, sizeof(path), "%s/jwt.secret", data_dir);
	/* A file too short to be ours is replaced; a longer one gives its start. */
	if (!fs_read_file(path, sizeof(key.bytes), &file, &len) && len >= DEV_KEY_LEN) {
		memcpy(key.bytes, file, DEV_KEY_LEN);
		sodium_memzero(file, len);
		free(file);
		*out = key;
		sodium_memzero(&key, sizeof(key));
		return MC_OK;
	}
	if (file) {
		sodium_memzero(file, len);
		free(file);
	}
	randombytes_buf(key.bytes, DEV_KEY_LEN);
	if (fs_mkdirs(data_dir) || fs_write_atomic(path, key.bytes, DEV_KEY_LEN, 0600)) {
		snprintf(errbuf, errlen, "cannot write %s: %s", path, strerror(errno));
		sodium_memzero(&key, sizeof(key));
		return MC_ERR_INTERNAL;
	}
	log_info("token", "generated a development JWT secret in %s", path);
	*out = key;
	sodium_memzero(&key, sizeof(key));
	return MC_OK;
}
