/* The HTTP layer's authenticator: a bearer token's signature, expiry and
 * revocation, with a per-thread cache of verified tokens. */
#include "api/authn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/limits.h"
#include "store/users.h"

/* Verified tokens, per thread: a client sends the same token many times,
 * and checking its signature (base64, JSON, HMAC) is most of what
 * authentication costs. Expiry is checked every time, and revocation
 * unless the slot saw the current revocation epoch: on SQLite that skips a
 * read transaction per request. */
struct token_slot {
	char token[MC_TOKEN_CACHE_LEN];
	struct token_claims claims;
	uint64_t not_revoked; /* the revocation epoch that found it valid, 0: none */
};

/* On the heap, touched only where used: as a __thread array it would be
 * written in full for every thread at its start. */
static __thread struct token_slot *token_cache;
static pthread_key_t token_cache_key;
static pthread_once_t token_cache_once = PTHREAD_ONCE_INIT;

static void S_token_cache_key(void)
{
	if (pthread_key_create(&token_cache_key, free))
		abort();
}

/* NULL when out of memory: every token is then verified in full. */
static struct token_slot *S_token_cache(void)
{
	if (token_cache)
		return token_cache;
	pthread_once(&token_cache_once, S_token_cache_key);
	token_cache = calloc(MC_TOKEN_CACHE_SLOTS, sizeof(*token_cache));
	if (token_cache)
		pthread_setspecific(token_cache_key, token_cache);
	return token_cache;
}

/* *slot: the token's cache slot, NULL when it is too long to cache. A
 * token may sit in either slot of its pair, so two clients whose tokens
 * hash alike do not evict each other on every request (with 200 clients
 * in 2,048 single slots, one request in ten missed). */
static mc_rc S_verify_cached(const char *token, int64_t now, struct token_claims *c, struct token_slot **slot,
			     mc_error *err)
{
	struct token_slot *cache = S_token_cache(), *pair = NULL, *t;
	size_t len = strlen(token);
	mc_rc rc;

	if (cache) {
		pair = &cache[(hash_str(token) % MC_TOKEN_CACHE_SLOTS) & ~(size_t)1];
		for (int i = 0; i < 2; i++)
			if (pair[i].claims.exp > now && !strcmp(pair[i].token, token)) {
				*c = pair[i].claims;
				*slot = &pair[i];
				return MC_OK;
			}
	}
	rc = token_verify(api_signing_key(), token, now, c, err);
	if (rc)
		return rc;
	*slot = NULL;
	if (pair && len < MC_TOKEN_CACHE_LEN) {
		/* The slot whose token expires first makes room. */
		t = pair[0].claims.exp <= pair[1].claims.exp ? &pair[0] : &pair[1];
		memcpy(t->token, token, len + 1);
		t->claims = *c;
		t->not_revoked = 0;
		*slot = t;
	}
	return MC_OK;
}

mc_rc api_authenticate(const char *token, struct http_principal *out, mc_error *err)
{
	uint64_t epoch = store_revocation_epoch();
	struct token_slot *slot;
	struct token_claims c;
	int revoked = 0;
	mc_rc rc;

	rc = S_verify_cached(token, clock_now(), &c, &slot, err);
	if (rc)
		return rc;
	if (!epoch || !slot || slot->not_revoked != epoch) {
		rc = store_token_is_revoked(c.jti, c.sub, c.iat, c.sid, &revoked);
		if (rc)
			return rc;
		if (revoked)
			return mc_fail(err, MC_ERR_UNAUTHORIZED, "token_revoked", "the token has been revoked");
		if (slot)
			slot->not_revoked = epoch;
	}
	out->user_id = c.sub;
	out->role = c.role;
	out->exp = c.exp;
	out->sid = c.sid;
	memcpy(out->jti, c.jti, sizeof(out->jti));
	return MC_OK;
}
