"""Rate limits and settings, on servers started with their own settings."""
import subprocess

import pytest

from conftest import BINARY, assert_problem, Api


@pytest.fixture(scope="module", params=["sqlite", "pg"])
def limited(request, make_server):
    return Api(make_server(request.param, {"MERCATO_AUTH_RATE": "3", "MERCATO_RATE": "1000000",
                                           "MERCATO_RATE_BURST": "1000000"}))


def test_auth_routes_are_rate_limited_per_ip(limited):
    statuses = []
    for _ in range(5):
        r = limited.post("/api/auth/login", json={"email": "nobody@example.test", "password": "whatever1"})
        statuses.append(r.status_code)
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    r = limited.post("/api/auth/register", json={"name": "a", "email": "a@b.co", "password": "password1"})
    body = assert_problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["RateLimit-Limit"] == "3" and r.headers["RateLimit-Remaining"] == "0"
    assert "retry" in body["detail"]
    # Other routes are not affected by the auth limiter.
    assert limited.get("/healthz").status_code == 200


@pytest.fixture(scope="module")
def proxied(make_server):
    return Api(make_server("sqlite", {"MERCATO_AUTH_RATE": "2", "MERCATO_TRUSTED_PROXIES": "127.0.0.1"}))


def test_forwarded_for_is_used_only_from_trusted_proxies(proxied):
    def login(ip):
        return proxied.post("/api/auth/login", json={"email": "x@y.zz", "password": "whatever1"},
                            headers={"X-Forwarded-For": ip}).status_code

    assert [login("10.0.0.1") for _ in range(3)] == [401, 401, 429]
    # A different client behind the same proxy has its own budget.
    assert login("10.0.0.2") == 401


def test_general_rate_limit(make_server):
    api = Api(make_server("sqlite", {"MERCATO_RATE": "1", "MERCATO_RATE_BURST": "5"}))
    codes = [api.get("/api/nothing").status_code for _ in range(8)]
    assert codes[:5] == [404] * 5 and codes[5:] == [429] * 3


@pytest.mark.parametrize("env,needle", [
    ({"MERCATO_PORT": "0"}, "MERCATO_PORT"),
    ({"MERCATO_PORT": "http"}, "MERCATO_PORT"),
    ({"MERCATO_ENV": "staging"}, "MERCATO_ENV"),
    ({"MERCATO_DB": "mysql://x"}, "MERCATO_DB"),
    ({"MERCATO_THREADS": "-1"}, "MERCATO_THREADS"),
])
def test_bad_settings_exit_2_with_a_message(env, needle, tmp_path):
    r = subprocess.run([BINARY, "serve"], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and needle in r.stderr


def test_production_requires_a_long_secret(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MERCATO_ENV": "production", "MERCATO_JWT_SECRET": "short",
           "MERCATO_DB": "sqlite:%s/x.db" % tmp_path}
    r = subprocess.run([BINARY, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "MERCATO_JWT_SECRET" in r.stderr


def test_help_lists_every_setting():
    out = subprocess.run([BINARY, "help"], capture_output=True, text=True, timeout=60).stdout
    for var in ("MERCATO_DB", "MERCATO_PORT", "MERCATO_ENV", "MERCATO_JWT_SECRET", "MERCATO_THREADS",
                "MERCATO_SMTP_URL", "MERCATO_CORS_ORIGINS", "MERCATO_TRUSTED_PROXIES"):
        assert var in out
