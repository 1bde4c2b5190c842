#include "domain/account.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "domain/notify.h"
#include "domain/password.h"
#include "domain/token.h"
#include "store/sessions.h"
#include "store/store.h"

/* One DNS label: letters, digits, hyphens inside, 1 to 63 long. */
static int S_label_ok(const char *p, size_t n)
{
	if (!n || n > 63 || p[0] == '-' || p[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-')
			return 0;
	return 1;
}

/* A host name of two labels or more; an all-digit last label would make
 * "127.0.0.1" a host name. */
static int S_host_ok(const char *host)
{
	const char *p = host, *last = host;
	int labels = 0;

	for (;;) {
		size_t n = strcspn(p, ".");

		if (!S_label_ok(p, n))
			return 0;
		labels++;
		last = p;
		if (!p[n])
			break;
		p += n + 1;
	}
	return labels >= 2 && last[strspn(last, "0123456789")] != '\0';
}

mc_rc account_normalize_email(const char *in, char *out, mc_error *err)
{
	size_t n = strlen(in);
	const char *at = strchr(in, '@');

	if (n < 3 || n > MC_EMAIL_MAX || !at || at == in || !S_host_ok(at + 1))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';')
			goto bad;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return MC_OK;
bad:
	mc_error_field(err, "email", "must be a valid email address");
	return MC_ERR_INVALID;
}

/* MC_ERR_RATE_LIMITED while the address has used up its failed logins. */
static mc_rc S_lockout_check(const char *email, mc_error *err)
{
	int64_t now = clock_now(), failures, start;
	mc_rc rc = store_login_failures(email, now - MC_FAILED_LOGIN_WINDOW, &failures, &start);

	if (rc)
		return rc;
	if (failures < MC_FAILED_LOGIN_MAX)
		return MC_OK;
	err->retry_after = start + MC_FAILED_LOGIN_WINDOW - now;
	if (err->retry_after < 1)
		err->retry_after = 1;
	return mc_fail(err, MC_ERR_RATE_LIMITED, "too_many_failed_logins",
		       "too many failed logins for this account; retry in %ld s", err->retry_after);
}

static mc_rc S_lockout_count(const char *email)
{
	int64_t now = clock_now();

	return store_login_failure_add(email, now, now - MC_FAILED_LOGIN_WINDOW);
}

static mc_rc S_check_name(const char *name, mc_error *err)
{
	const char *p = name;

	while (*p == ' ')
		p++;
	if (!*p) {
		mc_error_field(err, "name", "must not be blank");
		return MC_ERR_INVALID;
	}
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20) {
			mc_error_field(err, "name", "must not contain control characters");
			return MC_ERR_INVALID;
		}
	return MC_OK;
}

mc_rc account_register(const struct account_new *in, int allow_admin, struct user *out, mc_error *err)
{
	struct user u;
	mc_rc rc;

	memset(&u, 0, sizeof(u));
	account_normalize_email(in->email, u.email, err);
	S_check_name(in->name, err);
	password_check_rules("password", in->password, err);
	if (in->role == ROLE_NONE || (in->role == ROLE_ADMIN && !allow_admin))
		mc_error_field(err, "role", "must be buyer or seller");
	if (err->nfields)
		return mc_error_fields_result(err);
	snprintf(u.name, sizeof(u.name), "%s", in->name);
	u.role = in->role;
	rc = password_hash(in->password, u.password_hash, err);
	if (rc)
		return rc;
	/* Hashed before the transaction: no write lock held while it runs. */
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_user_insert(&u);
	if (!rc)
		rc = notify_welcome(u.id);
	rc = store_finish(rc);
	if (rc == MC_ERR_CONFLICT)
		return mc_fail(err, rc, "email_taken", "an account with this email already exists");
	if (rc)
		return rc;
	*out = u;
	return MC_OK;
}

mc_rc account_login(const char *email, const char *password, struct user *out, mc_error *err)
{
	char norm[MC_EMAIL_MAX + 1];
	mc_error ignored;
	struct user u;
	int known;
	mc_rc rc;

	mc_error_init(&ignored);
	/* A malformed address cannot match an account; answer like any miss. */
	known = !account_normalize_email(email, norm, &ignored);
	if (known) {
		rc = S_lockout_check(norm, err);
		if (rc)
			return rc;
	}
	rc = known ? store_user_by_email(norm, &u) : MC_ERR_NOT_FOUND;
	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	/* Unknown accounts verify against a dummy hash: same time, same answer. */
	rc = password_verify(rc ? NULL : u.password_hash, password, err);
	if (rc == MC_ERR_UNAUTHORIZED) {
		if (known) {
			mc_rc counted = S_lockout_count(norm);

			if (counted)
				return counted;
		}
		return mc_fail(err, rc, "invalid_credentials", "email or password is incorrect");
	}
	if (rc)
		return rc;
	*out = u;
	return MC_OK;
}

int64_t account_token_time(const struct user *u, int64_t now)
{
	return u->tokens_valid_after > now ? u->tokens_valid_after : now;
}

/* One second past now (and past the current value, so it always moves):
 * tokens issued earlier in this second are revoked too, and the caller's
 * new token is issued at the new time (account_token_time). The store's
 * store_user_revoke_tokens() applies the same rule. */
static int64_t S_next_valid_after(int64_t current, int64_t now)
{
	return current > now ? current + 1 : now + 1;
}

/* Ends the open transaction that revoked the user's tokens (rc its result
 * so far), ending every session of the user in it. */
