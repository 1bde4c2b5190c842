"""Fields the seeds spell two ways (name/username, qty/quantity,
imageUrl/image): the alias is read only when the field is absent or null;
an invalid value is reported under its own name, never replaced by the
alias, and "is required" names the one field the endpoint documents."""
from conftest import assert_problem
from test_cart_orders import product


def fields(r):
    return [(e["field"], e["message"]) for e in assert_problem(r, 400, "validation_failed")["errors"]]


def test_register_name_or_username(api):
    base = {"password": "correct horse"}
    r = api.post("/api/auth/register", json={**base, "email": api.unique_email(), "username": "Seed One"})
    assert r.status_code == 201 and r.json()["user"]["name"] == "Seed One", r.text
    r = api.post("/api/auth/register", json={**base, "email": api.unique_email(), "name": "Named",
                                             "username": "ignored"})
    assert r.status_code == 201 and r.json()["user"]["name"] == "Named", r.text
    r = api.post("/api/auth/register", json={**base, "email": api.unique_email(), "name": None,
                                             "username": "From Alias"})
    assert r.status_code == 201 and r.json()["user"]["name"] == "From Alias", r.text
    assert fields(api.post("/api/auth/register", json={**base, "email": api.unique_email(), "name": 5,
                                                       "username": "valid"})) == [("name", "must be a string")]
    assert fields(api.post("/api/auth/register", json={**base, "email": api.unique_email()})) == [
        ("name", "is required")]
    assert fields(api.post("/api/auth/register", json={**base, "email": api.unique_email(), "username": ""})) == [
        ("username", "must be 1 to 100 characters")]


def test_cart_qty_or_quantity(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=10)
    t = api.register()["token"]
    assert fields(api.post("/api/cart", token=t, json={"productId": p["id"], "qty": "x", "quantity": 2})) == [
        ("qty", "must be an integer")]
    r = api.post("/api/cart", token=t, json={"productId": p["id"], "qty": None, "quantity": 2})
    assert r.status_code == 200 and r.json()["items"][0]["quantity"] == 2, r.text
    r = api.post("/api/cart", token=t, json={"productId": p["id"]})
    assert r.status_code == 200 and r.json()["items"][0]["quantity"] == 3, r.text
    assert fields(api.put("/api/cart/%d" % p["id"], token=t, json={})) == [("quantity", "is required")]
    uid = api.get("/api/auth/me", token=t).json()["id"]
    assert fields(api.post("/api/cart/%d" % uid, token=t, json={"productId": p["id"]})) == [("qty", "is required")]
    assert fields(api.post("/api/cart/%d" % uid, token=t, json={"productId": p["id"], "quantity": -1,
                                                                 "qty": 1}))[0][0] == "quantity"
    assert fields(api.post("/api/cart/%d" % uid, token=t, json={"items": [{"productId": p["id"]}]})) == [
        ("qty", "is required")]


def test_product_image_url_or_image(api):
    seller = api.register(role="seller")
    t = seller["token"]
    p = product(api, t, image="https://img.example/a.png")
    assert p["imageUrl"] == "https://img.example/a.png"
    r = api.patch("/api/products/%d" % p["id"], token=t, json={"imageUrl": 5, "image": "https://img.example/b.png"})
    assert fields(r) == [("imageUrl", "must be a string")]
    r = api.patch("/api/products/%d" % p["id"], token=t, json={"imageUrl": None})
    assert r.status_code == 200 and r.json()["imageUrl"] is None, r.text
