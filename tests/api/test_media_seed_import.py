"""Product images (upload by magic bytes, content-addressed files served with
immutable caching), demo seeding (endpoint and CLI, idempotent, development
only) and the Fake Store import (exact prices, idempotent, refusals).

Image tests use the shared server. Seeding and imports change the whole
catalog, so they run on servers of their own."""
import hashlib
import json
import os
import re

import pytest

from conftest import ROOT, Api, assert_problem

SAMPLE = os.path.join(ROOT, "samples", "fakestore.json")
IMMUTABLE = "public, max-age=31536000, immutable"
DEMO_PASSWORD = "mercato-demo"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(64)
WEBP = b"RIFF" + (76).to_bytes(4, "little") + b"WEBPVP8 " + os.urandom(64)
IMAGES = {"png": (PNG, "image/png"), "jpg": (JPEG, "image/jpeg"), "webp": (WEBP, "image/webp")}


# --- helpers -----------------------------------------------------------------

def make_product(api, token, **fields):
    body = {"name": "Camera bag", "price": 250000, "category": "Media tests"}
    body.update(fields)
    r = api.post("/api/products", token=token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def upload(api, pid, data, token, content_type="application/octet-stream"):
    return api.post("/api/products/%d/image" % pid, token=token, data=data,
                    headers={"Content-Type": content_type})


def login(api, email, password=DEMO_PASSWORD):
    r = api.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


def all_products(api, **params):
    params.setdefault("limit", 100)
    r = api.get("/api/products", params=params)
    assert r.status_code == 200, r.text
    return r.json()


# --- images ------------------------------------------------------------------

@pytest.mark.parametrize("ext", sorted(IMAGES))
def test_upload_stores_the_image_and_serves_it_immutable(api, ext):
    data, ctype = IMAGES[ext]
    seller = api.register(role="seller")
    p = make_product(api, seller["token"])
    r = upload(api, p["id"], data, seller["token"], ctype)
    assert r.status_code == 200, r.text
    body = r.json()
    digest = hashlib.blake2b(data, digest_size=32).hexdigest()[:16]
    assert body["imageUrl"] == "/media/products/%d-%s.%s" % (p["id"], digest, ext)
    assert body["id"] == p["id"] and body["name"] == p["name"]

    got = api.get(body["imageUrl"])
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["Content-Type"] == ctype
    assert got.headers["Cache-Control"] == IMMUTABLE
    assert got.headers["X-Content-Type-Options"] == "nosniff"

    r = api.get("/api/products/%d" % p["id"])
    assert r.status_code == 200 and r.json()["imageUrl"] == body["imageUrl"]


def test_the_same_bytes_get_the_same_url_and_a_new_image_replaces_the_old(api):
    seller = api.register(role="seller")
    p = make_product(api, seller["token"], imageUrl="https://example.com/old.jpg")
    first = upload(api, p["id"], PNG, seller["token"]).json()["imageUrl"]
    assert upload(api, p["id"], PNG, seller["token"]).json()["imageUrl"] == first
    second = upload(api, p["id"], JPEG, seller["token"]).json()["imageUrl"]
    assert second != first and second.endswith(".jpg")
    assert api.get("/api/products/%d" % p["id"]).json()["imageUrl"] == second
    # The old file stays: pages cached with its URL keep working.
    assert api.get(first).content == PNG


def test_the_type_comes_from_the_bytes_not_the_content_type(api):
    seller = api.register(role="seller")
    p = make_product(api, seller["token"])
    r = upload(api, p["id"], PNG, seller["token"], "image/jpeg")
    assert r.status_code == 200 and r.json()["imageUrl"].endswith(".png")
    for bad in (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 32, b"hello, I am text", b"RIFF\x00\x00\x00\x00WAVEfmt ",
                b"\x89PNG", b"<svg xmlns='http://www.w3.org/2000/svg'/>"):
        body = assert_problem(upload(api, p["id"], bad, seller["token"], "image/png"), 415, "unsupported_image")
        assert "JPEG, PNG or WebP" in body["detail"]
    assert_problem(upload(api, p["id"], b"", seller["token"]), 400, "empty_body")
    # Refused uploads leave the product as it was.
    assert api.get("/api/products/%d" % p["id"]).json()["imageUrl"].endswith(".png")


def test_an_image_over_5_mib_is_413(api):
    seller = api.register(role="seller")
    p = make_product(api, seller["token"])
    big = PNG + b"\x00" * (6 * 1024 * 1024)
    assert_problem(upload(api, p["id"], big, seller["token"], "image/png"), 413, "body_too_large")
    # Exactly at the limit is accepted.
    edge = PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG))
    r = upload(api, p["id"], edge, seller["token"], "image/png")
    assert r.status_code == 200, r.text
    got = api.get(r.json()["imageUrl"])
    assert got.status_code == 200 and len(got.content) == 5 * 1024 * 1024


