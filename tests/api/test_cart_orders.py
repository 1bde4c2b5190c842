"""Carts (guest and user), merge at login, checkout, orders and their
lifecycle, idempotency, concurrency and durability."""
import concurrent.futures
import signal
import time
import uuid

import pytest
import requests

from conftest import Api, assert_problem


def product(api, seller_token, price=1000, stock=10, **extra):
    body = {"name": "Item " + uuid.uuid4().hex[:8], "price": price, "stock": stock,
            "category": "cat-" + uuid.uuid4().hex[:8], **extra}
    r = api.post("/api/products", token=seller_token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def stock_of(api, pid):
    r = api.get("/api/products/%d" % pid)
    assert r.status_code == 200
    return r.json()["stock"]


def guest_session(api):
    s = requests.Session()
    r = s.get(api.base + "/api/cart")
    assert r.status_code == 200 and "cart_session" in s.cookies
    return s


def live_quantity(api, admin_token, pid):
    """Units of pid in orders that still hold stock (not cancelled/refunded)."""
    total, offset = 0, 0
    while True:
        page = api.get("/api/orders?limit=100&offset=%d" % offset, token=admin_token).json()
        for o in page["items"]:
            if o["status"] in ("cancelled", "refunded"):
                continue
            total += sum(i["quantity"] for i in o["items"] if i["productId"] == pid)
        offset += 100
        if offset >= page["total"]:
            return total


def assert_stock_invariant(api, admin_token, pid, initial):
    stock = stock_of(api, pid)
    assert stock >= 0
    assert initial == stock + live_quantity(api, admin_token, pid)


# --- carts ---------------------------------------------------------------------

def test_guest_cart_gets_a_cookie_and_persists(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=2500, stock=5)
    s = requests.Session()
    r = s.post(api.base + "/api/cart", json={"productId": p["id"], "qty": 2})
    assert r.status_code == 200, r.text
    cookie = r.headers["Set-Cookie"]
    assert "cart_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=2592000" in cookie
    cart = s.get(api.base + "/api/cart").json()
    line = cart["items"][0]
    assert line["productId"] == p["id"] and line["qty"] == 2 and line["quantity"] == 2
    assert line["priceSnapshot"] == 2500 and line["unitPrice"] == 2500 and line["lineTotal"] == 5000
    assert line["priceChanged"] is False and line["sellerId"] == seller["user"]["id"]
    assert cart["total"] == 5000 and cart["itemCount"] == 2 and cart["currency"] == "INR"
    # Another client without the cookie sees an empty cart.
    assert requests.get(api.base + "/api/cart").json()["items"] == []


def test_every_route_variant(api):
    seller = api.register(role="seller")
    a, b, c = (product(api, seller["token"], price=100 * (i + 1)) for i in range(3))
    t = api.register()["token"]
    assert api.post("/api/cart", token=t, json={"productId": a["id"], "quantity": 1}).status_code == 200
    assert api.post("/api/cart/add", token=t, json={"productId": b["id"], "qty": 2}).status_code == 200
    assert api.post("/api/cart/items", token=t, json={"productId": c["id"]}).status_code == 200
    r = api.post("/api/cart/add", token=t, json={"productId": a["id"], "qty": 2})
    assert {i["productId"]: i["qty"] for i in r.json()["items"]} == {a["id"]: 3, b["id"]: 2, c["id"]: 1}
    r = api.put("/api/cart/%d" % a["id"], token=t, json={"qty": 5})
    assert {i["productId"]: i["qty"] for i in r.json()["items"]}[a["id"]] == 5
    r = api.put("/api/cart/items/%d" % b["id"], token=t, json={"quantity": 4})
    assert {i["productId"]: i["qty"] for i in r.json()["items"]}[b["id"]] == 4
    r = api.delete("/api/cart/%d" % a["id"], token=t)
    assert [i["productId"] for i in r.json()["items"]] == [b["id"], c["id"]]
    r = api.delete("/api/cart/items/%d" % b["id"], token=t)
    assert [i["productId"] for i in r.json()["items"]] == [c["id"]]
    r = api.post("/api/cart/remove", token=t, json={"productId": c["id"]})
    assert r.json()["items"] == [] and r.json()["total"] == 0
    api.post("/api/cart", token=t, json={"productId": a["id"]})
    r = api.post("/api/cart/clear", token=t)
    assert r.status_code == 200 and r.json()["items"] == []
    assert_problem(api.delete("/api/cart/%d" % a["id"], token=t), 404, "not_in_cart")


def test_cart_quantity_rules(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=3)
    t = api.register()["token"]
    body = assert_problem(api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 4}), 409,
                          "insufficient_stock")
    assert body["available"] == 3
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 2})
    assert_problem(api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 2}), 409, "insufficient_stock")
    for bad in (0, -1, 1000, "2", 1.5):
        assert_problem(api.post("/api/cart", token=t, json={"productId": p["id"], "qty": bad}), 400)
    assert_problem(api.put("/api/cart/%d" % p["id"], token=t, json={"qty": 0}), 400)
    assert_problem(api.post("/api/cart", token=t, json={"productId": 99999999}), 404, "product_not_found")
    assert_problem(api.post("/api/cart", token=t, json={"qty": 1}), 400)
    assert_problem(api.post("/api/cart", token=t, json={"productId": p["id"], "price": 1}), 400,
                   "field_not_allowed")
    api.delete("/api/products/%d" % p["id"], token=seller["token"])
    assert_problem(api.post("/api/cart", token=t, json={"productId": p["id"]}), 404, "product_not_found")
    # The withdrawn product leaves the cart.
    assert api.get("/api/cart", token=t).json()["items"] == []


