"""Scaling out (DESIGN section 9): a real cluster on loopback. Three
`mercato serve` nodes on one PostgreSQL database behind nginx, plus one
`mercato worker` and one `mercato scheduler` process, and the concurrency
proofs of the other suites run again through the gateway, so the racing
requests land on different processes and only the database can keep the
promises (no oversell, no coupon over-use, one capture, one order per
Idempotency-Key). Logout and catalog changes must reach every node.

The client talks to the gateway from 127.0.0.2; nginx sets X-Forwarded-For
to the peer address and the nodes trust it from 127.0.0.1 only, so the
nodes' access logs show 127.0.0.2 for gateway traffic and 127.0.0.1 for the
requests the test sends to a node directly.

The nodes start at the same moment on an empty database: migrate_run() must
serialize them (an advisory lock) so exactly one applies the migrations."""
import concurrent.futures
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import types
import uuid

import pytest
import requests
import requests.adapters

from conftest import BINARY, ROOT, Api, Server, assert_problem, free_port, wait_for
from test_cart_orders import assert_stock_invariant, product
from test_coupons_payments import cart_of, coupon, money_reconciles
from test_media_seed_import import PNG, WEBP, make_product, upload
from s3_gate import s3  # noqa: F401 -- the bucket every node shares

NGINX = "/usr/sbin/nginx"
CLUSTER_SCRIPT = os.path.join(ROOT, "scripts", "cluster.sh")
NODES = 3
CLIENT_IP = "127.0.0.2"       # the test's address towards the gateway
SPREAD_WAIT = 5               # seconds: bounded polls of logs and of other nodes' views


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connects from a chosen loopback address."""

    def __init__(self, source, **kw):
        self.source = source
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kw)


def gateway_session():
    s = requests.Session()
    s.mount("http://", SourceAddressAdapter(CLIENT_IP))
    return s


def sql(db_url, statement):
    out = subprocess.run(["psql", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", db_url, "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def access_log(node):
    """The node's access log lines (JSON, "component":"access")."""
    lines = []
    with open(node.log_path, errors="replace") as f:
        for line in f:
            if '"component":"access"' not in line:
                continue
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass  # a line still being written
    return lines


def stop_process(proc, sig, what, timeout=30):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("%s did not stop on %s" % (what, sig.name))
    assert proc.returncode == 0, "%s exited with %s" % (what, proc.returncode)


