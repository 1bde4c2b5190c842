"""Catalog: products, roles, validation, sales, listing/search/sort, the read
cache (ETag, invalidation on writes and across nodes) and output escaping.

Every test creates its own products under a fresh category (or with fresh
words in their names) and filters lists by it, because one server and one
database per backend serve the whole session."""
import json
import time
import uuid

import pytest

from conftest import Api, Server, assert_problem, wait_for

PRODUCT_KEYS = {"id", "name", "description", "price", "effectivePrice", "currency", "onSale", "saleStart",
                "saleEnd", "salePercentage", "salePrice", "imageUrl", "category", "stock", "inStock",
                "sellerId", "sellerName", "rating", "createdAt", "updatedAt"}
UNKNOWN_ID = 10 ** 15
HOUR = 3600


# --- helpers -----------------------------------------------------------------

def word(prefix=""):
    """A fresh lowercase word of letters only (search tokenizers keep it whole)."""
    return prefix + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])


def new_category():
    return word("cat")


def rfc3339(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def make_product(api, token, **fields):
    body = {"name": "Widget " + word(), "price": 1000}
    body.update(fields)
    r = api.post("/api/products", token=token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def get_product(api, pid):
    r = api.get("/api/products/%d" % pid)
    assert r.status_code == 200, r.text
    return r.json()


def list_products(api, **params):
    r = api.get("/api/products", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ids_of(listing):
    return [p["id"] for p in listing["items"]]


def schedule_sale(api, token, pid, start, end, pct):
    return api.post("/api/products/%d/sale" % pid, token=token,
                    json={"saleStart": rfc3339(start), "saleEnd": rfc3339(end), "salePercentage": pct})


def sale_price(price, pct):
    return (price * (100 - pct) + 50) // 100


def error_fields(problem):
    return [e["field"] for e in problem.get("errors", [])]


def post_raw(api, token, data):
    return api.post("/api/products", token=token, data=data, headers={"Content-Type": "application/json"})


@pytest.fixture
def seller(api):
    return api.register(role="seller", name="Seller " + word())


@pytest.fixture
def admin(api):
    return api.create_account("admin")


# --- 1. roles ----------------------------------------------------------------

def test_guest_and_buyer_cannot_create(api):
    body = {"name": "Nope", "price": 100}
    assert_problem(api.post("/api/products", json=body), 401, "unauthenticated")
    buyer = api.register()
    assert_problem(api.post("/api/products", token=buyer["token"], json=body), 403, "forbidden")


def test_seller_creates_own_product_with_full_shape(api, seller):
    cat = new_category()
    r = api.post("/api/products", token=seller["token"], json={
        "name": "Desk Lamp", "description": "Warm light", "price": 4999, "currency": "USD",
        "imageUrl": "https://cdn.example.test/lamp.png", "category": cat, "stock": 7})
    assert r.status_code == 201, r.text
    p = r.json()
    assert set(p) == PRODUCT_KEYS
    assert isinstance(p["id"], int) and p["id"] > 0
    assert p["name"] == "Desk Lamp" and p["description"] == "Warm light" and p["category"] == cat
    assert p["price"] == 4999 and p["effectivePrice"] == 4999 and p["currency"] == "USD"
    assert p["onSale"] is False and p["saleStart"] is None and p["saleEnd"] is None
    assert p["salePercentage"] is None and p["salePrice"] is None
    assert p["imageUrl"] == "https://cdn.example.test/lamp.png"
    assert p["stock"] == 7 and p["inStock"] is True
    assert p["sellerId"] == seller["user"]["id"] and p["sellerName"] == seller["user"]["name"]
    assert p["rating"] == {"average": 0, "count": 0}
    assert p["createdAt"].endswith("Z") and p["updatedAt"].endswith("Z")
    # The detail and the list serve the same representation.
    assert get_product(api, p["id"]) == p
    assert list_products(api, category=cat)["items"] == [p]


def test_create_defaults(api, seller):
    p = make_product(api, seller["token"], name="Plain", price=250)
    assert p["description"] == "" and p["category"] == "" and p["currency"] == "INR"
    assert p["imageUrl"] is None and p["stock"] == 0 and p["inStock"] is False


def test_admin_creates_for_a_seller(api, seller, admin):
    p = make_product(api, admin["token"], sellerId=seller["user"]["id"])
    assert p["sellerId"] == seller["user"]["id"] and p["sellerName"] == seller["user"]["name"]
    # The seller owns it now: they may change it.
    r = api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"price": 1234})
    assert r.status_code == 200 and r.json()["price"] == 1234
    # Without sellerId the admin is the seller.
    own = make_product(api, admin["token"])
    assert own["sellerId"] == admin["user"]["id"]


def test_admin_seller_id_must_name_a_seller(api, admin):
    buyer = api.register()
    for seller_id in (buyer["user"]["id"], UNKNOWN_ID, 0, -3, "7"):
        r = api.post("/api/products", token=admin["token"], json={"name": "X", "price": 1, "sellerId": seller_id})
        assert "sellerId" in error_fields(assert_problem(r, 400, "validation_failed")), seller_id


def test_seller_cannot_send_seller_id(api, seller):
    other = api.register(role="seller")
    for seller_id in (other["user"]["id"], seller["user"]["id"]):
        r = api.post("/api/products", token=seller["token"], json={"name": "X", "price": 1, "sellerId": seller_id})
        assert "sellerId" in error_fields(assert_problem(r, 400))


def test_seller_id_cannot_change_on_update(api, seller, admin):
    p = make_product(api, seller["token"])
    other = api.register(role="seller")
    path = "/api/products/%d" % p["id"]
    for token in (seller["token"], admin["token"]):
        r = api.patch(path, token=token, json={"sellerId": other["user"]["id"]})
        assert "sellerId" in error_fields(assert_problem(r, 400))
        r = api.put(path, token=token, json={"name": "X", "price": 1, "sellerId": other["user"]["id"]})
        assert "sellerId" in error_fields(assert_problem(r, 400))
    assert get_product(api, p["id"])["sellerId"] == seller["user"]["id"]


def test_other_seller_cannot_change_a_product(api, seller):
    p = make_product(api, seller["token"], price=500, category=new_category())
    intruder = api.register(role="seller")["token"]
    buyer = api.register()["token"]
    path = "/api/products/%d" % p["id"]
    now = time.time()
    attempts = [
        lambda t: api.put(path, token=t, json={"name": "Hijacked", "price": 1}),
        lambda t: api.patch(path, token=t, json={"price": 1}),
        lambda t: api.delete(path, token=t),
        lambda t: schedule_sale(api, t, p["id"], now - HOUR, now + HOUR, 90),
    ]
    for attempt in attempts:
        assert_problem(attempt(intruder), 403, "not_owner")
        assert_problem(attempt(buyer), 403, "forbidden")
        assert_problem(attempt(None), 401, "unauthenticated")
    # Nothing changed.
    assert get_product(api, p["id"]) == p


def test_admin_can_change_any_product(api, seller, admin):
    p = make_product(api, seller["token"], price=500)
    path = "/api/products/%d" % p["id"]
    t = admin["token"]
    r = api.put(path, token=t, json={"name": "Renamed by admin", "price": 600})
    assert r.status_code == 200 and r.json()["name"] == "Renamed by admin" and r.json()["price"] == 600
    assert r.json()["sellerId"] == seller["user"]["id"]
    r = api.patch(path, token=t, json={"stock": 3})
    assert r.status_code == 200 and r.json()["stock"] == 3 and r.json()["price"] == 600
    now = time.time()
    r = schedule_sale(api, t, p["id"], now - HOUR, now + HOUR, 50)
    assert r.status_code == 200 and r.json()["effectivePrice"] == 300
    assert api.delete(path, token=t).status_code == 204
    assert_problem(api.get(path), 404, "product_not_found")


# --- 2. validation -----------------------------------------------------------

def test_create_validation(api, seller):
    t = seller["token"]
    ok = {"name": "Valid", "price": 100}
    cases = [
        ({"price": 100}, "name"),
        ({"name": "No price"}, "price"),
        ({**ok, "price": -1}, "price"),
        ({**ok, "price": 49.99}, "price"),
        ({**ok, "price": 50.0}, "price"),
        ({**ok, "price": "100"}, "price"),
        ({**ok, "price": True}, "price"),
        ({**ok, "price": 10 ** 11 + 1}, "price"),
        ({**ok, "currency": "inr"}, "currency"),
        ({**ok, "currency": "RUPEE"}, "currency"),
        ({**ok, "currency": "IN"}, "currency"),
        ({**ok, "currency": "I1R"}, "currency"),
        ({**ok, "currency": 356}, "currency"),
        ({**ok, "imageUrl": "javascript:alert(1)"}, "imageUrl"),
        ({**ok, "imageUrl": "ftp://files.example.test/a.png"}, "imageUrl"),
        ({**ok, "imageUrl": "data:image/png;base64,AAAA"}, "imageUrl"),
        ({**ok, "imageUrl": "https://"}, "imageUrl"),
        ({**ok, "imageUrl": "https://cdn.example.test/a b.png"}, "imageUrl"),
        ({**ok, "imageUrl": 5}, "imageUrl"),
        ({**ok, "name": "x" * 201}, "name"),
        ({**ok, "name": ""}, "name"),
        ({**ok, "name": "   "}, "name"),
        ({**ok, "name": "two\nlines"}, "name"),
        ({**ok, "name": 42}, "name"),
        ({**ok, "name": ["Valid"]}, "name"),
        ({"title": "x" * 201, "price": 100}, "title"),
        ({**ok, "description": 5}, "description"),
        ({**ok, "description": "x" * 5001}, "description"),
        ({**ok, "category": {"a": 1}}, "category"),
        ({**ok, "category": "x" * 65}, "category"),
        ({**ok, "stock": -1}, "stock"),
        ({**ok, "stock": 10 ** 9 + 1}, "stock"),
        ({**ok, "stock": 1.5}, "stock"),
        ({**ok, "stock": "5"}, "stock"),
        ({"name": "Valid", "price": 100, "quantity": 10 ** 9 + 1}, "quantity"),
    ]
    for body, field in cases:
        problem = assert_problem(api.post("/api/products", token=t, json=body), 400, "validation_failed")
        assert field in error_fields(problem), (body, problem)


def test_create_limits_are_inclusive(api, seller):
    p = make_product(api, seller["token"], name="é" * 200, price=10 ** 11, stock=10 ** 9)
    assert p["name"] == "é" * 200 and p["price"] == 10 ** 11 and p["stock"] == 10 ** 9
    p = make_product(api, seller["token"], price=0, imageUrl="http://img.example.test/x.png")
    assert p["price"] == 0 and p["imageUrl"] == "http://img.example.test/x.png"


def test_unknown_and_forbidden_fields_are_400(api, seller):
    t = seller["token"]
    for extra in ({"id": 5}, {"color": "red"}, {"effectivePrice": 1}, {"onSale": True}, {"createdAt": "x"},
                  {"salePercentage": 50}, {"rating": 5}):
        problem = assert_problem(api.post("/api/products", token=t, json={"name": "X", "price": 1, **extra}),
                                 400, "field_not_allowed")
        assert problem["errors"][0]["field"] == list(extra)[0]
    p = make_product(api, t)
    r = api.patch("/api/products/%d" % p["id"], token=t, json={"price": 2, "deletedAt": None})
    assert assert_problem(r, 400, "field_not_allowed")["errors"][0]["field"] == "deletedAt"
    assert get_product(api, p["id"])["price"] == p["price"]


def test_malformed_json_is_400(api, seller):
    for body in (b"{", b'{"name": "x", "price": 1', b"not json", b"", b"[1, 2]", b'"str"',
                 b'{"name": "a", "name": "b", "price": 1}'):
        assert_problem(post_raw(api, seller["token"], body), 400, "invalid_json")


def test_bad_and_unknown_ids_are_404(api, seller):
    t = seller["token"]
    for pid in ("abc", "0", "-1", "1.5", "1e3", "%20", "9" * 19):
        path = "/api/products/" + pid
        assert_problem(api.get(path), 404)
        assert_problem(api.patch(path, token=t, json={"price": 1}), 404)
        assert_problem(api.put(path, token=t, json={"name": "x", "price": 1}), 404)
        assert_problem(api.delete(path, token=t), 404)
        assert_problem(api.post(path + "/sale", token=t, json={}), 404)
    path = "/api/products/%d" % UNKNOWN_ID
    now = time.time()
    assert_problem(api.get(path), 404, "product_not_found")
    assert_problem(api.patch(path, token=t, json={"price": 1}), 404, "product_not_found")
    assert_problem(api.put(path, token=t, json={"name": "x", "price": 1}), 404, "product_not_found")
    assert_problem(api.delete(path, token=t), 404, "product_not_found")
    assert_problem(schedule_sale(api, t, UNKNOWN_ID, now, now + HOUR, 10), 404, "product_not_found")


# --- 3. update and delete -----------------------------------------------------

def test_put_replaces_the_whole_product(api, seller):
    cat = new_category()
    p = make_product(api, seller["token"], name="Original", description="Long text", category=cat,
                     currency="EUR", imageUrl="https://cdn.example.test/o.png", price=900, stock=4)
    r = api.put("/api/products/%d" % p["id"], token=seller["token"], json={"name": "Replaced", "price": 700})
    assert r.status_code == 200, r.text
    q = r.json()
    assert q["name"] == "Replaced" and q["price"] == 700 and q["effectivePrice"] == 700
    # Omitted fields are back to their defaults.
    assert q["description"] == "" and q["category"] == "" and q["currency"] == "INR" and q["imageUrl"] is None
    assert q["id"] == p["id"] and q["createdAt"] == p["createdAt"] and q["sellerId"] == p["sellerId"]
    assert get_product(api, p["id"]) == q
    assert list_products(api, category=cat)["total"] == 0


def test_put_requires_name_and_price(api, seller):
    p = make_product(api, seller["token"])
    path = "/api/products/%d" % p["id"]
    assert "name" in error_fields(assert_problem(api.put(path, token=seller["token"], json={"price": 5}), 400))
    assert "price" in error_fields(assert_problem(api.put(path, token=seller["token"], json={"name": "N"}), 400))
    assert get_product(api, p["id"]) == p


def test_patch_changes_only_given_fields(api, seller):
    cat = new_category()
    p = make_product(api, seller["token"], name="Before", description="Kept", category=cat, currency="EUR",
                     imageUrl="https://cdn.example.test/k.png", price=900, stock=4)
    path = "/api/products/%d" % p["id"]
    r = api.patch(path, token=seller["token"], json={"price": 950})
    assert r.status_code == 200, r.text
    q = r.json()
    assert q["price"] == 950 and q["effectivePrice"] == 950
    for k in ("name", "description", "category", "currency", "imageUrl", "stock", "sellerId", "createdAt"):
        assert q[k] == p[k], k
    assert q["updatedAt"] >= p["updatedAt"]
    # An explicit null clears the image; the rest stays.
    r = api.patch(path, token=seller["token"], json={"imageUrl": None})
    assert r.status_code == 200 and r.json()["imageUrl"] is None and r.json()["description"] == "Kept"
    # Validation applies to PATCH as well, and a refused PATCH changes nothing.
    for body, field in (({"price": -5}, "price"), ({"price": 1.5}, "price"), ({"name": ""}, "name"),
                        ({"currency": "usd"}, "currency"), ({"imageUrl": "javascript:x"}, "imageUrl"),
                        ({"stock": 10 ** 9 + 1}, "stock")):
        assert field in error_fields(assert_problem(api.patch(path, token=seller["token"], json=body), 400))
    assert get_product(api, p["id"])["price"] == 950


def test_title_and_quantity_aliases(api, seller):
    t = seller["token"]
    r = api.post("/api/products", token=t, json={"title": "Aliased", "price": 300, "quantity": 12})
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["name"] == "Aliased" and p["stock"] == 12 and "title" not in p and "quantity" not in p
    path = "/api/products/%d" % p["id"]
    r = api.patch(path, token=t, json={"title": "Patched", "quantity": 3})
    assert r.status_code == 200 and r.json()["name"] == "Patched" and r.json()["stock"] == 3
    r = api.put(path, token=t, json={"title": "Put", "price": 1, "quantity": 0})
    assert r.status_code == 200 and r.json()["name"] == "Put" and r.json()["stock"] == 0
    assert r.json()["inStock"] is False


def test_delete_is_204_then_gone(api, seller):
    cat = new_category()
    keep = make_product(api, seller["token"], category=cat)
    gone = make_product(api, seller["token"], category=cat)
    path = "/api/products/%d" % gone["id"]
    assert sorted(ids_of(list_products(api, category=cat))) == sorted([keep["id"], gone["id"]])
    r = api.delete(path, token=seller["token"])
    assert r.status_code == 204 and r.content == b""
    assert_problem(api.get(path), 404, "product_not_found")
    listing = list_products(api, category=cat)
    assert ids_of(listing) == [keep["id"]] and listing["total"] == 1
    assert_problem(api.delete(path, token=seller["token"]), 404, "product_not_found")
    assert_problem(api.patch(path, token=seller["token"], json={"price": 1}), 404, "product_not_found")
    now = time.time()
    assert_problem(schedule_sale(api, seller["token"], gone["id"], now, now + HOUR, 10), 404)


# --- 4. sales -----------------------------------------------------------------

def test_sale_in_the_past_or_future_is_not_on_sale(api, seller):
    now = time.time()
    for start, end in ((now - 2 * HOUR, now - HOUR), (now + HOUR, now + 2 * HOUR)):
        p = make_product(api, seller["token"], price=999)
        r = schedule_sale(api, seller["token"], p["id"], start, end, 33)
        assert r.status_code == 200, r.text
        for q in (r.json(), get_product(api, p["id"])):
            assert q["onSale"] is False and q["effectivePrice"] == 999 and q["price"] == 999
            assert q["saleStart"] == rfc3339(start) and q["saleEnd"] == rfc3339(end)
            assert q["salePercentage"] == 33 and q["salePrice"] == 669


def test_current_sale_rounds_to_the_minor_unit(api, seller):
    now = time.time()
    for price, pct, expected in ((999, 33, 669), (1000, 90, 100), (1, 50, 1), (3, 50, 2), (5, 10, 5),
                                 (12345, 1, 12222), (250, 15, 213)):
        assert sale_price(price, pct) == expected
        p = make_product(api, seller["token"], price=price)
        r = schedule_sale(api, seller["token"], p["id"], now - HOUR, now + HOUR, pct)
        assert r.status_code == 200, r.text
        for q in (r.json(), get_product(api, p["id"])):
            assert q["onSale"] is True and q["price"] == price, q
            assert q["effectivePrice"] == expected and q["salePrice"] == expected, (price, pct, q)


def test_sale_times_accept_offsets_and_come_back_in_utc(api, seller):
    p = make_product(api, seller["token"])
    r = api.post("/api/products/%d/sale" % p["id"], token=seller["token"], json={
        "saleStart": "2020-01-01T05:30:00+05:30", "saleEnd": "2020-01-02T00:00:00.250Z", "salePercentage": 10})
    assert r.status_code == 200, r.text
    assert r.json()["saleStart"] == "2020-01-01T00:00:00Z" and r.json()["saleEnd"] == "2020-01-02T00:00:00Z"


def test_sale_validation(api, seller):
    p = make_product(api, seller["token"], price=999)
    path = "/api/products/%d/sale" % p["id"]
    t = seller["token"]
    now = time.time()
    good = {"saleStart": rfc3339(now - HOUR), "saleEnd": rfc3339(now + HOUR), "salePercentage": 20}
    cases = [
        ({**good, "saleEnd": good["saleStart"]}, "saleEnd"),
        ({**good, "saleEnd": rfc3339(now - 2 * HOUR)}, "saleEnd"),
        ({**good, "salePercentage": 0}, "salePercentage"),
        ({**good, "salePercentage": 91}, "salePercentage"),
        ({**good, "salePercentage": -10}, "salePercentage"),
        ({**good, "salePercentage": 12.5}, "salePercentage"),
        ({**good, "salePercentage": "20"}, "salePercentage"),
        ({**good, "saleStart": "yesterday"}, "saleStart"),
        ({**good, "saleStart": "2026-13-01T00:00:00Z"}, "saleStart"),
        ({**good, "saleStart": "2026-02-30T00:00:00Z"}, "saleStart"),
        ({**good, "saleEnd": "2026-11-22T10:00:00"}, "saleEnd"),
        ({**good, "saleEnd": "2026-11-22T25:00:00Z"}, "saleEnd"),
        ({**good, "saleEnd": int(now + HOUR)}, "saleEnd"),
        ({k: v for k, v in good.items() if k != "saleStart"}, "saleStart"),
        ({k: v for k, v in good.items() if k != "saleEnd"}, "saleEnd"),
        ({k: v for k, v in good.items() if k != "salePercentage"}, "salePercentage"),
    ]
    for body, field in cases:
        problem = assert_problem(api.post(path, token=t, json=body), 400, "validation_failed")
        assert field in error_fields(problem), (body, problem)
    assert_problem(api.post(path, token=t, json={**good, "price": 1}), 400, "field_not_allowed")
    assert_problem(api.post(path, token=t, data=b"{", headers={"Content-Type": "application/json"}),
                   400, "invalid_json")
    # None of it scheduled anything.
    q = get_product(api, p["id"])
    assert q["salePercentage"] is None and q["onSale"] is False and q["effectivePrice"] == 999
    # The boundaries 1 and 90 are accepted.
    for pct in (1, 90):
        r = api.post(path, token=t, json={**good, "salePercentage": pct})
        assert r.status_code == 200 and r.json()["effectivePrice"] == sale_price(999, pct)


def test_new_sale_replaces_the_old_one(api, seller):
    p = make_product(api, seller["token"], price=2000)
    now = time.time()
    assert schedule_sale(api, seller["token"], p["id"], now - HOUR, now + HOUR, 50).json()["effectivePrice"] == 1000
    r = schedule_sale(api, seller["token"], p["id"], now + HOUR, now + 2 * HOUR, 10)
    assert r.status_code == 200 and r.json()["onSale"] is False and r.json()["effectivePrice"] == 2000
    assert get_product(api, p["id"])["salePercentage"] == 10


def test_price_change_during_a_sale_recomputes_the_sale_price(api, seller):
    p = make_product(api, seller["token"], price=1000)
    now = time.time()
    schedule_sale(api, seller["token"], p["id"], now - HOUR, now + HOUR, 25)
    r = api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"price": 2001})
    assert r.status_code == 200
    for q in (r.json(), get_product(api, p["id"])):
        assert q["onSale"] is True and q["effectivePrice"] == sale_price(2001, 25) == 1501


