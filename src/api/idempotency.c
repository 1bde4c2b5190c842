/* Idempotency-Key (Stripe semantics) for requests that create orders,
 * payments and refunds: the first result is stored for MC_IDEM_TTL and
 * replayed; the same key with another body is 422; a retry while the first
 * is still running is 409.
 *
 * A keyed request runs inside one database transaction, from its claim to
 * its stored answer: the handler's own transactions become savepoints in
 * it. So the order or payment commits together with the answer to replay,
 * and a process that dies before the commit takes its claim with it: the
 * retry runs anew, exactly once. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "store/idempotency.h"
#include "store/store.h"

static bool S_key_ok(const char *k)
{
	size_t n = strlen(k);

	if (!n || n > MC_IDEM_KEY_MAX)
		return false;
	for (; *k; k++)
		if ((unsigned char)*k < 0x21 || (unsigned char)*k > 0x7e)
			return false;
	return true;
}

/* A replayed 201 names what the first request created, like the first
 * answer did: the stored body has its id. */
static void S_replay_location(struct http_res *res, const char *scope, const char *body)
{
	const char *base = !strcmp(scope, "checkout") ? "/api/orders" : !strcmp(scope, "payment") ? "/api/payments" : NULL;
	json_t *j;
	json_int_t id;

	if (!base)
		return;
	j = json_loads(body, 0, NULL);
	id = json_integer_value(json_object_get(j, "id"));
	if (id > 0)
		http_res_header(res, "Location", "%s/%lld", base, (long long)id);
	json_decref(j);
}

bool api_idem_begin(struct http_req *req, struct http_res *res, const char *scope, struct api_idem *st)
{
	const char *key = http_req_header(req, "Idempotency-Key");
	crypto_generichash_state hs;
	unsigned char h[16];
	struct idem_record rec;
	mc_rc rc;

	memset(st, 0, sizeof(*st));
	if (!key)
		return true;
	if (!S_key_ok(key)) {
		http_res_problem(res, MC_ERR_INVALID, "invalid_idempotency_key",
				 "Idempotency-Key must be 1 to 255 printable characters");
		return false;
	}
	/* The request is its path (which order a refund is for) and its body. */
	crypto_generichash_init(&hs, NULL, 0, sizeof(h));
	crypto_generichash_update(&hs, (const unsigned char *)req->path, strlen(req->path) + 1);
	crypto_generichash_update(&hs, (const unsigned char *)(req->body ? req->body : ""), req->body_len);
	crypto_generichash_final(&hs, h, sizeof(h));
	sodium_bin2hex(st->hash, sizeof(st->hash), h, sizeof(h));
	rc = store_begin(DB_TXN_DURABLE);
	if (!rc && (rc = store_idem_claim(req->auth.user_id, scope, key, st->hash, MC_IDEM_TTL, &rec)))
		store_rollback();
	if (rc) {
		http_res_problem(res, rc, NULL, "cannot check the idempotency key");
		return false;
	}
	if (rec.claimed) {
		/* The transaction stays open until api_idem_finish(). */
		st->active = 1;
		st->user_id = req->auth.user_id;
		st->scope = scope;
		snprintf(st->key, sizeof(st->key), "%s", key);
		return true;
	}
	store_rollback();
	/* In progress: another live transaction holds the key, unread. */
	if (!rec.status)
		http_res_problem(res, MC_ERR_CONFLICT, "idempotency_in_progress",
				 "a request with this Idempotency-Key is still being processed");
	else if (strcmp(rec.request_hash, st->hash))
		http_res_problem(res, MC_ERR_UNPROCESSABLE, "idempotency_key_reused",
				 "this Idempotency-Key was used with a different request");
	else {
		http_res_bytes(res, rec.status, rec.status >= 400 ? "application/problem+json" : "application/json",
			       rec.response, strlen(rec.response));
		rec.response = NULL;
		http_res_header(res, "Idempotent-Replayed", "true");
		if (rec.status == 201)
			S_replay_location(res, scope, res->body);
		return false;
	}
	free(rec.response);
	return false;
}

/* Tests only (refused in production): the window between the commit and
 * the answer, in which a crash loses the answer but not the order. It
 * runs once the transaction holding the request (its batch) ends. */
static void S_test_delay(void)
{
	long ms = api_config()->test_delay_after_commit_ms;
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

void api_idem_finish(struct api_idem *st, struct http_res *res)
{
	mc_rc rc;

	if (!st->active)
		return;
	/* Server errors are not results: undo everything, a retry runs again. */
	if (res->status >= 500 || !res->body) {
		store_rollback();
		return;
	}
	rc = store_idem_complete(st->user_id, st->scope, st->key, res->status, res->body);
	if (rc)
		store_rollback();
	else
		rc = store_commit();
	/* Not committed (or not known to be): the client must not see success. */
	if (rc)
		http_res_problem(res, rc, NULL, "cannot store the result; retry with the same Idempotency-Key");
	else if (api_config()->test_delay_after_commit_ms)
		store_after_txn(S_test_delay);
}
