/* Idempotency keys: the first result of a request is stored and replayed.
 *
 * Both calls run inside the caller's transaction, the one that also holds
 * the request's own writes (store_begin() nests them as a savepoint), so a
 * committed order or payment and its stored answer are one fact. While
 * that transaction is open the key is held: by PostgreSQL's transaction-
 * scoped advisory lock, or SQLite's single write lock. A crash ends the
 * transaction and with it the claim; no timer is involved. */
#ifndef MC_STORE_IDEMPOTENCY_H
#define MC_STORE_IDEMPOTENCY_H

#include <stdint.h>

#include "core/result.h"

struct idem_record {
	int claimed;            /* this caller owns the key now: run the request */
	int status;             /* stored HTTP status; 0: another request holds the key */
	char request_hash[33];  /* of the request that claimed the key */
	char *response;         /* stored body (malloc'd) when status != 0 */
};

/* Claims (user, scope, key) for a request with `hash`, or reads what is
 * stored. Records older than `ttl` seconds are forgotten. */
mc_rc store_idem_claim(int64_t user_id, const char *scope, const char *key, const char *hash, int64_t ttl,
		       struct idem_record *out);
/* Stores the claimed request's answer. */
mc_rc store_idem_complete(int64_t user_id, const char *scope, const char *key, int status, const char *response);

#endif
