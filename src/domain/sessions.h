/* Sessions: each sign-in (login, register, a password change or reset
 * for the caller) starts one, a family of refresh tokens. A refresh
 * rotates the family's token; presenting a token that was already rotated
 * means two parties hold the family, and ends it (reuse detection, OAuth
 * 2.0 Security BCP). Access tokens carry their session's id (`sid`), so
 * ending a session also revokes them (store_token_is_revoked). */
#ifndef MC_SESSIONS_H
#define MC_SESSIONS_H

#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "store/users.h"

/* What a client gets from a sign-in or a refresh. */
struct session_grant {
	int64_t id;                            /* the session: the access token's sid */
	char refresh[MC_OPAQUE_TOKEN_LEN + 1]; /* its refresh token; only its hash is stored */
};

/* Starts a session of the user whose refresh token lives `ttl` seconds;
 * past MC_SESSIONS_MAX the least recently used ends. user_agent (NULL:
 * none) only labels it. Its own transaction. */
mc_rc session_start(int64_t user_id, const char *user_agent, int64_t ttl, struct session_grant *out);

/* Rotates a refresh token: *out gets the family's next token (valid `ttl`
 * seconds) and *u the account, for a new access token. Every refusal is
 * MC_ERR_UNAUTHORIZED: invalid_refresh_token (unknown, or its session has
 * ended), refresh_token_expired, or refresh_token_reused (an older token
 * of the family: the session is ended). */
mc_rc session_refresh(const char *refresh, const char *user_agent, int64_t ttl, struct user *u,
		      struct session_grant *out, mc_error *err);

/* Ends one active session of the user: MC_ERR_NOT_FOUND (session_not_found)
 * when there is none with this id (another user's included). */
mc_rc session_end(int64_t user_id, int64_t id, mc_error *err);

#endif
