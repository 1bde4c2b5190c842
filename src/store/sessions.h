/* Sessions (refresh-token families) and password-reset links. Tokens are
 * looked up by the SHA-256 hex of their value (domain/token.h); the values
 * themselves are never stored. Every function runs in the caller's
 * transaction. */
#ifndef MC_STORE_SESSIONS_H
#define MC_STORE_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"

struct session {
	int64_t id;
	int64_t created_at;
	int64_t last_used_at;
	int64_t expires_at; /* that of its current refresh token */
	char user_agent[MC_USER_AGENT_MAX + 1];
};

/* A presented refresh token and its family. */
struct refresh_token {
	int64_t session_id;
	int64_t user_id;
	int64_t expires_at;
	int rotated;        /* a newer token of the family exists */
	int session_ended;  /* the family was revoked */
};

/* Starts a family with its first token; *id gets the session's id. */
mc_rc store_session_insert(int64_t user_id, const char *token_hash, int64_t now, int64_t expires_at,
			   const char *user_agent, int64_t *id);
/* Ends the user's active sessions past the `keep` most recently used;
 * *ended gets how many. */
mc_rc store_sessions_trim(int64_t user_id, int64_t keep, int64_t now, int64_t *ended);
/* MC_ERR_NOT_FOUND when no token has this hash. */
mc_rc store_refresh_find(const char *token_hash, struct refresh_token *out);
/* Replaces the family's current token old_hash by new_hash and records the
 * use. MC_ERR_CONFLICT when old_hash is no longer current (another request
 * rotated it first). */
mc_rc store_refresh_rotate(int64_t session_id, const char *old_hash, const char *new_hash, int64_t now,
			   int64_t expires_at, const char *user_agent);
/* Ends one active session of the user; MC_ERR_NOT_FOUND when it is not
 * theirs, has ended or has expired. */
mc_rc store_session_end(int64_t user_id, int64_t id, int64_t now);
/* Ends every session of the user. */
mc_rc store_sessions_end_all(int64_t user_id, int64_t now);
/* The user's active sessions, most recently used first. */
mc_rc store_sessions_list(int64_t user_id, int64_t now, int64_t limit, int64_t offset, struct session **items,
			  size_t *n, int64_t *total);

/* Deletes what can no longer be used: expired refresh tokens, sessions
 * ended before `ended_before` (with their tokens), expired reset links.
 * *deleted grows by the rows deleted. Its own transaction. */
mc_rc store_cleanup_sessions(int64_t now, int64_t ended_before, int64_t *deleted);

/* Password-reset links. */
mc_rc store_reset_insert(const char *token_hash, int64_t user_id, int64_t now, int64_t expires_at);
/* How many links the user was sent after `since`. */
mc_rc store_resets_since(int64_t user_id, int64_t since, int64_t *count);
/* Uses a link: unused and unexpired at `now`, it becomes used and *user_id
 * is its account; otherwise MC_ERR_NOT_FOUND. */
mc_rc store_reset_use(const char *token_hash, int64_t now, int64_t *user_id);
/* Every unused link of the user stops working. */
mc_rc store_resets_void(int64_t user_id, int64_t now);

#endif