class Gateway:
    """nginx in front of the nodes, configured by scripts/cluster.sh."""

    def __init__(self, node_ports, rate=1000000, burst=1000000):
        self.dir = tempfile.mkdtemp(prefix="mercato-gw-")
        os.makedirs(os.path.join(self.dir, "tmp"))
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.error_log = os.path.join(self.dir, "error.log")
        self.proc = None
        # Errors a test caused on purpose (a node it killed), by substring.
        self.expected_errors = []
        # The per-IP limit: the suite sends thousands of requests from one address.
        env = dict(os.environ, MERCATO_RATE=str(rate), MERCATO_RATE_BURST=str(burst))
        for _ in range(5):
            self.port = free_port()
            self.base = "http://127.0.0.1:%d" % self.port
            with open(self.conf, "w") as f:
                subprocess.run(["bash", CLUSTER_SCRIPT, "nginx-conf", self.dir, str(self.port),
                                *map(str, node_ports)], check=True, stdout=f, env=env)
            if self._start():
                return
            # Someone took the port between the probe and the bind: try another.
            if "Address already in use" not in self.errors():
                break
        raise RuntimeError("nginx did not start:\n" + self.errors())

    def _start(self):
        out = open(os.path.join(self.dir, "nginx.out"), "ab")
        self.proc = subprocess.Popen([NGINX, "-e", self.error_log, "-p", self.dir, "-c", self.conf],
                                     stdout=out, stderr=out)
        out.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.05)  # polling a starting process, not synchronising a test
        self.proc.kill()
        self.proc.wait()
        return False

    def errors(self):
        text = ""
        for name in ("error.log", "nginx.out"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f.read()
        return text

    def finish(self):
        # SIGQUIT: graceful, finishes what is in flight and closes the pools.
        stop_process(self.proc, signal.SIGQUIT, "nginx")
        bad = [line for line in self.errors().splitlines()
               if any(level in line for level in ("[error]", "[crit]", "[alert]", "[emerg]"))
               and not any(e in line for e in self.expected_errors)]
        assert not bad, "the gateway logged errors:\n" + "\n".join(bad[-20:])
        shutil.rmtree(self.dir, ignore_errors=True)


class Cluster:
    def __init__(self, pg_cluster, media_env=None, extra_env=None):
        self.db_url = pg_cluster.new_database()
        self.media_env = media_env or {}    # images in the shared bucket
        self.nodes, self.processes, self.gateway = [], [], None
        self.env = {
            "MERCATO_TRUSTED_PROXIES": "127.0.0.1",
            # Every node must verify every other node's tokens.
            "MERCATO_JWT_SECRET": uuid.uuid4().hex + uuid.uuid4().hex,
            "MERCATO_WORKER_POLL_MS": "100",
            **self.media_env,
        }
        self.env.update(extra_env or {})

    def start(self):
        env = self.env
        with concurrent.futures.ThreadPoolExecutor(NODES) as ex:
            self.nodes = list(ex.map(lambda _: Server("pg", self.db_url, env), range(NODES)))
        # The worker and the scheduler share node 0's settings, data
        # directory (mail spool) and sanitizer log path.
        home = self.nodes[0]
        for name in ("worker", "scheduler"):
            log = open(os.path.join(home.dir, name + ".log"), "ab")
            proc = subprocess.Popen([BINARY, name], env=home.env, stdout=log, stderr=log)
            log.close()
            self.processes.append((name, proc))
        self.gateway = Gateway([n.port for n in self.nodes])
        self.shim = types.SimpleNamespace(base=self.gateway.base, port=self.gateway.port, backend="pg",
                                          cli=home.cli)
        self.api = self.gateway_api()

    def gateway_api(self):
        """An Api client that reaches the shop through nginx, from CLIENT_IP."""
        api = Api(self.shim)
        api.http.mount("http://", SourceAddressAdapter(CLIENT_IP))
        return api

    def node_api(self, i):
        return Api(self.nodes[i])

    def log_of(self, name):
        with open(os.path.join(self.nodes[0].dir, name + ".log"), errors="replace") as f:
            return f.read()

    def served_by(self, request_ids):
        """Which node answered each request id (a bounded wait for the log lines)."""
        def find():
            where = {}
            for i, node in enumerate(self.nodes):
                for line in access_log(node):
                    if line.get("requestId") in request_ids:
                        where[line["requestId"]] = i
            return where if len(where) == len(request_ids) else None
        return wait_for(find, "the access lines of %d requests" % len(request_ids), SPREAD_WAIT)

    def finish(self):
        errors = []

        def check(what, fn):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 -- stop the rest, then report all
                errors.append("%s: %s: %s" % (what, type(e).__name__, e))

        if self.gateway:
            check("gateway", self.gateway.finish)
        for name, proc in self.processes:
            check(name, lambda: stop_process(proc, signal.SIGTERM, name))
        for i, node in reversed(list(enumerate(self.nodes))):
            # Node 0's directory holds the worker's and scheduler's logs.
            check("node %d" % i, node.finish)
        assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def cluster(pg_cluster, s3):  # noqa: F811
    c = Cluster(pg_cluster, s3.server_env())
    try:
        c.start()
        yield c
    finally:
        c.finish()


def register_many(cluster, n):
    """n buyers registered through the gateway, concurrently; their tokens."""
    with concurrent.futures.ThreadPoolExecutor(12) as ex:
        return list(ex.map(lambda _: cluster.gateway_api().register()["token"], range(n)))


def race(fn, args):
    """Runs fn over args all at once, one thread and one connection each."""
    with concurrent.futures.ThreadPoolExecutor(len(args)) as ex:
        return list(ex.map(fn, args))


def post_through_gateway(cluster, path, token, json_body=None, key=None):
    rid = "cl-" + uuid.uuid4().hex
    headers = {"Authorization": "Bearer " + token, "X-Request-Id": rid}
    if key:
        headers["Idempotency-Key"] = key
    with gateway_session() as s:
        r = s.post(cluster.gateway.base + path, json=json_body, headers=headers, timeout=120)
    assert r.headers.get("X-Request-Id") == rid, r.headers
    return r


def assert_spread(cluster, responses, at_least):
    nodes = set(cluster.served_by({r.headers["X-Request-Id"] for r in responses}).values())
    assert len(nodes) >= at_least, "all %d requests were served by nodes %s" % (len(responses), nodes)


def stock_everywhere(cluster, pid, want):
    """Every node's catalog shows `want` units within SPREAD_WAIT seconds."""
    for i in range(NODES):
        api = cluster.node_api(i)
        wait_for(lambda: api.get("/api/products/%d" % pid).json()["stock"] == want,
                 "node %d to show stock %d" % (i, want), SPREAD_WAIT)


# --- the proofs, through the gateway ------------------------------------------

def test_forty_buyers_race_for_five_units_across_nodes(cluster):
    api = cluster.api
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=5)
    admin = api.create_account("admin")
    buyers = register_many(cluster, 40)
    for t in buyers:
        assert api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1}).status_code == 200

    results = race(lambda t: post_through_gateway(cluster, "/api/checkout", t), buyers)
    codes = [r.status_code for r in results]
    assert codes.count(201) == 5 and codes.count(409) == 35, codes
    assert all(r.json()["code"] == "out_of_stock" for r in results if r.status_code == 409)
    assert_spread(cluster, results, NODES)
    # The sell-out reaches every node's catalog; the gateway then agrees.
    stock_everywhere(cluster, p["id"], 0)
    assert_stock_invariant(api, admin["token"], p["id"], 5)
    # And the database itself: nothing oversold, 5 units in 5 orders.
    assert sql(cluster.db_url, "SELECT stock FROM products WHERE id = %d" % p["id"]) == [("0",)]
    assert sql(cluster.db_url, "SELECT count(*), sum(i.quantity) FROM order_items i"
               " JOIN orders o ON o.id = i.order_id WHERE i.product_id = %d"
               " AND o.status NOT IN ('cancelled', 'refunded')" % p["id"]) == [("5", "5")]


