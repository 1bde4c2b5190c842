"""Every list answers one envelope, {items, total, limit, offset} in that
order, whichever of the two JSON writers (strbuf for the hot lists, jansson
for the rest) builds its items."""
import json
import uuid

from test_cart_orders import product

ENVELOPE = ["items", "total", "limit", "offset"]


def page(api, path, token=None):
    r = api.get(path, token=token)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.text.startswith('{"items":['), r.text[:80]
    body = json.loads(r.text)
    assert list(body) == ENVELOPE
    return r.text, body


def test_every_list_has_the_one_envelope(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    name = "Caf\u00e9 <b> " + uuid.uuid4().hex[:6]
    p = product(api, seller["token"], price=700, name=name)
    buyer = api.register()
    t = buyer["token"]
    assert api.post("/api/wishlist", token=t, json={"productId": p["id"]}).status_code in (200, 201)
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1})
    r = api.post("/api/checkout", token=t, json={})
    assert r.status_code == 201, r.text
    r = api.post("/api/payments", token=t, json={"orderId": r.json()["id"], "method": "UPI"})
    assert r.status_code == 201, r.text
    assert api.post("/api/products/%d/reviews" % p["id"], token=t, json={"rating": 4}).status_code == 201
    for _ in range(2):
        api.post("/api/coupons", token=seller["token"], json={
            "code": "P" + uuid.uuid4().hex[:8], "discountPercentage": 5, "validFrom": "2020-01-01T00:00:00Z",
            "validTo": "2099-01-01T00:00:00Z", "usageLimit": 3})

    lists = [("/api/products?category=%s&limit=1&offset=0" % p["category"], None, 1),
             ("/api/wishlist?limit=1", t, 1),
             ("/api/products/%d/reviews?limit=1" % p["id"], None, 1),
             ("/api/orders?limit=1", t, 1),
             ("/api/coupons?limit=1&offset=1", seller["token"], 2),
             ("/api/admin/jobs?limit=1", admin["token"], None)]
    for path, token, total in lists:
        text, body = page(api, path, token)
        assert body["limit"] == 1 and len(body["items"]) <= 1, path
        assert body["offset"] == (1 if "offset=1" in path else 0), path
        if total is not None:
            assert body["total"] == total and len(body["items"]) == 1, path

    # A list written as text escapes as the catalog does (UTF-8 as is, <>
    # as \u003c and \u003e); a list of jansson items keeps jansson's
    # escaping (non-ASCII as \u, <> as is). Either way the name is whole.
    text, body = page(api, "/api/orders?limit=1", t)
    assert body["items"][0]["items"][0]["name"] == name
    assert "Caf\u00e9 \\u003cb\\u003e" in text
    address = {"name": name, "line1": "1 Rue", "city": "Paris", "postalCode": "75001", "country": "FR"}
    assert api.post("/api/users/me/addresses", token=t, json=address).status_code == 201
    text, body = page(api, "/api/users/me/addresses?limit=1", t)
    assert body["items"][0]["name"] == name
    assert "Caf\\u00E9 <b>" in text
