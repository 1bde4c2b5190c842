#include "store/users.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"
#include "core/poll_gate.h"
#include "store/store.h"

#define USER_COLS "id, email, name, password_hash, role, created_at, updated_at, tokens_valid_after"

static const char sql_insert[] =
	"INSERT INTO users (email, name, password_hash, role, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_by_id[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char sql_by_email[] = "SELECT " USER_COLS " FROM users WHERE email = ?";
static const char sql_update[] =
	"UPDATE users SET name = ?, password_hash = ?, role = ?, updated_at = ?, tokens_valid_after = ? WHERE id = ?";
static const char sql_revoke_all[] =
	"UPDATE users SET tokens_valid_after = CASE WHEN tokens_valid_after >= ? THEN tokens_valid_after + 1 ELSE ? END"
	" WHERE id = ? RETURNING tokens_valid_after";
static const char sql_revoke[] =
	"INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING";
static const char sql_is_revoked[] =
	"SELECT (SELECT COUNT(*) FROM revoked_tokens WHERE jti = ?)"
	" + (SELECT COUNT(*) FROM users WHERE id = ? AND tokens_valid_after > ?)"
	" + (SELECT COUNT(*) FROM sessions WHERE id = ? AND revoked_at IS NOT NULL)";
static const char sql_revocation_version[] = "SELECT version FROM revocation_version WHERE id = 1";
static const char sql_failures[] =
	"SELECT failures, window_start FROM login_failures WHERE email = ? AND window_start > ?";
static const char sql_failures_clear[] = "DELETE FROM login_failures WHERE email = ?";
static const char sql_failure_add[] =
	"INSERT INTO login_failures (email, failures, window_start) VALUES (?, 1, ?)"
	" ON CONFLICT (email) DO UPDATE SET"
	" failures = CASE WHEN login_failures.window_start <= ? THEN 1 ELSE login_failures.failures + 1 END,"
	" window_start = CASE WHEN login_failures.window_start <= ? THEN excluded.window_start"
	" ELSE login_failures.window_start END";

static void S_read_user(db_stmt *s, struct user *u)
{
	u->id = db_col_int(s, 0);
	snprintf(u->email, sizeof(u->email), "%s", db_col_text(s, 1));
	snprintf(u->name, sizeof(u->name), "%s", db_col_text(s, 2));
	snprintf(u->password_hash, sizeof(u->password_hash), "%s", db_col_text(s, 3));
	u->role = role_parse(db_col_text(s, 4));
	u->created_at = db_col_int(s, 5);
	u->updated_at = db_col_int(s, 6);
	u->tokens_valid_after = db_col_int(s, 7);
}

mc_rc store_user_insert(struct user *u)
{
	db_stmt *s = store_stmt(sql_insert);
	int64_t now = clock_now();
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, u->email);
	db_bind_text(s, 2, u->name);
	db_bind_text(s, 3, u->password_hash);
	db_bind_text(s, 4, role_name(u->role));
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, now);
	rc = store_row_int(s, MC_ERR_INTERNAL, &u->id);
	if (!rc)
		u->created_at = u->updated_at = now;
	return rc;
}

/* *out from the row s stands on, when rc says there is one. */
static mc_rc S_take_user(db_stmt *s, mc_rc rc, struct user *out)
{
	if (!rc) {
		S_read_user(s, out);
		db_reset(s);
	}
	return rc;
}

db_stmt *store_user_by_id_start(int64_t id)
{
	db_stmt *s = store_stmt(sql_by_id);

	if (s) {
		db_bind_int(s, 1, id);
		db_send(s); /* a failure to send is also the first step's */
	}
	return s;
}

mc_rc store_user_by_id_finish(db_stmt *read, struct user *out)
{
	return read ? S_take_user(read, store_row(read, MC_ERR_NOT_FOUND), out) : MC_ERR_INTERNAL;
}

mc_rc store_user_by_id(int64_t id, struct user *out)
{
	db_stmt *s = NULL;
	mc_rc rc = store_row_by_id(sql_by_id, id, &s);

	return S_take_user(s, rc, out);
}

mc_rc store_user_by_email(const char *email, struct user *out)
{
	db_stmt *s = NULL;
	mc_rc rc = store_row_by_text(sql_by_email, email, &s);

	return S_take_user(s, rc, out);
}