def test_sixty_checkouts_race_for_five_coupon_uses_across_nodes(cluster):
    api = cluster.api
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"], price=1000, stock=1000)
    c = coupon(api, admin["token"], pct=50, limit=5)
    buyers = register_many(cluster, 60)
    for t in buyers:
        cart_of(api, t, (p["id"], 1))

    results = race(lambda t: post_through_gateway(cluster, "/api/checkout", t, {"couponCode": c["code"]}), buyers)
    codes = [r.status_code for r in results]
    assert codes.count(201) == 5 and codes.count(409) == 55, codes
    assert all(r.json()["code"] == "coupon_unavailable" for r in results if r.status_code == 409)
    assert all(r.json()["discountApplied"] == 500 for r in results if r.status_code == 201)
    assert_spread(cluster, results, NODES)
    got = [x for x in api.get("/api/coupons?limit=100", token=admin["token"]).json()["items"] if x["id"] == c["id"]]
    assert got[0]["usedCount"] == 5 and got[0]["remaining"] == 0
    assert sql(cluster.db_url, "SELECT count(*) FROM orders WHERE coupon_code = '%s'" % c["code"]) == [("5",)]
    assert sql(cluster.db_url, "SELECT stock FROM products WHERE id = %d" % p["id"]) == [("995",)]


def test_same_payment_five_times_at_once_captures_once_across_nodes(cluster):
    api = cluster.api
    seller = api.register(role="seller")
    admin = api.create_account("admin")
    p = product(api, seller["token"], price=1500)
    t = api.register()["token"]
    cart_of(api, t, (p["id"], 1))
    oid = api.post("/api/checkout", token=t).json()["id"]

    results = race(lambda _: post_through_gateway(cluster, "/api/payments", t, {"orderId": oid, "method": "UPI"}),
                   range(5))
    codes = [r.status_code for r in results]
    assert codes.count(201) == 1 and codes.count(409) == 4, codes
    assert_spread(cluster, results, 2)

    # One Idempotency-Key on a fresh order: one capture, the others replay or wait.
    cart_of(api, t, (p["id"], 1))
    oid2 = api.post("/api/checkout", token=t).json()["id"]
    key = uuid.uuid4().hex
    results = race(lambda _: post_through_gateway(cluster, "/api/payments", t, {"orderId": oid2, "method": "UPI"},
                                                  key), range(5))
    assert set(r.status_code for r in results) <= {201, 409}, [r.status_code for r in results]
    assert len({r.json()["paymentId"] for r in results if r.status_code == 201}) == 1
    assert_spread(cluster, results, 2)

    for o in (oid, oid2):
        order = api.get("/api/orders/%d" % o, token=t).json()
        assert order["status"] == "processing" and order["paymentStatus"] == "paid"
        assert sql(cluster.db_url, "SELECT count(*) FROM payments WHERE order_id = %d AND status = 'success'"
                   % o) == [("1",)]
    money_reconciles(api, admin["token"])
    # The same, from the ledger: captured - refunded = totals of paid orders.
    [(captured, refunded, paid)] = sql(cluster.db_url, """
        SELECT (SELECT coalesce(sum(amount), 0) FROM payments WHERE status IN ('success', 'refunded')),
               (SELECT coalesce(sum(amount), 0) FROM refunds),
               (SELECT coalesce(sum(total), 0) FROM orders WHERE payment_status = 'paid')""")
    assert int(captured) - int(refunded) == int(paid)


