"""Address books (/api/users/me/addresses) and shipping addresses at checkout:
each user sees only their own book (another's address is 404), one default,
at most 10; an order keeps its own copy, seen by its buyer, admins and the
sellers of its lines, never by anyone else."""
import concurrent.futures

import pytest

from conftest import assert_problem
from test_cart_orders import product
from test_openapi import Conformance

BOOK = "/api/users/me/addresses"
ADDRESS_KEYS = {"id", "name", "line1", "line2", "city", "state", "postalCode", "country", "phone", "isDefault",
                "createdAt", "updatedAt"}
HOME = {"name": "Asha Rao", "line1": "12 MG Road", "line2": "Flat 4B", "city": "Bengaluru", "state": "KA",
        "postalCode": "560001", "country": "IN", "phone": "+91 80 1234 5678"}
WORK = {"name": "Asha Rao", "line1": "1 Market St", "city": "San Francisco", "state": "CA", "postalCode": "94105",
        "country": "us"}


def add(api, token, body, status=201):
    r = api.post(BOOK, token=token, json=body)
    assert r.status_code == status, r.text
    return r.json()


def book(api, token):
    r = api.get(BOOK, token=token)
    assert r.status_code == 200, r.text
    page = r.json()
    assert set(page) == {"items", "total", "limit", "offset"} and page["total"] == len(page["items"])
    return page["items"]


def default_ids(items):
    return [a["id"] for a in items if a["isDefault"]]


def checkout(api, token, seller, **body):
    p = product(api, seller["token"], price=500)
    assert api.post("/api/cart", token=token, json={"productId": p["id"], "qty": 1}).status_code == 200
    r = api.post("/api/checkout", token=token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def buyer(api):
    return api.register()


def test_crud_shape_and_one_default(api, buyer):
    t = buyer["token"]
    assert book(api, t) == []
    home = add(api, t, HOME)
    assert set(home) == ADDRESS_KEYS
    assert {k: home[k] for k in HOME} == HOME and home["isDefault"] is True  # the first is the default
    work = add(api, t, WORK)
    assert work["country"] == "US" and work["isDefault"] is False
    assert work["line2"] is None and work["phone"] is None
    assert [a["id"] for a in book(api, t)] == [home["id"], work["id"]]
    # Making another the default moves it; the default is listed first.
    r = api.patch(BOOK + "/%d" % work["id"], token=t, json={"isDefault": True, "phone": "555-0100"})
    assert r.status_code == 200, r.text
    assert r.json()["isDefault"] is True and r.json()["phone"] == "555-0100" and r.json()["city"] == "San Francisco"
    items = book(api, t)
    assert default_ids(items) == [work["id"]] and items[0]["id"] == work["id"]
    # The default cannot be switched off, only moved.
    assert_problem(api.patch(BOOK + "/%d" % work["id"], token=t, json={"isDefault": False}), 422, "default_required")
    # null clears an optional field, never a required one.
    r = api.patch(BOOK + "/%d" % home["id"], token=t, json={"line2": None, "state": None})
    assert r.status_code == 200 and r.json()["line2"] is None and r.json()["state"] is None
    assert_problem(api.patch(BOOK + "/%d" % home["id"], token=t, json={"city": None}), 400)
    assert api.get(BOOK + "/%d" % home["id"], token=t).json()["line1"] == HOME["line1"]
    # Deleting the default makes the oldest remaining one the default.
    assert api.delete(BOOK + "/%d" % work["id"], token=t).status_code == 204
    assert default_ids(book(api, t)) == [home["id"]]
    assert_problem(api.get(BOOK + "/%d" % work["id"], token=t), 404, "address_not_found")
    assert_problem(api.delete(BOOK + "/%d" % work["id"], token=t), 404, "address_not_found")


def test_new_default_on_create(api, buyer):
    t = buyer["token"]
    first = add(api, t, HOME)
    second = add(api, t, dict(WORK, isDefault=True))
    assert second["isDefault"] is True
    assert default_ids(book(api, t)) == [second["id"]]
    assert api.get(BOOK + "/%d" % first["id"], token=t).json()["isDefault"] is False


def test_another_users_address_is_404(api, buyer):
    mine = add(api, buyer["token"], HOME)
    other = api.register()["token"]
    path = BOOK + "/%d" % mine["id"]
    assert_problem(api.get(path, token=other), 404, "address_not_found")
    assert_problem(api.patch(path, token=other, json={"city": "Elsewhere"}), 404, "address_not_found")
    assert_problem(api.delete(path, token=other), 404, "address_not_found")
    assert book(api, other) == []
    assert api.get(path, token=buyer["token"]).json()["city"] == HOME["city"]
    assert_problem(api.get(BOOK), 401)


def test_validation(api, buyer):
    t = buyer["token"]
    cases = [
        ({k: v for k, v in HOME.items() if k != "line1"}, "line1"),
        (dict(HOME, country="XX"), "country"),
        (dict(HOME, country="IND"), "country"),
        (dict(HOME, country=""), "country"),
        (dict(HOME, name=""), "name"),
        (dict(HOME, name="x" * 101), "name"),
        (dict(HOME, line1="a\nb"), "line1"),
        (dict(HOME, phone="call me"), "phone"),
        (dict(HOME, postalCode="560<01"), "postalCode"),
        (dict(HOME, postalCode="1" * 17), "postalCode"),
        (dict(HOME, city=5), "city"),
        (dict(HOME, isDefault="yes"), "isDefault"),
    ]
    for body, field in cases:
        p = assert_problem(api.post(BOOK, token=t, json=body), 400)
        assert field in [e["field"] for e in p.get("errors", [])], (body, p)
    assert_problem(api.post(BOOK, token=t, json=dict(HOME, userId=1)), 400)
    assert_problem(api.patch(BOOK + "/x", token=t, json={"city": "A"}), 404)
    assert book(api, t) == []


def test_at_most_ten_even_when_racing(api, buyer):
    t = buyer["token"]
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        codes = list(ex.map(lambda i: api.post(BOOK, token=t, json=dict(HOME, line1="%d Road" % i)).status_code,
                            range(14)))
    assert codes.count(201) == 10 and set(codes) <= {201, 409, 422}, codes
    while codes.count(201) < 10:  # a lost slot race (409) asks the client to retry
        codes.append(api.post(BOOK, token=t, json=HOME).status_code)
    items = book(api, t)
    assert len(items) == 10 and len(default_ids(items)) == 1
    assert_problem(api.post(BOOK, token=t, json=HOME), 422, "too_many_addresses")
    assert api.delete(BOOK + "/%d" % items[-1]["id"], token=t).status_code == 204
    add(api, t, WORK)


def test_checkout_keeps_its_own_copy(api, buyer):
    t = buyer["token"]
    seller = api.register(role="seller")
    saved = add(api, t, HOME)
    order = checkout(api, t, seller, shippingAddressId=saved["id"])
    assert order["shippingAddress"] == HOME
    api.patch(BOOK + "/%d" % saved["id"], token=t, json={"line1": "99 New Street"})
    api.delete(BOOK + "/%d" % saved["id"], token=t)
    again = api.get("/api/orders/%d" % order["id"], token=t).json()
    assert again["shippingAddress"] == HOME
    # Inline, normalized like a saved one, and stored with the order.
    inline = checkout(api, t, seller, shippingAddress=WORK)
    assert inline["shippingAddress"] == dict(WORK, country="US", line2=None, phone=None)
    listed = {o["id"]: o for o in api.get("/api/orders?limit=100", token=t).json()["items"]}
    assert listed[inline["id"]]["shippingAddress"]["city"] == "San Francisco"
    # Optional: the seeds' flows check out without one.
    assert checkout(api, t, seller)["shippingAddress"] is None


def test_checkout_address_refusals(api, buyer):
    t = buyer["token"]
    seller = api.register(role="seller")
    theirs = add(api, api.register()["token"], HOME)
    p = product(api, seller["token"], price=500, stock=5)
    assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1}).status_code == 200
    assert_problem(api.post("/api/checkout", token=t, json={"shippingAddressId": theirs["id"]}), 404,
                   "address_not_found")
    p400 = assert_problem(api.post("/api/checkout", token=t, json={"shippingAddress": dict(HOME, country="ZZ")}), 400)
    assert [e["field"] for e in p400["errors"]] == ["country"]
    assert_problem(api.post("/api/checkout", token=t, json={"shippingAddress": dict(HOME, isDefault=True)}), 400)
    assert_problem(api.post("/api/checkout", token=t, json={"shippingAddress": "home"}), 400)
    mine = add(api, t, HOME)
    assert_problem(api.post("/api/checkout", token=t, json={"shippingAddressId": mine["id"],
                                                            "shippingAddress": HOME}), 400)
    # Nothing was taken by the refusals.
    assert api.get("/api/products/%d" % p["id"]).json()["stock"] == 5


