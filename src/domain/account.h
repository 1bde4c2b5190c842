/* Accounts: registration, login, profile changes. */
#ifndef MC_ACCOUNT_H
#define MC_ACCOUNT_H

#include "core/result.h"
#include "core/role.h"
#include "store/users.h"

/* Lower-cases and checks an address: a local part of printable ASCII, and a
 * DNS host name as the domain (letters, digits and inner hyphens in labels
 * of 1 to 63, at least two labels, a top-level label not all digits; no
 * address literals). out holds MC_EMAIL_MAX + 1 bytes. */
mc_rc account_normalize_email(const char *in, char *out, mc_error *err);

struct account_new {
	const char *name;
	const char *email;
	const char *password;
	mc_role role;
};

/* Creates an account. Admins only when `allow_admin` (the CLI). */
mc_rc account_register(const struct account_new *in, int allow_admin, struct user *out, mc_error *err);
/* Unknown email and wrong password are the same MC_ERR_UNAUTHORIZED. Each
 * failure counts against the address (shared by every node, in the
 * database): MC_FAILED_LOGIN_MAX in MC_FAILED_LOGIN_WINDOW, then
 * MC_ERR_RATE_LIMITED (too_many_failed_logins) with err->retry_after. */
mc_rc account_login(const char *email, const char *password, struct user *out, mc_error *err);

/* The issue time for a new token of u: now, or later when a password change
 * or logout-all in this second moved the user's tokens_valid_after past it. */
int64_t account_token_time(const struct user *u, int64_t now);
/* Revokes every token of the account issued until now, on every node, and
 * ends all its sessions. */
mc_rc account_logout_all(int64_t user_id, mc_error *err);

/* Emails a password-reset link (`link_base`/#/reset?token=..., valid
 * MC_RESET_TTL, once) when the address names an account that was sent
 * fewer than MC_RESET_EMAILS_MAX in MC_RESET_EMAILS_WINDOW. Success
 * whether or not it does, after the same lookups and transaction: the
 * caller cannot tell known addresses from unknown ones. A malformed
 * address is a field error. */
mc_rc account_forgot_password(const char *email, const char *link_base, mc_error *err);
/* Sets the password of the link's account, uses the link up (and every
 * other link of the account), revokes every token, ends every session and
 * clears the failed-login lockout.
 * An unknown, used or expired link is MC_ERR_INVALID (invalid_reset_token). */
mc_rc account_reset_password(const char *token, const char *new_password, mc_error *err);

struct account_change {
	const char *name;             /* NULL: unchanged */
	const char *current_password; /* required with new_password */
	const char *new_password;     /* NULL: unchanged */
};

/* A password change verifies the current password like a login (a wrong one
 * is MC_ERR_FORBIDDEN and counts as a failed login; a locked account is
 * MC_ERR_RATE_LIMITED), revokes every token issued before it and ends every
 * session: start the caller a new one and issue its token with
 * account_token_time(). */
mc_rc account_update(int64_t user_id, const struct account_change *ch, struct user *out, mc_error *err);

#endif
