"""Live stock in catalog responses: the cached list and detail bytes show the
stock as of the node's last committed write (checkout, cancellation, admin
edit), as of at most a second ago for writes made elsewhere (an expiry run by
the scheduler process, a checkout through another node), and their ETag moves
with it.

Every test primes the caches twice before the write (the second answer surely
came from the cache) and reads a fresh category, so no other test's products
share its list page."""
import uuid

from conftest import Api, Server, wait_for
from test_jobs import sql

CROSS_NODE_WAIT = 5  # seconds: a bounded poll of another process's view


def new_product(api, seller_token, stock):
    cat = "cat" + uuid.uuid4().hex[:12]
    body = {"name": "Item " + uuid.uuid4().hex[:8], "price": 1000, "stock": stock, "category": cat}
    r = api.post("/api/products", token=seller_token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def shown(api, p):
    """(detail stock, detail inStock, list stock, list inStock) as served now."""
    d = api.get("/api/products/%d" % p["id"])
    listing = api.get("/api/products", params={"category": p["category"]})
    assert d.status_code == 200 and listing.status_code == 200, (d.text, listing.text)
    item = listing.json()["items"][0]
    assert item["id"] == p["id"]
    return d.json()["stock"], d.json()["inStock"], item["stock"], item["inStock"]


def prime(api, p, stock):
    for _ in range(2):
        assert shown(api, p) == (stock, stock > 0, stock, stock > 0)


def assert_shows(api, p, stock):
    assert shown(api, p) == (stock, stock > 0, stock, stock > 0)


def buy(api, token, pid, qty):
    r = api.post("/api/cart", token=token, json={"productId": pid, "qty": qty})
    assert r.status_code == 200, r.text
    r = api.post("/api/checkout", token=token)
    assert r.status_code == 201, r.text
    return r.json()


def test_checkout_shows_at_once_in_detail_and_list(api):
    seller, buyer = api.register(role="seller"), api.register()
    p = new_product(api, seller["token"], stock=120)
    prime(api, p, 120)
    buy(api, buyer["token"], p["id"], 2)
    assert_shows(api, p, 118)
    buy(api, buyer["token"], p["id"], 118)
    assert_shows(api, p, 0)


def test_figures_of_other_widths_splice_into_a_page(api):
    """Figures that change length, in the middle of a cached page: every item
    still equals its detail, and the page its own fresh build."""
    seller, buyer = api.register(role="seller"), api.register()
    cat = "cat" + uuid.uuid4().hex[:12]
    stocks = (10, 100, 1000)
    ids = []
    for price, stock in enumerate(stocks, start=1):
        r = api.post("/api/products", token=seller["token"],
                     json={"name": "Item " + uuid.uuid4().hex[:8], "price": price, "stock": stock, "category": cat})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    page = {"category": cat, "sort": "price"}
    for _ in range(2):
        assert [i["stock"] for i in api.get("/api/products", params=page).json()["items"]] == list(stocks)
    # No figure reaches 0 (a sell-out flushes the cache): these are splices.
    buy(api, buyer["token"], ids[1], 1)    # 100 -> 99: shorter, mid-page
    assert [i["stock"] for i in api.get("/api/products", params=page).json()["items"]] == [10, 99, 1000]
    buy(api, buyer["token"], ids[0], 1)    # 10 -> 9, first
    buy(api, buyer["token"], ids[2], 1)    # 1000 -> 999, last
    items = api.get("/api/products", params=page).json()["items"]
    assert [(i["stock"], i["inStock"]) for i in items] == [(9, True), (99, True), (999, True)]
    for item in items:
        assert item == api.get("/api/products/%d" % item["id"]).json()
    # A filter that is cached only now builds from the database: the same bytes.
    fresh = api.get("/api/products", params=dict(page, limit=3))
    assert fresh.json()["items"] == items


def test_cancellation_shows_at_once(api):
    seller, buyer = api.register(role="seller"), api.register()
    p = new_product(api, seller["token"], stock=5)
    order = buy(api, buyer["token"], p["id"], 5)
    prime(api, p, 0)
    r = api.patch("/api/orders/%d/cancel" % order["id"], token=buyer["token"], json={})
    assert r.status_code == 200, r.text
    assert_shows(api, p, 5)
    order = buy(api, buyer["token"], p["id"], 2)
    prime(api, p, 3)
    assert api.patch("/api/orders/%d/cancel" % order["id"], token=buyer["token"], json={}).status_code == 200
    assert_shows(api, p, 5)


def test_admin_stock_edit_shows_at_once(api):
    seller, admin = api.register(role="seller"), api.create_account("admin")
    p = new_product(api, seller["token"], stock=7)
    prime(api, p, 7)
    r = api.patch("/api/products/%d" % p["id"], token=admin["token"], json={"stock": 40})
    assert r.status_code == 200, r.text
    assert_shows(api, p, 40)
    assert api.patch("/api/products/%d" % p["id"], token=admin["token"], json={"stock": 0}).status_code == 200
    assert_shows(api, p, 0)


def test_expired_unpaid_order_shows_within_a_second(api):
    seller, buyer = api.register(role="seller"), api.register()
    p = new_product(api, seller["token"], stock=10)
    order = buy(api, buyer["token"], p["id"], 4)
    prime(api, p, 6)
    # An hour ago, twice the default MERCATO_UNPAID_TTL; the scheduler is another process.
    sql(api.server, "UPDATE orders SET created_at = created_at - 3600 WHERE id = %d" % order["id"])
    r = api.server.cli("scheduler", "--run-once", "expire_unpaid")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: shown(api, p) == (10, True, 10, True), "the restored stock", CROSS_NODE_WAIT)


def test_etag_moves_with_the_stock(api):
    seller, buyer = api.register(role="seller"), api.register()
    p = new_product(api, seller["token"], stock=9)
    prime(api, p, 9)
    for path, params in (("/api/products/%d" % p["id"], None), ("/api/products", {"category": p["category"]})):
        etag = api.get(path, params=params).headers["ETag"]
        assert api.get(path, params=params, headers={"If-None-Match": etag}).status_code == 304
        buy(api, buyer["token"], p["id"], 1)
        r = api.get(path, params=params, headers={"If-None-Match": etag})
        assert r.status_code == 200, "the old ETag must not get a 304 once the stock moved"
        assert r.headers["ETag"] != etag
        body = r.json()
        item = body["items"][0] if "items" in body else body
        assert item["stock"] == (8 if params is None else 7) and item["inStock"] is True
        assert api.get(path, params=params, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_checkout_through_another_node_shows_within_a_second(api):
    seller, buyer = api.register(role="seller"), api.register()
    p = new_product(api, seller["token"], stock=30)
    # A second node of the same shop: same database, same signing key.
    node_b = Server(api.backend, api.server.db_url, {"MERCATO_DATA_DIR": api.server.env["MERCATO_DATA_DIR"]})
    try:
        b = Api(node_b)
        prime(api, p, 30)
        prime(b, p, 30)
        # Bought through A: A shows it at once, B within a second.
        buy(api, buyer["token"], p["id"], 3)
        assert_shows(api, p, 27)
        wait_for(lambda: shown(b, p) == (27, True, 27, True), "node B to show 27", CROSS_NODE_WAIT)
        # Bought through B (by a buyer of B's: each node here signs its own tokens).
        buy(b, b.register()["token"], p["id"], 27)
        assert_shows(b, p, 0)
        wait_for(lambda: shown(api, p) == (0, False, 0, False), "node A to show 0", CROSS_NODE_WAIT)
    finally:
        node_b.finish()