def test_only_the_owner_or_an_admin_may_upload(api):
    owner = api.register(role="seller")
    other = api.register(role="seller")
    buyer = api.register()
    admin = api.create_account("admin")
    p = make_product(api, owner["token"])
    assert_problem(upload(api, p["id"], PNG, other["token"]), 403, "not_owner")
    assert_problem(upload(api, p["id"], PNG, buyer["token"]), 403)
    assert_problem(upload(api, p["id"], PNG, None), 401)
    assert_problem(upload(api, 10 ** 15, PNG, owner["token"]), 404, "product_not_found")
    assert api.get("/api/products/%d" % p["id"]).json()["imageUrl"] is None
    r = upload(api, p["id"], WEBP, admin["token"])
    assert r.status_code == 200 and r.json()["imageUrl"].endswith(".webp")


@pytest.mark.parametrize("path", [
    "/media/products/..%2f..%2fetc%2fpasswd",
    "/media/products/..%2F..%2F..%2Fetc%2Fpasswd",
    "/media/products/%2e%2e",
    "/media/products/1-zzzz.png",
    "/media/products/1-0123456789abcdef.gif",
    "/media/products/1-0123456789ABCDEF.png",
    "/media/products/01-0123456789abcdef.png",
    "/media/products/-0123456789abcdef.png",
    "/media/products/1-0123456789abcdef.png.tmp",
    "/media/products/1-0123456789abcdef.png%00.txt",
    "/media/products/1-0123456789abcdef.png",
    "/media/products/jwt.secret",
    "/media/products/",
    "/media/jwt.secret",
])
def test_media_names_are_strict_and_unknown_files_are_404(api, path):
    r = api.get(path)
    assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("application/problem+json")


# --- seeding -----------------------------------------------------------------

@pytest.fixture(params=["sqlite", "pg"])
def fresh(request, make_server):
    """A server with an empty catalog of its own."""
    return Api(make_server(request.param))


def test_seed_endpoint_is_admin_only_and_idempotent(fresh):
    api = fresh
    buyer = api.register()
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    assert_problem(api.post("/api/products/seed", token=buyer["token"]), 403)
    assert_problem(api.post("/api/products/seed", token=seller["token"]), 403)
    assert_problem(api.post("/api/products/seed"), 401)

    r = api.post("/api/products/seed", token=admin["token"])
    assert r.status_code == 201, r.text
    counts = r.json()
    assert counts["usersCreated"] == 4
    assert 40 <= counts["productsCreated"] <= 60

    r = api.post("/api/products/seed", token=admin["token"])
    assert r.status_code == 200, r.text
    assert r.json() == {"usersCreated": 0, "productsCreated": 0}

    listing = all_products(api)
    assert listing["total"] == counts["productsCreated"]
    categories = {p["category"] for p in listing["items"]}
    assert {"Electronics", "Books", "Home", "Fashion", "Sports", "Toys"} <= categories
    for p in listing["items"]:
        assert isinstance(p["price"], int) and p["price"] > 0 and p["currency"] == "INR"
        assert re.fullmatch(r"https://picsum\.photos/seed/mercato-\d+/600/600", p["imageUrl"])
        assert p["stock"] > 0 and p["description"]

    # Sellers and buyers can log in with the demo password; there is no admin.
    s1 = login(api, "seller1@mercato.dev")["user"]
    s2 = login(api, "seller2@mercato.dev")["user"]
    assert (s1["role"], s1["name"]) == ("seller", "Asha Traders")
    assert (s2["role"], s2["name"]) == ("seller", "Kiran Goods")
    for email in ("buyer1@mercato.dev", "buyer2@mercato.dev"):
        assert login(api, email)["user"]["role"] == "buyer"
    assert {p["sellerId"] for p in listing["items"]} == {s1["id"], s2["id"]}

    # The CLI sees the same data and creates nothing more.
    out = api.server.cli("seed").stdout
    assert "0 users and 0 products created" in out