# --- 5. listing ---------------------------------------------------------------

def test_list_shape_default_limit_and_pagination(api, seller):
    cat = new_category()
    made = [make_product(api, seller["token"], category=cat, price=100 + i) for i in range(21)]
    by_price = [p["id"] for p in made]

    listing = list_products(api, category=cat, sort="price")
    assert set(listing) == {"items", "total", "limit", "offset"}
    assert listing["total"] == 21 and listing["limit"] == 20 and listing["offset"] == 0
    assert ids_of(listing) == by_price[:20]
    assert all(set(p) == PRODUCT_KEYS for p in listing["items"])

    listing = list_products(api, category=cat, sort="price", offset=20)
    assert ids_of(listing) == by_price[20:] and listing["total"] == 21 and listing["offset"] == 20

    listing = list_products(api, category=cat, sort="price", limit=5, offset=5)
    assert ids_of(listing) == by_price[5:10] and listing["limit"] == 5 and listing["total"] == 21

    listing = list_products(api, category=cat, sort="price", limit=100)
    assert ids_of(listing) == by_price and listing["limit"] == 100

    for offset in (21, 500):
        listing = list_products(api, category=cat, offset=offset)
        assert listing["items"] == [] and listing["total"] == 21 and listing["offset"] == offset

    listing = list_products(api, category=new_category())
    assert listing == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_list_bad_parameters_are_400(api):
    cases = [
        ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "abc"}, "limit"), ({"limit": ""}, "limit"),
        ({"limit": "5x"}, "limit"), ({"offset": -1}, "offset"), ({"offset": "x"}, "offset"),
        ({"sort": "cheapest"}, "sort"), ({"sort": "PRICE"}, "sort"), ({"sort": ""}, "sort"),
        ({"minPrice": 500, "maxPrice": 100}, "minPrice"), ({"minPrice": -1}, "minPrice"),
        ({"maxPrice": "ten"}, "maxPrice"), ({"minPrice": 1.5}, "minPrice"),
        ({"onSale": "yes"}, "onSale"), ({"discount": "maybe"}, "discount"),
        ({"seller": "abc"}, "seller"), ({"seller": 0}, "seller"),
        ({"q": "x" * 257}, "q"), ({"category": "x" * 65}, "category"),
    ]
    for params, field in cases:
        problem = assert_problem(api.get("/api/products", params=params), 400, "validation_failed")
        assert field in error_fields(problem), (params, problem)


