"""Foundation: health, routing, limits, problem+json, headers."""
import json
import socket

from conftest import assert_problem


def test_healthz_and_readyz(api):
    r = api.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = api.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_security_headers_on_every_response(api):
    for r in (api.get("/healthz"), api.get("/no/such/route")):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["X-Request-Id"]


def test_unknown_route_is_404_problem(api):
    assert_problem(api.get("/api/nothing-here"), 404, "no_route")


def test_wrong_method_is_405_with_allow(api):
    r = api.delete("/api/auth/login")
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "POST"
    r = api.put("/api/users/me")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "PATCH"}


def test_request_id_is_echoed_when_sane_and_replaced_when_not(api):
    r = api.get("/healthz", headers={"X-Request-Id": "abc-123_X.y"})
    assert r.headers["X-Request-Id"] == "abc-123_X.y"
    r = api.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert r.headers["X-Request-Id"] != "bad id with spaces"
    assert len(r.headers["X-Request-Id"]) == 16
    r = api.get("/healthz", headers={"X-Request-Id": "x" * 65})
    assert r.headers["X-Request-Id"] != "x" * 65


def test_oversized_body_is_413(api):
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    r = api.post("/api/auth/login", data=body, headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "body_too_large")


def test_oversized_chunked_body_is_413(api):
    def chunks():
        for _ in range(40):
            yield b" " * 65536

    r = api.post("/api/auth/login", data=chunks(), headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "body_too_large")


def test_malformed_json_is_400(api):
    for body in (b"{", b"not json", b"[1,2]", b"", b'{"email": "a@b.c", "email": "d@e.f"}',
                 b"{" * 5000 + b"}" * 5000, b'"just a string"'):
        r = api.post("/api/auth/login", data=body, headers={"Content-Type": "application/json"})
        assert_problem(r, 400, "invalid_json")


def test_deep_json_is_400_not_a_crash(api):
    deep = '{"a":' * 100 + "1" + "}" * 100
    assert_problem(api.post("/api/auth/register", data=deep), 400, "invalid_json")


def test_bad_request_is_not_logged_as_server_error(api, server):
    api.post("/api/auth/login", data=b"{")
    api.get("/api/nothing")
    api.delete("/api/auth/login")
    api.post("/api/auth/login", data=b" " * (2 * 1024 * 1024))
    for line in server.log().splitlines():
        rec = json.loads(line)
        assert rec["level"] != "error", line


def test_keepalive_survives_many_requests(api):
    s = socket.create_connection(("127.0.0.1", api.server.port))
    try:
        req = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req * 20)
        data = b""
        while data.count(b"HTTP/1.1 200") < 20:
            chunk = s.recv(65536)
            assert chunk, "connection closed early"
            data += chunk
    finally:
        s.close()


def test_head_is_answered_like_get(api):
    r = api.request("HEAD", "/healthz")
    assert r.status_code == 200 and r.content == b""


def test_metrics_on_loopback(api):
    unmatched = 'mercato_http_requests_total{method="ANY",route="unmatched",code="4xx"}'
    api.get("/api/nothing-here")
    before = api.get("/metrics")
    assert before.status_code == 200 and before.headers["Content-Type"].startswith("text/plain")
    text = before.text
    assert unmatched in text
    assert 'le="+Inf"}' in text
    count = int([line for line in text.splitlines() if line.startswith(unmatched)][0].split()[1])
    api.get("/api/nothing-here")
    after = api.get("/metrics").text
    assert int([line for line in after.splitlines() if line.startswith(unmatched)][0].split()[1]) == count + 1


def test_metrics_from_elsewhere_need_the_token(make_server):
    from conftest import Api
    api = Api(make_server("sqlite", {"MERCATO_TRUSTED_PROXIES": "127.0.0.1", "MERCATO_METRICS_TOKEN": "s3cret-token"}))
    far = {"X-Forwarded-For": "203.0.113.9"}
    assert_problem(api.get("/metrics", headers=far), 403, "metrics_forbidden")
    assert_problem(api.get("/metrics", headers={**far, "Authorization": "Bearer wrong"}), 403)
    assert api.get("/metrics", headers={**far, "Authorization": "Bearer s3cret-token"}).status_code == 200


def test_cors_only_for_configured_origins(make_server):
    from conftest import Api
    api = Api(make_server("sqlite", {"MERCATO_CORS_ORIGINS": "https://shop.example, https://admin.example"}))
    pre = api.request("OPTIONS", "/api/products", headers={"Origin": "https://shop.example",
                                                            "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in pre.headers["Access-Control-Allow-Headers"]
    r = api.get("/api/products", headers={"Origin": "https://admin.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://admin.example" and r.headers["Vary"] == "Origin"
    for origin in ("https://evil.example", "null"):
        r = api.get("/api/products", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in r.headers
        pre = api.request("OPTIONS", "/api/products", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in pre.headers