def test_a_line_added_on_sale_keeps_the_sale_price(api):
    """A line's snapshot is the effective price (DESIGN section 6, "Cart"),
    on a cart's first add and on a later one, for users and guests; no
    price change is reported for it."""
    from test_catalog import sale_price, schedule_sale
    seller = api.register(role="seller")
    plain = product(api, seller["token"], price=1000)
    cheap = product(api, seller["token"], price=1001)
    now = int(time.time())
    assert schedule_sale(api, seller["token"], cheap["id"], now - 3600, now + 3600, 33).status_code == 200
    want = sale_price(1001, 33)
    buyers = [lambda: api.register()["token"]] * 2 + [lambda: None] * 2  # two users, two guests
    for first, then, who in zip((cheap, plain) * 2, (plain, cheap) * 2, buyers):
        t, guest = who(), requests.Session()
        for p in (first, then):
            if t:
                r = api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1})
            else:
                r = guest.post(api.base + "/api/cart", json={"productId": p["id"], "qty": 1})
            assert r.status_code == 200, r.text
        again = api.get("/api/cart", token=t) if t else guest.get(api.base + "/api/cart")
        for cart in (r.json(), again.json()):
            line = {i["productId"]: i for i in cart["items"]}[cheap["id"]]
            assert (line["priceSnapshot"], line["unitPrice"], line["priceChanged"]) == (want, want, False)
            assert cart["total"] == 1000 + want


def test_price_change_is_reported_once(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=1000)
    t = api.register()["token"]
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 2})
    api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"price": 1200})
    line = api.get("/api/cart", token=t).json()["items"][0]
    assert line["priceChanged"] is True and line["previousPrice"] == 1000
    assert line["unitPrice"] == 1200 and line["lineTotal"] == 2400
    line = api.get("/api/cart", token=t).json()["items"][0]
    assert line["priceChanged"] is False and line["priceSnapshot"] == 1200


def test_cart_by_user_id(api):
    seller = api.register(role="seller")
    a, b = product(api, seller["token"]), product(api, seller["token"])
    u = api.register()
    other = api.register()
    admin = api.create_account("admin")
    uid = u["user"]["id"]
    r = api.post("/api/cart/%d" % uid, token=u["token"], json={"productId": a["id"], "quantity": 2})
    assert r.status_code == 200 and r.json()["items"][0]["qty"] == 2
    r = api.post("/api/cart/%d" % uid, token=u["token"],
                 json={"items": [{"productId": b["id"], "quantity": 1}, {"productId": a["id"], "quantity": 3}]})
    assert {i["productId"]: i["qty"] for i in r.json()["items"]} == {a["id"]: 3, b["id"]: 1}
    r = api.post("/api/cart/%d" % uid, token=u["token"], json={"productId": b["id"], "quantity": 0})
    assert [i["productId"] for i in r.json()["items"]] == [a["id"]]
    assert api.get("/api/cart/%d" % uid, token=admin["token"]).json()["items"][0]["productId"] == a["id"]
    assert_problem(api.get("/api/cart/%d" % uid, token=other["token"]), 403)
    assert_problem(api.post("/api/cart/%d" % uid, token=other["token"], json={"productId": a["id"],
                                                                             "quantity": 1}), 403)
    assert_problem(api.get("/api/cart/%d" % uid), 401)