def test_filter_by_category_and_seller(api, seller):
    cat_a, cat_b = new_category(), new_category()
    other = api.register(role="seller")
    a1 = make_product(api, seller["token"], category=cat_a)
    a2 = make_product(api, other["token"], category=cat_a)
    b1 = make_product(api, seller["token"], category=cat_b)
    assert ids_of(list_products(api, category=cat_a, sort="price")) == [a1["id"], a2["id"]]
    assert ids_of(list_products(api, category=cat_b)) == [b1["id"]]
    assert ids_of(list_products(api, seller=other["user"]["id"])) == [a2["id"]]
    listing = list_products(api, seller=seller["user"]["id"], sort="newest")
    assert ids_of(listing) == [b1["id"], a1["id"]] and listing["total"] == 2
    assert ids_of(list_products(api, seller=seller["user"]["id"], category=cat_a)) == [a1["id"]]
    assert ids_of(list_products(api, seller=other["user"]["id"], category=cat_b)) == []
    assert ids_of(list_products(api, seller=UNKNOWN_ID)) == []


def test_price_filters_use_the_effective_price(api, seller):
    cat = new_category()
    now = time.time()
    cheap = make_product(api, seller["token"], category=cat, price=1000)
    sale = make_product(api, seller["token"], category=cat, price=2000)
    dear = make_product(api, seller["token"], category=cat, price=3000)
    future = make_product(api, seller["token"], category=cat, price=4000)
    assert schedule_sale(api, seller["token"], sale["id"], now - HOUR, now + HOUR, 50).json()["effectivePrice"] == 1000
    schedule_sale(api, seller["token"], future["id"], now + HOUR, now + 2 * HOUR, 75)

    def ids(**params):
        return ids_of(list_products(api, category=cat, sort="price", **params))

    assert ids(minPrice=900, maxPrice=1100) == [cheap["id"], sale["id"]]
    assert ids(minPrice=1000, maxPrice=1000) == [cheap["id"], sale["id"]]
    assert ids(minPrice=1001) == [dear["id"], future["id"]]
    assert ids(minPrice=1500, maxPrice=2500) == []          # the sale item's list price does not count
    assert ids(maxPrice=999) == []
    assert ids(minPrice=3000, maxPrice=4000) == [dear["id"], future["id"]]  # a future sale does not count
    assert ids(maxPrice=3000) == [cheap["id"], sale["id"], dear["id"]]
    assert ids(minPrice=0) == [cheap["id"], sale["id"], dear["id"], future["id"]]


