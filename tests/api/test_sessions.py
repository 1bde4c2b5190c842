"""Sessions and password resets: refresh tokens that rotate, whose reuse ends
their family; a session list per account; password-reset links sent through
the outbox that work once, for 30 minutes, without telling which addresses
have accounts. Time moves by editing the data."""
import concurrent.futures
import hashlib
import json

import pytest

from conftest import BACKENDS, Api, assert_problem
from test_account_security import LOCKOUT, two_nodes  # noqa: F401 (a fixture)
from test_jobs import sql

RESET_EMAILS_MAX = 3  # MC_RESET_EMAILS_MAX in src/core/limits.h
SESSIONS_MAX = 32     # MC_SESSIONS_MAX


def sha256(s):
    return hashlib.sha256(s.encode()).hexdigest()


def login(api, email, password, agent=None):
    headers = {"User-Agent": agent} if agent else None
    r = api.post("/api/auth/login", json={"email": email, "password": password}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def refresh(api, token):
    return api.post("/api/auth/refresh", json={"refreshToken": token})


def forgot(api, email):
    r = api.post("/api/auth/forgot-password", json={"email": email})
    assert r.status_code == 202, r.text
    return r.json()


def reset(api, token, password="brand new password"):
    return api.post("/api/auth/reset-password", json={"token": token, "newPassword": password})


def reset_jobs(api, user_id):
    """The payloads of the user's reset emails in the outbox, oldest first."""
    rows = sql(api.server, "SELECT payload FROM jobs WHERE kind = 'password_reset'"
               " AND dedupe_key LIKE 'password_reset:%d:%%' ORDER BY id" % user_id)
    return [json.loads(r[0]) for r in rows]


def reset_token(api, user):
    forgot(api, user["user"]["email"])
    link = reset_jobs(api, user["user"]["id"])[-1]["link"]
    prefix = "http://127.0.0.1:8080/#/reset?token="
    assert link.startswith(prefix), link
    return link[len(prefix):]


def me(api, token):
    return api.get("/api/auth/me", token=token)


# --- refresh tokens ------------------------------------------------------------------

def test_login_and_register_return_a_refresh_token_stored_hashed(api):
    u = api.register()
    again = login(api, u["user"]["email"], u["password"])
    for rt in (u["refreshToken"], again["refreshToken"]):
        assert len(rt) == 64 and int(rt, 16) >= 0
        assert sql(api.server, "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '%s'" % sha256(rt)) == [("1",)]
        assert sql(api.server, "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '%s'" % rt) == [("0",)]
    assert u["refreshToken"] != again["refreshToken"]


def test_refresh_rotates_the_token(api):
    u = api.register()
    r = refresh(api, u["refreshToken"])
    assert r.status_code == 200, r.text
    first = r.json()
    assert set(first) == {"token", "refreshToken"}
    assert first["refreshToken"] != u["refreshToken"]
    assert me(api, first["token"]).json()["id"] == u["user"]["id"]
    r = refresh(api, first["refreshToken"])
    assert r.status_code == 200, r.text
    assert me(api, r.json()["token"]).status_code == 200
    # The access token of the sign-in lives on: a refresh does not revoke it.
    assert me(api, u["token"]).status_code == 200


def test_an_old_refresh_token_after_rotation_ends_the_family(api):
    u = api.register()
    other = login(api, u["user"]["email"], u["password"])
    rotated = refresh(api, u["refreshToken"]).json()
    assert me(api, rotated["token"]).status_code == 200  # cached as valid
    # Someone replays the first token: the whole family ends.
    assert_problem(refresh(api, u["refreshToken"]), 401, "refresh_token_reused")
    assert_problem(refresh(api, rotated["refreshToken"]), 401, "invalid_refresh_token")
    for t in (u["token"], rotated["token"]):
        assert_problem(me(api, t), 401, "token_revoked")
    # The account's other session is untouched.
    assert me(api, other["token"]).status_code == 200
    assert refresh(api, other["refreshToken"]).status_code == 200


def both_at_once(call, *args):
    """Two identical requests at the same time; their answers."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        return [f.result() for f in [pool.submit(call, Api(args[0].server), *args[1:]) for _ in range(2)]]


def test_two_refreshes_with_one_token_end_the_family(api):
    u = api.register()
    answers = both_at_once(refresh, api, u["refreshToken"])
    assert sorted(r.status_code for r in answers) == [200, 401], [r.text for r in answers]
    won = [r for r in answers if r.status_code == 200][0].json()
    assert_problem([r for r in answers if r.status_code == 401][0], 401, "refresh_token_reused")
    assert_problem(refresh(api, won["refreshToken"]), 401, "invalid_refresh_token")
    assert_problem(me(api, won["token"]), 401, "token_revoked")


def test_a_refresh_token_expires(api):
    u = api.register()
    sql(api.server, "UPDATE refresh_tokens SET expires_at = expires_at - 2592001 WHERE token_hash = '%s'"
        % sha256(u["refreshToken"]))
    assert_problem(refresh(api, u["refreshToken"]), 401, "refresh_token_expired")


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "validation_failed"),
    ({"refreshToken": 5}, 400, "validation_failed"),
    ({"refreshToken": "x" * 65}, 400, "validation_failed"),
    ({"refreshToken": "not ours"}, 401, "invalid_refresh_token"),
    ({"refreshToken": "ab" * 32}, 401, "invalid_refresh_token"),
    ({"refreshToken": "AB" * 32}, 401, "invalid_refresh_token"),
    ({"refreshToken": "ab", "extra": 1}, 400, None),
])
def test_bad_refresh_requests(api, body, status, code):
    assert_problem(api.post("/api/auth/refresh", json=body), status, code)


def test_logout_ends_its_session_only(api):
    u = api.register()
    other = login(api, u["user"]["email"], u["password"])
    assert api.post("/api/auth/logout", token=u["token"]).status_code == 204
    assert_problem(refresh(api, u["refreshToken"]), 401, "invalid_refresh_token")
    assert me(api, other["token"]).status_code == 200
    assert refresh(api, other["refreshToken"]).status_code == 200


def test_password_change_and_logout_all_end_every_session(api):
    u = api.register(password="first password")
    other = login(api, u["user"]["email"], "first password")
    r = api.patch("/api/users/me", token=u["token"],
                  json={"currentPassword": "first password", "newPassword": "second password"})
    assert r.status_code == 200, r.text
    changed = r.json()
    for rt in (u["refreshToken"], other["refreshToken"]):
        assert_problem(refresh(api, rt), 401, "invalid_refresh_token")
    # The caller's new session works, and is the only one.
    fresh = refresh(api, changed["refreshToken"])
    assert fresh.status_code == 200, fresh.text
    assert api.get("/api/users/me/sessions", token=fresh.json()["token"]).json()["total"] == 1

    later = login(api, u["user"]["email"], "second password")
    assert api.post("/api/auth/logout-all", token=later["token"]).status_code == 204
    for rt in (fresh.json()["refreshToken"], later["refreshToken"]):
        assert_problem(refresh(api, rt), 401, "invalid_refresh_token")


def test_a_session_ended_on_one_node_ends_on_every_node(two_nodes):  # noqa: F811
    a, b = two_nodes
    u = a.register()
    assert me(b, u["token"]).status_code == 200
    rotated = refresh(b, u["refreshToken"]).json()
    assert me(a, rotated["token"]).status_code == 200
    # The first token replayed on node A ends the session node B rotated.
    assert_problem(refresh(a, u["refreshToken"]), 401, "refresh_token_reused")
    for node in (a, b):
        assert_problem(me(node, rotated["token"]), 401, "token_revoked")
        assert_problem(refresh(node, rotated["refreshToken"]), 401, "invalid_refresh_token")


# --- the session list ----------------------------------------------------------------

def test_sessions_are_listed_and_ended_one_by_one(api):
    u = api.register()
    phone = login(api, u["user"]["email"], u["password"], agent="Phone/1.0 \u00e9\x01")
    laptop = login(api, u["user"]["email"], u["password"], agent="Laptop/2.0")
    r = api.get("/api/users/me/sessions", token=laptop["token"])
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 3 and len(page["items"]) == 3
    newest = page["items"][0]
    assert newest["userAgent"] == "Laptop/2.0" and newest["current"] is True
    assert [s["current"] for s in page["items"]] == [True, False, False]
    assert page["items"][1]["userAgent"] == "Phone/1.0 ??"
    for s in page["items"]:
        assert set(s) == {"id", "createdAt", "lastUsedAt", "expiresAt", "userAgent", "current"}

    phone_id = page["items"][1]["id"]
    assert me(api, phone["token"]).status_code == 200  # cached as valid
    assert api.delete("/api/users/me/sessions/%d" % phone_id, token=laptop["token"]).status_code == 204
    assert_problem(refresh(api, phone["refreshToken"]), 401, "invalid_refresh_token")
    assert_problem(me(api, phone["token"]), 401, "token_revoked")
    assert_problem(api.delete("/api/users/me/sessions/%d" % phone_id, token=laptop["token"]), 404,
                   "session_not_found")
    ids = [s["id"] for s in api.get("/api/users/me/sessions", token=laptop["token"]).json()["items"]]
    assert phone_id not in ids and len(ids) == 2
    # A refresh marks its session used: it moves first.
    sql(api.server, "UPDATE sessions SET last_used_at = last_used_at - 100 WHERE user_id = %d" % u["user"]["id"])
    assert refresh(api, u["refreshToken"]).status_code == 200
    items = api.get("/api/users/me/sessions", token=laptop["token"]).json()["items"]
    assert items[0]["id"] != newest["id"] and items[0]["current"] is False


def test_sessions_of_one_user_are_invisible_to_another(api):
    a = api.register()
    b = api.register()
    a_ids = [s["id"] for s in api.get("/api/users/me/sessions", token=a["token"]).json()["items"]]
    b_page = api.get("/api/users/me/sessions", token=b["token"]).json()
    assert b_page["total"] == 1 and not set(a_ids) & {s["id"] for s in b_page["items"]}
    for sid in a_ids:
        assert_problem(api.delete("/api/users/me/sessions/%d" % sid, token=b["token"]), 404, "session_not_found")
    assert refresh(api, a["refreshToken"]).status_code == 200
    assert_problem(api.get("/api/users/me/sessions"), 401)
    assert_problem(api.delete("/api/users/me/sessions/abc", token=a["token"]), 404)


def test_sessions_past_the_cap_end_the_least_recently_used(api):
    u = api.register()
    for _ in range(SESSIONS_MAX):
        last = login(api, u["user"]["email"], u["password"])
    assert_problem(refresh(api, u["refreshToken"]), 401, "invalid_refresh_token")
    assert api.get("/api/users/me/sessions", token=last["token"]).json()["total"] == SESSIONS_MAX


# --- password reset ------------------------------------------------------------------

def test_forgot_password_for_an_unknown_email_is_202_and_queues_nothing(api):
    counts = "SELECT (SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM password_resets)"
    before = sql(api.server, counts)
    answer = forgot(api, api.unique_email("nobody"))
    assert sql(api.server, counts) == before
    # A known address gets the very same answer.
    u = api.register()
    assert forgot(api, u["user"]["email"].upper()) == answer
    assert len(reset_jobs(api, u["user"]["id"])) == 1


def test_a_reset_link_works_once_and_ends_every_session(api):
    u = api.register(password="old password")
    other = login(api, u["user"]["email"], "old password")
    token = reset_token(api, u)
    job = reset_jobs(api, u["user"]["id"])[-1]
    assert job["to"] == u["user"]["email"] and job["validMinutes"] == 30
    stored = sql(api.server, "SELECT token_hash, expires_at - created_at FROM password_resets WHERE user_id = %d"
                 % u["user"]["id"])
    assert stored == [(sha256(token), "1800")]

    r = reset(api, token)
    assert r.status_code == 204, r.text
    for t in (u["token"], other["token"]):
        assert_problem(me(api, t), 401, "token_revoked")
    for rt in (u["refreshToken"], other["refreshToken"]):
        assert_problem(refresh(api, rt), 401, "invalid_refresh_token")
    assert_problem(api.post("/api/auth/login", json={"email": u["user"]["email"], "password": "old password"}),
                   401)
    login(api, u["user"]["email"], "brand new password")
    # Once only.
    assert_problem(reset(api, token, "another password"), 400, "invalid_reset_token")
    login(api, u["user"]["email"], "brand new password")


def test_a_reset_lifts_the_failed_login_lockout(api):
    u = api.register(password="old password")
    for _ in range(LOCKOUT):
        assert_problem(api.post("/api/auth/login", json={"email": u["user"]["email"], "password": "guess guess"}),
                       401)
    r = api.post("/api/auth/login", json={"email": u["user"]["email"], "password": "old password"})
    assert_problem(r, 429, "too_many_failed_logins")
    assert reset(api, reset_token(api, u)).status_code == 204
    login(api, u["user"]["email"], "brand new password")


def test_two_resets_with_one_link_set_one_password(api):
    u = api.register()
    token = reset_token(api, u)
    answers = both_at_once(reset, api, token)
    assert sorted(r.status_code for r in answers) == [204, 400], [r.text for r in answers]


def test_a_reset_voids_the_other_links(api):
    u = api.register()
    first = reset_token(api, u)
    second = reset_token(api, u)
    assert first != second
    assert reset(api, second).status_code == 204
    assert_problem(reset(api, first), 400, "invalid_reset_token")


def test_a_reset_link_expires_after_30_minutes(api):
    u = api.register(password="old password")
    token = reset_token(api, u)
    sql(api.server, "UPDATE password_resets SET created_at = created_at - 1800, expires_at = expires_at - 1800"
        " WHERE user_id = %d" % u["user"]["id"])
    assert_problem(reset(api, token), 400, "invalid_reset_token")
    login(api, u["user"]["email"], "old password")


def test_reset_emails_are_limited_per_account(api):
    u = api.register()
    bystander = api.register()
    for _ in range(RESET_EMAILS_MAX + 2):
        forgot(api, u["user"]["email"])
    assert len(reset_jobs(api, u["user"]["id"])) == RESET_EMAILS_MAX
    forgot(api, bystander["user"]["email"])
    assert len(reset_jobs(api, bystander["user"]["id"])) == 1
    # An hour later the account can ask again.
    sql(api.server, "UPDATE password_resets SET created_at = created_at - 3600 WHERE user_id = %d" % u["user"]["id"])
    forgot(api, u["user"]["email"])
    assert len(reset_jobs(api, u["user"]["id"])) == RESET_EMAILS_MAX + 1


@pytest.mark.parametrize("body, code, field", [
    ({"token": "ab" * 32, "newPassword": "short"}, "validation_failed", "newPassword"),
    ({"token": "ab" * 32}, "validation_failed", "newPassword"),
    ({"newPassword": "long enough"}, "validation_failed", "token"),
    ({"token": "ab" * 32, "newPassword": "long enough"}, "invalid_reset_token", None),
    ({"token": "zz", "newPassword": "long enough"}, "invalid_reset_token", None),
])
def test_bad_reset_requests(api, body, code, field):
    problem = assert_problem(api.post("/api/auth/reset-password", json=body), 400, code)
    if field:
        assert [e["field"] for e in problem["errors"]] == [field], problem


def test_forgot_password_checks_the_address(api):
    problem = assert_problem(api.post("/api/auth/forgot-password", json={"email": "a@localhost"}), 400)
    assert [e["field"] for e in problem["errors"]] == ["email"]
    assert_problem(api.post("/api/auth/forgot-password", json={}), 400)


@pytest.mark.parametrize("backend", BACKENDS)
def test_forgot_and_reset_password_are_rate_limited_per_address(make_server, backend):
    api = Api(make_server(backend, {"MERCATO_AUTH_RATE": "3"}))
    for _ in range(3):
        forgot(api, api.unique_email())
    r = api.post("/api/auth/forgot-password", json={"email": api.unique_email()})
    assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1
    assert_problem(reset(api, "ab" * 32), 429)


def test_cleanup_deletes_what_can_no_longer_be_used(api):
    u = api.register()
    ended = login(api, u["user"]["email"], u["password"])
    live = login(api, u["user"]["email"], u["password"])
    rotated = refresh(api, live["refreshToken"]).json()
    reset_token(api, u)
    uid = u["user"]["id"]
    ended_id = [s["id"] for s in api.get("/api/users/me/sessions", token=live["token"]).json()["items"]
                if not s["current"]][0]
    assert api.delete("/api/users/me/sessions/%d" % ended_id, token=live["token"]).status_code == 204
    # 31 days later for the ended session; the reset link has expired.
    sql(api.server, "UPDATE sessions SET revoked_at = revoked_at - 2678401 WHERE revoked_at IS NOT NULL"
        " AND user_id = %d" % uid)
    sql(api.server, "UPDATE password_resets SET expires_at = expires_at - 1801 WHERE user_id = %d" % uid)
    r = api.server.cli("scheduler", "--run-once", "cleanup")
    assert r.returncode == 0, r.stderr
    rows = lambda table: sql(api.server, "SELECT COUNT(*) FROM %s WHERE user_id = %d" % (table, uid))[0][0]
    assert rows("password_resets") == "0"
    sessions = sql(api.server, "SELECT id FROM sessions WHERE user_id = %d ORDER BY id" % uid)
    assert str(ended_id) not in [s[0] for s in sessions] and len(sessions) == 2
    # The live sessions keep every token, the rotated one too (reuse detection).
    assert refresh(api, rotated["refreshToken"]).status_code == 200
    assert_problem(refresh(api, live["refreshToken"]), 401, "refresh_token_reused")
    assert_problem(refresh(api, ended["refreshToken"]), 401, "invalid_refresh_token")