static mc_rc S_finish_ending_sessions(int64_t user_id, mc_rc rc)
{
	if (!rc)
		rc = store_sessions_end_all(user_id, clock_now());
	rc = store_finish(rc);
	if (!rc)
		store_revocation_committed();
	return rc;
}

mc_rc account_logout_all(int64_t user_id, mc_error *err)
{
	int64_t after;
	mc_rc rc = store_begin(DB_TXN_WRITE);

	if (rc)
		return rc;
	rc = S_finish_ending_sessions(user_id, store_user_revoke_tokens(user_id, clock_now() + 1, &after));
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, MC_ERR_UNAUTHORIZED, "unknown_account", "the account no longer exists");
	return rc;
}

mc_rc account_forgot_password(const char *email, const char *link_base, mc_error *err)
{
	char norm[MC_EMAIL_MAX + 1], token[MC_OPAQUE_TOKEN_LEN + 1], hash[MC_OPAQUE_TOKEN_LEN + 1], ref[17];
	char link[MC_URL_MAX];
	int64_t now = clock_now(), sent = 0;
	struct user u = { 0 };
	int len;
	mc_rc rc;

	rc = account_normalize_email(email, norm, err);
	if (rc)
		return mc_error_fields_result(err);
	token_opaque_new(token, hash);
	len = snprintf(link, sizeof(link), "%s/#/reset?token=%s", link_base, token);
	if (len < 0 || (size_t)len >= sizeof(link))
		return MC_ERR_INTERNAL;
	snprintf(ref, sizeof(ref), "%.16s", hash);
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_user_by_email(norm, &u);
	if (rc == MC_ERR_NOT_FOUND)
		rc = MC_OK; /* u.id stays 0: it counts no links and gets none */
	if (!rc)
		rc = store_resets_since(u.id, now - MC_RESET_EMAILS_WINDOW, &sent);
	if (!rc && u.id && sent < MC_RESET_EMAILS_MAX) {
		rc = store_reset_insert(hash, u.id, now, now + MC_RESET_TTL);
		if (!rc)
			rc = notify_password_reset(u.id, link, ref);
	}
	return store_finish(rc);
}

mc_rc account_reset_password(const char *token, const char *new_password, mc_error *err)
{
	char hash[MC_OPAQUE_TOKEN_LEN + 1], pw[sizeof(((struct user *)0)->password_hash)];
	int64_t now, user_id = 0;
	struct user u;
	mc_rc rc;

	password_check_rules("newPassword", new_password, err);
	if (err->nfields)
		return mc_error_fields_result(err);
	if (!token_opaque_hash(token, hash))
		goto invalid;
	/* Hashed before the transaction: no write lock held while it runs. */
	rc = password_hash(new_password, pw, err);
	if (rc)
		return rc;
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	now = clock_now();
	rc = store_reset_use(hash, now, &user_id);
	if (!rc)
		rc = store_user_by_id(user_id, &u);
	if (!rc) {
		snprintf(u.password_hash, sizeof(u.password_hash), "%s", pw);
		u.tokens_valid_after = S_next_valid_after(u.tokens_valid_after, now);
		u.updated_at = now;
		rc = store_user_update(&u);
	}
	if (!rc)
		rc = store_resets_void(user_id, now);
	/* The owner of the mailbox chose this password: no lockout from guesses at the old one. */
	if (!rc)
		rc = store_login_failures_clear(u.email);
	rc = S_finish_ending_sessions(user_id, rc);
	if (rc != MC_ERR_NOT_FOUND)
		return rc;
invalid:
	return mc_fail(err, MC_ERR_INVALID, "invalid_reset_token", "the reset link is invalid, expired or already used");
}

mc_rc account_update(int64_t user_id, const struct account_change *ch, struct user *out, mc_error *err)
{
	struct user u;
	mc_rc rc;

	rc = store_user_by_id(user_id, &u);
	if (rc)
		return rc == MC_ERR_NOT_FOUND ? mc_fail(err, MC_ERR_UNAUTHORIZED, "unknown_account",
							"the account no longer exists")
					      : rc;
	if (ch->name)
		S_check_name(ch->name, err);
	if (ch->new_password) {
		password_check_rules("newPassword", ch->new_password, err);
		if (!ch->current_password)
			mc_error_field(err, "currentPassword", "is required to change the password");
	}
	if (err->nfields)
		return mc_error_fields_result(err);
	if (ch->new_password) {
		/* Guessing the current password here is guessing a login. */
		rc = S_lockout_check(u.email, err);
		if (rc)
			return rc;
		rc = password_verify(u.password_hash, ch->current_password, err);
		if (rc == MC_ERR_UNAUTHORIZED) {
			rc = S_lockout_count(u.email);
			if (rc)
				return rc;
			mc_error_field(err, "currentPassword", "is incorrect");
			return mc_fail(err, MC_ERR_FORBIDDEN, "wrong_password", "the current password is incorrect");
		}
		if (rc)
			return rc;
		rc = password_hash(ch->new_password, u.password_hash, err);
		if (rc)
			return rc;
		/* Every other session ends, here and on every node. */
		u.tokens_valid_after = S_next_valid_after(u.tokens_valid_after, clock_now());
	}
	if (ch->name)
		snprintf(u.name, sizeof(u.name), "%s", ch->name);
	u.updated_at = clock_now();
	if (!ch->new_password)
		rc = store_user_update(&u);
	else if (!(rc = store_begin(DB_TXN_WRITE)))
		rc = S_finish_ending_sessions(u.id, store_user_update(&u));
	if (rc)
		return rc;
	*out = u;
	return MC_OK;
}
