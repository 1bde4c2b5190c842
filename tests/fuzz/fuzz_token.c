/* Bearer tokens: token_verify with a fixed key. Odd first byte: the rest is
 * taken as a whole token, as a client sends it. Even: the rest is a header
 * and a claims object (split at a NUL byte), signed here with the server's
 * key, so the claim checks behind the signature are reached too. Whatever
 * verifies must carry the claim shapes token_verify promises. */
#include <sodium.h>

#include "core/limits.h"
#include "domain/token.h"
#include "fuzz.h"

#define NOW 1700000000

static struct token_key key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (sodium_init() < 0)
		abort();
	memset(key.bytes, 'k', 32);
	key.len = 32;
	return 0;
}

static size_t S_b64(char *out, size_t cap, const void *in, size_t len)
{
	sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

/* header.claims.HMAC-SHA256(key) */
static char *S_sign(const char *header, const char *claims, size_t claims_len)
{
	size_t hl = strlen(header), cap = 4 * (hl + claims_len) / 3 + 128, n;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char *tok = malloc(cap);

	if (!tok)
		abort();
	n = S_b64(tok, cap, header, hl);
	tok[n++] = '.';
	n += S_b64(tok + n, cap - n, claims, claims_len);
	crypto_auth_hmacsha256_init(&st, key.bytes, key.len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, n);
	crypto_auth_hmacsha256_final(&st, mac);
	tok[n++] = '.';
	S_b64(tok + n, cap - n, mac, sizeof(mac));
	return tok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token_claims c;
	mc_error err;
	char *tok, *header, *claims;
	size_t claims_len;

	if (!size || size > MC_JWT_MAX)
		return 0;
	if (data[0] & 1) {
		tok = fuzz_cstr(data + 1, size - 1);
	} else {
		fuzz_split(data + 1, size - 1, &header, &claims, &claims_len);
		tok = S_sign(header, claims, claims_len);
		free(header);
		free(claims);
	}
	mc_error_init(&err);
	if (!token_verify(&key, tok, NOW, &c, &err)) {
		/* Expired means past exp by more than the nodes' clock leeway. */
		if (c.sub <= 0 || c.exp + MC_TOKEN_LEEWAY <= NOW || strlen(c.jti) != MC_JTI_LEN || c.role == ROLE_NONE)
			abort();
	} else if (!err.code) {
		abort();
	}
	mc_error_release(&err);
	free(tok);
	return 0;
}
