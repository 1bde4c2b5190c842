#include "domain/sessions.h"

#include "core/clock.h"
#include "domain/token.h"
#include "store/sessions.h"
#include "store/store.h"

/* Printable ASCII, cut at MC_USER_AGENT_MAX: it is shown back, as JSON. */
static void S_user_agent(const char *in, char out[MC_USER_AGENT_MAX + 1])
{
	size_t n = 0;

	for (; in && in[n] && n < MC_USER_AGENT_MAX; n++)
		out[n] = in[n] >= ' ' && in[n] < 0x7f ? in[n] : '?';
	out[n] = '\0';
}

mc_rc session_start(int64_t user_id, const char *user_agent, int64_t ttl, struct session_grant *out)
{
	char hash[MC_OPAQUE_TOKEN_LEN + 1], agent[MC_USER_AGENT_MAX + 1];
	struct session_grant g;
	int64_t now = clock_now(), ended = 0;
	mc_rc rc;

	token_opaque_new(g.refresh, hash);
	S_user_agent(user_agent, agent);
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_session_insert(user_id, hash, now, now + ttl, agent, &g.id);
	if (!rc)
		rc = store_sessions_trim(user_id, MC_SESSIONS_MAX, now, &ended);
	rc = store_finish(rc);
	if (rc)
		return rc;
	if (ended)
		store_revocation_committed();
	*out = g;
	return MC_OK;
}

mc_rc session_refresh(const char *refresh, const char *user_agent, int64_t ttl, struct user *u,
		      struct session_grant *out, mc_error *err)
{
	char hash[MC_OPAQUE_TOKEN_LEN + 1], next[MC_OPAQUE_TOKEN_LEN + 1], agent[MC_USER_AGENT_MAX + 1];
	struct refresh_token t = { 0 };
	struct session_grant g;
	struct user owner;
	int64_t now = clock_now();
	const char *refused = NULL, *why = NULL;
	int reused = 0;
	mc_rc rc;

	if (!token_opaque_hash(refresh, hash))
		return mc_fail(err, MC_ERR_UNAUTHORIZED, "invalid_refresh_token", "the refresh token is invalid");
	token_opaque_new(g.refresh, next);
	S_user_agent(user_agent, agent);
	rc = store_begin(DB_TXN_WRITE);
	if (rc)
		return rc;
	rc = store_refresh_find(hash, &t);
	if (rc == MC_ERR_NOT_FOUND || (!rc && t.session_ended)) {
		refused = "invalid_refresh_token";
		why = "the refresh token is invalid";
		rc = MC_ERR_UNAUTHORIZED;
	} else if (!rc && t.rotated) {
		reused = 1;
	} else if (!rc && t.expires_at <= now) {
		refused = "refresh_token_expired";
		why = "the refresh token has expired";
		rc = MC_ERR_UNAUTHORIZED;
	} else if (!rc) {
		rc = store_refresh_rotate(t.session_id, hash, next, now, now + ttl, agent);
		/* Another request rotated it between our read and write: a reuse too. */
		if (rc == MC_ERR_CONFLICT) {
			reused = 1;
			rc = MC_OK;
		}
	}
	if (reused) {
		/* The revocation commits; the refusal follows. */
		rc = store_session_end(t.user_id, t.session_id, now);
		if (rc == MC_ERR_NOT_FOUND)
			rc = MC_OK;
	} else if (!rc) {
		rc = store_user_by_id(t.user_id, &owner);
	}
	rc = store_finish(rc);
	if (reused && !rc) {
		store_revocation_committed();
		return mc_fail(err, MC_ERR_UNAUTHORIZED, "refresh_token_reused",
			       "the refresh token was already used; its session has been ended");
	}
	if (refused)
		return mc_fail(err, MC_ERR_UNAUTHORIZED, refused, "%s", why);
	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, MC_ERR_UNAUTHORIZED, "unknown_account", "the account no longer exists");
	if (rc)
		return rc;
	g.id = t.session_id;
	*u = owner;
	*out = g;
	return MC_OK;
}

mc_rc session_end(int64_t user_id, int64_t id, mc_error *err)
{
	mc_rc rc = store_session_end(user_id, id, clock_now());

	if (rc == MC_ERR_NOT_FOUND)
		return mc_fail(err, rc, "session_not_found", "no active session %lld", (long long)id);
	if (!rc)
		store_revocation_committed();
	return rc;
}