def test_same_idempotency_key_five_times_across_nodes_makes_one_order(cluster):
    api = cluster.api
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=10)
    t = api.register()["token"]
    api.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1})
    key = uuid.uuid4().hex

    results = race(lambda _: post_through_gateway(cluster, "/api/checkout", t, {}, key), range(5))
    codes = [r.status_code for r in results]
    assert set(codes) <= {201, 409} and 201 in codes, codes
    assert all(r.json()["code"] == "idempotency_in_progress" for r in results if r.status_code == 409)
    assert len({r.json()["id"] for r in results if r.status_code == 201}) == 1
    assert_spread(cluster, results, 2)
    assert api.get("/api/orders", token=t).json()["total"] == 1
    # A late retry on any node replays the stored answer.
    for i in range(NODES):
        again = cluster.node_api(i).post("/api/checkout", token=t, headers={"Idempotency-Key": key}, json={})
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true", again.text
    assert api.get("/api/orders", token=t).json()["total"] == 1
    assert sql(cluster.db_url, "SELECT stock FROM products WHERE id = %d" % p["id"]) == [("9",)]


def test_logout_on_one_node_is_refused_by_every_node(cluster):
    api = cluster.api
    user = api.register()
    r = api.post("/api/auth/login", json={"email": user["user"]["email"], "password": user["password"]})
    assert r.status_code == 200
    other_session = r.json()["token"]
    token = user["token"]
    nodes = [cluster.node_api(i) for i in range(NODES)]
    # One shared key: a token from any node is good on every node.
    for n in nodes:
        assert n.get("/api/auth/me", token=token).json()["id"] == user["user"]["id"]

    assert nodes[1].post("/api/auth/logout", token=token).status_code == 204
    for i, n in enumerate(nodes):
        wait_for(lambda: n.get("/api/auth/me", token=token).status_code == 401,
                 "node %d to refuse the revoked token" % i, SPREAD_WAIT)
        assert_problem(n.get("/api/auth/me", token=token), 401, "token_revoked")
        # Public routes read it as no token: the guest's (empty) cart.
        assert n.get("/api/cart", token=token).json()["items"] == []
        # Revocation is per token: the user's other session still works.
        assert n.get("/api/auth/me", token=other_session).status_code == 200
    for _ in range(NODES):  # round robin: every node, through the gateway
        assert_problem(api.get("/api/auth/me", token=token), 401, "token_revoked")


def test_price_change_reaches_every_node(cluster):
    api = cluster.api
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=1000)
    nodes = [cluster.node_api(i) for i in range(NODES)]
    listing = "/api/products?category=%s" % p["category"]
    # Fill every node's cache (detail and list) with the old price.
    for n in nodes:
        for _ in range(2):
            assert n.get("/api/products/%d" % p["id"]).json()["price"] == 1000
            assert [x["price"] for x in n.get(listing).json()["items"]] == [1000]

    r = api.patch("/api/products/%d" % p["id"], token=seller["token"], json={"price": 1234})
    assert r.status_code == 200 and r.json()["price"] == 1234
    for i, n in enumerate(nodes):
        wait_for(lambda: n.get("/api/products/%d" % p["id"]).json()["price"] == 1234,
                 "node %d to show the new price" % i, SPREAD_WAIT)
        wait_for(lambda: [x["price"] for x in n.get(listing).json()["items"]] == [1234],
                 "node %d to list the new price" % i, SPREAD_WAIT)
    # A cart on any node prices the line at the new price at once (carts read live).
    t = api.register()["token"]
    for n in nodes:
        cart = n.post("/api/cart", token=t, json={"productId": p["id"], "qty": 1}).json()
        assert cart["items"][0]["unitPrice"] == 1234


