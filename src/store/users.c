#include "store/users.h"

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
	db *d = store_db();
	db_stmt *s;
	int64_t now = clock_now();
	int rc;

	if (!d || db_prepare(d, sql_insert, &s) != DB_DONE)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, u->email);
	db_bind_text(s, 2, u->name);
	db_bind_text(s, 3, u->password_hash);
	db_bind_text(s, 4, role_name(u->role));
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, now);
	rc = db_step(s);
	if (rc == DB_ROW) {
		u->id = db_col_int(s, 0);
		u->created_at = u->updated_at = now;
	}
	db_reset(s);
	return rc == DB_ROW ? MC_OK : store_rc(rc);
}

static mc_rc S_user_by(const char *sql, int64_t id, const char *email, struct user *out)
{
	db *d = store_db();
	db_stmt *s;
	int rc;

	if (!d || db_prepare(d, sql, &s) != DB_DONE)
		return MC_ERR_INTERNAL;
	if (email)
		db_bind_text(s, 1, email);
	else
		db_bind_int(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		S_read_user(s, out);
	db_reset(s);
	if (rc == DB_DONE)
		return MC_ERR_NOT_FOUND;
	return rc == DB_ROW ? MC_OK : store_rc(rc);
}

mc_rc store_user_by_id(int64_t id, struct user *out)
{
	return S_user_by(sql_by_id, id, NULL, out);
}

mc_rc store_user_by_email(const char *email, struct user *out)
{
	return S_user_by(sql_by_email, 0, email, out);
}

mc_rc store_user_update(const struct user *u)
{
	db *d = store_db();
	db_stmt *s;
	int rc;

	if (!d || db_prepare(d, sql_update, &s) != DB_DONE)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, u->name);
	db_bind_text(s, 2, u->password_hash);
	db_bind_text(s, 3, role_name(u->role));
	db_bind_int(s, 4, u->updated_at);
	db_bind_int(s, 5, u->id);
	rc = db_step(s);
	db_reset(s);
	if (rc != DB_DONE)
		return store_rc(rc);
	return db_changes(d) ? MC_OK : MC_ERR_NOT_FOUND;
}

mc_rc store_token_revoke(const char *jti, int64_t expires_at)
{
	db *d = store_db();
	db_stmt *s;
	int rc;

	if (!d || db_prepare(d, sql_revoke, &s) != DB_DONE)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, jti);
	db_bind_int(s, 2, expires_at);
	rc = db_step(s);
	db_reset(s);
	return store_rc(rc);
}

mc_rc store_token_is_revoked(const char *jti, int *revoked)
{
	db *d = store_db();
	db_stmt *s;
	int rc;

	if (!d || db_prepare(d, sql_is_revoked, &s) != DB_DONE)
		return MC_ERR_INTERNAL;
	db_bind_text(s, 1, jti);
	rc = db_step(s);
	db_reset(s);
	if (rc < 0)
		return store_rc(rc);
	*revoked = rc == DB_ROW;
	return MC_OK;
}
