"""HTTP conventions clients rely on: Location on 201, WWW-Authenticate on
401, RateLimit-* on every limited answer, CORS with credentials and
Vary: Origin, public routes reading a stale token as anonymous, 304 without
a wrong Content-Length, and W3C traceparent as the request id."""
import base64
import hashlib
import hmac
import json
import os
import time
import uuid

from conftest import Api, assert_problem


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_token(server, claims):
    """A token signed with the server's own development key."""
    with open(os.path.join(server.env["MERCATO_DATA_DIR"], "jwt.secret"), "rb") as f:
        key = f.read()
    signing = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    return signing + "." + b64url(hmac.new(key, signing.encode(), hashlib.sha256).digest())


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def product(api, token, **kw):
    body = {"name": "Lamp " + uuid.uuid4().hex[:6], "price": 1999, "stock": 50, "category": "home"}
    body.update(kw)
    r = api.post("/api/products", token=token, json=body)
    assert r.status_code == 201, r.text
    return r


def test_every_201_names_what_it_created(api):
    seller = api.create_account("seller")
    admin = api.create_account("admin")
    r = api.post("/api/auth/register", json={"name": "Loc", "email": api.unique_email(), "password": "correct horse"})
    assert r.status_code == 201 and r.headers["Location"] == "/api/users/me"
    buyer = r.json()

    r = product(api, seller["token"])
    pid = r.json()["id"]
    assert r.headers["Location"] == "/api/products/%d" % pid
    assert api.get(r.headers["Location"]).json()["id"] == pid

    now = time.time()
    r = api.post("/api/coupons", token=seller["token"],
                 json={"code": "LOC" + uuid.uuid4().hex[:6].upper(), "discountPercentage": 10, "usageLimit": 5,
                       "validFrom": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60)),
                       "validTo": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600))})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/coupons/%d" % r.json()["id"]

    r = api.post("/api/wishlist", token=buyer["token"], json={"productId": pid})
    assert r.status_code == 201 and r.headers["Location"] == "/api/wishlist/%d" % pid
    again = api.post("/api/wishlist", token=buyer["token"], json={"productId": pid})
    assert again.status_code == 200 and "Location" not in again.headers

    assert api.post("/api/cart", token=buyer["token"], json={"productId": pid, "quantity": 1}).status_code in (200, 201)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    r = api.post("/api/checkout", token=buyer["token"], headers=key, json={})
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert r.headers["Location"] == "/api/orders/%d" % oid
    assert api.get(r.headers["Location"], token=buyer["token"]).json()["id"] == oid
    replay = api.post("/api/checkout", token=buyer["token"], headers=key, json={})
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.headers["Location"] == "/api/orders/%d" % oid

    r = api.post("/api/payments", token=buyer["token"], json={"orderId": oid, "method": "CARD"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/payments/%d" % r.json()["id"]
    assert api.get(r.headers["Location"], token=buyer["token"]).status_code == 200

    r = api.post("/api/products/%d/reviews" % pid, token=buyer["token"], json={"rating": 5, "comment": "ok"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/api/products/%d/reviews/%d" % (pid, r.json()["id"])
    r = api.post("/api/products/seed", token=admin["token"])
    assert r.status_code in (200, 201)
    assert r.status_code == 200 or r.headers["Location"] == "/api/products"


def test_401_carries_www_authenticate(api, server):
    r = api.get("/api/orders")
    assert_problem(r, 401, "unauthenticated")
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="mercato"'

    r = api.get("/api/orders", token="not.a.token")
    assert_problem(r, 401, "invalid_token")
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="mercato", error="invalid_token"')

    email = api.unique_email()
    u = api.register(email=email)
    expired = signed_token(server, dict(claims_of(u["token"]), exp=int(time.time()) - 3600))
    r = api.get("/api/orders", token=expired)
    assert_problem(r, 401, "token_expired")
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]

    r = api.post("/api/auth/login", json={"email": email, "password": "wrong password"})
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="mercato"'


def test_public_routes_read_a_stale_token_as_anonymous(api, server):
    u = api.register()
    expired = signed_token(server, dict(claims_of(u["token"]), exp=int(time.time()) - 3600))
    for token in (expired, "garbage", u["token"] + "x"):
        r = api.get("/api/products", token=token)
        assert r.status_code == 200, r.text
    # A revoked token is anonymous on public routes too, and still 401 elsewhere.
    assert api.post("/api/auth/logout", token=u["token"]).status_code in (200, 204)
    assert api.get("/api/products", token=u["token"]).status_code == 200
    r = api.get("/api/cart", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert r.status_code == 200, r.text
    assert_problem(api.get("/api/orders", token=u["token"]), 401, "token_revoked")
    assert_problem(api.get("/api/orders", token=expired), 401, "token_expired")


def test_ratelimit_headers_on_every_limited_answer(api):
    for r in (api.get("/api/products"), api.get("/api/nope"), api.get("/api/orders"),
              api.post("/api/auth/login", json={"email": "x@y.zz", "password": "whatever1"})):
        for h in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
            assert int(r.headers[h]) >= 0, (r.url, h)
    # Probes are not limited, so they say nothing about it.
    assert "RateLimit-Limit" not in api.get("/healthz").headers


def test_ratelimit_remaining_counts_down(make_server):
    limited = Api(make_server("sqlite", {"MERCATO_AUTH_RATE": "5"}))
    seen = []
    for _ in range(3):
        r = limited.post("/api/auth/login", json={"email": "x@y.zz", "password": "whatever1"})
        assert r.status_code == 401
        seen.append((r.headers["RateLimit-Limit"], r.headers["RateLimit-Remaining"]))
    assert seen == [("5", "4"), ("5", "3"), ("5", "2")]


def test_cors_credentials_and_vary(make_server):
    api = Api(make_server("sqlite", {"MERCATO_CORS_ORIGINS": "https://shop.example"}))
    r = api.get("/api/products", headers={"Origin": "https://shop.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Location" in r.headers["Access-Control-Expose-Headers"]
    pre = api.request("OPTIONS", "/api/cart", headers={"Origin": "https://shop.example",
                                                        "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Credentials"] == "true"
    assert pre.headers["Vary"] == "Origin"
    # Answers to other origins, and to no origin, vary on it as well.
    for headers in ({"Origin": "https://evil.example"}, {}):
        r = api.get("/api/products", headers=headers)
        assert r.headers["Vary"] == "Origin"
        assert "Access-Control-Allow-Credentials" not in r.headers
        assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_wildcard_never_allows_credentials(make_server):
    api = Api(make_server("sqlite", {"MERCATO_CORS_ORIGINS": "*"}))
    r = api.get("/api/products", headers={"Origin": "https://any.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_304_has_no_wrong_content_length(api):
    seller = api.create_account("seller")
    pid = product(api, seller["token"]).json()["id"]
    full = api.get("/api/products/%d" % pid)
    r = api.get("/api/products/%d" % pid, headers={"If-None-Match": full.headers["ETag"]})
    assert r.status_code == 304 and r.content == b""
    # RFC 9110 8.6: absent, or the length of the 200's content.
    assert r.headers.get("Content-Length", str(len(full.content))) == str(len(full.content))


def test_traceparent_names_the_request(api):
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = api.get("/api/nope", headers={"traceparent": "00-%s-00f067aa0ba902b7-01" % trace,
                                      "X-Request-Id": "ignored-for-the-trace"})
    assert r.headers["X-Request-Id"] == trace
    assert assert_problem(r, 404)["requestId"] == trace
    for bad in ("00-%s-0000000000000000-01" % trace, "00-" + "0" * 32 + "-00f067aa0ba902b7-01",
                "ff-%s-00f067aa0ba902b7-01" % trace, "00-%s-00f067aa0ba902b7" % trace,
                "00-%s-00f067aa0ba902b7-01" % trace.upper(), "garbage"):
        r = api.get("/healthz", headers={"traceparent": bad, "X-Request-Id": "client-id-1"})
        assert r.headers["X-Request-Id"] == "client-id-1", bad
