/* Access tokens (domain/token.h): HS256 only, expiry, claim shapes. */
#include "unit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/token.h"

#define NOW 1800000000LL
#define TTL 3600

static struct token_key key, other_key;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	memset(key.bytes, 'k', 32);
	key.len = 32;
	memset(other_key.bytes, 'o', 32);
	other_key.len = 32;
	return 0;
}

static void S_b64url(const char *in, char *out, size_t outlen);

/* Signs a token by hand, apart from the code under test: alg "HS256" or
 * "HS512"; any of sub/role/jti may be NULL (claim left out). */
static char *S_sign(const char *alg, const char *sub, const char *role, const char *jti, long exp)
{
	char header[64], payload[256], signing[512], *s;
	unsigned char mac[crypto_auth_hmacsha512_BYTES];
	size_t maclen = strcmp(alg, "HS512") ? crypto_auth_hmacsha256_BYTES : crypto_auth_hmacsha512_BYTES;
	int n = 0;

	snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	n += snprintf(payload + n, sizeof(payload) - (size_t)n, "{\"exp\":%ld", exp);
	if (sub)
		n += snprintf(payload + n, sizeof(payload) - (size_t)n, ",\"sub\":\"%s\"", sub);
	if (role)
		n += snprintf(payload + n, sizeof(payload) - (size_t)n, ",\"role\":\"%s\"", role);
	if (jti)
		n += snprintf(payload + n, sizeof(payload) - (size_t)n, ",\"jti\":\"%s\"", jti);
	snprintf(payload + n, sizeof(payload) - (size_t)n, "}");
	S_b64url(header, signing, sizeof(signing));
	n = (int)strlen(signing);
	signing[n++] = '.';
	S_b64url(payload, signing + n, sizeof(signing) - (size_t)n);
	if (maclen == crypto_auth_hmacsha256_BYTES) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, key.bytes, key.len);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)signing, strlen(signing));
		crypto_auth_hmacsha256_final(&st, mac);
	} else {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, key.bytes, key.len);
		crypto_auth_hmacsha512_update(&st, (const unsigned char *)signing, strlen(signing));
		crypto_auth_hmacsha512_final(&st, mac);
	}
	n = (int)strlen(signing) + 1;
	s = malloc((size_t)n + sodium_base64_ENCODED_LEN(maclen, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	assert_non_null(s);
	snprintf(s, (size_t)n + 1, "%s.", signing);
	sodium_bin2base64(s + n, sodium_base64_ENCODED_LEN(maclen, sodium_base64_VARIANT_URLSAFE_NO_PADDING), mac,
			  maclen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

static const char jti_ok[] = "0123456789abcdef0123456789abcdef";

/* Verifies a token expected to be refused as "invalid_token". */
static void S_expect_invalid(const struct token_key *k, const char *tok, const char *what)
{
	struct token_claims c;
	mc_error e;
	mc_rc rc;

	mc_error_init(&e);
	rc = token_verify(k, tok, NOW, &c, &e);
	if (rc != MC_ERR_UNAUTHORIZED)
		fail_msg("%s: token_verify returned %d, want MC_ERR_UNAUTHORIZED", what, rc);
	assert_non_null(e.code);
	assert_string_equal(e.code, "invalid_token");
}

static void test_roundtrip(void **state)
{
	struct token_claims issued, got;
	char *tok = NULL;
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(token_issue(&key, 42, ROLE_SELLER, 0, NOW, TTL, &tok, &issued), MC_OK);
	assert_non_null(tok);
	assert_int_equal(strlen(issued.jti), MC_JTI_LEN);
	assert_int_equal(strspn(issued.jti, "0123456789abcdef"), MC_JTI_LEN);
	assert_int_equal(issued.exp, NOW + TTL);

	assert_int_equal(token_verify(&key, tok, NOW + 10, &got, &e), MC_OK);
	assert_int_equal(got.sub, 42);
	assert_int_equal(got.role, ROLE_SELLER);
	assert_string_equal(got.jti, issued.jti);
	assert_int_equal(strlen(got.jti), MC_JTI_LEN);
	assert_int_equal(got.exp, NOW + TTL);
	assert_int_equal(got.iat, NOW);
	assert_int_equal(got.sid, 0);
	free(tok);
}

/* A token issued in a session carries its id back. */
static void test_session_id_round_trip(void **state)
{
	struct token_claims got;
	char *tok = NULL;
	mc_error e;
	(void)state;

	mc_error_init(&e);
	assert_int_equal(token_issue(&key, 42, ROLE_BUYER, 9001, NOW, TTL, &tok, NULL), MC_OK);
	assert_int_equal(token_verify(&key, tok, NOW, &got, &e), MC_OK);
	assert_int_equal(got.sid, 9001);
	free(tok);
}

/* Opaque tokens: 256 random bits as hex, stored as their SHA-256. */
static void test_opaque_tokens(void **state)
{
	char a[MC_OPAQUE_TOKEN_LEN + 1], ha[MC_OPAQUE_TOKEN_LEN + 1], b[MC_OPAQUE_TOKEN_LEN + 1],
		hb[MC_OPAQUE_TOKEN_LEN + 1], again[MC_OPAQUE_TOKEN_LEN + 1];
	char known[MC_OPAQUE_TOKEN_LEN + 1];
	(void)state;

	token_opaque_new(a, ha);
	token_opaque_new(b, hb);
	assert_int_equal(strlen(a), MC_OPAQUE_TOKEN_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), MC_OPAQUE_TOKEN_LEN);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, ha);
	assert_true(token_opaque_hash(a, again));
	assert_string_equal(again, ha);
	/* SHA-256 of 64 'a's. */
	memset(known, 'a', MC_OPAQUE_TOKEN_LEN);
	known[MC_OPAQUE_TOKEN_LEN] = '\0';
	assert_true(token_opaque_hash(known, again));
	assert_string_equal(again, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	known[3] = 'A';
	assert_false(token_opaque_hash(known, again));
	known[3] = 'a';
	known[MC_OPAQUE_TOKEN_LEN - 1] = '\0';
	assert_false(token_opaque_hash(known, again));
	assert_false(token_opaque_hash("", again));
}

static void test_jti_unique(void **state)
{
	struct token_claims a, b;
	char *ta = NULL, *tb = NULL;
	(void)state;

	assert_int_equal(token_issue(&key, 1, ROLE_BUYER, 0, NOW, TTL, &ta, &a), MC_OK);
	assert_int_equal(token_issue(&key, 1, ROLE_BUYER, 0, NOW, TTL, &tb, &b), MC_OK);
	assert_string_not_equal(a.jti, b.jti);
	assert_string_not_equal(ta, tb);
	free(ta);
	free(tb);
}

static void test_expired(void **state)
{
	struct token_claims c;
	char *tok = NULL;
	mc_error e;
	(void)state;

	assert_int_equal(token_issue(&key, 7, ROLE_BUYER, 0, NOW, 60, &tok, NULL), MC_OK);
	mc_error_init(&e);
	/* Valid until exp, plus the leeway for the nodes' clock difference. */
	assert_int_equal(token_verify(&key, tok, NOW + 60 + MC_TOKEN_LEEWAY - 1, &c, &e), MC_OK);
	assert_int_equal(token_verify(&key, tok, NOW + 60 + MC_TOKEN_LEEWAY, &c, &e), MC_ERR_UNAUTHORIZED);
	assert_string_equal(e.code, "token_expired");
	free(tok);
}

static void test_wrong_key(void **state)
{
	char *tok = NULL;
	(void)state;

	assert_int_equal(token_issue(&key, 7, ROLE_ADMIN, 0, NOW, TTL, &tok, NULL), MC_OK);
	S_expect_invalid(&other_key, tok, "wrong key");
	free(tok);
}

static void test_tampered_payload(void **state)
{
	char *tok = NULL, *dot1, *dot2, *mid;
	(void)state;

	assert_int_equal(token_issue(&key, 7, ROLE_BUYER, 0, NOW, TTL, &tok, NULL), MC_OK);
	dot1 = strchr(tok, '.');
	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	mid = dot1 + 1 + (dot2 - dot1 - 1) / 2;
	*mid = *mid == 'A' ? 'B' : 'A';
	S_expect_invalid(&key, tok, "tampered payload");
	free(tok);
}

static void test_truncated(void **state)
{
	char *tok = NULL;
	size_t n;
	(void)state;

	assert_int_equal(token_issue(&key, 7, ROLE_BUYER, 0, NOW, TTL, &tok, NULL), MC_OK);
	n = strlen(tok);
	tok[n - 5] = '\0';
	S_expect_invalid(&key, tok, "truncated signature");
	*strrchr(tok, '.') = '\0';
	S_expect_invalid(&key, tok, "no signature segment");
	S_expect_invalid(&key, "", "empty");
	S_expect_invalid(&key, "not.a.jwt", "garbage");
	free(tok);
}

static void S_b64url(const char *in, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, (const unsigned char *)in, strlen(in),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void test_alg_none_rejected(void **state)
{
	char payload[160], h64[96], p64[256], tok[400];
	(void)state;

	snprintf(payload, sizeof(payload), "{\"sub\":\"1\",\"role\":\"admin\",\"jti\":\"%s\",\"exp\":%lld}",
		 jti_ok, NOW + TTL);
	S_b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}", h64, sizeof(h64));
	S_b64url(payload, p64, sizeof(p64));
	snprintf(tok, sizeof(tok), "%s.%s.", h64, p64);
	S_expect_invalid(&key, tok, "alg none");
}

static void test_hs512_rejected(void **state)
{
	char *tok;
	(void)state;

	tok = S_sign("HS256", "1", "admin", jti_ok, (long)(NOW + TTL));
	{
		struct token_claims c;
		mc_error e;

		/* Sanity: the hand-built HS256 token is accepted, so HS512 fails for its alg alone. */
		mc_error_init(&e);
		assert_int_equal(token_verify(&key, tok, NOW, &c, &e), MC_OK);
		assert_int_equal(c.role, ROLE_ADMIN);
	}
	free(tok);
	tok = S_sign("HS512", "1", "admin", jti_ok, (long)(NOW + TTL));
	S_expect_invalid(&key, tok, "HS512");
	free(tok);
}

static void test_missing_claims(void **state)
{
	char *tok;
	(void)state;

	tok = S_sign("HS256", "1", "buyer", NULL, (long)(NOW + TTL));
	S_expect_invalid(&key, tok, "no jti");
	free(tok);
	tok = S_sign("HS256", "1", NULL, jti_ok, (long)(NOW + TTL));
	S_expect_invalid(&key, tok, "no role");
	free(tok);
	tok = S_sign("HS256", NULL, "buyer", jti_ok, (long)(NOW + TTL));
	S_expect_invalid(&key, tok, "no sub");
	free(tok);
}

static void test_bad_claim_shapes(void **state)
{
	static const char *const subs[] = { "abc", "12abc", "0", "-5", "" };
	char *tok;
	(void)state;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		tok = S_sign("HS256", subs[i], "buyer", jti_ok, (long)(NOW + TTL));
		S_expect_invalid(&key, tok, subs[i]);
		free(tok);
	}
	tok = S_sign("HS256", "1", "superuser", jti_ok, (long)(NOW + TTL));
	S_expect_invalid(&key, tok, "unknown role");
	free(tok);
	tok = S_sign("HS256", "1", "buyer", "abc", (long)(NOW + TTL));
	S_expect_invalid(&key, tok, "short jti");
	free(tok);
}

/* The development key is generated once, kept with mode 0600 and read back. */
static void test_key_dev_file(void **state)
{
	char dir[] = "/tmp/mc-token-XXXXXX", sub[48], path[64], err[256];
	struct token_key k1, k2;
	struct stat st;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/jwt.secret", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(token_key_load("", 0, sub, &k1, err, sizeof(err)), MC_OK);
	assert_int_equal(k1.len, 32);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(token_key_load("", 0, sub, &k2, err, sizeof(err)), MC_OK);
	assert_int_equal(k2.len, 32);
	assert_memory_equal(k1.bytes, k2.bytes, 32);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

static void test_key_secret_rules(void **state)
{
	char err[256], big[300];
	struct token_key k;
	(void)state;

	assert_int_equal(token_key_load("short", 0, "/nonexistent", &k, err, sizeof(err)), MC_OK);
	assert_int_equal(k.len, 5);
	assert_memory_equal(k.bytes, "short", 5);
	assert_int_equal(token_key_load("short", 1, "/nonexistent", &k, err, sizeof(err)), MC_ERR_INVALID);
	assert_non_null(strstr(err, "at least 32 bytes"));
	assert_int_equal(token_key_load("", 1, "/nonexistent", &k, err, sizeof(err)), MC_ERR_INVALID);
	assert_non_null(strstr(err, "required in production"));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(token_key_load(big, 1, "/nonexistent", &k, err, sizeof(err)), MC_ERR_INVALID);
	assert_non_null(strstr(err, "longer than 256 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_jti_unique),
		cmocka_unit_test(test_session_id_round_trip),
		cmocka_unit_test(test_opaque_tokens),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_tampered_payload),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_alg_none_rejected),
		cmocka_unit_test(test_hs512_rejected),
		cmocka_unit_test(test_missing_claims),
		cmocka_unit_test(test_bad_claim_shapes),
		cmocka_unit_test(test_key_dev_file),
		cmocka_unit_test(test_key_secret_rules),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
