"""GET /docs: the API reference page, a small renderer (docs/renderer/) embedded
in the binary, that renders /api/openapi.json in the browser with nothing
from other origins."""
import os
import re

from conftest import ROOT

RENDERER = os.path.join(ROOT, "docs", "renderer")
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'"


def read(name):
    with open(os.path.join(RENDERER, name), "rb") as f:
        return f.read()


def test_docs_page_links_its_own_assets_under_a_strict_policy(api):
    r = api.get("/docs")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.headers["Cache-Control"] == "public, max-age=300"
    csp = r.headers["Content-Security-Policy"]
    # One policy (a second header would be joined with ", "), scripts from this origin only.
    assert "," not in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp, csp
    assert "unsafe" not in csp and "frame-ancestors 'none'" in csp
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert refs and all(u.startswith("/") and not u.startswith("//") for u in refs), refs
    assets = [u for u in refs if u.startswith("/docs/")]
    assert sorted(os.path.splitext(u)[1] for u in assets) == [".css", ".js"], assets
    for url in assets:
        a = api.get(url)
        assert a.status_code == 200, (url, a.text)
        assert a.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        ext = os.path.splitext(url)[1]
        assert a.headers["Content-Type"] == {".js": "text/javascript", ".css": "text/css"}[ext] + "; charset=utf-8"
        assert a.content == read("docs" + ext), "%s is stale: rebuild" % url
        assert api.request("HEAD", url).status_code == 200
    # Other answers keep the default policy.
    assert api.get("/api/openapi.json").headers["Content-Security-Policy"] == DEFAULT_CSP


def test_docs_assets_by_their_current_names_only(api):
    page = api.get("/docs").text
    js = re.search(r'src="/docs/(docs-[0-9a-f]+\.js)"', page).group(1)
    for name in ("docs-000000000000.js", js.replace(".js", ".css.js"), js + "x", "docs.js", js[:-3], "x" * 300):
        r = api.get("/docs/" + name)
        assert r.status_code == 404, name
        assert r.headers["Content-Type"].startswith("application/problem+json")
    assert api.post("/docs").status_code == 405


def test_renderer_never_turns_document_text_into_markup():
    js = read("docs.js").decode()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert banned not in js, banned
    for name in ("docs.js", "docs.css", "index.html"):
        assert not re.search(rb"https?://", read(name).replace(b"http://www.w3.org", b"")), name
