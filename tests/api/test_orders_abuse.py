"""Orders under abuse: a buyer cannot lock stock up with unpaid or
unconfirmed cash-on-delivery orders, cash on delivery has a ceiling, and a
seller sees only its own share of an order's money."""
import pytest

from conftest import BACKENDS, assert_problem
from test_cart_orders import product, stock_of
from test_coupons_payments import coupon, pay
from test_jobs import sink, shop, sql  # noqa: F401 (fixtures)

COD_TTL = 48 * 3600       # MERCATO_COD_CONFIRM_TTL default
COD_MAX = 5000000         # MERCATO_COD_MAX default


def checkout(api, token, *lines, status=201, **body):
    api.post("/api/cart/clear", token=token)
    for pid, qty in lines:
        r = api.post("/api/cart", token=token, json={"productId": pid, "qty": qty})
        assert r.status_code == 200, r.text
    r = api.post("/api/checkout", token=token, json=body)
    assert r.status_code == status, r.text
    return r


def confirm(api, token, oid):
    return api.post("/api/orders/%d/confirm" % oid, token=token)


# --- open orders --------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_a_buyer_holds_at_most_three_unpaid_orders(make_server, backend):
    from conftest import Api
    server = make_server(backend)
    api = Api(server)
    seller = api.register(role="seller")
    pid = product(api, seller["token"], price=500, stock=100)["id"]
    t = api.register()["token"]
    orders = [checkout(api, t, (pid, 1)).json()["id"] for _ in range(2)]
    # Cash on delivery is unpaid too.
    cod = checkout(api, t, (pid, 1)).json()["id"]
    assert pay(api, t, cod, "COD").status_code == 201
    r = checkout(api, t, (pid, 1), status=409)
    assert_problem(r, 409, "too_many_open_orders")
    assert stock_of(api, pid) == 97
    # Paying one frees a place; so does cancelling one.
    assert pay(api, t, orders[0]).status_code == 201
    orders.append(checkout(api, t, (pid, 1)).json()["id"])
    assert_problem(checkout(api, t, (pid, 1), status=409), 409, "too_many_open_orders")
    assert api.patch("/api/orders/%d/cancel" % orders[1], token=t).status_code == 200
    checkout(api, t, (pid, 1))
    # Another buyer is not affected.
    checkout(api, api.register()["token"], (pid, 1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_open_order_limit_is_configurable(make_server, backend):
    from conftest import Api
    api = Api(make_server(backend, {"MERCATO_MAX_OPEN_ORDERS": "1"}))
    seller = api.register(role="seller")
    pid = product(api, seller["token"], stock=10)["id"]
    t = api.register()["token"]
    checkout(api, t, (pid, 1))
    r = checkout(api, t, (pid, 1), status=409)
    assert_problem(r, 409, "too_many_open_orders")
    # The count stops at the limit, so the answer names the limit.
    assert "(1)" in r.json()["detail"]


# --- cash on delivery ------------------------------------------------------------------------

def test_cash_on_delivery_has_a_ceiling(api):
    seller = api.register(role="seller")
    dear = product(api, seller["token"], price=COD_MAX + 1, stock=5)["id"]
    cheap = product(api, seller["token"], price=COD_MAX, stock=5)["id"]
    t = api.register()["token"]
    oid = checkout(api, t, (dear, 1)).json()["id"]
    r = pay(api, t, oid, "COD")
    assert_problem(r, 422, "cod_limit")
    assert str(COD_MAX) in r.json()["detail"] or "50000.00" in r.json()["detail"]
    assert pay(api, t, oid, "UPI").status_code == 201
    oid = checkout(api, t, (cheap, 1)).json()["id"]
    assert pay(api, t, oid, "COD").status_code == 201


def test_who_confirms_a_cash_on_delivery_order(api):
    s1, s2 = api.register(role="seller"), api.register(role="seller")
    admin = api.create_account("admin")
    a = product(api, s1["token"], stock=5)["id"]
    b = product(api, s2["token"], stock=5)["id"]
    buyer = api.register()
    t = buyer["token"]
    oid = checkout(api, t, (a, 1), (b, 1)).json()["id"]
    # Only a COD order is confirmed.
    assert_problem(confirm(api, s1["token"], oid), 409, "not_cash_on_delivery")
    assert pay(api, t, oid, "COD").status_code == 201
    assert_problem(confirm(api, t, oid), 403)
    assert_problem(confirm(api, api.register(role="seller")["token"], oid), 404)
    r = confirm(api, s1["token"], oid)
    assert r.status_code == 200, r.text
    assert r.json()["codConfirmed"] is True  # as far as s1's lines go
    assert api.get("/api/orders/%d" % oid, token=t).json()["codConfirmed"] is False  # s2's line waits
    r = confirm(api, s2["token"], oid)
    assert r.status_code == 200 and r.json()["codConfirmed"] is True
    assert api.get("/api/orders/%d" % oid, token=t).json()["codConfirmed"] is True
    # An admin confirms the whole order at once.
    oid = checkout(api, t, (a, 1), (b, 1)).json()["id"]
    assert pay(api, t, oid, "COD").status_code == 201
    assert confirm(api, admin["token"], oid).json()["codConfirmed"] is True


@pytest.mark.parametrize("backend", BACKENDS)
def test_unconfirmed_cash_on_delivery_orders_expire_and_restock(shop, backend):
    s = shop(backend)
    api = s.api
    s1, s2 = api.register(role="seller"), api.register(role="seller")
    a = product(api, s1["token"], stock=10)["id"]
    b = product(api, s2["token"], stock=10)["id"]
    buyers = [api.register() for _ in range(3)]
    lost = checkout(api, buyers[0]["token"], (a, 2)).json()["id"]
    kept = checkout(api, buyers[1]["token"], (a, 3)).json()["id"]
    half = checkout(api, buyers[2]["token"], (a, 1), (b, 4)).json()["id"]
    for buyer, oid in zip(buyers, (lost, kept, half)):
        assert pay(api, buyer["token"], oid, "COD").status_code == 201
    assert confirm(api, s1["token"], kept).status_code == 200
    assert confirm(api, s1["token"], half).status_code == 200   # s2 never confirms
    # Just inside the window nothing happens.
    sql(s.server, "UPDATE orders SET created_at = created_at - %d WHERE id IN (%d, %d, %d)"
        % (COD_TTL - 600, lost, kept, half))
    s.run_once("expire_unpaid")
    assert api.get("/api/orders/%d" % lost, token=buyers[0]["token"]).json()["status"] == "pending_payment"
    sql(s.server, "UPDATE orders SET created_at = created_at - 1200 WHERE id IN (%d, %d, %d)" % (lost, kept, half))
    s.run_once("expire_unpaid")
    for buyer, oid in ((buyers[0], lost), (buyers[2], half)):
        o = api.get("/api/orders/%d" % oid, token=buyer["token"]).json()
        assert o["status"] == "cancelled" and o["cancelledBy"] == "system", o
        assert o["cancelReason"] == "cash on delivery not confirmed in time"
        assert o["paymentStatus"] != "paid"
    assert api.get("/api/orders/%d" % kept, token=buyers[1]["token"]).json()["status"] == "pending_payment"
    stocks = {p["id"]: p["stock"] for p in (api.patch("/api/products/%d" % pid, token=tok,
                                                        json={"description": "x"}).json()
                                           for pid, tok in ((a, s1["token"]), (b, s2["token"])))}
    assert stocks == {a: 10 - 3, b: 10}


# --- a seller's view -----------------------------------------------------------------------

def test_a_seller_sees_only_its_share_of_an_order(api):
    s1, s2 = api.register(role="seller"), api.register(role="seller")
    admin = api.create_account("admin")
    a = product(api, s1["token"], price=1000)["id"]
    b = product(api, s2["token"], price=3000)["id"]
    c = coupon(api, admin["token"], pct=10)["code"]
    t = api.register()["token"]
    oid = checkout(api, t, (a, 2), (b, 1), couponCode=c).json()["id"]
    whole = api.get("/api/orders/%d" % oid, token=t).json()
    assert whole["originalTotal"] == 5000 and whole["total"] == 4500 and whole["couponCode"] == c
    assert api.get("/api/orders/%d" % oid, token=admin["token"]).json()["total"] == 4500
    hidden = ("originalTotal", "discountApplied", "total", "totalAmount", "payableAmount", "couponCode")
    for seller, pid, subtotal in ((s1, a, 2000), (s2, b, 3000)):
        mine = api.get("/api/orders/%d" % oid, token=seller["token"]).json()
        listed = [o for o in api.get("/api/orders?limit=100", token=seller["token"]).json()["items"]
                  if o["id"] == oid]
        for view in (mine, listed[0]):
            assert [i["productId"] for i in view["items"]] == [pid]
            assert view["sellerSubtotal"] == subtotal
            assert not [k for k in hidden if k in view], view
    assert "sellerSubtotal" not in whole
