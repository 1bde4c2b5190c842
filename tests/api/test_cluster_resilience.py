"""Cluster resilience (DESIGN section 9): the cluster of test_cluster.py, on
a PostgreSQL of its own that the tests stop and crash under a checkout load.

While the database is unreachable every node answers 503
`database_unavailable` (never 500) and keeps serving cached catalog pages;
once it is back, the nodes, the worker and the scheduler reconnect by
themselves within RECOVERY seconds. No acknowledged order is lost, stock
reconciles, every order's email is delivered, and an Idempotency-Key retried
after a node died between its commit and its answer returns the same order."""
import calendar
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

from conftest import BINARY, ROOT, Api, PgCluster, Server, free_port, wait_for
from test_cart_orders import product
from test_cluster import Cluster, Gateway, gateway_session, register_many, sql, stop_process

PG_SCRIPT = os.path.join(ROOT, "scripts", "pg_cluster.sh")
RECOVERY = 10        # seconds after PostgreSQL is back by which everything works again
OUTAGE_SEEN = 15     # seconds to wait for the outage to show (503s, failed scheduler runs)
BUYERS = 4           # concurrent checkout loops
SCHED_EVERY = 60     # MC_SCHED_EVERY_EXPIRE: the scheduler's next expire_unpaid run


@pytest.fixture(scope="module")
def own_pg():
    """A PostgreSQL cluster for this module alone: the tests take it down."""
    pg = PgCluster()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def rcluster(own_pg):
    # A short job lease: deliveries whose outcome could not be recorded
    # during an outage are claimed again within the test.
    c = Cluster(own_pg, extra_env={"MERCATO_JOB_LEASE_MS": "3000", "MERCATO_MAX_OPEN_ORDERS": "1000000"})
    c.pg_dir = own_pg.dir
    try:
        c.start()
        yield c
    finally:
        c.finish()


def pg_ctl(cluster, *args):
    subprocess.run(["bash", PG_SCRIPT, args[0], cluster.pg_dir, *args[1:]], check=True, timeout=90,
                   stdout=subprocess.DEVNULL)


def problem_code(r):
    try:
        return r.json().get("code")
    except ValueError:
        return None