def test_guest_cart_merges_at_register_and_login(api):
    seller = api.register(role="seller")
    a = product(api, seller["token"], stock=4)
    b = product(api, seller["token"], stock=10)
    # Register with a guest cart: it becomes the user's cart.
    s = guest_session(api)
    s.post(api.base + "/api/cart", json={"productId": a["id"], "qty": 3})
    email = api.unique_email()
    r = s.post(api.base + "/api/auth/register", json={"name": "G", "email": email, "password": "password1"})
    assert r.status_code == 201
    assert r.json()["cartMerge"] == {"merged": [{"productId": a["id"], "quantity": 3, "capped": False}]}
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    token = r.json()["token"]
    # A second guest cart merges at login: quantities add, capped at stock.
    g = guest_session(api)
    g.post(api.base + "/api/cart", json={"productId": a["id"], "qty": 3})
    g.post(api.base + "/api/cart", json={"productId": b["id"], "qty": 2})
    r = g.post(api.base + "/api/auth/login", json={"email": email, "password": "password1"})
    merged = {m["productId"]: m for m in r.json()["cartMerge"]["merged"]}
    assert merged[a["id"]] == {"productId": a["id"], "quantity": 4, "capped": True}
    assert merged[b["id"]] == {"productId": b["id"], "quantity": 2, "capped": False}
    cart = api.get("/api/cart", token=token).json()
    assert {i["productId"]: i["qty"] for i in cart["items"]} == {a["id"]: 4, b["id"]: 2}
    # The guest cart is gone.
    assert g.get(api.base + "/api/cart").json()["items"] == []
    # A login without a guest cart says nothing about merging.
    assert "cartMerge" not in api.post("/api/auth/login", json={"email": email, "password": "password1"}).json()


# --- checkout ------------------------------------------------------------------

def test_checkout_receipt_and_effects(api):
    seller = api.register(role="seller")
    a = product(api, seller["token"], price=1999, stock=5)
    b = product(api, seller["token"], price=500, stock=2)
    buyer = api.register(name="Receipt Buyer")
    t = buyer["token"]
    api.post("/api/cart", token=t, json={"productId": a["id"], "qty": 2})
    api.post("/api/cart", token=t, json={"productId": b["id"], "qty": 2})
    r = api.post("/api/checkout", token=t, json={"expectedTotal": 4998})
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["orderId"] == o["id"] and o["status"] == "pending_payment" and o["userId"] == buyer["user"]["id"]
    assert o["originalTotal"] == 4998 and o["discountApplied"] == 0
    assert o["total"] == o["totalAmount"] == o["payableAmount"] == 4998
    assert o["paymentOptions"] == ["UPI", "CARD", "COD"] and o["timestamp"].endswith("Z")
    assert o["buyer"] == {"name": "Receipt Buyer", "email": buyer["user"]["email"]}
    assert {i["productId"]: (i["qty"], i["unitPrice"], i["lineTotal"]) for i in o["items"]} == {
        a["id"]: (2, 1999, 3998), b["id"]: (2, 500, 1000)}
    assert o["paymentStatus"] == "unpaid" and o["cancelledBy"] is None
    assert stock_of(api, a["id"]) == 3 and stock_of(api, b["id"]) == 0
    assert api.get("/api/cart", token=t).json()["items"] == []
    assert api.get("/api/orders/%d" % o["id"], token=t).json()["total"] == 4998
    # Sold out: the catalog shows it at once.
    assert api.get("/api/products/%d" % b["id"]).json()["inStock"] is False


