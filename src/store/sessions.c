#include "store/sessions.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

static const char sql_session_insert[] =
	"INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent)"
	" VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char sql_token_insert[] =
	"INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)";
static const char sql_trim[] =
	"UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id NOT IN"
	" (SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY last_used_at DESC, id DESC"
	" LIMIT ?)";
static const char sql_token_find[] =
	"SELECT t.session_id, s.user_id, t.expires_at, t.rotated_at IS NOT NULL, s.revoked_at IS NOT NULL"
	" FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = ?";
static const char sql_token_retire[] =
	"UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND session_id = ? AND rotated_at IS NULL";
static const char sql_session_touch[] =
	"UPDATE sessions SET last_used_at = ?, expires_at = ?, user_agent = ? WHERE id = ?";
static const char sql_session_end[] =
	"UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id = ? AND revoked_at IS NULL AND expires_at > ?";
static const char sql_sessions_end_all[] =
	"UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
#define ACTIVE " FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?"
static const char sql_sessions_count[] = "SELECT COUNT(*)" ACTIVE;
static const char sql_sessions_page[] =
	"SELECT id, created_at, last_used_at, expires_at, user_agent" ACTIVE
	" ORDER BY last_used_at DESC, id DESC LIMIT ? OFFSET ?";
static const char sql_reset_insert[] =
	"INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)";
static const char sql_resets_since[] = "SELECT COUNT(*) FROM password_resets WHERE user_id = ? AND created_at > ?";
static const char sql_reset_use[] =
	"UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?"
	" RETURNING user_id";
static const char sql_resets_void[] =
	"UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL";

#define ENDED " FROM sessions WHERE COALESCE(revoked_at, expires_at) < ?"
static const char sql_clean_tokens[] =
	"DELETE FROM refresh_tokens WHERE expires_at < ? OR session_id IN (SELECT id" ENDED ")";
static const char sql_clean_sessions[] = "DELETE" ENDED;
static const char sql_clean_resets[] = "DELETE FROM password_resets WHERE expires_at < ?";

/* store_stmt(sql) with a text and an integer bound first; NULL as store_stmt. */
static db_stmt *S_stmt_text_int(const char *sql, const char *text, int64_t v)
{
	db_stmt *s = store_stmt(sql);

	if (s) {
		db_bind_text(s, 1, text);
		db_bind_int(s, 2, v);
	}
	return s;
}

static mc_rc S_token_insert(const char *token_hash, int64_t session_id, int64_t expires_at)
{
	db_stmt *s = S_stmt_text_int(sql_token_insert, token_hash, session_id);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 3, expires_at);
	return store_exec(s, NULL);
}

mc_rc store_session_insert(int64_t user_id, const char *token_hash, int64_t now, int64_t expires_at,
			   const char *user_agent, int64_t *id)
{
	db_stmt *s = store_stmt(sql_session_insert);
	int64_t sid = 0;
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, expires_at);
	db_bind_text(s, 5, user_agent);
	rc = store_row_int(s, MC_ERR_INTERNAL, &sid);
	if (!rc)
		rc = S_token_insert(token_hash, sid, expires_at);
	if (!rc)
		*id = sid;
	return rc;
}

mc_rc store_sessions_trim(int64_t user_id, int64_t keep, int64_t now, int64_t *ended)
{
	int64_t v[4] = { now, user_id, user_id, keep };

	return store_exec_ints(sql_trim, 4, v, ended);
}

mc_rc store_refresh_find(const char *token_hash, struct refresh_token *out)
{
	db_stmt *s;
	mc_rc rc = store_row_by_text(sql_token_find, token_hash, &s);

	if (rc)
		return rc;
	out->session_id = db_col_int(s, 0);
	out->user_id = db_col_int(s, 1);
	out->expires_at = db_col_int(s, 2);
	out->rotated = db_col_int(s, 3) != 0;
	out->session_ended = db_col_int(s, 4) != 0;
	db_reset(s);
	return MC_OK;
}

