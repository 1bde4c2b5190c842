/* Accounts: registration, login, profile changes. */
#ifndef MC_ACCOUNT_H
#define MC_ACCOUNT_H

#include "core/result.h"
#include "core/role.h"
#include "store/users.h"

/* Sets up the failed-login limiter. */
mc_rc account_init(void);
void account_release(void);

/* Lower-cases and checks an address; out holds MC_EMAIL_MAX + 1 bytes. */
mc_rc account_normalize_email(const char *in, char *out, mc_error *err);

struct account_new {
	const char *name;
	const char *email;
	const char *password;
	mc_role role;
};

/* Creates an account. Admins only when `allow_admin` (the CLI). */
mc_rc account_register(const struct account_new *in, int allow_admin, struct user *out, mc_error *err);
/* Unknown email and wrong password are the same MC_ERR_UNAUTHORIZED. */
mc_rc account_login(const char *email, const char *password, struct user *out, mc_error *err);

struct account_change {
	const char *name;             /* NULL: unchanged */
	const char *current_password; /* required with new_password */
	const char *new_password;     /* NULL: unchanged */
};

mc_rc account_update(int64_t user_id, const struct account_change *ch, struct user *out, mc_error *err);

#endif
