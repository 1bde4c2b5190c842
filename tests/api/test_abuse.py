"""Money, carts, coupons and reviews under abuse: hard caps on carts and
order totals (never an overflowed amount), reviews that count only while
their author's purchase stands, coupon previews that do not enumerate codes,
and strict validation of references, comments, currencies and image URLs."""
import time
import uuid

import requests

from conftest import assert_problem, wait_for
from test_cart_orders import guest_session, product
from test_coupons_payments import coupon, pay

PRICE_MAX = 100000000000        # MC_PRICE_MAX
ORDER_TOTAL_MAX = 1000000000000  # MC_ORDER_TOTAL_MAX
LINES_MAX = 100                  # MC_CART_LINES_MAX
HOUR = 3600


def add(api, token, pid, qty=1):
    return api.post("/api/cart", token=token, json={"productId": pid, "qty": qty})


def products(api, seller_token, n, **kw):
    return [product(api, seller_token, **kw)["id"] for _ in range(n)]


# --- carts and money: hard caps ------------------------------------------------------

def test_cart_line_cap_holds_on_add_set_replace_and_merge(api):
    seller = api.register(role="seller")
    ids = products(api, seller["token"], LINES_MAX + 1, price=100, stock=50)
    buyer = api.register()
    t, uid = buyer["token"], buyer["user"]["id"]
    for pid in ids[:LINES_MAX]:
        assert add(api, t, pid).status_code == 200
    extra = ids[LINES_MAX]
    assert_problem(add(api, t, extra), 409, "cart_full")
    assert_problem(api.put("/api/cart/%d" % extra, token=t, json={"qty": 1}), 409, "cart_full")
    assert_problem(api.post("/api/cart/%d" % uid, token=t, json={"productId": extra, "quantity": 1}), 409,
                   "cart_full")
    # Lines already in the cart still take more units.
    assert add(api, t, ids[0], 2).json()["items"][0]["qty"] == 3
    assert len(api.get("/api/cart", token=t).json()["items"]) == LINES_MAX
    everything = [{"productId": pid, "quantity": 1} for pid in ids]
    assert_problem(api.post("/api/cart/%d" % uid, token=t, json={"items": everything}), 409, "cart_full")
    assert len(api.get("/api/cart", token=t).json()["items"]) == LINES_MAX
    # A guest cart merging into a full cart keeps the cap; what did not fit is reported capped.
    g = guest_session(api)
    assert g.post(api.base + "/api/cart", json={"productId": extra, "qty": 2}).status_code == 200
    r = g.post(api.base + "/api/auth/login", json={"email": buyer["user"]["email"], "password": buyer["password"]})
    assert r.status_code == 200, r.text
    assert r.json()["cartMerge"]["merged"] == [{"productId": extra, "quantity": 0, "capped": True}]
    cart = api.get("/api/cart", token=t).json()
    assert len(cart["items"]) == LINES_MAX and extra not in [i["productId"] for i in cart["items"]]