def test_on_sale_filter_and_discount_alias(api, seller):
    cat = new_category()
    now = time.time()
    plain = make_product(api, seller["token"], category=cat, price=100)
    current = make_product(api, seller["token"], category=cat, price=200)
    past = make_product(api, seller["token"], category=cat, price=300)
    future = make_product(api, seller["token"], category=cat, price=400)
    schedule_sale(api, seller["token"], current["id"], now - HOUR, now + HOUR, 10)
    schedule_sale(api, seller["token"], past["id"], now - 2 * HOUR, now - HOUR, 10)
    schedule_sale(api, seller["token"], future["id"], now + HOUR, now + 2 * HOUR, 10)
    everything = [plain["id"], current["id"], past["id"], future["id"]]
    for params in ({"onSale": "true"}, {"onSale": "1"}, {"discount": "true"}):
        listing = list_products(api, category=cat, sort="price", **params)
        assert ids_of(listing) == [current["id"]] and listing["total"] == 1, params
        assert listing["items"][0]["onSale"] is True and listing["items"][0]["effectivePrice"] == 180
    for params in ({"onSale": "false"}, {"discount": "false"}, {}):
        assert ids_of(list_products(api, category=cat, sort="price", **params)) == everything, params
    assert ids_of(list_products(api, category=cat, onSale="true", maxPrice=179)) == []
    assert ids_of(list_products(api, category=cat, onSale="true", maxPrice=180)) == [current["id"]]