mc_rc store_refresh_rotate(int64_t session_id, const char *old_hash, const char *new_hash, int64_t now,
			   int64_t expires_at, const char *user_agent)
{
	db_stmt *s = store_stmt(sql_token_retire);
	mc_rc rc;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, now);
	db_bind_text(s, 2, old_hash);
	db_bind_int(s, 3, session_id);
	rc = store_exec_changed(s, MC_ERR_CONFLICT);
	if (!rc)
		rc = S_token_insert(new_hash, session_id, expires_at);
	if (rc)
		return rc;
	s = store_stmt(sql_session_touch);
	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, expires_at);
	db_bind_text(s, 3, user_agent);
	db_bind_int(s, 4, session_id);
	return store_exec_changed(s, MC_ERR_NOT_FOUND);
}

mc_rc store_session_end(int64_t user_id, int64_t id, int64_t now)
{
	int64_t v[4] = { now, user_id, id, now }, changes = 0;
	mc_rc rc = store_exec_ints(sql_session_end, 4, v, &changes);

	return rc ? rc : changes ? MC_OK : MC_ERR_NOT_FOUND;
}

mc_rc store_sessions_end_all(int64_t user_id, int64_t now)
{
	int64_t v[2] = { now, user_id };

	return store_exec_ints(sql_sessions_end_all, 2, v, NULL);
}

static int S_read_session(db_stmt *s, void *item)
{
	struct session *x = item;

	x->id = db_col_int(s, 0);
	x->created_at = db_col_int(s, 1);
	x->last_used_at = db_col_int(s, 2);
	x->expires_at = db_col_int(s, 3);
	snprintf(x->user_agent, sizeof(x->user_agent), "%s", db_col_text(s, 4));
	return 0;
}

mc_rc store_sessions_list(int64_t user_id, int64_t now, int64_t limit, int64_t offset, struct session **items,
			  size_t *n, int64_t *total)
{
	db_stmt *s = store_stmt(sql_sessions_count);
	struct session *list = NULL;
	size_t count = 0;
	int64_t tot = 0;
	mc_rc ret;

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, now);
	ret = store_row_int(s, MC_ERR_INTERNAL, &tot);
	if (ret)
		return ret;
	ret = MC_ERR_INTERNAL;
	list = calloc((size_t)limit, sizeof(*list));
	if (!list || !(s = store_stmt(sql_sessions_page)))
		goto out;
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	ret = store_read_rows(s, list, sizeof(*list), (size_t)limit, S_read_session, &count);
	if (ret)
		goto out;
	*items = list;
	*n = count;
	*total = tot;
	list = NULL;
	ret = MC_OK;
out:
	free(list);
	return ret;
}

mc_rc store_reset_insert(const char *token_hash, int64_t user_id, int64_t now, int64_t expires_at)
{
	db_stmt *s = S_stmt_text_int(sql_reset_insert, token_hash, user_id);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, expires_at);
	return store_exec(s, NULL);
}

mc_rc store_resets_since(int64_t user_id, int64_t since, int64_t *count)
{
	db_stmt *s = store_stmt(sql_resets_since);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, since);
	return store_row_int(s, MC_ERR_INTERNAL, count);
}

mc_rc store_reset_use(const char *token_hash, int64_t now, int64_t *user_id)
{
	db_stmt *s = store_stmt(sql_reset_use);

	if (!s)
		return MC_ERR_INTERNAL;
	db_bind_int(s, 1, now);
	db_bind_text(s, 2, token_hash);
	db_bind_int(s, 3, now);
	return store_row_int(s, MC_ERR_NOT_FOUND, user_id);
}

mc_rc store_resets_void(int64_t user_id, int64_t now)
{
	int64_t v[2] = { now, user_id };

	return store_exec_ints(sql_resets_void, 2, v, NULL);
}

mc_rc store_cleanup_sessions(int64_t now, int64_t ended_before, int64_t *deleted)
{
	int64_t tokens[2] = { now, ended_before }, n[3] = { 0 };
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	/* Tokens first: they refer to their session. */
	rc = store_exec_ints(sql_clean_tokens, 2, tokens, &n[0]);
	if (!rc)
		rc = store_exec_ints(sql_clean_sessions, 1, &ended_before, &n[1]);
	if (!rc)
		rc = store_exec_ints(sql_clean_resets, 1, &now, &n[2]);
	rc = store_finish(rc);
	if (!rc)
		*deleted += n[0] + n[1] + n[2];
	return rc;
}