def test_seeded_sales_list_by_effective_price(fresh):
    api = fresh
    admin = api.create_account("admin")
    assert api.post("/api/products/seed", token=admin["token"]).status_code == 201
    on_sale = all_products(api, onSale="true", sort="price")
    assert 8 <= on_sale["total"] <= 12
    prices = [p["effectivePrice"] for p in on_sale["items"]]
    assert prices == sorted(prices)
    for p in on_sale["items"]:
        assert p["onSale"] is True and 10 <= p["salePercentage"] <= 40
        assert p["effectivePrice"] == (p["price"] * (100 - p["salePercentage"]) + 50) // 100
    # A couple more have a sale that has not started yet.
    upcoming = [p for p in all_products(api)["items"] if p["salePercentage"] and not p["onSale"]]
    assert len(upcoming) >= 2


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_seed_endpoint_does_not_exist_in_production(make_server, backend):
    api = Api(make_server(backend, {"MERCATO_ENV": "production", "MERCATO_JWT_SECRET": "x" * 40}))
    admin = api.create_account("admin")
    r = api.post("/api/products/seed", token=admin["token"])
    body = assert_problem(r, 404, "no_route")
    unknown = api.post("/api/products/nothing/here", token=admin["token"]).json()
    assert body["detail"] == unknown["detail"].replace("/api/products/nothing/here", "/api/products/seed")
    assert all_products(api)["total"] == 0


# --- CLI: seed and the Fake Store import --------------------------------------

def by_name(listing):
    return {p["name"]: p for p in listing["items"]}


def test_cli_import_then_seed(fresh, tmp_path):
    api = fresh
    with open(SAMPLE) as f:
        sample = json.load(f)
    assert 6 <= len(sample) <= 8

    # The import creates the demo seller when it does not exist yet.
    r = api.server.cli("import", "fakestore", SAMPLE)
    assert "import: %d products created, 0 already present" % len(sample) in r.stdout
    assert "seller1@mercato.dev" in r.stdout
    seller1 = login(api, "seller1@mercato.dev")["user"]
    assert seller1["role"] == "seller"

    products = by_name(all_products(api, seller=seller1["id"]))
    assert len(products) == len(sample)
    exact = {109.95: 10995, 22.3: 2230, 7.95: 795, 15.99: 1599, 1099: 109900, 0.5: 50}
    for item in sample:
        p = products[item["title"]]
        if item["price"] in exact:
            assert p["price"] == exact[item["price"]], item
        assert p["price"] == int(round(item["price"] * 100))
        assert p["description"] == item["description"] and p["category"] == item["category"]
        assert p["imageUrl"] == item["image"] and p["stock"] == 100
        assert p["rating"]["count"] == item["rating"]["count"]
        avg = round(item["rating"]["rate"] * item["rating"]["count"]) / item["rating"]["count"]
        assert abs(p["rating"]["average"] - avg) < 0.006
    assert {p["price"] for p in products.values()} >= set(exact.values())

    r = api.server.cli("import", "fakestore", SAMPLE)
    assert "import: 0 products created, %d already present" % len(sample) in r.stdout

    # Seeding afterwards keeps seller1 and adds the rest.
    out = api.server.cli("seed").stdout
    assert "3 users and" in out
    assert "seed: 0 users and 0 products created" in api.server.cli("seed").stdout


