/* Idempotency keys: the first result of a request is stored and replayed. */
#ifndef MC_STORE_IDEMPOTENCY_H
#define MC_STORE_IDEMPOTENCY_H

#include <stdint.h>

#include "core/result.h"

struct idem_record {
	int claimed;            /* this caller owns the key now: run the request */
	int status;             /* stored HTTP status; 0 while in progress */
	char request_hash[33];  /* of the request that claimed the key */
	char *response;         /* stored body (malloc'd) when status != 0 */
};

/* Claims (user, scope, key) for a request with `hash`, or reads what is
 * stored. A claim abandoned for `stale_after` seconds (its process died) is
 * taken over; records older than `ttl` are forgotten. */
mc_rc store_idem_claim(int64_t user_id, const char *scope, const char *key, const char *hash, int64_t now,
		       int64_t stale_after, int64_t ttl, struct idem_record *out);
mc_rc store_idem_complete(int64_t user_id, const char *scope, const char *key, int status, const char *response);
mc_rc store_idem_forget(int64_t user_id, const char *scope, const char *key);

#endif