/* Moves when this process commits a revocation, and when the shared
 * revocation_version moved (another node's or process's revocation). */
static _Atomic uint64_t revocations;
static _Atomic int64_t revocation_version;
static struct poll_gate revocation_poll = POLL_GATE_INIT;

static void S_revocation_moved(void)
{
	atomic_fetch_add(&revocations, 1);
}

/* After the commit (of the batch, when one is open): a reader that saw the
 * old epoch before it checks again. */
static void S_revoked(void)
{
	store_after_txn(S_revocation_moved);
}

mc_rc store_user_update(const struct user *u)
{
	db_stmt *s = store_stmt(sql_update);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, u->name);
	db_bind_text(s, 2, u->password_hash);
	db_bind_text(s, 3, role_name(u->role));
	db_bind_int(s, 4, u->updated_at);
	db_bind_int(s, 5, u->tokens_valid_after);
	db_bind_int(s, 6, u->id);
	rc = store_exec_changed(s, MC_ERR_NOT_FOUND);
	if (!rc)
		S_revoked();
	return rc;
}

mc_rc store_user_revoke_tokens(int64_t id, int64_t after, int64_t *valid_after)
{
	db_stmt *s = store_stmt(sql_revoke_all);
	int64_t v = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, after);
	db_bind_int(s, 2, after);
	db_bind_int(s, 3, id);
	rc = store_row_int(s, MC_ERR_NOT_FOUND, &v);
	if (rc)
		return rc;
	S_revoked();
	*valid_after = v;
	return MC_OK;
}

mc_rc store_token_revoke(const char *jti, int64_t expires_at)
{
	db_stmt *s = store_stmt(sql_revoke);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, jti);
	db_bind_int(s, 2, expires_at);
	rc = store_exec(s, NULL);
	if (!rc)
		S_revoked();
	return rc;
}

uint64_t store_revocation_epoch(void)
{
	int64_t mono = clock_mono_us(), version;

	/* The others go on with the epoch they have, at most one poll behind. */
	if (poll_gate_enter(&revocation_poll, mono, MC_REVOCATION_POLL_US)) {
		db_stmt *s = store_stmt(sql_revocation_version);
		mc_rc rc = s ? store_row_int(s, MC_ERR_INTERNAL, &version) : MC_ERR_INTERNAL;

		if (!rc && atomic_exchange(&revocation_version, version) != version)
			S_revocation_moved();
		poll_gate_leave(&revocation_poll, mono, !rc);
		/* Unread, a revocation elsewhere may be missed: check this token. */
		if (rc)
			return 0;
	}
	return atomic_load(&revocations) + 1;
}

void store_revocation_committed(void)
{
	S_revoked();
}

mc_rc store_token_is_revoked(const char *jti, int64_t user_id, int64_t iat, int64_t sid, int *revoked)
{
	db_stmt *s = store_stmt(sql_is_revoked);
	int64_t found = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, jti);
	db_bind_int(s, 2, user_id);
	db_bind_int(s, 3, iat);
	db_bind_int(s, 4, sid);
	rc = store_row_int(s, MC_OK, &found);
	if (!rc)
		*revoked = found != 0;
	return rc;
}

mc_rc store_login_failures(const char *email, int64_t since, int64_t *failures, int64_t *window_start)
{
	db_stmt *s = store_stmt(sql_failures);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, email);
	db_bind_int(s, 2, since);
	rc = store_row(s, MC_ERR_NOT_FOUND);
	if (rc == MC_ERR_NOT_FOUND) {
		*failures = *window_start = 0;
		return MC_OK;
	}
	if (rc)
		return rc;
	*failures = db_col_int(s, 0);
	*window_start = db_col_int(s, 1);
	db_reset(s);
	return MC_OK;
}

mc_rc store_login_failure_add(const char *email, int64_t now, int64_t since)
{
	db_stmt *s = store_stmt(sql_failure_add);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, email);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, since);
	db_bind_int(s, 4, since);
	return store_exec(s, NULL);
}

mc_rc store_login_failures_clear(const char *email)
{
	db_stmt *s = store_stmt(sql_failures_clear);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, email);
	return store_exec(s, NULL);
}
