/* Users, revoked tokens and failed-login counters. */
#ifndef MC_STORE_USERS_H
#define MC_STORE_USERS_H

#include <stdint.h>

#include "core/limits.h"
#include "core/result.h"
#include "core/role.h"

struct user {
	int64_t id;
	char email[MC_EMAIL_MAX + 1];
	char name[MC_NAME_MAX * 4 + 1]; /* UTF-8: up to 4 bytes per character */
	char password_hash[128];        /* crypto_pwhash_STRBYTES */
	mc_role role;
	int64_t created_at;
	int64_t updated_at;
	int64_t tokens_valid_after; /* tokens issued (iat) before this are revoked */
};

/* Inserts u (id and times are set on success). Duplicate email: MC_ERR_CONFLICT. */
mc_rc store_user_insert(struct user *u);
mc_rc store_user_by_id(int64_t id, struct user *out);
/* store_user_by_id() in two halves, for the store's functions that read it
 * with others: the next statement run carries the read in its round trip.
 * Start, run that one statement, then finish (always: it reads what start
 * began). */
struct db_stmt *store_user_by_id_start(int64_t id);
mc_rc store_user_by_id_finish(struct db_stmt *read, struct user *out);
mc_rc store_user_by_email(const char *email, struct user *out);
/* Writes name, password hash, role, updated_at and tokens_valid_after, as
 * its own transaction: the revocation epoch moves after the commit. */
mc_rc store_user_update(const struct user *u);
/* Moves the user's tokens_valid_after to `after`, or one second past its
 * current value when that is not earlier (it never goes back): every token
 * issued before is revoked. Its own transaction; *valid_after gets the new
 * value. */
mc_rc store_user_revoke_tokens(int64_t id, int64_t after, int64_t *valid_after);

/* Failed logins per normalised email, in fixed windows: *failures counted
 * in the window that began at *window_start, after `since` (0 and 0 when
 * there is none). */
mc_rc store_login_failures(const char *email, int64_t since, int64_t *failures, int64_t *window_start);
/* Counts one failure; a window that began at or before `since` restarts at now. */
mc_rc store_login_failure_add(const char *email, int64_t now, int64_t since);
/* Forgets the address's failures. */
mc_rc store_login_failures_clear(const char *email);

/* The revocation epoch moves once the transaction commits. */
mc_rc store_token_revoke(const char *jti, int64_t expires_at);
/* Changes whenever a token is revoked, so a "not revoked" answer stays
 * true while the epoch does: at once for this process's revocations,
 * within MC_REVOCATION_POLL_US for other nodes' and processes' (it re-reads
 * the shared revocation_version). 0 when that read failed: then ask
 * store_token_is_revoked() for this token. */
uint64_t store_revocation_epoch(void);
/* Sets *revoked to 1 when the jti has been revoked, the token was issued
 * (iat) before its user's tokens_valid_after, or its session `sid` (0:
 * none) has ended. */
mc_rc store_token_is_revoked(const char *jti, int64_t user_id, int64_t iat, int64_t sid, int *revoked);
/* Moves the revocation epoch once the transaction (or the batch it is
 * part of) commits: call after a transaction that ended sessions
 * (store/sessions.h) outside the functions above. */
void store_revocation_committed(void);

#endif