@pytest.fixture
def searchable(api, seller):
    """Three products in a fresh category, with known words in each field."""
    cat = new_category()
    t = seller["token"]
    return {
        "cat": cat,
        "laptop": make_product(api, t, category=cat, price=300, name="Gaming Laptop",
                               description="Backlit keyboard and fast fans"),
        "mouse": make_product(api, t, category=cat, price=100, name="Wireless Mouse",
                              description="Pairs with any laptop or tablet"),
        "lamp": make_product(api, t, category=cat, price=200, name="Desk Lamp", description="Warm light"),
    }


def test_search_words_in_name_description_and_category(api, searchable):
    s = searchable
    cat = s["cat"]

    def q(text, sort="price", **params):
        return ids_of(list_products(api, category=cat, q=text, sort=sort, **params))

    assert q("lamp") == [s["lamp"]["id"]]                          # name
    assert q("keyboard") == [s["laptop"]["id"]]                    # description
    assert q("laptop") == [s["mouse"]["id"], s["laptop"]["id"]]    # name and description
    assert q("lapt") == [s["mouse"]["id"], s["laptop"]["id"]]      # prefix
    assert q("LAPTOP") == [s["mouse"]["id"], s["laptop"]["id"]]    # case-insensitive
    assert q("LaMp") == [s["lamp"]["id"]]
    assert q("laptop wireless") == [s["mouse"]["id"]]              # all words must match
    assert q("wireless laptop") == [s["mouse"]["id"]]
    assert q("laptop lamp") == []
    assert q("gaming, laptop!") == [s["laptop"]["id"]]             # punctuation is ignored
    assert q("nosuchwordanywhere") == []
    assert q("laptop", sort="-price") == [s["laptop"]["id"], s["mouse"]["id"]]
    assert q("laptop", maxPrice=150) == [s["mouse"]["id"]]
    listing = list_products(api, category=cat, q="light")
    assert ids_of(listing) == [s["lamp"]["id"]] and listing["total"] == 1
    # The category word itself is searchable, without the category filter too.
    everything = [s["mouse"]["id"], s["lamp"]["id"], s["laptop"]["id"]]
    assert ids_of(list_products(api, q=cat, sort="price")) == everything
    assert ids_of(list_products(api, q=cat[:-3].upper(), sort="price")) == everything
    assert ids_of(list_products(api, q=cat + " desk", sort="price")) == [s["lamp"]["id"]]


