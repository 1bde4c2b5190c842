"""GET /api/categories: the categories of live products with their counts,
served from the catalog cache and flushed with it. The session's database
holds other suites' categories too, so tests page through the whole list
and look at the fresh categories they made."""
import pytest

from conftest import assert_problem
from test_catalog import make_product, new_category


def all_categories(api):
    out, offset = {}, 0
    while True:
        r = api.get("/api/categories", params={"limit": 100, "offset": offset})
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "total", "limit", "offset"}
        for c in page["items"]:
            assert set(c) == {"name", "productCount"}
            assert c["name"].lower() not in {k.lower() for k in out}
            out[c["name"]] = c["productCount"]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            assert len(out) == page["total"]
            return out


def count_of(categories, name):
    found = [v for k, v in categories.items() if k.lower() == name.lower()]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture
def seller(api):
    return api.register(role="seller")


def test_counts_live_products_case_insensitively(api, seller):
    cat, other = new_category(), new_category()
    make_product(api, seller["token"], category=cat)
    make_product(api, seller["token"], category=cat.upper())
    gone = make_product(api, seller["token"], category=other)
    assert api.delete("/api/products/%d" % gone["id"], token=seller["token"]).status_code == 204
    cats = all_categories(api)
    # The filter matches either spelling, and so does the count.
    assert count_of(cats, cat) == 2
    assert len(api.get("/api/products", params={"category": cat}).json()["items"]) == 2
    assert count_of(cats, other) is None
    assert "" not in cats


def test_is_sorted_by_name(api, seller):
    for _ in range(2):
        make_product(api, seller["token"], category=new_category())
    names = [n.lower() for n in all_categories(api)]
    assert names == sorted(names)


def test_cached_with_etag_and_flushed_by_product_writes(api, seller):
    cat = new_category()
    p = make_product(api, seller["token"], category=cat)
    r = api.get("/api/categories", params={"limit": 100})
    assert r.status_code == 200
    etag = r.headers["ETag"]
    assert api.get("/api/categories", params={"limit": 100}, headers={"If-None-Match": etag}).status_code == 304
    make_product(api, seller["token"], category=cat)
    assert count_of(all_categories(api), cat) == 2
    r = api.get("/api/categories", params={"limit": 100}, headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    # Moving a product to another category moves its count.
    moved = new_category()
    assert api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"category": moved}).status_code == 200
    cats = all_categories(api)
    assert count_of(cats, cat) == 1 and count_of(cats, moved) == 1


def test_bad_paging_is_400(api):
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "x"}):
        assert_problem(api.get("/api/categories", params=params), 400, "validation_failed")