def test_an_order_keeps_every_character_of_its_names(api):
    # The order's JSON is written by hand: quotes, backslashes, markup and
    # text beyond ASCII must come back as they went in, in every answer.
    name = 'Caf\u00e9 "Mug" \\ <b>&amp;</b> \u5496\u5561 \U0001F375'
    seller = api.register(role="seller")
    pid = product(api, seller["token"], name=name)["id"]
    buyer = api.register(name='Zo\u00eb "Q" <i>')
    t = buyer["token"]
    api.post("/api/cart", token=t, json={"productId": pid})
    r = api.post("/api/checkout", token=t)
    assert r.status_code == 201, r.text
    placed = r.json()
    assert placed["items"][0]["name"] == name and placed["buyer"]["name"] == 'Zo\u00eb "Q" <i>'
    got = api.get("/api/orders/%d" % placed["id"], token=t).json()
    listed = api.get("/api/orders", token=t).json()["items"]
    assert got["items"][0]["name"] == name and [o["items"][0]["name"] for o in listed] == [name]
    assert got["couponCode"] is None and got["shippingAddress"] is None and got["cancelReason"] is None


def test_checkout_refusals(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=1000, stock=2)
    t = api.register()["token"]
    assert_problem(api.post("/api/checkout", token=t), 422, "cart_empty")
    assert_problem(api.post("/api/checkout"), 401)
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 2})
    body = assert_problem(api.post("/api/orders", token=t, json={"expectedTotal": 1500}), 409, "cart_changed")
    assert body["total"] == 2000 and body["expectedTotal"] == 1500
    for field in ({"total": 1}, {"items": []}, {"status": "paid"}, {"discount": 5}):
        assert_problem(api.post("/api/checkout", token=t, json=field), 400, "field_not_allowed")
    assert_problem(api.post("/api/checkout", token=t, json={"cartId": 99999999}), 404)
    # Someone else buys one: this cart now wants more than there is.
    other = api.register()["token"]
    api.post("/api/cart", token=other, json={"productId": p["id"], "qty": 1})
    assert api.post("/api/checkout", token=other).status_code == 201
    body = assert_problem(api.post("/api/checkout", token=t), 409, "out_of_stock")
    assert body["productId"] == p["id"] and body["available"] == 1
    # Nothing was taken by the failed checkout and the cart is intact.
    assert stock_of(api, p["id"]) == 1
    assert api.get("/api/cart", token=t).json()["items"][0]["qty"] == 2


def test_a_checkout_takes_every_line_or_none(api):
    """A short line undoes what the others took and the order written with
    it (the last stock statement and the order's insert share a round
    trip), and the order's lines keep their names whatever their characters
    (the answer is built from the order as written, not read back)."""
    seller = api.register(role="seller")
    names = ['Quote " and \\ backslash', "Comma, {braces} and 'apostrophe'", "NULL"]
    plenty = [product(api, seller["token"], stock=5, name=n) for n in names[:2]]
    short = product(api, seller["token"], stock=1, name=names[2])
    t = api.register()["token"]
    for p in plenty + [short]:
        assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1}).status_code == 200
    other = api.register()["token"]
    api.post("/api/cart", token=other, json={"productId": short["id"], "qty": 1})
    assert api.post("/api/checkout", token=other).status_code == 201
    body = assert_problem(api.post("/api/checkout", token=t), 409, "out_of_stock")
    assert body["productId"] == short["id"] and body["available"] == 0 and body["requested"] == 1
    assert [stock_of(api, p["id"]) for p in plenty] == [5, 5]
    assert api.get("/api/orders", token=t).json()["items"] == []
    assert len(api.get("/api/cart", token=t).json()["items"]) == 3
    api.delete("/api/cart/%d" % short["id"], token=t)
    r = api.post("/api/checkout", token=t)
    assert r.status_code == 201, r.text
    assert sorted(i["name"] for i in r.json()["items"]) == sorted(names[:2])
    stored = api.get("/api/orders/%d" % r.json()["id"], token=t).json()
    assert sorted(i["name"] for i in stored["items"]) == sorted(names[:2])
    assert [stock_of(api, p["id"]) for p in plenty] == [4, 4]


def test_an_order_of_many_lines_keeps_every_line(api):
    """Lines are written up to four per statement: 9 lines take three."""
    seller = api.register(role="seller")
    ps = [product(api, seller["token"], price=100 + i, stock=20) for i in range(9)]
    t = api.register()["token"]
    for i, p in enumerate(ps):
        assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": i + 1}).status_code == 200
    r = api.post("/api/checkout", token=t)
    assert r.status_code == 201, r.text
    want = sorted((p["id"], p["name"], i + 1, (100 + i) * (i + 1)) for i, p in enumerate(ps))
    for order in (r.json(), api.get("/api/orders/%d" % r.json()["id"], token=t).json()):
        got = sorted((i["productId"], i["name"], i["qty"], i["lineTotal"]) for i in order["items"])
        assert got == want
        assert order["total"] == sum(w[3] for w in want)
    assert [stock_of(api, p["id"]) for p in ps] == [20 - i - 1 for i in range(9)]