def test_requests_are_spread_and_client_address_is_the_gateways_peer(cluster):
    api = cluster.api
    user = api.register()
    uid = user["user"]["id"]
    ids = []
    for _ in range(30):
        rid = "spread-" + uuid.uuid4().hex
        # A planted X-Forwarded-For must not become the client address.
        r = api.get("/api/auth/me", token=user["token"],
                    headers={"X-Request-Id": rid, "X-Forwarded-For": "203.0.113.7"})
        assert r.status_code == 200 and r.headers["X-Request-Id"] == rid
        ids.append(rid)
    where = cluster.served_by(set(ids))
    per_node = [list(where.values()).count(i) for i in range(NODES)]
    # Round robin: about a third each; every node took a fair share.
    assert all(n >= 30 // NODES // 2 for n in per_node), per_node
    for i, node in enumerate(cluster.nodes):
        mine = [line for line in access_log(node) if line.get("requestId") in where]
        assert mine and all(line["ip"] == CLIENT_IP and line["user"] == uid for line in mine), mine[:3]
        # Every node served gateway traffic over the whole run, and the
        # requests the test sent to a node directly show the direct peer.
        lines = access_log(node)
        assert sum(1 for line in lines if line["ip"] == CLIENT_IP) >= per_node[i]
        assert all(line["ip"] in (CLIENT_IP, "127.0.0.1") for line in lines), \
            {line["ip"] for line in lines}


def test_worker_and_scheduler_processes_serve_the_cluster(cluster):
    api = cluster.api
    admin = api.create_account("admin")["token"]
    seller = api.register(role="seller")
    p = product(api, seller["token"], price=700)
    buyer = api.register()
    cart_of(api, buyer["token"], (p["id"], 1))
    oid = api.post("/api/checkout", token=buyer["token"]).json()["id"]
    key = "order_placed:%d:%s" % (oid, buyer["user"]["email"])

    def delivered():
        offset = 0
        while True:
            page = api.get("/api/admin/jobs", token=admin,
                           params={"status": "done", "limit": 100, "offset": offset}).json()
            if any(j["dedupeKey"] == key for j in page["items"]):
                return True
            offset += 100
            if offset >= page["total"]:
                return False
    # The worker process, on its own, delivers the email the checkout queued
    # on some node (to the spool in its data directory: no SMTP configured).
    wait_for(delivered, "the worker to deliver %s" % key, timeout=20)
    spool = os.path.join(cluster.nodes[0].env["MERCATO_DATA_DIR"], "mail")
    assert glob.glob(os.path.join(spool, "order_placed.%d.*.eml" % oid))
    assert api.get("/api/admin/jobs", token=admin, params={"status": "dead"}).json()["total"] == 0
    # The scheduler process ran its periodic jobs at start, under its leases.
    wait_for(lambda: "cleanup:" in cluster.log_of("scheduler"), "the scheduler's first runs", timeout=20)
    log = cluster.log_of("scheduler")
    for task in ("expire_unpaid", "sale_start_notifications", "cleanup"):
        assert "%s:" % task in log and "%s failed" % task not in log, log


def test_an_image_uploaded_through_one_node_is_served_to_every_node(cluster):
    seller = cluster.node_api(0).register(role="seller")
    p = make_product(cluster.node_api(0), seller["token"])
    url = upload(cluster.node_api(0), p["id"], PNG, seller["token"]).json()["imageUrl"]
    # A direct upload: the URL from node 1, the bytes to the bucket, attached through node 2.
    q = make_product(cluster.node_api(1), seller["token"])
    up = cluster.node_api(1).post("/api/products/%d/image-upload" % q["id"], token=seller["token"],
                                  json={"contentType": "image/webp"}).json()
    assert requests.put(up["uploadUrl"], data=WEBP, headers=up["headers"]).status_code == 200
    r = cluster.node_api(2).post("/api/products/%d/image" % q["id"], token=seller["token"], json={"key": up["key"]})
    assert r.status_code == 200, r.text
    direct = r.json()["imageUrl"]
    for i in range(NODES):
        node = cluster.node_api(i)
        for pid, want, data in ((p["id"], url, PNG), (q["id"], direct, WEBP)):
            wait_for(lambda: node.get("/api/products/%d" % pid).json()["imageUrl"] == want,
                     "node %d to show product %d's image" % (i, pid), SPREAD_WAIT)
            assert requests.get(want).content == data
