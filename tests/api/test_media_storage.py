"""Stored images do not fill the disk: each seller has a storage quota (413
past it), and images no product shows any more (replaced, or their product
deleted) are removed by the scheduler's cleanup job once a grace period for
cached pages has passed."""
import os

import pytest

from conftest import Api, assert_problem
from test_media_seed_import import make_product, upload


def png(size):
    return b"\x89PNG\r\n\x1a\n" + os.urandom(size - 8)


def cleanup(api):
    r = api.server.cli("scheduler", "--run-once", "cleanup")
    assert r.returncode == 0, r.stderr


def image_of(api, pid, data, token):
    r = upload(api, pid, data, token)
    assert r.status_code == 200, r.text
    return r.json()["imageUrl"]


@pytest.fixture(scope="module", params=["sqlite", "pg"])
def small(request, make_server):
    """A 1 MB quota per seller and no grace period."""
    return Api(make_server(request.param, {"MERCATO_MEDIA_QUOTA_MB": "1", "MERCATO_MEDIA_GRACE": "0"}))


def test_a_seller_past_the_storage_quota_gets_413(small):
    seller = small.register(role="seller")
    t = seller["token"]
    first = png(400 * 1024)
    pids = [make_product(small, t)["id"] for _ in range(3)]
    image_of(small, pids[0], first, t)
    image_of(small, pids[1], png(400 * 1024), t)
    r = upload(small, pids[2], png(400 * 1024), t)
    assert_problem(r, 413, "media_quota_exceeded")
    # Bytes already stored (same product, same image) cost nothing more.
    assert image_of(small, pids[0], first, t)
    # Another seller has a quota of their own.
    other = small.register(role="seller")
    image_of(small, make_product(small, other["token"])["id"], png(400 * 1024), other["token"])


def test_replaced_and_deleted_images_are_removed_and_free_the_quota(small):
    seller = small.register(role="seller")
    t = seller["token"]
    kept_pid, gone_pid = make_product(small, t)["id"], make_product(small, t)["id"]
    old = image_of(small, kept_pid, png(400 * 1024), t)
    new = image_of(small, kept_pid, png(400 * 1024), t)
    deleted = image_of(small, gone_pid, png(100 * 1024), t)
    assert_problem(upload(small, make_product(small, t)["id"], png(400 * 1024), t), 413, "media_quota_exceeded")
    assert small.delete("/api/products/%d" % gone_pid, token=t).status_code == 204
    cleanup(small)
    assert_problem(small.get(old), 404)
    assert_problem(small.get(deleted), 404)
    assert small.get(new).status_code == 200
    # The space they took is the seller's again.
    image_of(small, make_product(small, t)["id"], png(400 * 1024), t)


def test_replaced_images_stay_through_the_grace_period(api):
    seller = api.register(role="seller")
    pid = make_product(api, seller["token"])["id"]
    old = image_of(api, pid, png(4096), seller["token"])
    new = image_of(api, pid, png(4096), seller["token"])
    cleanup(api)
    assert api.get(old).status_code == 200
    assert api.get(new).status_code == 200


def test_media_settings_are_listed_and_checked(small):
    r = small.server.cli("help")
    assert "MERCATO_MEDIA_QUOTA_MB" in r.stdout and "MERCATO_MEDIA_GRACE" in r.stdout