class CheckoutLoad:
    """BUYERS threads through the gateway, each: add an item, check out with
    an Idempotency-Key and retry that key until it is answered 201. One more
    thread reads a cached product page from every node directly."""

    def __init__(self, cluster, pid, cached_pid, tokens):
        self.cluster, self.pid, self.cached_pid = cluster, pid, cached_pid
        self.events = []        # (start, end, what, status, code)
        self.acked = {}         # order id -> key
        self.unresolved = 0     # keys still unanswered when the load stopped
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._buyer, args=(t,)) for t in tokens]
        self.threads.append(threading.Thread(target=self._reader))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads), "a load thread hangs"

    def _call(self, session, base, what, method, path, token=None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = "Bearer " + token
        start = time.monotonic()
        try:
            r = session.request(method, base + path, headers=headers, timeout=30, **kw)
            status, code = r.status_code, problem_code(r) if r.status_code >= 400 else None
        except requests.RequestException as e:
            r, status, code = None, 0, type(e).__name__
        with self.lock:
            self.events.append((start, time.monotonic(), what, status, code))
        return r

    def _buyer(self, token):
        base = self.cluster.gateway.base
        with gateway_session() as s:
            while not self.stop.is_set():
                r = self._call(s, base, "cart", "POST", "/api/cart", token, json={"productId": self.pid, "qty": 1})
                if r is None or r.status_code != 200:
                    self.stop.wait(0.05)  # pacing the retries, not synchronising
                    continue
                key = uuid.uuid4().hex
                while True:
                    r = self._call(s, base, "checkout", "POST", "/api/checkout", token, json={},
                                   headers={"Idempotency-Key": key})
                    if r is not None and r.status_code == 201:
                        with self.lock:
                            assert self.acked.setdefault(r.json()["id"], key) == key
                        break
                    # A cart add is not durable on PostgreSQL (synchronous_commit
                    # off): a crash of the database may take the last one back.
                    if r is not None and problem_code(r) == "cart_empty":
                        break
                    if self.stop.is_set():
                        with self.lock:
                            self.unresolved += 1
                        break
                    self.stop.wait(0.05)

    def _reader(self):
        path = "/api/products/%d" % self.cached_pid
        with requests.Session() as s:
            while not self.stop.is_set():
                for node in self.cluster.nodes:
                    self._call(s, node.base, "catalog", "GET", path)
                self.stop.wait(0.02)

    def count(self, what, status, since):
        """Calls of a kind (or of any of a tuple of kinds) answered status."""
        kinds = what if isinstance(what, tuple) else (what,)
        with self.lock:
            return sum(1 for e in self.events if e[2] in kinds and e[3] == status and e[0] >= since)

    def check(self, outages):
        """Outside the outages (each until RECOVERY after PostgreSQL was
        back) every call succeeded; inside, only 503 database_unavailable,
        and after a crash a checkout may find the cart empty: the cart add
        before it was acknowledged but not yet flushed (cart writes are not
        durable on PostgreSQL; orders are). Cached catalog pages were served
        throughout."""
        bad = []
        for start, end, what, status, code in self.events:
            window = [how for down, up, how in outages if end >= down and start <= up + RECOVERY]
            if what == "catalog":
                ok = status == 200
            elif window:
                ok = (status in (200, 201) or (status == 503 and code == "database_unavailable") or
                      ("crash" in window and what == "checkout" and status == 422 and code == "cart_empty"))
            else:
                ok = status in (200, 201)
            if not ok:
                bad.append((round(start, 2), what, status, code))
        assert not bad, "unexpected answers (outages %s): %s" % (outages, bad[:20])


def assert_nodes_recover(cluster, token, since):
    """Every node answers /readyz and an authenticated read within RECOVERY
    seconds of `since` (when PostgreSQL was back)."""
    for i, node in enumerate(cluster.nodes):
        api = Api(node)
        left = max(0.1, since + RECOVERY - time.monotonic())
        wait_for(lambda: api.get("/readyz").status_code == 200, "node %d ready again" % i, left)
        left = max(0.1, since + RECOVERY - time.monotonic())
        wait_for(lambda: api.get("/api/cart", token=token).status_code == 200, "node %d serving again" % i, left)


def outage(cluster, load, how):
    """Takes PostgreSQL down under the load until the nodes show it, brings
    it back; returns (down, up) in monotonic seconds."""
    down = time.monotonic()
    pg_ctl(cluster, "down", how)
    for i, node in enumerate(cluster.nodes):
        api = Api(node)
        wait_for(lambda: api.get("/readyz").status_code == 503, "node %d to report the outage" % i, OUTAGE_SEEN)
    # A buyer whose cart add failed retries the add, not the checkout: when
    # every buyer was between orders at the outage, only cart adds meet it.
    wait_for(lambda: load.count(("cart", "checkout"), 503, down) >= 3, "writes answered 503", OUTAGE_SEEN)
    return down


def log_times(text, pattern):
    """Unix times of the JSON log lines whose message matches pattern."""
    out = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if re.search(pattern, entry.get("msg", "")):
            out.append(calendar.timegm(time.strptime(entry["ts"], "%Y-%m-%dT%H:%M:%SZ")))
    return out


SCHED_RAN = r"^expire_unpaid: \d+ rows$"


def test_crash_between_commit_and_answer_replays_the_order(rcluster):
    """A node dies after its checkout committed but before it answered: the
    retry with the same key, on another node, returns that order."""
    c = rcluster
    env = dict(c.env, MERCATO_TEST_DELAY_AFTER_COMMIT_MS="20000")
    slow = Server("pg", c.db_url, env)
    try:
        seller = c.api.register(role="seller")
        p = product(c.api, seller["token"], stock=10)
        buyer = c.api.register()
        token, uid = buyer["token"], buyer["user"]["id"]
        slow_api = Api(slow)
        assert slow_api.post("/api/cart", token=token, json={"productId": p["id"], "qty": 1}).status_code == 200
        key = uuid.uuid4().hex
        lost = {}

        def checkout():
            try:
                lost["r"] = slow_api.post("/api/checkout", token=token, json={}, headers={"Idempotency-Key": key},
                                          timeout=60)
            except requests.RequestException as e:
                lost["error"] = e
        t = threading.Thread(target=checkout)
        t.start()
        orders = wait_for(lambda: sql(c.db_url, "SELECT id FROM orders WHERE user_id = %d" % uid),
                          "the checkout to commit")
        slow.proc.send_signal(signal.SIGKILL)
        slow.proc.wait(timeout=30)
        t.join(timeout=60)
        assert "error" in lost, lost  # the client never got its answer

        for i in range(len(c.nodes)):
            r = Api(c.nodes[i]).post("/api/checkout", token=token, json={}, headers={"Idempotency-Key": key})
            assert r.status_code == 201 and r.headers.get("Idempotent-Replayed") == "true", r.text
            assert r.json()["id"] == int(orders[0][0])
        assert sql(c.db_url, "SELECT count(*) FROM orders WHERE user_id = %d" % uid) == [("1",)]
        assert sql(c.db_url, "SELECT stock FROM products WHERE id = %d" % p["id"]) == [("9",)]
    finally:
        if slow.proc.poll() is None:
            slow.proc.kill()
            slow.proc.wait()
        shutil.rmtree(slow.dir, ignore_errors=True)


def test_delay_after_commit_is_refused_in_production(rcluster):
    r = subprocess.run([BINARY, "migrate"],
                       env=dict(rcluster.nodes[0].env, MERCATO_ENV="production",
                                MERCATO_TEST_DELAY_AFTER_COMMIT_MS="10"),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "MERCATO_TEST_DELAY_AFTER_COMMIT_MS" in r.stderr


def test_node_with_another_jwt_key_refuses_to_start(rcluster):
    c = rcluster
    other = uuid.uuid4().hex + uuid.uuid4().hex
    home = tempfile.mkdtemp(prefix="mercato-key-")
    try:
        env = dict(c.nodes[0].env, MERCATO_JWT_SECRET=other, MERCATO_PORT=str(free_port()),
                   MERCATO_DATA_DIR=os.path.join(home, "data"), ASAN_OPTIONS="detect_leaks=1:log_path=%s/asan" % home)
        r = subprocess.run([BINARY, "serve"], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode != 0, r.stderr
        assert "JWT signing key" in r.stderr and "MERCATO_JWT_SECRET" in r.stderr, r.stderr
        assert not glob.glob(os.path.join(home, "asan*"))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    # The database holds a fingerprint of the cluster's key, never the key.
    [(fp,)] = sql(c.db_url, "SELECT value FROM cluster_settings WHERE name = 'jwt_key_fingerprint'")
    assert len(fp) == 32 and fp not in (c.env["MERCATO_JWT_SECRET"], other)
    # The nodes with the right key still serve.
    assert c.api.get("/api/auth/me", token=c.api.register()["token"]).status_code == 200


def test_gateway_limits_each_address_for_the_whole_cluster(rcluster):
    """limit_req at the gateway: one address gets MERCATO_RATE (here 2/s,
    burst 5) from the cluster, not from each node."""
    gw = Gateway([n.port for n in rcluster.nodes], rate=2, burst=5)
    try:
        with gateway_session() as s:
            start = time.monotonic()
            answers = [s.get(gw.base + "/healthz", timeout=10) for _ in range(30)]
            elapsed = time.monotonic() - start
        ok = [r for r in answers if r.status_code == 200]
        limited = [r for r in answers if r.status_code == 429]
        assert len(ok) + len(limited) == len(answers), [r.status_code for r in answers]
        assert limited and len(ok) <= 5 + 1 + int(2 * elapsed) + 1, (len(ok), elapsed)
        assert limited[0].headers["Content-Type"] == "application/problem+json"
        assert limited[0].json()["code"] == "rate_limited" and limited[0].headers["Retry-After"] == "1"
    finally:
        gw.finish()


def test_nodes_killed_and_restarted_under_load_lose_only_their_posts(rcluster):
    """Three node kill -9 and restarts within 15 s under load: reads never
    fail (they move to another node), and the only 502s are POSTs that were
    in flight on a killed node (nginx does not resend a POST)."""
    c = rcluster
    seller = c.api.register(role="seller")
    p = product(c.api, seller["token"], stock=100000)
    tokens = register_many(c, 4)
    c.gateway.expected_errors += ["Connection refused", "prematurely closed", "Connection reset by peer"]
    stop = threading.Event()
    seen, lock = [], threading.Lock()

    def loop(token):
        with gateway_session() as s:
            while not stop.is_set():
                for method, path, body in (("GET", "/api/products/%d" % p["id"], None),
                                           ("POST", "/api/cart", {"productId": p["id"], "qty": 1})):
                    try:
                        status = s.request(method, c.gateway.base + path, json=body, timeout=30,
                                           headers={"Authorization": "Bearer " + token}).status_code
                    except requests.RequestException as e:
                        status = type(e).__name__
                    with lock:
                        seen.append((method, status))
    threads = [threading.Thread(target=loop, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: len(seen) > 50, "the load to run")
        start = time.monotonic()
        for node in c.nodes:
            node.proc.send_signal(signal.SIGKILL)
            node.proc.wait(timeout=30)
            node.start()
        restarted = time.monotonic() - start
        count = len(seen)
        wait_for(lambda: len(seen) > count + 50, "the load to go on")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert restarted < 15, restarted
    gets = {st for m, st in seen if m == "GET"}
    posts = [st for m, st in seen if m == "POST"]
    assert gets == {200}, gets
    assert set(posts) <= {200, 502}, set(posts)
    # At most one request in flight per client on each killed node.
    assert posts.count(502) <= len(tokens) * len(c.nodes), posts.count(502)


FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


def skewed(env, offset):
    """env for a process whose wall clock is `offset` ("-2h") off; its
    monotonic clock (durations, sleeps) stays true."""
    return dict(env, LD_PRELOAD=FAKETIME, FAKETIME=offset, FAKETIME_DONT_FAKE_MONOTONIC="1",
                # libfaketime comes before the sanitizer runtime.
                ASAN_OPTIONS="detect_leaks=1:verify_asan_link_order=0")


def spawn(node, name, env):
    log = open(os.path.join(node.dir, name + ".log"), "ab")
    proc = subprocess.Popen([BINARY, name], env=env, stdout=log, stderr=log)
    log.close()
    return proc


def test_skewed_clocks_neither_stamp_orders_nor_steal_leases(make_server):
    """A node 2 h behind, a worker and a scheduler 2 h ahead, on a database of
    their own: orders carry the database's time, the scheduler expires only
    what is old by the database's clock, and neither takes a live lease."""
    node = make_server("pg", skewed({"MERCATO_UNPAID_TTL": "60", "MERCATO_WORKER_POLL_MS": "100"}, "-2h"))
    db = node.db_url
    api = Api(node)
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=10)
    buyer = api.register()
    token, email = buyer["token"], buyer["user"]["email"]
    orders = []
    for _ in range(2):
        assert api.post("/api/cart", token=token, json={"productId": p["id"], "qty": 1}).status_code == 200
        r = api.post("/api/checkout", token=token)
        assert r.status_code == 201, r.text
        orders.append(r.json()["id"])
    fresh, old = orders
    [(stamped, db_now)] = sql(db, "SELECT created_at, CAST(extract(epoch FROM now()) AS BIGINT) FROM orders"
                                  " WHERE id = %d" % fresh)
    assert abs(int(db_now) - int(stamped)) < 60, (stamped, db_now)
    [(run_at, db_now_ms)] = sql(db, "SELECT run_at, CAST(extract(epoch FROM now()) * 1000 AS BIGINT) FROM jobs"
                                    " WHERE dedupe_key = 'order_placed:%d:%s'" % (fresh, email))
    assert abs(int(db_now_ms) - int(run_at)) < 60000, (run_at, db_now_ms)
    # The positive control: an order that is old by the database's clock.
    sql(db, "UPDATE orders SET created_at = created_at - 120 WHERE id = %d" % old)
    # Leases another worker and another scheduler hold for 10 more minutes.
    sql(db, "INSERT INTO jobs (kind, dedupe_key, payload, status, attempts, max_attempts, run_at, lease_until,"
            " created_at, updated_at) VALUES ('order_placed', 'leased-elsewhere', '{}', 'running', 1, 5, 0,"
            " mc_now_ms() + 600000, mc_now(), mc_now())")
    sql(db, "INSERT INTO scheduler_leases (name, holder, lease_until) VALUES ('cleanup', 'another-scheduler',"
            " mc_now_ms() + 600000)")

    ahead = skewed(dict(node.env), "+2h")
    procs = [(name, spawn(node, name, ahead)) for name in ("worker", "scheduler")]
    try:
        # The worker works: it delivers the orders' emails...
        wait_for(lambda: sql(db, "SELECT count(*) FROM jobs WHERE status = 'done'"
                                 " AND dedupe_key LIKE 'order_placed:%'") == [("2",)],
                 "the skewed worker to deliver the orders' emails")
        # ...and the scheduler ran its tasks, expiring only the old order.
        log = os.path.join(node.dir, "scheduler.log")
        wait_for(lambda: re.search(r"expire_unpaid: \d+ rows", open(log).read()), "the scheduler's first runs")
        assert sql(db, "SELECT status FROM orders WHERE id = %d" % old) == [("cancelled",)]
        assert sql(db, "SELECT status FROM orders WHERE id = %d" % fresh) == [("pending_payment",)]
        # Neither took the leases that are still live by the database's clock.
        assert sql(db, "SELECT status, attempts FROM jobs WHERE dedupe_key = 'leased-elsewhere'") == [("running", "1")]
        assert sql(db, "SELECT holder FROM scheduler_leases WHERE name = 'cleanup'") == [("another-scheduler",)]
        assert "cleanup:" not in open(log).read()
    finally:
        for name, proc in procs:
            stop_process(proc, signal.SIGTERM, name)


def test_database_stop_and_crash_under_checkout_load(rcluster):
    c = rcluster
    api = c.api
    admin = api.create_account("admin")["token"]
    seller = api.register(role="seller")
    stock = 100000
    p = product(api, seller["token"], price=500, stock=stock)
    cached = product(api, seller["token"], price=700)
    tokens = register_many(c, BUYERS)
    probe = tokens[0]
    # Fill every node's catalog cache with the page the reader asks for.
    for node in c.nodes:
        assert Api(node).get("/api/products/%d" % cached["id"]).status_code == 200

    outages = []
    with CheckoutLoad(c, p["id"], cached["id"], tokens) as load:
        wait_for(lambda: len(load.acked) >= 5, "the first orders")

        # 1. A fast shutdown: PostgreSQL disconnects every session.
        down = outage(c, load, "fast")
        pg_ctl(c, "up")
        up = time.monotonic()
        outages.append((down, up, "fast"))
        assert_nodes_recover(c, probe, up)
        acked = len(load.acked)
        wait_for(lambda: len(load.acked) > acked + 5, "orders after the restart", RECOVERY)

        # 2. kill -9 of the postmaster, timed over the scheduler's next
        # expire_unpaid run so that the scheduler meets the outage too.
        first = log_times(c.log_of("scheduler"), SCHED_RAN)
        assert first, c.log_of("scheduler")
        due = first[0] + SCHED_EVERY
        wait_for(lambda: time.time() >= due - 3, "the scheduler's next run to come near", SCHED_EVERY + 5)
        down = outage(c, load, "crash")
        wait_for(lambda: "expire_unpaid: cannot take its lease" in c.log_of("scheduler"),
                 "the scheduler to meet the outage", OUTAGE_SEEN)
        pg_ctl(c, "up")
        up, up_wall = time.monotonic(), time.time()
        outages.append((down, up, "crash"))
        assert_nodes_recover(c, probe, up)
        wait_for(lambda: any(t >= int(up_wall) for t in log_times(c.log_of("scheduler"), SCHED_RAN)),
                 "the scheduler to run again", RECOVERY)
        acked = len(load.acked)
        wait_for(lambda: len(load.acked) > acked + 5, "orders after the crash", RECOVERY)
    load.check(outages)
    assert load.count("catalog", 200, outages[0][0]) > 0
    # The worker (polling every 100 ms) says so once an outage, not once a poll.
    worker_log = c.log_of("worker")
    assert 1 <= worker_log.count("cannot claim jobs") <= 2 * len(outages), worker_log[-3000:]

    # Every acknowledged order is there, and no key made two orders.
    rows = sql(c.db_url, "SELECT o.id, i.quantity FROM orders o JOIN order_items i ON i.order_id = o.id"
               " WHERE i.product_id = %d" % p["id"])
    in_db = {int(oid) for oid, _ in rows}
    assert set(load.acked) <= in_db, sorted(set(load.acked) - in_db)[:10]
    assert len(in_db) <= len(load.acked) + load.unresolved
    # Stock reconciles with what was sold.
    [(left,)] = sql(c.db_url, "SELECT stock FROM products WHERE id = %d" % p["id"])
    assert stock - int(left) == sum(int(q) for _, q in rows)
    # Every order's email reaches the spool, once the worker is back.
    spool = os.path.join(c.nodes[0].env["MERCATO_DATA_DIR"], "mail")

    def undelivered():
        done = {int(k.split(":")[1]) for (k,) in sql(c.db_url, "SELECT dedupe_key FROM jobs WHERE status = 'done'"
                                                    " AND kind = 'order_placed'")}
        return in_db - done
    wait_for(lambda: not undelivered(), "the worker to deliver every order's email", 30)
    for oid in in_db:
        assert glob.glob(os.path.join(spool, "order_placed.%d.*.eml" % oid)), oid
    assert api.get("/api/admin/jobs", token=admin, params={"status": "dead"}).json()["total"] == 0