def test_who_sees_the_shipping_address(api, buyer):
    t = buyer["token"]
    seller, other_seller = api.register(role="seller"), api.register(role="seller")
    admin = api.create_account("admin")
    order = checkout(api, t, seller, shippingAddress=HOME)
    path = "/api/orders/%d" % order["id"]
    # The seller of its lines sees where it goes, in the order and in the list.
    r = api.get(path, token=seller["token"])
    assert r.status_code == 200 and r.json()["shippingAddress"]["line1"] == HOME["line1"]
    listed = {o["id"]: o for o in api.get("/api/orders?limit=100", token=seller["token"]).json()["items"]}
    assert listed[order["id"]]["shippingAddress"]["postalCode"] == HOME["postalCode"]
    assert api.get(path, token=admin["token"]).json()["shippingAddress"]["city"] == HOME["city"]
    # A seller without lines in it and another buyer never do.
    assert_problem(api.get(path, token=other_seller["token"]), 404, "order_not_found")
    assert_problem(api.get(path, token=api.register()["token"]), 404, "order_not_found")
    others = api.get("/api/orders?limit=100", token=other_seller["token"]).json()["items"]
    assert order["id"] not in [o["id"] for o in others]


def test_responses_match_the_document(api, buyer):
    c = Conformance(api.get("/api/openapi.json").json())
    t = buyer["token"]
    seller = api.register(role="seller")
    a = c(api.post(BOOK, token=t, json=HOME), "post", BOOK, 201)
    c(api.post(BOOK, token=t, json=WORK), "post", BOOK, 201)
    c(api.get(BOOK, token=t), "get", BOOK, 200)
    one = BOOK + "/{id}"
    c(api.get(BOOK + "/%d" % a["id"], token=t), "get", one, 200)
    c(api.patch(BOOK + "/%d" % a["id"], token=t, json={"phone": None}), "patch", one, 200)
    c(api.get(BOOK + "/%d" % (a["id"] + 10 ** 9), token=t), "get", one, 404)
    p = product(api, seller["token"], price=700)
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1})
    o = c(api.post("/api/checkout", token=t, json={"shippingAddressId": a["id"]}), "post", "/api/checkout", 201)
    c(api.get("/api/orders/%d" % o["id"], token=seller["token"]), "get", "/api/orders/{id}", 200)
    c(api.get("/api/categories"), "get", "/api/categories", 200)
    c(api.delete(BOOK + "/%d" % a["id"], token=t), "delete", one, 204)