def test_cli_import_for_a_named_seller(fresh, tmp_path):
    api = fresh
    seller = api.create_account("seller")
    email = seller["user"]["email"]
    r = api.server.cli("import", "fakestore", SAMPLE, "--seller", email, "--stock", "7")
    assert "products created" in r.stdout and "seller1" not in r.stdout
    listing = all_products(api, seller=seller["user"]["id"])
    assert listing["total"] > 0 and {p["stock"] for p in listing["items"]} == {7}
    # seller1 was not created.
    r = api.post("/api/auth/login", json={"email": "seller1@mercato.dev", "password": DEMO_PASSWORD})
    assert r.status_code == 401

    buyer = api.register()
    r = api.server.cli("import", "fakestore", SAMPLE, "--seller", buyer["user"]["email"], check=False)
    assert r.returncode != 0 and "not a seller" in r.stderr
    r = api.server.cli("import", "fakestore", SAMPLE, "--seller", "nobody@example.test", check=False)
    assert r.returncode != 0 and "nobody@example.test" in r.stderr


@pytest.mark.parametrize("item,needle", [
    ({"id": 77, "title": "Brass Desk Lamp", "price": 1.005}, "more than 2 decimal places"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": 19.999}, "more than 2 decimal places"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": 1.0000001}, "more than 2 decimal places"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": -5}, "negative"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": 1e12}, "largest price"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": "12.50"}, "price"),
    ({"id": 77, "title": "Brass Desk Lamp"}, "price"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": 12.5, "image": "javascript:alert(1)"}, "imageUrl"),
    ({"id": 77, "title": "Brass Desk Lamp", "price": 12.5, "rating": {"rate": 9, "count": 3}}, "rating"),
])
def test_cli_import_refuses_a_bad_item_and_writes_nothing(server, tmp_path, item, needle):
    api = Api(server)
    good = {"id": 76, "title": "Oak Bookshelf", "price": 89.5, "description": "", "category": "home",
            "image": "https://example.com/shelf.jpg", "rating": {"rate": 4, "count": 2}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([good, item]))
    r = server.cli("import", "fakestore", str(path), check=False)
    assert r.returncode != 0
    assert needle in r.stderr
    if "title" in item:
        assert "item 2 (id 77, \"Brass Desk Lamp\")" in r.stderr
    # The good item before it was not imported either.
    assert api.get("/api/products", params={"q": "Oak Bookshelf"}).json()["total"] == 0


@pytest.mark.parametrize("content,needle", [
    ("{\"id\": 1}", "JSON array"),
    ("[1, 2", "malformed JSON"),
    ("[42]", "item 1"),
    ("[{\"title\": \"No Id\", \"price\": 1}]", "id"),
])
def test_cli_import_refuses_malformed_files(server, tmp_path, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content)
    r = server.cli("import", "fakestore", str(path), check=False)
    assert r.returncode != 0 and needle in r.stderr


def test_cli_import_usage_and_missing_files(server, tmp_path):
    for args in ((), ("--seller",), ("a.json", "b.json"), ("a.json", "--stock", "-1"), ("a.json", "--stock", "x")):
        r = server.cli("import", "fakestore", *args, check=False)
        assert r.returncode == 2 and "usage" in r.stderr, args
    r = server.cli("import", "fakestore", str(tmp_path / "missing.json"), check=False)
    assert r.returncode != 0 and "missing.json" in r.stderr
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(17 * 1024 * 1024)
    r = server.cli("import", "fakestore", str(big), check=False)
    assert r.returncode != 0 and "larger than 16 MiB" in r.stderr
