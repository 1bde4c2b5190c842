#include "store/users.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "store/store.h"

#define USER_COLS "id, email, name, password_hash, role, created_at, updated_at"

static const char sql_insert[] =
	"INSERT INTO users (email, name, password_hash, role, created_at, updated_at)"
	" VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
static const char sql_by_id[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
static const char sql_by_email[] = "SELECT " USER_COLS " FROM users WHERE email = ?";
static const char sql_update[] =
	"UPDATE users SET name = ?, password_hash = ?, role = ?, updated_at = ? WHERE id = ?";
static const char sql_revoke[] =
	"INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING";
static const char sql_is_revoked[] = "SELECT 1 FROM revoked_tokens WHERE jti = ?";

static void S_read_user(db_stmt *s, struct user *u)
{
	u->id = db_col_int(s, 0);
	snprintf(u->email, sizeof(u->email), "%s", db_col_text(s, 1));
	snprintf(u->name, sizeof(u->name), "%s", db_col_text(s, 2));
	snprintf(u->password_hash, sizeof(u->password_hash), "%s", db_col_text(s, 3));
	u->role = role_parse(db_col_text(s, 4));
	u->created_at = db_col_int(s, 5);
	u->updated_at = db_col_int(s, 6);
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

mc_rc store_user_by_id(int64_t id, struct user *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_id(sql_by_id, id, &s);

	if (!rc) {
		S_read_user(s, out);
		db_reset(s);
	}
	return rc;
}

mc_rc store_user_by_email(const char *email, struct user *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_text(sql_by_email, email, &s);

	if (!rc) {
		S_read_user(s, out);
		db_reset(s);
	}
	return rc;
}

mc_rc store_user_update(const struct user *u)
{
	db_stmt *s = store_stmt(sql_update);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, u->name);
	db_bind_text(s, 2, u->password_hash);
	db_bind_text(s, 3, role_name(u->role));
	db_bind_int(s, 4, u->updated_at);
	db_bind_int(s, 5, u->id);
	return store_exec_changed(s, MC_ERR_NOT_FOUND);
}

/* Revocations this process has committed. */
static _Atomic uint64_t revocations;

mc_rc store_token_revoke(const char *jti, int64_t expires_at)
{
	db_stmt *s = store_stmt(sql_revoke);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, jti);
	db_bind_int(s, 2, expires_at);
	rc = store_exec(s, NULL);
	/* After the commit: a reader that saw the old epoch checks again. */
	if (!rc)
		atomic_fetch_add(&revocations, 1);
	return rc;
}

uint64_t store_revocation_epoch(void)
{
	db *d = store_db();

	/* SQLite is one node, and only its API revokes tokens (logout). */
	if (!d || db_get_kind(d) != DB_SQLITE)
		return 0;
	return atomic_load(&revocations) + 1;
}

mc_rc store_token_is_revoked(const char *jti, int *revoked)
{
	db_stmt *s = store_stmt(sql_is_revoked);
	int64_t found = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, jti);
	rc = store_row_int(s, MC_OK, &found);
	if (!rc)
		*revoked = found != 0;
	return rc;
}
