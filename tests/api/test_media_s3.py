"""Product images in an S3-compatible bucket (MERCATO_MEDIA_URL=s3://...):
uploads through the API and direct uploads through presigned URLs, on
both databases, against s3rver behind a gate that checks every request's
Signature V4 (s3_gate.py)."""
import os
import subprocess
import time

import pytest
import requests

from conftest import BACKENDS, BINARY, Api, assert_problem
from s3_gate import BUCKET, s3  # noqa: F401 -- the session's bucket
from test_media_seed_import import JPEG, PNG, WEBP, make_product, upload
from test_openapi import Conformance


@pytest.fixture(scope="module", params=BACKENDS)
def s3_server(request, make_server, s3):  # noqa: F811
    return make_server(request.param, s3.server_env())


@pytest.fixture
def shop(s3_server):
    return Api(s3_server)


@pytest.fixture
def seller(shop):
    return shop.register(role="seller")


def start_upload(shop, pid, token, content_type="image/png", status=201):
    r = shop.post("/api/products/%d/image-upload" % pid, token=token, json={"contentType": content_type})
    assert r.status_code == status, r.text
    return r.json()


def attach(shop, pid, token, key):
    return shop.post("/api/products/%d/image" % pid, token=token, json={"key": key})


def test_uploaded_bytes_live_in_the_bucket(shop, seller, s3):  # noqa: F811
    p = make_product(shop, seller["token"])
    before = s3.gate.verified
    r = upload(shop, p["id"], PNG, seller["token"])
    assert r.status_code == 200, r.text
    url = r.json()["imageUrl"]
    assert url.startswith(s3.base + "/products/%d-" % p["id"]) and url.endswith(".png")
    assert s3.gate.verified > before          # signed, and the signature held
    got = requests.get(url)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert shop.get("/api/products/%d" % p["id"]).json()["imageUrl"] == url
    # Nothing went to the node's disk.
    assert not os.path.exists(os.path.join(shop.server.dir, "data", "media"))


