#include "store/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static const char sql_claim[] =
	"INSERT INTO idempotency_keys (user_id, scope, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?, ?)"
	" ON CONFLICT (user_id, scope, idem_key) DO NOTHING";
static const char sql_read[] =
	"SELECT request_hash, status, response, created_at FROM idempotency_keys"
	" WHERE user_id = ? AND scope = ? AND idem_key = ?";
/* Takes over a claim that is stale (in progress too long) or expired. */
static const char sql_takeover[] =
	"UPDATE idempotency_keys SET request_hash = ?, status = NULL, response = NULL, created_at = ?"
	" WHERE user_id = ? AND scope = ? AND idem_key = ?"
	" AND ((status IS NULL AND created_at < ?) OR created_at < ?)";
static const char sql_complete[] =
	"UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND scope = ? AND idem_key = ?";
static const char sql_forget[] = "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND idem_key = ?";

static void S_bind_id(db_stmt *s, int first, int64_t user_id, const char *scope, const char *key)
{
	db_bind_int(s, first, user_id);
	db_bind_text(s, first + 1, scope);
	db_bind_text(s, first + 2, key);
}

mc_rc store_idem_claim(int64_t user_id, const char *scope, const char *key, const char *hash, int64_t now,
		       int64_t stale_after, int64_t ttl, struct idem_record *out)
{
	db_stmt *s;
	mc_rc rc;

	memset(out, 0, sizeof(*out));
	if (!(s = store_stmt(sql_claim)))
		return MC_ERR_INTERNAL;
	S_bind_id(s, 1, user_id, scope, key);
	db_bind_text(s, 4, hash);
	db_bind_int(s, 5, now);
	/* MC_ERR_NOT_FOUND (no database error maps to it): someone holds the
	 * key, so try to take it over, then read it. */
	rc = store_exec_changed(s, MC_ERR_NOT_FOUND);
	if (rc == MC_ERR_NOT_FOUND) {
		if (!(s = store_stmt(sql_takeover)))
			return MC_ERR_INTERNAL;
		db_bind_text(s, 1, hash);
		db_bind_int(s, 2, now);
		S_bind_id(s, 3, user_id, scope, key);
		db_bind_int(s, 6, now - stale_after);
		db_bind_int(s, 7, now - ttl);
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
		out->status = db_col_is_null(s, 1) ? 0 : (int)db_col_int(s, 1);
		if (out->status && !(out->response = strdup(db_col_text(s, 2))))
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
	return store_exec(s, NULL);
}

mc_rc store_idem_forget(int64_t user_id, const char *scope, const char *key)
{
	db_stmt *s = store_stmt(sql_forget);

	if (!s)
		return MC_ERR_INTERNAL;
	S_bind_id(s, 1, user_id, scope, key);
	return store_exec(s, NULL);
}
