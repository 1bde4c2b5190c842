"""Crash and restart cycles, the bank check: buyers check out, pay and cancel
concurrently; the server is killed with SIGKILL at a random moment (after a
random number of acknowledged operations), restarted on the same database,
and the books must balance after every restart:

* SQLite's integrity_check is ok;
* every order whose 201 reached a client is there with the lines and totals
  it was acknowledged with, in the state its last acknowledged operation
  left it (an operation cut off by the kill may have happened or not);
* stock + units held by live orders = initial stock, for every product;
* a coupon's usedCount = the live orders that hold a use of it;
* captured - refunded = the payable of the paid orders;
* the outbox holds (or has sent) the order_placed email of every
  acknowledged order, and no email about an order that does not exist.

MERCATO_CRASH_CYCLES sets the cycles per database (make test: 5; make
torture: 20); MERCATO_CRASH_SEED replays a run (the seed is in every
failure message)."""
import concurrent.futures
import os
import random
import signal
import sqlite3
import threading

import pytest
import requests

from conftest import BACKENDS, Api, wait_for
from test_cart_orders import product
from test_coupons_payments import coupon
from test_jobs import sql

CYCLES = int(os.environ.get("MERCATO_CRASH_CYCLES", "5"))
BUYERS = 6
PRODUCTS = 4
STOCK = 100000
LIVE = "('pending_payment', 'paid', 'processing', 'shipped', 'delivered')"


class Book:
    """What the clients were told: per order its lines, totals and the state
    the last acknowledged operation left; `doubt` holds orders an operation
    was cut off on."""

    def __init__(self):
        self.lock = threading.Lock()
        self.orders = {}
        self.doubt = set()
        self.acks = 0

    def ack(self, oid, **state):
        with self.lock:
            self.orders.setdefault(oid, {}).update(state)
            self.acks += 1


def shopper(api, token, products, code, rng, book, stop):
    """One buyer's loop until the server dies or `stop` is set."""
    oid = None
    try:
        while not stop.is_set():
            pid, qty = rng.choice(products), rng.randint(1, 3)
            api.post("/api/cart/clear", token=token)
            if api.post("/api/cart", token=token, json={"productId": pid, "qty": qty}).status_code != 200:
                continue
            oid = None
            body = {"couponCode": code} if rng.random() < 0.3 else {}
            r = api.post("/api/checkout", token=token, json=body)
            if r.status_code != 201:
                continue
            o = r.json()
            oid = o["id"]
            book.ack(oid, lines={pid: qty}, total=o["total"], original=o["originalTotal"],
                     status="pending_payment", payment="unpaid")
            action = rng.random()
            if action < 0.5:
                r = api.post("/api/payments", token=token, json={"orderId": oid, "method": "UPI"})
                if r.status_code == 201:
                    book.ack(oid, status="processing", payment="paid")
            if action < 0.2 or 0.5 <= action < 0.7:
                r = api.patch("/api/orders/%d/cancel" % oid, token=token, json={"reason": "changed my mind"})
                if r.status_code == 200:
                    book.ack(oid, status=r.json()["status"], payment=r.json()["paymentStatus"])
            oid = None
    except requests.RequestException:
        # The kill cut this request off: whatever it was doing may or may not have happened.
        if oid is not None:
            with book.lock:
                book.doubt.add(oid)


