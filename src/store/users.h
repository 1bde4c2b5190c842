/* Users and revoked tokens. */
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
};

/* Inserts u (id and times are set on success). Duplicate email: MC_ERR_CONFLICT. */
mc_rc store_user_insert(struct user *u);
mc_rc store_user_by_id(int64_t id, struct user *out);
mc_rc store_user_by_email(const char *email, struct user *out);
mc_rc store_user_update(const struct user *u);

/* Runs as its own transaction (the epoch moves after the commit). */
mc_rc store_token_revoke(const char *jti, int64_t expires_at);
/* Changes whenever a token is revoked, so a "not revoked" answer stays
 * true while the epoch does. 0 when other processes can revoke tokens too
 * (PostgreSQL nodes): then ask store_token_is_revoked() every time. */
uint64_t store_revocation_epoch(void);
/* Sets *revoked to 1 when the jti has been revoked. */
mc_rc store_token_is_revoked(const char *jti, int *revoked);

#endif
