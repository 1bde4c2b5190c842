"""The storefront's HTTP side (src/api/web.c): the page at / with its own
Content-Security-Policy, versioned immutable scripts under /static/, and the
API's answers unchanged around them. The pages themselves are tested in a
browser (tests/e2e)."""
import base64
import hashlib
import os
import re

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
WEB = os.path.join(ROOT, "web")


def page(api):
    r = api.get("/")
    assert r.status_code == 200, r.text
    return r


def test_the_page_carries_a_strict_policy_that_allows_its_one_style(api):
    r = page(api)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    style = re.search(r"<style>(.*?)</style>", r.text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert "style-src 'sha256-%s'" % digest in csp
    # No inline script, no inline event handlers.
    assert "<script>" not in r.text and not re.search(r"\son\w+=", r.text)
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_is_revalidated_by_etag(api):
    r = page(api)
    assert r.headers["Cache-Control"] == "no-cache"
    again = api.get("/", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    assert api.get("/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_scripts_are_versioned_immutable_and_the_files_of_the_tree(api):
    r = page(api)
    src = re.search(r'<script type="module" src="(/static/([0-9a-f]{16})/app\.js)"></script>', r.text)
    assert src, r.text[:500]
    for name in ("app.js", "seller.js", "admin.js"):
        got = api.get("/static/%s/%s" % (src.group(2), name))
        assert got.status_code == 200, name
        assert got.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert got.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        with open(os.path.join(WEB, name), "rb") as f:
            assert got.content == f.read(), "build/gen/web.c is stale: rebuild"
    # A page from before an upgrade still gets today's script, not for keeps.
    old = api.get("/static/0000000000000000/app.js")
    assert old.status_code == 200 and old.headers["Cache-Control"] == "no-cache"


def test_unknown_files_and_paths_stay_problems(api):
    for path in ("/static/x/nope.js", "/static/x/index.html", "/static/x/..%2Fapp.js"):
        r = api.get(path)
        assert r.status_code == 404, path
        assert r.headers["Content-Type"] == "application/problem+json"
    for path in ("/api/nope", "/nope", "/index.html"):
        r = api.get(path)
        assert r.status_code == 404 and r.json()["code"] == "no_route", path
        assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert api.get("/api/products?limit=1").headers["Content-Security-Policy"] == \
        "default-src 'none'; frame-ancestors 'none'"