def test_a_short_line_among_many_takes_nothing(api):
    """Stock is taken up to four lines per statement: a short line in the
    second statement undoes the first's, and the answer names the first
    short line in product order with what is left of it."""
    seller = api.register(role="seller")
    ps = [product(api, seller["token"], stock=2 if i in (5, 7) else 20) for i in range(9)]
    t = api.register()["token"]
    for i, p in enumerate(ps):
        qty = 2 if i in (5, 7) else 1
        assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": qty}).status_code == 200
    other = api.register()["token"]
    for p in (ps[7], ps[5]):
        assert api.post("/api/cart", token=other, json={"productId": p["id"], "qty": 1}).status_code == 200
    assert api.post("/api/checkout", token=other).status_code == 201
    body = assert_problem(api.post("/api/checkout", token=t), 409, "out_of_stock")
    assert (body["productId"], body["requested"], body["available"]) == (ps[5]["id"], 2, 1)
    assert [stock_of(api, p["id"]) for p in ps] == [1 if i in (5, 7) else 20 for i in range(9)]


def test_idempotency_key_replays_and_refuses(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=10)
    t = api.register()["token"]
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1})
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.post("/api/checkout", token=t, headers=key, json={})
    assert first.status_code == 201
    again = api.post("/api/checkout", token=t, headers=key, json={})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(api.post("/api/checkout", token=t, headers=key, json={"expectedTotal": 1}), 422,
                   "idempotency_key_reused")
    assert stock_of(api, p["id"]) == 9
    assert_problem(api.post("/api/checkout", token=t, headers={"Idempotency-Key": "bad key"}), 400)


def test_concurrent_duplicate_key_creates_one_order(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=10)
    buyer = api.register()
    t = buyer["token"]
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1})
    key = uuid.uuid4().hex

    def go(_):
        return requests.post(api.base + "/api/checkout", json={},
                             headers={"Authorization": "Bearer " + t, "Idempotency-Key": key}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(5) as ex:
        results = list(ex.map(go, range(5)))
    codes = [r.status_code for r in results]
    assert set(codes) <= {201, 409} and 201 in codes
    assert len({r.json()["id"] for r in results if r.status_code == 201}) == 1
    assert api.get("/api/orders", token=t).json()["total"] == 1
    assert stock_of(api, p["id"]) == 9


def test_concurrent_checkouts_of_one_cart_make_one_order(api):
    """Without an Idempotency-Key, checkouts of one cart take turns: opening
    the cart locks it (PostgreSQL; SQLite's write lock serializes them), so
    one orders the cart and the others find it empty."""
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=50)
    t = api.register()["token"]

    def go(_):
        return requests.post(api.base + "/api/checkout", json={},
                             headers={"Authorization": "Bearer " + t}, timeout=60)

    for _ in range(2):  # the third open order would be the last allowed: 409 for the rest
        assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 2}).status_code == 200
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            rs = list(ex.map(go, range(8)))
        codes = sorted(r.status_code for r in rs)
        assert codes == [201] + [422] * 7, [r.text[:200] for r in rs]
    assert api.get("/api/orders", token=t).json()["total"] == 2
    assert stock_of(api, p["id"]) == 46


def test_forty_buyers_race_for_five_units(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=5)
    admin = api.create_account("admin")
    buyers = [api.register()["token"] for _ in range(40)]
    for t in buyers:
        assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1}).status_code == 200

    def checkout(t):
        return requests.post(api.base + "/api/checkout", headers={"Authorization": "Bearer " + t},
                             timeout=120)

    with concurrent.futures.ThreadPoolExecutor(40) as ex:
        results = list(ex.map(checkout, buyers))
    codes = [r.status_code for r in results]
    assert codes.count(201) == 5 and codes.count(409) == 35, codes
    assert all(r.json()["code"] == "out_of_stock" for r in results if r.status_code == 409)
    assert stock_of(api, p["id"]) == 0
    assert_stock_invariant(api, admin["token"], p["id"], 5)


# --- orders --------------------------------------------------------------------