def test_direct_upload_then_attach(shop, seller, s3):  # noqa: F811
    p = make_product(shop, seller["token"])
    up = start_upload(shop, p["id"], seller["token"], "image/webp")
    assert set(up) == {"uploadUrl", "method", "key", "headers", "expiresAt", "maxBytes"}
    assert up["method"] == "PUT" and up["headers"] == {"Content-Type": "image/webp"}
    assert up["maxBytes"] == 5 * 1024 * 1024 and up["key"].startswith("uploads/products/%d/" % p["id"])
    expires = time.mktime(time.strptime(up["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 290 <= expires - time.time() <= 301
    assert up["uploadUrl"].startswith(s3.base + "/" + up["key"] + "?")
    put = requests.put(up["uploadUrl"], data=WEBP, headers=up["headers"])
    assert put.status_code == 200, put.text
    r = attach(shop, p["id"], seller["token"], up["key"])
    assert r.status_code == 200, r.text
    url = r.json()["imageUrl"]
    assert url.startswith(s3.base + "/products/%d-" % p["id"]) and url.endswith(".webp")
    assert requests.get(url).content == WEBP
    # The upload was moved to its content-addressed name: the key is spent.
    assert requests.get(s3.base + "/" + up["key"]).status_code == 404
    assert_problem(attach(shop, p["id"], seller["token"], up["key"]), 404, "upload_not_found")


def test_presigned_url_allows_one_key_one_type_five_minutes(shop, seller, s3):  # noqa: F811
    p = make_product(shop, seller["token"])
    up = start_upload(shop, p["id"], seller["token"], "image/jpeg")
    refused = len(s3.gate.refused)
    # Another type, another key, a longer life or a changed signature: refused.
    assert requests.put(up["uploadUrl"], data=JPEG, headers={"Content-Type": "image/png"}).status_code == 403
    other = up["uploadUrl"].replace(up["key"], up["key"][:-1] + ("0" if up["key"][-1] != "0" else "1"))
    assert requests.put(other, data=JPEG, headers=up["headers"]).status_code == 403
    longer = up["uploadUrl"].replace("X-Amz-Expires=300", "X-Amz-Expires=3000")
    assert requests.put(longer, data=JPEG, headers=up["headers"]).status_code == 403
    assert len(s3.gate.refused) == refused + 3, s3.gate.refused[refused:]
    # After five minutes the URL is dead.
    s3.gate.clock_offset = 301
    try:
        assert requests.put(up["uploadUrl"], data=JPEG, headers=up["headers"]).status_code == 403
    finally:
        s3.gate.clock_offset = 0
    assert "expired" in s3.gate.refused[-1]
    assert requests.put(up["uploadUrl"], data=JPEG, headers=up["headers"]).status_code == 200
    assert attach(shop, p["id"], seller["token"], up["key"]).status_code == 200


def test_attach_checks_the_key_and_the_object(shop, seller, s3):  # noqa: F811
    t = seller["token"]
    p, q = make_product(shop, t), make_product(shop, t)
    # A key of another product, or not a key at all.
    up_q = start_upload(shop, q["id"], t)
    for key in (up_q["key"], "products/%d-0123456789abcdef.png" % p["id"], "../etc/passwd", ""):
        assert_problem(attach(shop, p["id"], t, key), 400)
    # Nothing uploaded yet.
    up = start_upload(shop, p["id"], t)
    assert_problem(attach(shop, p["id"], t, up["key"]), 404, "upload_not_found")
    # Not an image: refused by its bytes, and removed.
    assert requests.put(up["uploadUrl"], data=b"<svg/>" * 10, headers=up["headers"]).status_code == 200
    assert_problem(attach(shop, p["id"], t, up["key"]), 415, "unsupported_image")
    assert requests.get(s3.base + "/" + up["key"]).status_code == 404
    # Over 5 MiB: refused and removed.
    big = start_upload(shop, p["id"], t)
    data = PNG + b"\x00" * (5 * 1024 * 1024)
    assert requests.put(big["uploadUrl"], data=data, headers=big["headers"]).status_code == 200
    assert_problem(attach(shop, p["id"], t, big["key"]), 413, "image_too_large")
    assert requests.get(s3.base + "/" + big["key"]).status_code == 404
    assert shop.get("/api/products/%d" % p["id"]).json()["imageUrl"] is None
    assert_problem(attach(shop, p["id"], t, None), 400)


def test_only_the_owner_gets_an_upload_url(shop, seller):
    p = make_product(shop, seller["token"])
    other = shop.register(role="seller")
    path = "/api/products/%d/image-upload" % p["id"]
    assert_problem(shop.post(path, token=other["token"], json={"contentType": "image/png"}), 403, "not_owner")
    assert_problem(shop.post(path, token=shop.register()["token"], json={"contentType": "image/png"}), 403)
    assert_problem(shop.post(path, json={"contentType": "image/png"}), 401)
    assert_problem(shop.post(path, token=seller["token"], json={"contentType": "image/svg+xml"}), 415,
                   "unsupported_image")
    assert_problem(shop.post(path, token=seller["token"], json={}), 400)
    assert_problem(shop.post(path, token=seller["token"], json={"contentType": "image/png", "size": 1}), 400)
    up = start_upload(shop, p["id"], seller["token"])
    assert_problem(attach(shop, p["id"], other["token"], up["key"]), 403, "not_owner")


def test_disk_mode_has_no_direct_upload(api):
    seller = api.register(role="seller")
    p = make_product(api, seller["token"])
    assert_problem(api.post("/api/products/%d/image-upload" % p["id"], token=seller["token"],
                            json={"contentType": "image/png"}), 409, "direct_upload_unavailable")
    assert_problem(api.post("/api/products/%d/image" % p["id"], token=seller["token"],
                            json={"key": "uploads/products/%d/%s" % (p["id"], "0" * 32)}), 409,
                   "direct_upload_unavailable")


def test_a_cdn_base_names_the_images(make_server, s3):  # noqa: F811
    server = make_server("sqlite", s3.server_env(MERCATO_MEDIA_PUBLIC_URL="https://cdn.example.test/img"))
    shop = Api(server)
    seller = shop.register(role="seller")
    p = make_product(shop, seller["token"])
    url = upload(shop, p["id"], JPEG, seller["token"]).json()["imageUrl"]
    assert url.startswith("https://cdn.example.test/img/products/%d-" % p["id"]) and url.endswith(".jpg")
    # The object is in the bucket under the same key.
    assert requests.get(s3.base + url[len("https://cdn.example.test/img"):]).content == JPEG


def test_settings_are_checked_at_start(api):
    for env in ({"MERCATO_MEDIA_URL": "s3://mercato-media"},
                {"MERCATO_MEDIA_URL": "ftp://x", "MERCATO_S3_ACCESS_KEY": "a", "MERCATO_S3_SECRET_KEY": "b"},
                {"MERCATO_MEDIA_URL": "s3://B", "MERCATO_S3_ACCESS_KEY": "a", "MERCATO_S3_SECRET_KEY": "b"},
                {"MERCATO_S3_ENDPOINT": "127.0.0.1:9000"},
                {"MERCATO_S3_REGION": "us east"},
                {"MERCATO_MEDIA_PUBLIC_URL": "https://cdn.example.test/"}):
        proc = subprocess.run([BINARY, "migrate"], env=dict(api.server.env, **env), capture_output=True, text=True)
        assert proc.returncode == 2, (env, proc.stderr)
        assert "MERCATO_" in proc.stderr, proc.stderr


def test_responses_match_the_document(shop, seller):
    c = Conformance(shop.get("/api/openapi.json").json())
    p = make_product(shop, seller["token"])
    path = "/api/products/{id}/image-upload"
    up = c(shop.post("/api/products/%d/image-upload" % p["id"], token=seller["token"],
                     json={"contentType": "image/png"}), "post", path, 201)
    c(shop.post("/api/products/%d/image-upload" % p["id"], token=seller["token"],
                json={"contentType": "text/plain"}), "post", path, 415)
    assert requests.put(up["uploadUrl"], data=PNG, headers=up["headers"]).status_code == 200
    c(attach(shop, p["id"], seller["token"], up["key"]), "post", "/api/products/{id}/image", 200)
    c(attach(shop, p["id"], seller["token"], up["key"]), "post", "/api/products/{id}/image", 404)
