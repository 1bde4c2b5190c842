"""Write batches: the write transactions of the requests one event loop
handles in a turn run as savepoints of one database transaction, committed
once. A request that fails is undone alone and gets its own answer; every
other answer goes out only after the commit."""
import re
import socket

import pytest

from conftest import Api
from test_cart_orders import product


@pytest.fixture(scope="module", params=["sqlite", "pg"])
def one_loop(request, make_server):
    """One event loop: every concurrent request meets the others' batch."""
    return Api(make_server(request.param, {"MERCATO_THREADS": "1"}))


def metric(api, name):
    m = re.search(r"^%s (\d+)$" % name, api.get("/metrics").text, re.M)
    return int(m.group(1)) if m else 0


def burst(api, requests_):
    """Sends every request on its own connection before reading any answer,
    so that they reach the server together. Returns (status, body) pairs."""
    socks = [socket.create_connection(("127.0.0.1", api.server.port), timeout=60) for _ in requests_]
    for s, raw in zip(socks, requests_):
        s.sendall(raw)
    out = []
    for s in socks:
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(body) < length:
            body += s.recv(65536)
        out.append((int(head.split()[1]), body.decode()))
        s.close()
    return out


def post(path, token, body=b"{}"):
    return (b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s") % (path.encode(), token.encode(), len(body), body)


def test_concurrent_checkouts_share_batches_and_fail_alone(one_loop):
    api = one_loop
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=5)
    buyers = [api.register() for _ in range(12)]
    for b in buyers:
        assert api.post("/api/cart", token=b["token"], json={"productId": p["id"], "quantity": 1}).status_code == 200
    batches, batched = metric(api, "mercato_write_batches_total"), metric(api, "mercato_write_batch_requests_total")

    answers = burst(api, [post("/api/checkout", b["token"]) for b in buyers])

    statuses = sorted(s for s, _ in answers)
    assert statuses == [201] * 5 + [409] * 7, answers
    assert all("out_of_stock" in body for s, body in answers if s == 409)
    # Every order that was answered 201 is there, and nothing else.
    assert len(api.get("/api/orders?limit=100", token=seller["token"]).json()["items"]) == 5
    assert api.get("/api/products/%d" % p["id"]).json()["stock"] == 0
    # The twelve answers waited for fewer commits than there were requests.
    new_batches = metric(api, "mercato_write_batches_total") - batches
    new_batched = metric(api, "mercato_write_batch_requests_total") - batched
    assert new_batched >= 12 and 1 <= new_batches < new_batched, (new_batches, new_batched)


def test_a_read_after_a_write_in_the_same_turn_sees_it_committed(one_loop):
    """Cart adds and reads of other buyers, together: each add's answer
    (and every answer that read the batch) comes after its commit, so a
    read on a new connection right after sees it."""
    api = one_loop
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=100)
    buyers = [api.register() for _ in range(10)]
    body = b'{"productId":%d,"quantity":2}' % p["id"]
    answers = burst(api, [post("/api/cart", b["token"], body) for b in buyers])
    assert [s for s, _ in answers] == [200] * 10, answers
    for b in buyers:
        cart = api.get("/api/cart", token=b["token"]).json()
        assert [(i["productId"], i["qty"]) for i in cart["items"]] == [(p["id"], 2)]