def test_order_visibility_by_role(api):
    s1, s2 = api.register(role="seller"), api.register(role="seller")
    a, b = product(api, s1["token"], price=100), product(api, s2["token"], price=200)
    buyer, other = api.register(), api.register()
    admin = api.create_account("admin")
    api.post("/api/cart", token=buyer["token"], json={"productId": a["id"]})
    api.post("/api/cart", token=buyer["token"], json={"productId": b["id"]})
    o = api.post("/api/checkout", token=buyer["token"]).json()
    assert [x["id"] for x in api.get("/api/orders", token=buyer["token"]).json()["items"]] == [o["id"]]
    assert api.get("/api/orders", token=other["token"]).json()["items"] == []
    assert_problem(api.get("/api/orders/%d" % o["id"], token=other["token"]), 404)
    seen = api.get("/api/orders", token=s1["token"]).json()["items"]
    assert [x["id"] for x in seen] == [o["id"]]
    assert [i["productId"] for i in seen[0]["items"]] == [a["id"]]
    mine = api.get("/api/orders/%d" % o["id"], token=s2["token"]).json()
    assert [i["productId"] for i in mine["items"]] == [b["id"]]
    assert o["id"] in [x["id"] for x in api.get("/api/orders?limit=100", token=admin["token"]).json()["items"]]
    assert_problem(api.get("/api/orders/abc", token=buyer["token"]), 404)
    assert_problem(api.get("/api/orders?status=nope", token=buyer["token"]), 400)
    assert_problem(api.get("/api/orders?limit=500", token=buyer["token"]), 400)


def test_status_machine(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=5)
    buyer = api.register()
    admin = api.create_account("admin")
    api.post("/api/cart", token=buyer["token"], json={"productId": p["id"]})
    oid = api.post("/api/checkout", token=buyer["token"]).json()["id"]
    path = "/api/orders/%d" % oid
    assert_problem(api.patch(path + "/status", token=buyer["token"], json={"status": "paid"}), 403)
    assert_problem(api.patch(path, token=seller["token"], json={"status": "paid"}), 403)
    assert_problem(api.patch(path, token=admin["token"], json={"status": "shipped"}), 409, "illegal_transition")
    assert_problem(api.patch(path, token=admin["token"], json={"status": "bogus"}), 400)
    assert api.patch(path, token=admin["token"], json={"status": "paid"}).json()["status"] == "paid"
    assert api.patch(path + "/status", token=seller["token"], json={"status": "processing"}).json()["status"] == \
        "processing"
    assert api.patch(path, token=seller["token"], json={"status": "shipped"}).json()["status"] == "shipped"
    assert_problem(api.patch(path + "/cancel", token=buyer["token"], json={"reason": "late"}), 409)
    assert api.patch(path, token=admin["token"], json={"status": "delivered"}).json()["status"] == "delivered"
    assert_problem(api.patch(path, token=admin["token"], json={"status": "processing"}), 409)
    listed = api.get("/api/orders?status=delivered", token=buyer["token"]).json()["items"]
    assert [o["id"] for o in listed] == [oid]
    assert api.get("/api/orders?status=pending", token=buyer["token"]).json()["items"] == []


def test_permission_for_the_target_status_comes_before_the_transition(api):
    """A role that may never set a status gets 403 whatever the order's state."""
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=5)
    buyer = api.register()
    api.post("/api/cart", token=buyer["token"], json={"productId": p["id"]})
    oid = api.post("/api/checkout", token=buyer["token"]).json()["id"]
    for target in ("shipped", "delivered", "processing", "refunded"):
        assert_problem(api.patch("/api/orders/%d/status" % oid, token=buyer["token"], json={"status": target}),
                       403)
    # A seller may ship, but not a pending order: that is the transition's 409.
    assert_problem(api.patch("/api/orders/%d" % oid, token=seller["token"], json={"status": "shipped"}), 409,
                   "illegal_transition")
    assert api.get("/api/orders/%d" % oid, token=buyer["token"]).json()["status"] == "pending_payment"


