"""Wishlists (the caller's own list of live products, at today's prices) and
reviews (buyers only, one per buyer per product, an exact product rating under
concurrency, HTML kept as text, admin moderation)."""
import concurrent.futures
import time
import uuid

import requests

from conftest import assert_problem
from test_cart_orders import product

HOUR = 3600


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def order_of(api, token, pid, admin_token=None):
    """Checks out one unit of pid; an admin token marks the order paid."""
    assert api.post("/api/cart", token=token, json={"productId": pid}).status_code == 200
    r = api.post("/api/checkout", token=token)
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    if admin_token:
        r = api.patch("/api/orders/%d" % oid, token=admin_token, json={"status": "paid"})
        assert r.status_code == 200, r.text
    return oid


def buyers_of(api, pid, n, admin_token):
    """n fresh buyers, each with a paid order of pid."""
    out = []
    for _ in range(n):
        b = api.register(name="Buyer " + uuid.uuid4().hex[:6])
        order_of(api, b["token"], pid, admin_token)
        out.append(b)
    return out


def review(api, token, pid, rating, comment=None, path="reviews"):
    body = {"rating": rating}
    if comment is not None:
        body["comment"] = comment
    return api.post("/api/products/%d/%s" % (pid, path), token=token, json=body)


def rating_of(api, pid):
    r = api.get("/api/products/%d" % pid)
    assert r.status_code == 200
    return r.json()["rating"]


def listed_rating(api, p):
    items = api.get("/api/products?category=" + p["category"]).json()["items"]
    return next(i["rating"] for i in items if i["id"] == p["id"])


def wishlist(api, token, **params):
    r = api.get("/api/wishlist", token=token, params=params)
    assert r.status_code == 200, r.text
    return r.json()


# --- reviews: who may write -------------------------------------------------------