def test_search_folds_case_beyond_ascii(api, seller):
    cat = new_category()
    cafe = make_product(api, seller["token"], category=cat, name="Café Latte")
    eclair = make_product(api, seller["token"], category=cat, name="ÉCLAIR box")
    for text, expected in (("café", [cafe]), ("CAFÉ", [cafe]), ("éclair", [eclair]), ("écl", [eclair]),
                           ("Latte", [cafe])):
        assert ids_of(list_products(api, category=cat, q=text)) == [p["id"] for p in expected], text


def test_search_ignores_query_syntax(api, searchable):
    s = searchable
    for text in ('"laptop"', "laptop*", "laptop OR lamp", "laptop AND", "NEAR(laptop lamp)", "laptop:*",
                 "laptop & !mouse", "lap'top", "laptop -mouse", "(laptop)"):
        r = api.get("/api/products", params={"category": s["cat"], "q": text})
        assert r.status_code == 200, (text, r.text)
    # Only letters and digits matter: these all mean "laptop".
    for text in ('"laptop"', "laptop*", "(laptop)", "laptop:*"):
        got = sorted(ids_of(list_products(api, category=s["cat"], q=text)))
        assert got == sorted([s["mouse"]["id"], s["laptop"]["id"]]), text
    # A query without any word is no search at all.
    assert len(ids_of(list_products(api, category=s["cat"], q="!!!"))) == 3