def check_books(server, book, initial, coupon_id, seed, cycle):
    where = "seed %d, cycle %d, %s" % (seed, cycle, server.backend)
    if server.backend == "sqlite":
        db = sqlite3.connect(server.db_url[len("sqlite:"):], timeout=30)
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)], where
            assert db.execute("PRAGMA foreign_key_check").fetchall() == [], where
        finally:
            db.close()
    orders = {int(i): (st, pay, int(total), int(orig)) for i, st, pay, total, orig in
              sql(server, "SELECT id, status, payment_status, total, original_total FROM orders")}
    lines = {}
    for oid, pid, qty in sql(server, "SELECT order_id, product_id, quantity FROM order_items"):
        lines.setdefault(int(oid), {})[int(pid)] = int(qty)
    for oid, told in book.orders.items():
        assert oid in orders, "%s: acknowledged order %d is gone" % (where, oid)
        st, pay, total, orig = orders[oid]
        assert (lines.get(oid), total, orig) == (told["lines"], told["total"], told["original"]), \
            "%s: order %d changed" % (where, oid)
        if oid not in book.doubt:
            assert (st, pay) == (told["status"], told["payment"]), "%s: order %d is %s/%s, told %s/%s" % (
                where, oid, st, pay, told["status"], told["payment"])
    for pid, stock, held in sql(server, "SELECT p.id, p.stock, (SELECT COALESCE(SUM(i.quantity), 0) FROM "
                                 "order_items i JOIN orders o ON o.id = i.order_id WHERE i.product_id = p.id "
                                 "AND o.status IN %s) FROM products p" % LIVE):
        if int(pid) in initial:
            assert int(stock) + int(held) == initial[int(pid)], "%s: product %s stock %s + held %s" % (
                where, pid, stock, held)
    used, holding = sql(server, "SELECT used_count, (SELECT COUNT(*) FROM orders WHERE coupon_id = c.id AND "
                         "status IN %s) FROM coupons c WHERE c.id = %d" % (LIVE, coupon_id))[0]
    assert int(used) == int(holding), "%s: coupon usedCount %s, %s orders hold a use" % (where, used, holding)
    captured, refunded, paid = sql(server, "SELECT (SELECT COALESCE(SUM(amount), 0) FROM payments WHERE status IN "
                                    "('success', 'refunded')), (SELECT COALESCE(SUM(amount), 0) FROM refunds), "
                                    "(SELECT COALESCE(SUM(total), 0) FROM orders WHERE payment_status = 'paid')")[0]
    assert int(captured) - int(refunded) == int(paid), "%s: captured %s - refunded %s != paid %s" % (
        where, captured, refunded, paid)
    placed = set()
    for kind, key in sql(server, "SELECT kind, dedupe_key FROM jobs WHERE kind LIKE 'order_%' OR kind LIKE "
                          "'payment_%'"):
        oid = int(key.split(":")[1])
        assert oid in orders, "%s: %s email for order %d, which does not exist" % (where, kind, oid)
        if kind == "order_placed":
            placed.add(oid)
    missing = set(book.orders) - placed
    assert not missing, "%s: no order_placed email for acknowledged orders %s" % (where, sorted(missing))


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_cycles_keep_the_books(make_server, backend):
    seed = int(os.environ.get("MERCATO_CRASH_SEED", random.randrange(1 << 32)))
    rng = random.Random(seed)
    # The shoppers leave some orders unpaid: no cap on open orders here.
    srv = make_server(backend, {"MERCATO_MAX_OPEN_ORDERS": "1000000"})
    api = Api(srv)
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    products = [product(api, seller["token"], price=rng.randint(100, 5000), stock=STOCK)["id"]
                for _ in range(PRODUCTS)]
    initial = {pid: STOCK for pid in products}
    c = coupon(api, admin["token"], pct=20, limit=100000)
    buyers = [api.register()["token"] for _ in range(BUYERS)]
    book = Book()
    for cycle in range(CYCLES):
        stop = threading.Event()
        kill_after = book.acks + rng.randint(3, 40)
        with concurrent.futures.ThreadPoolExecutor(BUYERS) as pool:
            futures = [pool.submit(shopper, Api(srv), t, products, c["code"], random.Random(rng.random()), book,
                                   stop) for t in buyers]
            try:
                wait_for(lambda: book.acks >= kill_after or all(f.done() for f in futures),
                         "%d acknowledged operations (seed %d)" % (kill_after, seed), timeout=60)
            finally:
                srv.proc.send_signal(signal.SIGKILL)
                srv.proc.wait()
                stop.set()
            for f in futures:
                f.result()
        srv.start()
        check_books(srv, book, initial, c["id"], seed, cycle)
    assert len(book.orders) >= CYCLES, "seed %d: too few orders to judge" % seed
    print("crash cycles %s: seed %d, %d cycles, %d acknowledged orders, %d cut off" % (
        backend, seed, CYCLES, len(book.orders), len(book.doubt)))