def test_only_a_buyer_with_a_paid_order_may_review(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"], stock=10)
    stranger = api.register()
    assert_problem(review(api, stranger["token"], p["id"], 5), 403, "not_a_buyer")
    buyer = api.register()
    oid = order_of(api, buyer["token"], p["id"])
    # Ordered but not paid: not yet.
    assert_problem(review(api, buyer["token"], p["id"], 5), 403, "not_a_buyer")
    assert api.patch("/api/orders/%d" % oid, token=admin["token"], json={"status": "paid"}).status_code == 200
    r = review(api, buyer["token"], p["id"], 4, "Solid.")
    assert r.status_code == 201, r.text
    rv = r.json()
    assert rv["productId"] == p["id"] and rv["rating"] == 4 and rv["comment"] == "Solid."
    assert rv["reviewer"] == {"id": buyer["user"]["id"], "name": buyer["user"]["name"]}
    assert rv["createdAt"].endswith("Z") and rv["updatedAt"] == rv["createdAt"]
    assert rating_of(api, p["id"]) == {"average": 4, "count": 1}
    # A cancelled order never counts.
    other = api.register()
    oid = order_of(api, other["token"], p["id"], admin["token"])
    assert api.patch("/api/orders/%d/cancel" % oid, token=admin["token"], json={}).status_code == 200
    assert_problem(review(api, other["token"], p["id"], 1), 403, "not_a_buyer")
    # An order further along (a UPI payment moves it to processing) counts.
    upi = api.register()
    oid = order_of(api, upi["token"], p["id"])
    r = api.post("/api/payments", token=upi["token"], json={"orderId": oid, "method": "UPI"})
    assert r.status_code == 201 and r.json()["orderStatus"] == "processing", r.text
    assert review(api, upi["token"], p["id"], 2, path="review").status_code == 201
    assert rating_of(api, p["id"]) == {"average": 3, "count": 2}


def test_review_refusals(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"])
    (buyer,) = buyers_of(api, p["id"], 1, admin["token"])
    t = buyer["token"]
    assert_problem(review(api, None, p["id"], 5), 401)
    assert_problem(review(api, t, 99999999, 5), 404, "product_not_found")
    assert_problem(api.get("/api/products/99999999/reviews"), 404, "product_not_found")
    for bad in (0, 6, -1, 4.5, "5", None, True):
        assert_problem(api.post("/api/products/%d/reviews" % p["id"], token=t, json={"rating": bad}), 400)
    assert_problem(api.post("/api/products/%d/reviews" % p["id"], token=t, json={"comment": "no rating"}), 400)
    assert_problem(review(api, t, p["id"], 5, "x" * 2001), 400)
    assert_problem(review(api, t, p["id"], 5, 42), 400)
    for extra in ({"userId": 1}, {"productId": p["id"]}, {"createdAt": "2020-01-01T00:00:00Z"}):
        assert_problem(api.post("/api/products/%d/reviews" % p["id"], token=t, json={"rating": 5, **extra}), 400,
                       "field_not_allowed")
    # Nothing above was stored.
    assert rating_of(api, p["id"]) == {"average": 0, "count": 0}
    # The limit is inclusive, and counts characters, not bytes.
    r = review(api, t, p["id"], 5, "\u00e9" * 2000)
    assert r.status_code == 201 and r.json()["comment"] == "\u00e9" * 2000
    # A withdrawn product takes no reviews and shows none.
    api.delete("/api/products/%d" % p["id"], token=seller["token"])
    assert_problem(review(api, t, p["id"], 4), 404, "product_not_found")
    assert_problem(api.get("/api/products/%d/reviews" % p["id"]), 404)


# --- reviews: one per buyer, exact ratings -------------------------------------------

def test_second_review_updates_the_first(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"])
    (buyer,) = buyers_of(api, p["id"], 1, admin["token"])
    first = review(api, buyer["token"], p["id"], 2, "meh")
    assert first.status_code == 201
    second = review(api, buyer["token"], p["id"], 5, "grew on me", path="review")
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"] and second.json()["rating"] == 5
    assert second.json()["createdAt"] == first.json()["createdAt"]
    assert rating_of(api, p["id"]) == {"average": 5, "count": 1}
    listed = api.get("/api/products/%d/reviews" % p["id"]).json()
    assert listed["total"] == 1 and listed["items"][0]["comment"] == "grew on me"
    # Without a comment, the replacement has none.
    assert review(api, buyer["token"], p["id"], 3).json()["comment"] == ""
    assert rating_of(api, p["id"]) == {"average": 3, "count": 1}


def test_average_is_exact_in_detail_and_list(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"], stock=10)
    # Warm both caches first: reviews must flush them.
    assert rating_of(api, p["id"]) == {"average": 0, "count": 0}
    assert listed_rating(api, p) == {"average": 0, "count": 0}
    a, b, c = buyers_of(api, p["id"], 3, admin["token"])
    for who, stars in ((a, 5), (b, 4), (c, 2)):
        assert review(api, who["token"], p["id"], stars).status_code == 201
    assert rating_of(api, p["id"]) == {"average": 3.67, "count": 3}
    assert listed_rating(api, p) == {"average": 3.67, "count": 3}
    assert review(api, c["token"], p["id"], 5).status_code == 200
    assert rating_of(api, p["id"]) == {"average": 4.67, "count": 3}
    assert listed_rating(api, p) == {"average": 4.67, "count": 3}
    # Sorting by rating sees it too.
    q = product(api, seller["token"], category=p["category"])
    ids = [i["id"] for i in api.get("/api/products?sort=rating&category=" + p["category"]).json()["items"]]
    assert ids == [p["id"], q["id"]]


def test_ten_buyers_review_at_once(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"], stock=20)
    buyers = buyers_of(api, p["id"], 10, admin["token"])
    stars = [1 + i % 5 for i in range(10)]

    def go(i):
        return requests.post(api.base + "/api/products/%d/reviews" % p["id"], json={"rating": stars[i]},
                             headers={"Authorization": "Bearer " + buyers[i]["token"]}, timeout=120)

    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        results = list(ex.map(go, range(10)))
    assert [r.status_code for r in results] == [201] * 10, [r.text for r in results]
    rating = rating_of(api, p["id"])
    assert rating["count"] == 10
    assert round(rating["average"] * 10) == sum(stars)
    assert api.get("/api/products/%d/reviews?limit=100" % p["id"]).json()["total"] == 10


def test_one_buyer_posting_at_once_keeps_one_review(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"])
    (buyer,) = buyers_of(api, p["id"], 1, admin["token"])

    def go(i):
        return requests.post(api.base + "/api/products/%d/reviews" % p["id"], json={"rating": 1 + i % 5},
                             headers={"Authorization": "Bearer " + buyer["token"]}, timeout=120)

    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        codes = sorted(r.status_code for r in ex.map(go, range(10)))
    assert codes == [200] * 9 + [201], codes
    stored = api.get("/api/products/%d/reviews" % p["id"]).json()["items"]
    assert len(stored) == 1
    # The totals match the one review that won, not the sum of the posts.
    assert rating_of(api, p["id"]) == {"average": stored[0]["rating"], "count": 1}


def test_html_in_comments_is_text(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"])
    (buyer,) = buyers_of(api, p["id"], 1, admin["token"])
    evil = "<script>alert(1)</script> & \"quotes\"\nline two"
    r = review(api, buyer["token"], p["id"], 1, evil)
    assert r.status_code == 201
    assert r.json()["comment"] == evil
    assert "<script>" not in r.text and "\\u003cscript\\u003e" in r.text
    listed = api.get("/api/products/%d/reviews" % p["id"])
    assert listed.json()["items"][0]["comment"] == evil
    assert "<" not in listed.text and "\\u003c" in listed.text and "\\u0026" in listed.text


# --- reviews: reading and moderation ---------------------------------------------

def test_reviews_list_is_public_paginated_newest_first_without_emails(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"], stock=20)
    buyers = buyers_of(api, p["id"], 5, admin["token"])
    ids = [review(api, b["token"], p["id"], 3, "review %d" % i).json()["id"] for i, b in enumerate(buyers)]
    r = api.get("/api/products/%d/reviews?limit=2" % p["id"])
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 0
    assert [i["id"] for i in page["items"]] == ids[::-1][:2]
    seen = []
    for offset in (0, 2, 4):
        seen += [i["id"] for i in api.get("/api/products/%d/reviews?limit=2&offset=%d" % (p["id"], offset))
                 .json()["items"]]
    assert seen == ids[::-1]
    past = api.get("/api/products/%d/reviews?offset=10" % p["id"]).json()
    assert past["items"] == [] and past["total"] == 5
    item = page["items"][0]
    assert set(item) == {"id", "productId", "rating", "comment", "reviewer", "createdAt", "updatedAt"}
    assert set(item["reviewer"]) == {"id", "name"}
    everything = api.get("/api/products/%d/reviews?limit=100" % p["id"]).text
    assert "@" not in everything
    for b in buyers:
        assert b["user"]["email"] not in everything
    assert_problem(api.get("/api/products/%d/reviews?limit=101" % p["id"]), 400)
    assert_problem(api.get("/api/products/%d/reviews?offset=-1" % p["id"]), 400)


def test_admin_deletes_a_review(api):
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"])
    other = product(api, seller["token"])
    a, b = buyers_of(api, p["id"], 2, admin["token"])
    keep = review(api, a["token"], p["id"], 5).json()
    gone = review(api, b["token"], p["id"], 2).json()
    assert rating_of(api, p["id"]) == {"average": 3.5, "count": 2}
    path = "/api/products/%d/reviews/%d" % (p["id"], gone["id"])
    assert_problem(api.delete(path), 401)
    assert_problem(api.delete(path, token=b["token"]), 403)
    assert_problem(api.delete(path, token=seller["token"]), 403)
    # The review id must belong to the product named in the path.
    assert_problem(api.delete("/api/products/%d/reviews/%d" % (other["id"], gone["id"]), token=admin["token"]),
                   404, "review_not_found")
    r = api.delete(path, token=admin["token"])
    assert r.status_code == 204 and r.text == ""
    assert rating_of(api, p["id"]) == {"average": 5, "count": 1}
    assert listed_rating(api, p) == {"average": 5, "count": 1}
    assert [i["id"] for i in api.get("/api/products/%d/reviews" % p["id"]).json()["items"]] == [keep["id"]]
    assert_problem(api.delete(path, token=admin["token"]), 404, "review_not_found")
    # The buyer may review again: a new review, counted again.
    assert review(api, b["token"], p["id"], 4).status_code == 201
    assert rating_of(api, p["id"]) == {"average": 4.5, "count": 2}


# --- wishlist ----------------------------------------------------------------------

def test_wishlist_add_is_idempotent_and_private(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=2500)
    owner, other = api.register(), api.register()
    r = api.post("/api/wishlist", token=owner["token"], json={"productId": p["id"]})
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["productId"] == p["id"] and entry["addedAt"].endswith("Z")
    assert entry["product"]["id"] == p["id"] and entry["product"]["effectivePrice"] == 2500
    again = api.post("/api/wishlist", token=owner["token"], json={"productId": p["id"]})
    assert again.status_code == 200 and again.json()["addedAt"] == entry["addedAt"]
    mine = wishlist(api, owner["token"])
    assert mine["total"] == 1 and [i["productId"] for i in mine["items"]] == [p["id"]]
    assert mine["limit"] == 20 and mine["offset"] == 0
    assert mine["items"][0]["product"] == entry["product"]
    # Nobody else sees or changes it.
    assert wishlist(api, other["token"]) == {"items": [], "total": 0, "limit": 20, "offset": 0}
    assert_problem(api.delete("/api/wishlist/%d" % p["id"], token=other["token"]), 404, "not_in_wishlist")
    assert wishlist(api, owner["token"])["total"] == 1
    assert "no-store" in api.get("/api/wishlist", token=owner["token"]).headers["Cache-Control"]
    r = api.delete("/api/wishlist/%d" % p["id"], token=owner["token"])
    assert r.status_code == 204 and r.text == ""
    assert wishlist(api, owner["token"])["items"] == []
    assert_problem(api.delete("/api/wishlist/%d" % p["id"], token=owner["token"]), 404, "not_in_wishlist")


def test_wishlist_refusals(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"])
    t = api.register()["token"]
    assert_problem(api.get("/api/wishlist"), 401)
    assert_problem(api.post("/api/wishlist", json={"productId": p["id"]}), 401)
    assert_problem(api.delete("/api/wishlist/%d" % p["id"]), 401)
    assert_problem(api.post("/api/wishlist", token=t, json={"productId": 99999999}), 404, "product_not_found")
    for bad in ({}, {"productId": "1"}, {"productId": 0}, {"productId": 1.5}):
        assert_problem(api.post("/api/wishlist", token=t, json=bad), 400)
    assert_problem(api.post("/api/wishlist", token=t, json={"productId": p["id"], "userId": 1}), 400,
                   "field_not_allowed")
    assert_problem(api.delete("/api/wishlist/abc", token=t), 404)
    assert_problem(api.get("/api/wishlist?limit=0", token=t), 400)
    assert wishlist(api, t)["total"] == 0


def test_withdrawn_products_drop_out(api):
    seller = api.register(role="seller")
    keep, gone = product(api, seller["token"]), product(api, seller["token"])
    t = api.register()["token"]
    for p in (keep, gone):
        assert api.post("/api/wishlist", token=t, json={"productId": p["id"]}).status_code == 201
    assert api.delete("/api/products/%d" % gone["id"], token=seller["token"]).status_code == 204
    mine = wishlist(api, t)
    assert mine["total"] == 1 and [i["productId"] for i in mine["items"]] == [keep["id"]]
    assert_problem(api.post("/api/wishlist", token=t, json={"productId": gone["id"]}), 404, "product_not_found")


def test_wishlist_shows_todays_price(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=1000)
    t = api.register()["token"]
    api.post("/api/wishlist", token=t, json={"productId": p["id"]})
    now = int(time.time())
    r = api.post("/api/products/%d/sale" % p["id"], token=seller["token"],
                 json={"saleStart": iso(now - HOUR), "saleEnd": iso(now + HOUR), "salePercentage": 25})
    assert r.status_code == 200, r.text
    item = wishlist(api, t)["items"][0]["product"]
    assert item["price"] == 1000 and item["effectivePrice"] == 750 and item["onSale"] is True
    api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"price": 2000})
    assert wishlist(api, t)["items"][0]["product"]["effectivePrice"] == 1500


def test_wishlist_pagination(api):
    seller = api.register(role="seller")
    products = [product(api, seller["token"]) for _ in range(5)]
    t = api.register()["token"]
    for p in products:
        assert api.post("/api/wishlist", token=t, json={"productId": p["id"]}).status_code == 201
    seen = []
    for offset in (0, 2, 4):
        page = wishlist(api, t, limit=2, offset=offset)
        assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == offset
        assert len(page["items"]) == (2 if offset < 4 else 1)
        seen += [i["productId"] for i in page["items"]]
    assert sorted(seen) == sorted(p["id"] for p in products)
    added = [i["addedAt"] for i in wishlist(api, t)["items"]]
    assert added == sorted(added, reverse=True)
    assert wishlist(api, t, offset=10) == {"items": [], "total": 5, "limit": 20, "offset": 10}