def test_search_follows_renames_and_deletes(api, seller):
    old, new = word(), word()
    p = make_product(api, seller["token"], name="Item " + old)
    assert ids_of(list_products(api, q=old)) == [p["id"]]
    api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"name": "Item " + new})
    assert ids_of(list_products(api, q=old)) == []
    assert ids_of(list_products(api, q=new)) == [p["id"]]
    api.delete("/api/products/%d" % p["id"], token=seller["token"])
    assert list_products(api, q=new) == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_sort_orders(api, seller):
    cat = new_category()
    t = seller["token"]
    now = time.time()
    a = make_product(api, t, category=cat, name="cherry", price=300)
    b = make_product(api, t, category=cat, name="Apple", price=100)
    c = make_product(api, t, category=cat, name="banana", price=200)
    d = make_product(api, t, category=cat, name="date", price=500)
    # 80% off 500 is 100: ties b on effective price; ties break on id.
    assert schedule_sale(api, t, d["id"], now - HOUR, now + HOUR, 80).json()["effectivePrice"] == 100

    def order(sort, **params):
        return ids_of(list_products(api, category=cat, sort=sort, **params))

    assert order("price") == [b["id"], d["id"], c["id"], a["id"]]
    assert order("-price") == [a["id"], c["id"], b["id"], d["id"]]
    assert order("name") == [b["id"], c["id"], a["id"], d["id"]]
    assert order("newest") == [d["id"], c["id"], b["id"], a["id"]]
    assert ids_of(list_products(api, category=cat)) == order("newest")   # the default
    assert order("rating") == [a["id"], b["id"], c["id"], d["id"]]       # no ratings yet: by id
    assert order("price", limit=2, offset=1) == [d["id"], c["id"]]
    assert order("-price", onSale="true") == [d["id"]]


# --- 6. cache -------------------------------------------------------------------

def test_price_update_is_visible_at_once(api, seller):
    cat = new_category()
    p = make_product(api, seller["token"], category=cat, price=1000)
    path = "/api/products/%d" % p["id"]
    # Prime both caches, twice, so the second answer surely came from the cache.
    for _ in range(2):
        assert get_product(api, p["id"])["price"] == 1000
        assert list_products(api, category=cat)["items"][0]["price"] == 1000
    assert api.patch(path, token=seller["token"], json={"price": 1500}).status_code == 200
    assert get_product(api, p["id"])["price"] == 1500
    listing = list_products(api, category=cat)
    assert listing["items"][0]["price"] == 1500 and listing["items"][0]["effectivePrice"] == 1500
    # A filter that matched the old price no longer does, and one for the new price does.
    assert list_products(api, category=cat, maxPrice=1000)["total"] == 0
    assert list_products(api, category=cat, minPrice=1500)["total"] == 1


def test_create_and_delete_are_visible_at_once(api, seller):
    cat = new_category()
    first = make_product(api, seller["token"], category=cat)
    assert ids_of(list_products(api, category=cat)) == [first["id"]]
    second = make_product(api, seller["token"], category=cat)
    assert ids_of(list_products(api, category=cat, sort="price")) == [first["id"], second["id"]]
    get_product(api, first["id"])
    assert api.delete("/api/products/%d" % first["id"], token=seller["token"]).status_code == 204
    listing = list_products(api, category=cat, sort="price")
    assert ids_of(listing) == [second["id"]] and listing["total"] == 1
    assert_problem(api.get("/api/products/%d" % first["id"]), 404, "product_not_found")


@pytest.mark.parametrize("kind", ["list", "detail"])
def test_etag_and_if_none_match(api, seller, kind):
    cat = new_category()
    p = make_product(api, seller["token"], category=cat, price=1000)
    if kind == "list":
        path, params = "/api/products", {"category": cat}
    else:
        path, params = "/api/products/%d" % p["id"], {}

    r = api.get(path, params=params)
    assert r.status_code == 200
    etag = r.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert r.headers["Content-Type"].startswith("application/json")
    # Same bytes, same tag.
    r2 = api.get(path, params=params)
    assert r2.headers["ETag"] == etag and r2.content == r.content

    for inm in (etag, '"other", ' + etag, "*"):
        r304 = api.get(path, params=params, headers={"If-None-Match": inm})
        assert r304.status_code == 304, inm
        assert r304.content == b""
        assert r304.headers["ETag"] == etag
    r = api.get(path, params=params, headers={"If-None-Match": '"not-the-tag"'})
    assert r.status_code == 200 and r.headers["ETag"] == etag

    assert api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"price": 1001}).status_code == 200
    r = api.get(path, params=params, headers={"If-None-Match": etag})
    assert r.status_code == 200, "a stale ETag must not get a 304"
    new_etag = r.headers["ETag"]
    assert new_etag != etag
    body = r.json()
    assert (body["items"][0] if kind == "list" else body)["price"] == 1001
    assert api.get(path, params=params, headers={"If-None-Match": new_etag}).status_code == 304


def test_etag_differs_between_filters(api, seller):
    cat = new_category()
    make_product(api, seller["token"], category=cat, price=100)
    make_product(api, seller["token"], category=cat, price=200)
    a = api.get("/api/products", params={"category": cat, "sort": "price"})
    b = api.get("/api/products", params={"category": cat, "sort": "-price"})
    assert a.headers["ETag"] != b.headers["ETag"]
    r = api.get("/api/products", params={"category": cat, "sort": "-price"},
                headers={"If-None-Match": a.headers["ETag"]})
    assert r.status_code == 200 and r.content == b.content


