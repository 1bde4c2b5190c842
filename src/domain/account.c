#include "domain/account.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ratelimit.h"
#include "domain/notify.h"
#include "domain/password.h"
#include "store/store.h"

static struct ratelimit *failed_logins;

mc_rc account_init(void)
{
	if (!failed_logins)
		failed_logins = ratelimit_new((double)MC_FAILED_LOGIN_MAX / MC_FAILED_LOGIN_WINDOW,
					      MC_FAILED_LOGIN_MAX);
	return failed_logins ? MC_OK : MC_ERR_INTERNAL;
}

void account_release(void)
{
	ratelimit_free(failed_logins);
	failed_logins = NULL;
}

mc_rc account_normalize_email(const char *in, char *out, mc_error *err)
{
	size_t n = strlen(in);
	const char *at = strchr(in, '@');

	if (n < 3 || n > MC_EMAIL_MAX || !at || at == in || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    at[1] == '.' || in[n - 1] == '.')
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
	struct ratelimit_state st;
	mc_error ignored;
	struct user u;
	int known;
	mc_rc rc;

	mc_error_init(&ignored);
	/* A malformed address cannot match an account; answer like any miss. */
	known = !account_normalize_email(email, norm, &ignored);
	if (known && ratelimit_check(failed_logins, norm, clock_mono_us(), &st)) {
		err->retry_after = st.retry_after;
		return mc_fail(err, MC_ERR_RATE_LIMITED, "too_many_failed_logins",
			       "too many failed logins for this account; retry in %ld s", st.retry_after);
	}
	rc = known ? store_user_by_email(norm, &u) : MC_ERR_NOT_FOUND;
	if (rc && rc != MC_ERR_NOT_FOUND)
		return rc;
	/* Unknown accounts verify against a dummy hash: same time, same answer. */
	rc = password_verify(rc ? NULL : u.password_hash, password, err);
	if (rc == MC_ERR_UNAUTHORIZED) {
		if (known)
			ratelimit_take(failed_logins, norm, clock_mono_us(), NULL);
		return mc_fail(err, rc, "invalid_credentials", "email or password is incorrect");
	}
	if (rc)
		return rc;
	*out = u;
	return MC_OK;
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
		rc = password_verify(u.password_hash, ch->current_password, err);
		if (rc == MC_ERR_UNAUTHORIZED) {
			mc_error_field(err, "currentPassword", "is incorrect");
			return mc_fail(err, MC_ERR_FORBIDDEN, "wrong_password", "the current password is incorrect");
		}
		if (rc)
			return rc;
		rc = password_hash(ch->new_password, u.password_hash, err);
		if (rc)
			return rc;
	}
	if (ch->name)
		snprintf(u.name, sizeof(u.name), "%s", ch->name);
	u.updated_at = clock_now();
	rc = store_user_update(&u);
	if (rc)
		return rc;
	*out = u;
	return MC_OK;
}