def test_seller_cannot_move_mixed_orders(api):
    s1, s2 = api.register(role="seller"), api.register(role="seller")
    a, b = product(api, s1["token"]), product(api, s2["token"])
    buyer = api.register()
    admin = api.create_account("admin")
    api.post("/api/cart", token=buyer["token"], json={"productId": a["id"]})
    api.post("/api/cart", token=buyer["token"], json={"productId": b["id"]})
    oid = api.post("/api/checkout", token=buyer["token"]).json()["id"]
    api.patch("/api/orders/%d" % oid, token=admin["token"], json={"status": "paid"})
    assert_problem(api.patch("/api/orders/%d" % oid, token=s1["token"], json={"status": "shipped"}), 403)
    assert_problem(api.patch("/api/orders/%d/cancel" % oid, token=s1["token"]), 403)


def test_cancel_restores_stock_and_records_who(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=3)
    buyer = api.register()
    admin = api.create_account("admin")
    api.post("/api/cart", token=buyer["token"], json={"productId": p["id"], "qty": 3})
    oid = api.post("/api/checkout", token=buyer["token"]).json()["id"]
    assert stock_of(api, p["id"]) == 0
    r = api.patch("/api/orders/%d/cancel" % oid, token=buyer["token"], json={"reason": "changed my mind"})
    assert r.status_code == 200, r.text
    o = r.json()
    assert o["status"] == "cancelled" and o["cancelledBy"] == "buyer" and o["cancelReason"] == "changed my mind"
    assert stock_of(api, p["id"]) == 3
    assert api.get("/api/products/%d" % p["id"]).json()["inStock"] is True
    assert_problem(api.patch("/api/orders/%d/cancel" % oid, token=buyer["token"]), 409, "illegal_transition")
    assert_stock_invariant(api, admin["token"], p["id"], 3)
    # Seller and admin cancellations are recorded as such.
    for who, token in (("seller", seller["token"]), ("admin", admin["token"])):
        api.post("/api/cart", token=buyer["token"], json={"productId": p["id"]})
        oid = api.post("/api/checkout", token=buyer["token"]).json()["id"]
        o = api.patch("/api/orders/%d/cancel" % oid, token=token, json={}).json()
        assert o["cancelledBy"] == who and o["status"] == "cancelled"
    assert_stock_invariant(api, admin["token"], p["id"], 3)


# --- the seeds' flows ----------------------------------------------------------

def test_seed_001_flow(api):
    """Register, login, browse, add, view, order, admin sets status, history."""
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=3000, stock=4)
    email = api.unique_email()
    assert api.post("/api/auth/register", json={"username": "mvp", "email": email, "password": "password1",
                                                "role": "user"}).status_code == 201
    t = api.post("/api/auth/login", json={"email": email, "password": "password1"}).json()["token"]
    assert any(x["id"] == p["id"] for x in api.get("/api/products?category=" + p["category"]).json()["items"])
    api.post("/api/cart/add", token=t, json={"productId": p["id"], "quantity": 2})
    assert api.get("/api/cart", token=t).json()["total"] == 6000
    o = api.post("/api/orders", token=t).json()
    admin = api.create_account("admin")
    assert api.patch("/api/orders/%d/status" % o["id"], token=admin["token"],
                     json={"status": "paid"}).status_code == 200
    history = api.get("/api/orders", token=t).json()["items"]
    assert history[0]["id"] == o["id"] and history[0]["status"] == "paid"


def test_seed_000_flow(api):
    """Guest adds, registers, cart merged, checkout receipt."""
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=1250, stock=3)
    s = guest_session(api)
    s.post(api.base + "/api/cart", json={"productId": p["id"], "qty": 2})
    r = s.post(api.base + "/api/auth/register", json={"name": "Guest", "email": api.unique_email(),
                                                      "password": "password1"})
    t = r.json()["token"]
    assert r.json()["cartMerge"]["merged"][0]["quantity"] == 2
    receipt = api.post("/api/checkout", token=t).json()
    assert receipt["total"] == 2500 and receipt["orderId"] and receipt["timestamp"]


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_acknowledged_order_survives_kill_9(make_server, backend):
    srv = make_server(backend)
    api = Api(srv)
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=2)
    buyer = api.register()
    api.post("/api/cart", token=buyer["token"], json={"productId": p["id"]})
    r = api.post("/api/checkout", token=buyer["token"])
    assert r.status_code == 201
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    srv.start()
    o = api.get("/api/orders/%d" % r.json()["id"], token=buyer["token"])
    assert o.status_code == 200 and o.json()["status"] == "pending_payment"
    assert o.json()["items"][0]["productId"] == p["id"]
    assert stock_of(api, p["id"]) == 1