def test_sale_windows_outside_now_leave_listing_unchanged(api, seller):
    cat = new_category()
    now = time.time()
    past = make_product(api, seller["token"], category=cat, price=1000)
    future = make_product(api, seller["token"], category=cat, price=2000)
    schedule_sale(api, seller["token"], past["id"], now - 2 * HOUR, now - 1, 50)
    schedule_sale(api, seller["token"], future["id"], now + 60, now + 2 * HOUR, 50)
    for _ in range(2):
        listing = list_products(api, category=cat, sort="price")
        assert ids_of(listing) == [past["id"], future["id"]]
        assert [(p["onSale"], p["effectivePrice"]) for p in listing["items"]] == [(False, 1000), (False, 2000)]
        assert list_products(api, category=cat, onSale="true")["total"] == 0


def test_scheduling_a_current_sale_changes_the_list_at_once(api, seller):
    cat = new_category()
    p = make_product(api, seller["token"], category=cat, price=999)
    for _ in range(2):
        assert list_products(api, category=cat)["items"][0]["onSale"] is False
        assert get_product(api, p["id"])["onSale"] is False
        assert list_products(api, category=cat, onSale="true")["total"] == 0
    now = time.time()
    assert schedule_sale(api, seller["token"], p["id"], now - 1, now + HOUR, 33).status_code == 200
    item = list_products(api, category=cat)["items"][0]
    assert item["onSale"] is True and item["effectivePrice"] == 669
    assert get_product(api, p["id"])["effectivePrice"] == 669
    assert ids_of(list_products(api, category=cat, onSale="true")) == [p["id"]]
    assert ids_of(list_products(api, category=cat, maxPrice=700)) == [p["id"]]


def test_list_cache_keys_do_not_collide_across_filters(api, seller):
    """Two different (category, q) pairs whose naive concatenations
    "category|q" are equal must not share a cached response."""
    c1, c2, w = word(), word(), word()
    in_piped = make_product(api, seller["token"], category=c1 + "|" + c2, name="Piped " + w)
    in_plain = make_product(api, seller["token"], category=c1, name="Plain %s %s" % (c2, w))
    # category "c1|c2" + q "w"  versus  category "c1" + q "c2|w" (the words c2 and w).
    first = list_products(api, category=c1 + "|" + c2, q=w)
    assert ids_of(first) == [in_piped["id"]]
    second = list_products(api, category=c1, q=c2 + "|" + w)
    assert ids_of(second) == [in_plain["id"]], "served another filter's cached list"


# --- 7. output escaping ---------------------------------------------------------

def test_markup_in_text_is_escaped_and_round_trips(api, seller):
    cat = new_category()
    name = '<script>alert("x")</script> & <b>bold</b>'
    description = "</script><img src=x onerror=alert(1)>\nline two\t\\ \"quoted\" \u00e9\u2028end"
    p = make_product(api, seller["token"], name=name, description=description, category=cat)
    responses = [api.get("/api/products/%d" % p["id"]), api.get("/api/products", params={"category": cat})]
    r = api.post("/api/products", token=seller["token"], json={"name": name, "price": 1})
    assert r.status_code == 201
    responses.append(r)
    for r in responses:
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        # No raw markup characters anywhere in the bytes: safe even if embedded in HTML.
        for ch in (b"<", b">", b"&"):
            assert ch not in r.content, (ch, r.content[:300])
        assert b"\\u003cscript\\u003e" in r.content
        body = r.json()
        item = body["items"][0] if "items" in body else body
        assert item["name"] == name
    assert get_product(api, p["id"])["description"] == description
    assert json.loads(responses[0].content)["description"] == description


# --- 8. cross-node invalidation ----------------------------------------------------

def test_changes_reach_another_node_on_the_same_database(api, seller):
    cat = new_category()
    p = make_product(api, seller["token"], category=cat, price=1000)
    detail = "/api/products/%d" % p["id"]
    # A second node of the same shop: same database, same signing key (the
    # development key in the data directory).
    node_b = Server(api.backend, api.server.db_url, {"MERCATO_DATA_DIR": api.server.env["MERCATO_DATA_DIR"]})
    try:
        b = Api(node_b)
        # Prime node B's caches (twice: the second answer is a cached one).
        for _ in range(2):
            assert b.get(detail).json()["price"] == 1000
            assert list_products(b, category=cat)["items"][0]["price"] == 1000
        etag_b = b.get(detail).headers["ETag"]

        assert api.patch(detail, token=seller["token"], json={"price": 1777}).status_code == 200

        def b_sees_new_price():
            d = b.get(detail)
            items = list_products(b, category=cat)["items"]
            return d.status_code == 200 and d.json()["price"] == 1777 and [i["price"] for i in items] == [1777]

        wait_for(b_sees_new_price, "node B to serve the new price", 5)
        r = b.get(detail, headers={"If-None-Match": etag_b})
        assert r.status_code == 200 and r.headers["ETag"] != etag_b

        # A sale scheduled on A, and then a delete, reach B as well.
        now = time.time()
        assert schedule_sale(api, seller["token"], p["id"], now - HOUR, now + HOUR, 50).status_code == 200
        wait_for(lambda: ids_of(list_products(b, category=cat, onSale="true")) == [p["id"]]
                 and b.get(detail).json()["effectivePrice"] == 889, "node B to show the sale", 5)
        assert api.delete(detail, token=seller["token"]).status_code == 204
        wait_for(lambda: b.get(detail).status_code == 404 and list_products(b, category=cat)["total"] == 0,
                 "node B to drop the deleted product", 5)
    finally:
        node_b.finish()
