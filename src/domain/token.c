#include "domain/token.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/parse.h"

/* The one header we issue, and the one algorithm we accept: the header's
 * "alg" is checked, never used to pick how to verify. */
static const char jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void S_mac(const struct token_key *key, const char *data, size_t len,
		  unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key->bytes, key->len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)data, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

/* Appends bin as unpadded base64url at out + *len (room: cap). */
static void S_b64(char *out, size_t cap, size_t *len, const void *bin, size_t n)
{
	sodium_bin2base64(out + *len, cap - *len, bin, n, B64);
	*len += strlen(out + *len);
}

mc_rc token_issue(const struct token_key *key, int64_t user_id, mc_role role, int64_t sid, int64_t now, int64_t ttl,
		  char **out, struct token_claims *claims)
{
	struct token_claims c = { .sub = user_id, .role = role, .iat = now, .exp = now + ttl, .sid = sid };
	unsigned char rnd[MC_JTI_LEN / 2], mac[crypto_auth_hmacsha256_BYTES];
	char payload[256], sidpart[32] = "";
	size_t cap = MC_JWT_MAX + 1, len = 0;
	char *s;
	int n;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(c.jti, sizeof(c.jti), rnd, sizeof(rnd));
	if (sid)
		snprintf(sidpart, sizeof(sidpart), ",\"sid\":%" PRId64, sid);
	/* Every value is ours: digits, a role name, hex. */
	n = snprintf(payload, sizeof(payload),
		     "{\"sub\":\"%" PRId64 "\",\"role\":\"%s\",\"jti\":\"%s\",\"iat\":%" PRId64 ",\"exp\":%" PRId64 "%s}",
		     user_id, role_name(role), c.jti, c.iat, c.exp, sidpart);
	if (n < 0 || (size_t)n >= sizeof(payload) || !(s = malloc(cap)))
		return MC_ERR_INTERNAL;
	S_b64(s, cap, &len, jwt_header, sizeof(jwt_header) - 1);
	s[len++] = '.';
	S_b64(s, cap, &len, payload, (size_t)n);
	S_mac(key, s, len, mac);
	s[len++] = '.';
	S_b64(s, cap, &len, mac, sizeof(mac));
	*out = s;
	if (claims)
		*claims = c;
	return MC_OK;
}

/* The JSON object a base64url segment holds; NULL if it holds none. */
static json_t *S_segment(const char *seg, size_t n)
{
	unsigned char buf[MC_JWT_MAX];
	size_t len;

	if (sodium_base642bin(buf, sizeof(buf), seg, n, NULL, &len, NULL, B64))
		return NULL;
	return json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
}

/* An integer claim: *v, 1 when present and an integer, 0 when absent,
 * -1 when of another type. */
static int S_int_claim(json_t *payload, const char *name, int64_t *v)
{
	json_t *j = json_object_get(payload, name);

	if (!j)
		return 0;
	if (!json_is_integer(j))
		return -1;
	*v = json_integer_value(j);
	return 1;
}

mc_rc token_verify(const struct token_key *key, const char *token, int64_t now, struct token_claims *out,
		   mc_error *err)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES], sig[crypto_auth_hmacsha256_BYTES];
	const char *dot1, *dot2, *role, *jti;
	json_t *header = NULL, *payload = NULL;
	struct token_claims c;
	size_t siglen;
	int expired = 0;
	mc_rc rc = MC_ERR_UNAUTHORIZED;

	memset(&c, 0, sizeof(c));
	if (strlen(token) > MC_JWT_MAX || !(dot1 = strchr(token, '.')) || !(dot2 = strchr(dot1 + 1, '.')) ||
	    strchr(dot2 + 1, '.'))
		goto out;
	/* The signature first: nothing of an unsigned token is parsed. */
	S_mac(key, token, (size_t)(dot2 - token), mac);
	if (sodium_base642bin(sig, sizeof(sig), dot2 + 1, strlen(dot2 + 1), NULL, &siglen, NULL, B64) ||
	    siglen != sizeof(sig) || crypto_verify_32(sig, mac))
		goto out;
	header = S_segment(token, (size_t)(dot1 - token));
	if (!json_is_object(header) || !json_is_string(json_object_get(header, "alg")) ||
	    strcmp(json_string_value(json_object_get(header, "alg")), "HS256"))
		goto out;
	payload = S_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (!json_is_object(payload) ||
	    mc_parse_i64(json_string_value(json_object_get(payload, "sub")), 1, INT64_MAX, &c.sub))
		goto out;
	role = json_string_value(json_object_get(payload, "role"));
	jti = json_string_value(json_object_get(payload, "jti"));
	if (!role || !jti || strlen(jti) != MC_JTI_LEN)
		goto out;
	c.role = role_parse(role);
	if (c.role == ROLE_NONE)
		goto out;
	memcpy(c.jti, jti, MC_JTI_LEN + 1);
	if (S_int_claim(payload, "exp", &c.exp) != 1 || c.exp <= 0)
		goto out;
	/* Each node checks with its own clock: allow for their difference. */
	if (c.exp + MC_TOKEN_LEEWAY <= now) {
		expired = 1;
		goto out;
	}
	if (S_int_claim(payload, "iat", &c.iat) != 1)
		c.iat = 0;
	/* Tokens issued outside a session (and before sessions) have no sid. */
	if (S_int_claim(payload, "sid", &c.sid) < 0 || c.sid < 0)
		goto out;
	*out = c;
	rc = MC_OK;
out:
	json_decref(header);
	json_decref(payload);
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