def test_order_total_cap_refuses_before_any_overflow(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    assert_problem(api.post("/api/products", token=seller["token"], json={
        "name": "Too dear", "price": PRICE_MAX + 1, "stock": 1}), 400)
    dear = products(api, seller["token"], 3, price=PRICE_MAX, stock=999)
    t = api.register()["token"]
    uid = api.get("/api/auth/me", token=t).json()["id"]
    # The reviewed attack: many lines of 999 units at the top price.
    assert_problem(add(api, t, dear[0], 999), 422, "order_total_limit")
    assert api.get("/api/cart", token=t).json()["items"] == []
    # Exactly at the cap is fine; one more unit anywhere is not.
    r = add(api, t, dear[0], 10)
    assert r.status_code == 200 and r.json()["total"] == ORDER_TOTAL_MAX
    assert_problem(add(api, t, dear[1], 1), 422, "order_total_limit")
    assert_problem(api.put("/api/cart/%d" % dear[0], token=t, json={"qty": 11}), 422, "order_total_limit")
    assert_problem(api.post("/api/cart/%d" % uid, token=t, json={"items": [
        {"productId": dear[0], "quantity": 5}, {"productId": dear[1], "quantity": 6}]}), 422, "order_total_limit")
    assert api.get("/api/cart", token=t).json()["total"] == ORDER_TOTAL_MAX
    # A 100 % coupon on the largest cart gives exactly zero to pay.
    c = coupon(api, admin["token"], pct=100)
    q = api.get("/api/coupons/apply?code=" + c["code"], token=t).json()
    assert q["valid"] is True and q["originalTotal"] == ORDER_TOTAL_MAX
    assert q["discountApplied"] == ORDER_TOTAL_MAX and q["payableAmount"] == 0
    o = api.post("/api/checkout", token=t, json={"couponCode": c["code"]})
    assert o.status_code == 201, o.text
    assert o.json()["originalTotal"] == ORDER_TOTAL_MAX and o.json()["payableAmount"] == 0


def test_checkout_refuses_a_cart_that_a_price_rise_put_over_the_cap(api):
    seller = api.register(role="seller")
    pid = product(api, seller["token"], price=PRICE_MAX // 2, stock=100)["id"]
    t = api.register()["token"]
    assert add(api, t, pid, 11).status_code == 200
    r = api.patch("/api/products/%d" % pid, token=seller["token"], json={"price": PRICE_MAX})
    assert r.status_code == 200, r.text
    cart = api.get("/api/cart", token=t).json()
    assert cart["total"] == 11 * PRICE_MAX
    assert_problem(api.post("/api/checkout", token=t), 422, "order_total_limit")
    # Lowering the quantity is always allowed, and then the checkout goes through.
    assert api.put("/api/cart/%d" % pid, token=t, json={"qty": 10}).status_code == 200
    assert api.post("/api/checkout", token=t).status_code == 201


# --- reviews follow the purchase --------------------------------------------------------

def reviews_of(api, pid):
    return api.get("/api/products/%d/reviews" % pid).json()


def rating(api, pid):
    return api.get("/api/products/%d" % pid).json()["rating"]


def bought(api, token, pid):
    assert add(api, token, pid).status_code == 200
    r = api.post("/api/checkout", token=token)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    assert pay(api, token, oid).status_code == 201
    return oid


def test_review_counts_only_while_a_purchase_stands(api):
    seller = api.register(role="seller")
    pid = product(api, seller["token"], stock=10)["id"]
    fan = api.register()
    assert bought(api, fan["token"], pid)
    r = api.post("/api/products/%d/reviews" % pid, token=fan["token"], json={"rating": 5})
    assert r.status_code == 201
    buyer = api.register()
    first = bought(api, buyer["token"], pid)
    second = bought(api, buyer["token"], pid)
    r = api.post("/api/products/%d/reviews" % pid, token=buyer["token"], json={"rating": 1, "comment": "bad"})
    assert r.status_code == 201, r.text
    wait_for(lambda: rating(api, pid).get("count") == 2, "two ratings")
    # Cancelling one of two orders: the review still stands.
    assert api.patch("/api/orders/%d/cancel" % first, token=buyer["token"]).json()["status"] == "refunded"
    assert reviews_of(api, pid)["total"] == 2
    # Cancelling the last one hides it from the listing and the rating.
    assert api.patch("/api/orders/%d/cancel" % second, token=buyer["token"]).json()["status"] == "refunded"
    wait_for(lambda: rating(api, pid) == {"average": 5.0, "count": 1}, "the rating without the 1-star review")
    listed = reviews_of(api, pid)
    assert listed["total"] == 1 and [i["reviewer"]["id"] for i in listed["items"]] == [fan["user"]["id"]]
    # Buying again brings it back, rating and all.
    bought(api, buyer["token"], pid)
    wait_for(lambda: rating(api, pid) == {"average": 3.0, "count": 2}, "the 1-star review back")
    assert reviews_of(api, pid)["total"] == 2


def test_refunding_a_delivered_order_hides_the_review(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    pid = product(api, seller["token"], stock=10)["id"]
    buyer = api.register()
    oid = bought(api, buyer["token"], pid)
    for status in ("shipped", "delivered"):
        assert api.patch("/api/orders/%d" % oid, token=admin["token"], json={"status": status}).status_code == 200
    assert api.post("/api/products/%d/reviews" % pid, token=buyer["token"], json={"rating": 2}).status_code == 201
    assert api.post("/api/orders/%d/refund" % oid, token=admin["token"]).status_code == 200
    wait_for(lambda: rating(api, pid).get("count", 0) == 0, "the rating without the refunded review")
    assert reviews_of(api, pid)["total"] == 0
    # The hidden review cannot be edited back into the rating without a new purchase.
    assert_problem(api.post("/api/products/%d/reviews" % pid, token=buyer["token"], json={"rating": 5}), 403,
                   "not_a_buyer")


def test_sellers_and_admins_do_not_review_their_own_shop(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    pid = product(api, seller["token"], stock=10)["id"]
    for who in (seller, admin):
        bought(api, who["token"], pid)
        assert_problem(api.post("/api/products/%d/reviews" % pid, token=who["token"], json={"rating": 5}), 403,
                       "own_shop")
    # Another seller who bought it is a customer like any other.
    other = api.register(role="seller")
    bought(api, other["token"], pid)
    assert api.post("/api/products/%d/reviews" % pid, token=other["token"], json={"rating": 4}).status_code == 201


# --- coupon previews do not enumerate ------------------------------------------------

def test_coupon_preview_hides_unknown_inactive_and_future_codes(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    pid = product(api, seller["token"], price=1000)["id"]
    t = api.register()["token"]
    assert add(api, t, pid).status_code == 200
    hidden = {
        "unknown": "NOPE" + uuid.uuid4().hex[:8].upper(),
        "inactive": coupon(api, admin["token"], pct=40, isActive=False)["code"],
        "future": coupon(api, admin["token"], pct=60, start=HOUR, end=2 * HOUR)["code"],
    }
    bodies = []
    for code in hidden.values():
        r = api.get("/api/coupons/apply?code=" + code, token=t)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["valid"] is False and body["reason"] == "not_valid" and "discountPercentage" not in body
        del body["code"]
        bodies.append(body)
    assert bodies[0] == bodies[1] == bodies[2]
    # The owner and admins still see the real state.
    listed = {c["code"]: c for c in api.get("/api/coupons?limit=100", token=admin["token"]).json()["items"]}
    assert listed[hidden["inactive"]]["isActive"] is False and listed[hidden["future"]]["discountPercentage"] == 60


def test_failed_coupon_previews_are_rate_limited_per_user(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    pid = product(api, seller["token"], price=1000)["id"]
    good = coupon(api, admin["token"], pct=10)["code"]
    t = api.register()["token"]
    assert add(api, t, pid).status_code == 200
    for i in range(20):
        r = api.get("/api/coupons/apply?code=GUESS%04d" % i, token=t)
        assert r.status_code == 200 and r.json()["valid"] is False
    # Once limited, even a good code gives nothing away.
    r = api.get("/api/coupons/apply?code=" + good, token=t)
    assert_problem(r, 429, "coupon_preview_limit")
    assert int(r.headers["Retry-After"]) > 0
    assert_problem(api.get("/api/coupons/apply?code=GUESS9999", token=t), 429, "coupon_preview_limit")
    # Another user is not affected, and successful previews never count.
    other = api.register()["token"]
    assert add(api, other, pid).status_code == 200
    for _ in range(25):
        assert api.get("/api/coupons/apply?code=" + good, token=other).json()["valid"] is True


# --- smaller holes ---------------------------------------------------------------------

def test_admin_coupon_for_unknown_seller_says_so(api):
    admin = api.create_account("admin")
    buyer = api.register()
    now = time.time()
    for sid in (999999999, buyer["user"]["id"]):
        body = {"code": "S" + uuid.uuid4().hex[:8], "discountPercentage": 5, "validFrom": time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "validTo": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                             time.gmtime(now + HOUR)),
                "usageLimit": 1, "sellerId": sid}
        r = api.post("/api/coupons", token=admin["token"], json=body)
        assert_problem(r, 400, "validation_failed")
        assert r.json()["errors"][0]["field"] == "sellerId"


def test_review_comment_refuses_control_characters(api):
    seller = api.register(role="seller")
    pid = product(api, seller["token"], stock=10)["id"]
    buyer = api.register()
    bought(api, buyer["token"], pid)
    for bad in ("bell\x07", "tab\there", "cr\r\nlf", "del\x7f", "c1\u0085", "esc\x1b[31m"):
        r = api.post("/api/products/%d/reviews" % pid, token=buyer["token"], json={"rating": 3, "comment": bad})
        assert_problem(r, 400)
    r = api.post("/api/products/%d/reviews" % pid, token=buyer["token"],
                 json={"rating": 3, "comment": "two\nlines, caf\u00e9 \u2603"})
    assert r.status_code == 201 and r.json()["comment"] == "two\nlines, caf\u00e9 \u2603"


def test_currency_and_image_url_are_validated(api):
    seller = api.register(role="seller")
    t = seller["token"]
    for bad in ({"currency": "ZZZ"}, {"currency": "usd"}, {"currency": "XAU"}, {"currency": "JPY"},
                {"imageUrl": 'https://cdn.example.test/a.png" onerror="alert(1)'},
                {"imageUrl": "javascript:alert(1)"}, {"imageUrl": "//evil.test/a.png"},
                {"imageUrl": "/etc/passwd"}, {"imageUrl": "https://cdn.example.test/<b>.png"},
                {"imageUrl": "/media/../secret"}, {"imageUrl": "https:///path"}):
        r = api.post("/api/products", token=t, json={"name": "X", "price": 100, "stock": 1, **bad})
        assert_problem(r, 400)
        assert r.json()["errors"][0]["field"] in ("currency", "imageUrl"), (bad, r.text)
    for good in ({"currency": "USD"}, {"currency": "EUR", "imageUrl": "/media/products/1.png"},
                 {"imageUrl": "https://cdn.example.test/img/a%20b.png?w=200&h=100"},
                 {"imageUrl": "http://localhost:8080/x.jpg"}):
        r = api.post("/api/products", token=t, json={"name": "X", "price": 100, "stock": 1, **good})
        assert r.status_code == 201, (good, r.text)
