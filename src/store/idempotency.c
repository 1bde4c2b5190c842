#include "store/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "store/store.h"

/* Another live transaction holds the key: answer "in progress" at once
 * rather than wait on its row. */
static const char sql_lock_pg[] = "SELECT pg_try_advisory_xact_lock(?)";
static const char sql_claim[] =
	"INSERT INTO idempotency_keys (user_id, scope, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?, mc_now())"
	" ON CONFLICT (user_id, scope, idem_key) DO NOTHING";
static const char sql_read[] =
	"SELECT request_hash, status, response FROM idempotency_keys"
	" WHERE user_id = ? AND scope = ? AND idem_key = ?";
/* Takes over an expired record, or one without an answer: claims and
 * answers commit together, so such a row is left from before that rule
 * and its request is long gone. */
static const char sql_takeover[] =
	"UPDATE idempotency_keys SET request_hash = ?, status = NULL, response = NULL, created_at = mc_now()"
	" WHERE user_id = ? AND scope = ? AND idem_key = ? AND (status IS NULL OR created_at < mc_now() - ?)";
static const char sql_complete[] =
	"UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND scope = ? AND idem_key = ?";

static void S_bind_id(db_stmt *s, int first, int64_t user_id, const char *scope, const char *key)
{
	db_bind_int(s, first, user_id);
	db_bind_text(s, first + 1, scope);
	db_bind_text(s, first + 2, key);
}

/* PostgreSQL: the transaction-scoped lock on the key (*held: 1 if taken).
 * SQLite's write transaction already excludes every other claimant. */
static mc_rc S_lock(int64_t user_id, const char *scope, const char *key, int *held)
{
	char id[64];
	int64_t got = 1;
	db *d = store_db();
	db_stmt *s;
	mc_rc rc;

	*held = 1;
	if (d && db_get_kind(d) != DB_PG)
		return MC_OK;
	if (!(s = store_stmt(sql_lock_pg)))
		return MC_ERR_INTERNAL;
	snprintf(id, sizeof(id), "%lld/%s/", (long long)user_id, scope);
	db_bind_int(s, 1, (int64_t)(hash_str(id) ^ hash_str(key)));
	rc = store_row_int(s, MC_ERR_INTERNAL, &got);
	*held = got != 0;
	return rc;
}

mc_rc store_idem_claim(int64_t user_id, const char *scope, const char *key, const char *hash, int64_t ttl,
		       struct idem_record *out)
{
	db_stmt *s;
	int held;
	mc_rc rc;

	memset(out, 0, sizeof(*out));
	rc = S_lock(user_id, scope, key, &held);
	if (rc || !held)
		return rc;
	if (!(s = store_stmt(sql_claim)))
		return MC_ERR_INTERNAL;
	S_bind_id(s, 1, user_id, scope, key);
	db_bind_text(s, 4, hash);
	/* MC_ERR_NOT_FOUND (no database error maps to it): the key has a
	 * record, so try to take it over, then read it. */
	rc = store_exec_changed(s, MC_ERR_NOT_FOUND);
	if (rc == MC_ERR_NOT_FOUND) {
		if (!(s = store_stmt(sql_takeover)))
			return MC_ERR_INTERNAL;
		db_bind_text(s, 1, hash);
		S_bind_id(s, 2, user_id, scope, key);
		db_bind_int(s, 5, ttl);
		rc = store_exec_changed(s, MC_ERR_NOT_FOUND);
	}
	if (rc != MC_ERR_NOT_FOUND) {
		out->claimed = !rc;
		return rc;
	}
	if (!(s = store_stmt(sql_read)))
		return MC_ERR_INTERNAL;
	S_bind_id(s, 1, user_id, scope, key);
	rc = store_row(s, MC_ERR_INTERNAL);
	if (!rc) {
		snprintf(out->request_hash, sizeof(out->request_hash), "%s", db_col_text(s, 0));
		out->status = (int)db_col_int(s, 1);
		if (!(out->response = strdup(db_col_text(s, 2))))
			rc = MC_ERR_INTERNAL;
		db_reset(s);
	}
	return rc;
}

mc_rc store_idem_complete(int64_t user_id, const char *scope, const char *key, int status, const char *response)
{
	db_stmt *s = store_stmt(sql_complete);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, status);
	db_bind_text(s, 2, response);
	S_bind_id(s, 3, user_id, scope, key);
	return store_exec_changed(s, MC_ERR_INTERNAL);
}
