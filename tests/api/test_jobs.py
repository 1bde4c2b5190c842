"""Background jobs: the email outbox written with the change that causes it,
the worker (SMTP and the .eml spool, retries, leases), the admin view, and
the scheduler's timed jobs. A real SMTP server (aiosmtpd) runs on loopback
inside the test, answering as each test scripts it. On SQLite `serve` runs
the worker itself; on PostgreSQL the tests start `mercato worker` processes."""
import asyncio
import collections
import concurrent.futures
import email
import email.policy
import hashlib
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import BACKENDS, BINARY, Api, assert_problem, free_port, wait_for

JOB_BATCH = 8  # MC_JOB_BATCH in src/core/limits.h


def message_id(kind, ref, dedupe_key):
    """The worker's Message-ID: BLAKE2b-64 of the job's dedupe key (libsodium's generichash)."""
    digest = hashlib.blake2b(dedupe_key.encode(), digest_size=8).hexdigest()
    return "<%s.%d.%s@mercato>" % (kind, ref, digest)


def welcome_id(user):
    return message_id("welcome", user["user"]["id"], "welcome:%d:%s" % (user["user"]["id"], user["user"]["email"]))


class Sink:
    """An SMTP server on loopback. `script[address]` lists the replies to that
    recipient's next RCPT commands (then 250); with `hold_at = n` the n-th
    message is recorded and then not acknowledged until `release` is set."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.rcpts = collections.Counter()
        self.script = {}
        self.hold_at = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = "smtp://127.0.0.1:%d" % self.controller.port

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpts[address] += 1
            replies = self.script.get(address)
            reply = replies.pop(0) if replies else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
            hold = len(self.messages) == self.hold_at
        if hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 Message accepted"

    def ids(self):
        with self.lock:
            return [m["Message-ID"] for m in self.messages]

    def find(self, kind, to=None, ref=None):
        prefix = "<%s.%s" % (kind, "" if ref is None else "%d." % ref)
        with self.lock:
            return [m for m in self.messages
                    if m["Message-ID"].startswith(prefix) and (to is None or m["To"] == to)]

    def stop(self):
        self.release.set()
        self.controller.stop()


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def html_of(msg):
    return msg.get_body(preferencelist=("html",)).get_content()


def sql(server, statement):
    """Runs SQL on the server's database behind its back (to move time in the
    data); returns the rows as tuples of strings."""
    if server.backend == "sqlite":
        db = sqlite3.connect(server.db_url[len("sqlite:"):], timeout=30)
        try:
            with db:
                return [tuple(str(v) for v in row) for row in db.execute(statement).fetchall()]
        finally:
            db.close()
    out = subprocess.run(["psql", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", server.db_url,
                          "-c", statement], check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


class Shop:
    """A server wired to the sink, its admin, and on PostgreSQL the worker
    processes the test starts."""

    def __init__(self, server, sink):
        self.server = server
        self.sink = sink
        self.api = Api(server)
        self.workers = []
        self.killed = set()
        self._admin = None

    def admin(self):
        if not self._admin:
            self._admin = self.api.create_account("admin")["token"]
        return self._admin

    def start_worker(self):
        """On PostgreSQL a `mercato worker` process; SQLite's serve has its own."""
        if self.server.backend == "sqlite":
            return None
        log = open(os.path.join(self.server.dir, "worker-%d.log" % len(self.workers)), "ab")
        proc = subprocess.Popen([BINARY, "worker"], env=self.server.env, stdout=log, stderr=log)
        log.close()
        self.workers.append(proc)
        return proc

    def kill_worker(self):
        """kill -9 of whatever delivers: the worker process, or serve on SQLite."""
        proc = self.server.proc if self.server.backend == "sqlite" else self.workers[-1]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.killed.add(proc.pid)

    def restart_after_kill(self):
        if self.server.backend == "sqlite":
            self.server.start()
        else:
            self.start_worker()

    def stop_workers(self):
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            code = proc.wait(timeout=60)
            if proc.pid not in self.killed:
                assert code == 0, "worker exited with %s" % code
        assert not self.server.sanitizer_reports(), "\n".join(self.server.sanitizer_reports())

    def jobs(self, status=None):
        items, offset = [], 0
        while True:
            params = {"limit": 100, "offset": offset}
            if status:
                params["status"] = status
            page = self.api.get("/api/admin/jobs", token=self.admin(), params=params).json()
            items += page["items"]
            offset += 100
            if offset >= page["total"]:
                return items

    def job(self, dedupe_key, status=None):
        found = [j for j in self.jobs(status) if j["dedupeKey"] == dedupe_key]
        return found[0] if found else None

    def run_once(self, name):
        r = self.server.cli("scheduler", "--run-once", name)
        assert r.returncode == 0, r.stderr


@pytest.fixture
def sink():
    s = Sink()
    yield s
    s.stop()


@pytest.fixture
def shop(make_server, sink):
    """shop(backend, **env): a fresh server sending to the sink; stopped at the end."""
    made = []

    def make(backend, smtp=True, **env):
        settings = {"MERCATO_WORKER_POLL_MS": "50", "MERCATO_MAIL_BACKOFF_MS": "50", **env}
        if smtp:
            settings["MERCATO_SMTP_URL"] = sink.url
        s = Shop(make_server(backend, settings), sink)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop_workers()
        s.server.stop()


def new_product(api, seller_token, price=4999, stock=5, name=None, **extra):
    body = {"name": name or "Item " + uuid.uuid4().hex[:8], "price": price, "stock": stock, **extra}
    r = api.post("/api/products", token=seller_token, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def buy(api, token, product_id, qty=1, status=201):
    assert api.post("/api/cart", token=token, json={"productId": product_id, "qty": qty}).status_code == 200
    r = api.post("/api/checkout", token=token)
    assert r.status_code == status, r.text
    return r.json()


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# --- the outbox and its emails ---------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_checkout_emails_the_buyer_once(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    seller = api.register(role="seller")
    name = 'Mug <b>"Tea" & Co</b>'
    p = new_product(api, seller["token"], price=4999, stock=3, name=name)
    buyer = api.register(name="Asha")
    order = buy(api, buyer["token"], p["id"], qty=2)
    s.start_worker()
    msgs = wait_for(lambda: sink.find("order_placed", ref=order["id"]), "the confirmation email")
    msg = msgs[0]
    key = "order_placed:%d:%s" % (order["id"], buyer["user"]["email"])
    assert msg["Message-ID"] == message_id("order_placed", order["id"], key)
    assert msg["To"] == buyer["user"]["email"]
    assert msg["From"] == "Mercato <shop@mercato.local>"
    assert "#%d" % order["id"] in msg["Subject"]
    assert msg.get_content_type() == "multipart/alternative"
    text = text_of(msg)
    assert "Hello Asha," in text
    assert "2 x %s at INR 49.99: INR 99.98" % name in text
    assert "Total: INR 99.98" in text
    html = html_of(msg)
    assert "Mug &lt;b&gt;&quot;Tea&quot; &amp; Co&lt;/b&gt;" in html and "<b>" not in html
    assert "Total: INR 99.98" in html

    # A checkout that fails (the last unit went to someone else) writes no job.
    late, first = api.register(), api.register()
    api.post("/api/cart", token=late["token"], json={"productId": p["id"]})
    buy(api, first["token"], p["id"])
    r = api.post("/api/checkout", token=late["token"])
    assert_problem(r, 409, "out_of_stock")
    placed = [j for j in s.jobs() if j["kind"] == "order_placed"]
    assert sorted(j["dedupeKey"].split(":")[2] for j in placed) == sorted(
        [buyer["user"]["email"], first["user"]["email"]])
    # Barrier: a later email of the same buyer arrives, so an earlier one would have too.
    other = new_product(api, seller["token"], price=100)
    api.post("/api/cart/clear", token=late["token"])
    later = buy(api, late["token"], other["id"])
    wait_for(lambda: sink.find("order_placed", ref=later["id"]), "the later confirmation")
    assert [m["Message-ID"] for m in sink.find("order_placed", to=late["user"]["email"])] == [
        message_id("order_placed", later["id"], "order_placed:%d:%s" % (later["id"], late["user"]["email"]))]
    assert len(sink.find("order_placed", ref=order["id"])) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_shipping_and_cancelling_email_the_buyer(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    seller = api.register(role="seller")
    p = new_product(api, seller["token"], price=1250, stock=5)
    buyer = api.register()
    shipped = buy(api, buyer["token"], p["id"])
    r = api.post("/api/payments", token=buyer["token"], json={"orderId": shipped["id"], "method": "UPI"})
    assert r.status_code == 201, r.text
    r = api.patch("/api/orders/%d/status" % shipped["id"], token=seller["token"], json={"status": "shipped"})
    assert r.status_code == 200, r.text
    cancelled = buy(api, buyer["token"], p["id"], qty=2)
    r = api.patch("/api/orders/%d/cancel" % cancelled["id"], token=buyer["token"], json={"reason": "changed my mind"})
    assert r.status_code == 200, r.text
    s.start_worker()
    msg = wait_for(lambda: sink.find("order_shipped", ref=shipped["id"]), "the shipping email")[0]
    assert "on its way" in text_of(msg) and "Total: INR 12.50" in text_of(msg)
    msg = wait_for(lambda: sink.find("order_cancelled", ref=cancelled["id"]), "the cancellation email")[0]
    assert "Reason: changed my mind" in text_of(msg) and "Total: INR 25.00" in text_of(msg)
    assert msg["To"] == buyer["user"]["email"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_payments_and_refunds_email_the_buyer(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    seller = api.register(role="seller")
    p = new_product(api, seller["token"], price=2500, stock=5)
    buyer = api.register()
    order = buy(api, buyer["token"], p["id"])
    r = api.post("/api/payments", token=buyer["token"],
                 json={"orderId": order["id"], "method": "CARD", "transactionId": "fail-1"})
    assert_problem(r, 402, "payment_failed")
    r = api.post("/api/payments", token=buyer["token"], json={"orderId": order["id"], "method": "UPI"})
    assert r.status_code == 201, r.text
    for status in ("shipped", "delivered"):
        assert api.patch("/api/orders/%d" % order["id"], token=s.admin(), json={"status": status}).status_code == 200
    assert api.post("/api/orders/%d/refund" % order["id"], token=s.admin()).status_code == 200
    s.start_worker()
    for kind in ("payment_failed", "payment_succeeded", "order_refunded"):
        msgs = wait_for(lambda: sink.find(kind, ref=order["id"]), kind + " email")
        assert len(msgs) == 1 and msgs[0]["To"] == buyer["user"]["email"]
    # A rolled-back payment (already paid) writes no email.
    r = api.post("/api/payments", token=buyer["token"], json={"orderId": order["id"], "method": "UPI"})
    assert r.status_code == 409
    assert len([j for j in s.jobs() if j["kind"] == "payment_succeeded"
                and j["dedupeKey"].startswith("payment_succeeded:%d:" % order["id"])]) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_temporary_failures_are_retried_with_backoff(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    address = api.unique_email()
    sink.script[address] = ["451 4.3.0 try later"] * 3
    user = api.register(email=address)
    s.start_worker()
    wait_for(lambda: sink.find("welcome", to=address), "the welcome email after three 451s")
    key = "welcome:%d:%s" % (user["user"]["id"], address)
    job = wait_for(lambda: s.job(key, "done"), "the job to be done")
    assert job["attempts"] == 4 and job["maxAttempts"] == 5
    assert job["lastError"] == "451 4.3.0 try later"
    assert sink.rcpts[address] == 4
    assert [m["Message-ID"] for m in sink.find("welcome", to=address)] == [welcome_id(user)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_permanent_failure_is_dead_until_an_admin_retries(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    address = api.unique_email()
    sink.script[address] = ["550 5.1.1 no such user"]
    user = api.register(email=address)
    s.start_worker()
    key = "welcome:%d:%s" % (user["user"]["id"], address)
    job = wait_for(lambda: s.job(key, "dead"), "the job to be dead")
    assert job["attempts"] == 1 and job["lastError"] == "550 5.1.1 no such user"
    assert job["kind"] == "welcome" and job["runAt"] and job["createdAt"]
    page = api.get("/api/admin/jobs?status=dead", token=s.admin()).json()
    assert [j["id"] for j in page["items"]] == [job["id"]] and page["total"] == 1
    assert page["limit"] == 20 and page["offset"] == 0
    assert sink.find("welcome", to=address) == [] and sink.rcpts[address] == 1

    r = api.post("/api/admin/jobs/%d/retry" % job["id"], token=s.admin())
    assert r.status_code == 200, r.text
    assert r.json()["status"] in ("queued", "running", "done") and r.json()["id"] == job["id"]
    wait_for(lambda: sink.find("welcome", to=address), "the retried email")
    done = wait_for(lambda: s.job(key, "done"), "the retried job to be done")
    assert done["attempts"] == 1 and done["lastError"] == "550 5.1.1 no such user"
    assert_problem(api.post("/api/admin/jobs/%d/retry" % job["id"], token=s.admin()), 409, "job_not_dead")
    assert_problem(api.post("/api/admin/jobs/99999999/retry", token=s.admin()), 404, "job_not_found")
    assert_problem(api.post("/api/admin/jobs/%d/retry" % job["id"], token=user["token"]), 403)
    assert_problem(api.get("/api/admin/jobs", token=user["token"]), 403)
    assert_problem(api.get("/api/admin/jobs?status=lost", token=s.admin()), 400)
    assert_problem(api.get("/api/admin/jobs?limit=101", token=s.admin()), 400)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_mid_batch_redelivers_after_the_lease(shop, backend, record_property):
    s = shop(backend, MERCATO_JOB_LEASE_MS="2000")
    api, sink = s.api, s.sink
    sink.hold_at = 3
    users = [api.register() for _ in range(12)]
    s.start_worker()
    assert sink.holding.wait(30), "the third message never arrived"
    s.kill_worker()
    before = set(sink.ids())
    sink.release.set()
    s.restart_after_kill()
    expected = {welcome_id(u) for u in users}
    wait_for(lambda: sql(s.server, "SELECT COUNT(*) FROM jobs WHERE status <> 'done'") == [("0",)],
             "every job to be delivered after the lease", timeout=30)
    counts = collections.Counter(sink.ids())
    duplicates = {mid: n for mid, n in counts.items() if n > 1}
    record_property("kill9_duplicates", len(duplicates))
    print("kill -9 mid-batch on %s: %d duplicate(s) of %d emails" % (backend, len(duplicates), len(expected)))
    # Only messages of the killed batch, sent before the kill, come twice: at
    # least the one left unacknowledged, never more than a batch.
    assert sink.ids()[2] in duplicates
    assert set(duplicates) <= before and len(duplicates) <= JOB_BATCH
    assert all(n == 2 for n in duplicates.values())
    assert set(counts) == expected


@pytest.mark.parametrize("backend", ["pg"])
def test_two_workers_never_hold_the_same_job(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        users = list(pool.map(lambda _: Api(s.server).register(), range(40)))
    first, second = s.start_worker(), s.start_worker()
    expected = {welcome_id(u) for u in users}
    wait_for(lambda: expected <= set(sink.ids()), "40 welcome emails", timeout=30)
    counts = collections.Counter(sink.ids())
    assert {mid: n for mid, n in counts.items() if n != 1} == {}
    assert set(counts) == expected
    s.stop_workers()
    logs = [open(os.path.join(s.server.dir, "worker-%d.log" % i)).read() for i in (0, 1)]
    delivered = sum(log.count('delivered') for log in logs)
    assert delivered == 40 and first.returncode == 0 and second.returncode == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_spool_directory_without_smtp(shop, backend):
    s = shop(backend, smtp=False)
    user = s.api.register()
    s.start_worker()
    spool = os.path.join(s.server.dir, "data", "mail")
    mid = welcome_id(user)
    path = os.path.join(spool, mid[1:mid.index("@")] + ".eml")
    wait_for(lambda: os.path.exists(path), "the .eml file")
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    assert msg["Message-ID"] == mid and msg["To"] == user["user"]["email"]
    assert "Sign in with %s" % user["user"]["email"] in text_of(msg)
    assert [f for f in os.listdir(spool) if not f.endswith(".eml")] == []


# --- the scheduler ------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_unpaid_orders_expire_and_restore_stock(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    seller = api.register(role="seller")
    p = new_product(api, seller["token"], price=2000, stock=10)
    late, fresh, cod = api.register(), api.register(), api.register()
    expired = buy(api, late["token"], p["id"], qty=2)
    kept = buy(api, fresh["token"], p["id"], qty=3)
    on_delivery = buy(api, cod["token"], p["id"], qty=1)
    r = api.post("/api/payments", token=cod["token"], json={"orderId": on_delivery["id"], "method": "COD"})
    assert r.status_code == 201, r.text
    # An hour ago, twice the default MERCATO_UNPAID_TTL.
    sql(s.server, "UPDATE orders SET created_at = created_at - 3600 WHERE id IN (%d, %d)"
        % (expired["id"], on_delivery["id"]))
    s.run_once("expire_unpaid")
    o = api.get("/api/orders/%d" % expired["id"], token=late["token"]).json()
    assert o["status"] == "cancelled" and o["cancelledBy"] == "system"
    assert o["cancelReason"] == "not paid in time"
    assert api.get("/api/orders/%d" % kept["id"], token=fresh["token"]).json()["status"] == "pending_payment"
    assert api.get("/api/orders/%d" % on_delivery["id"], token=cod["token"]).json()["status"] == "pending_payment"
    assert api.get("/api/products/%d" % p["id"]).json()["stock"] == 10 - 3 - 1
    s.run_once("expire_unpaid")  # nothing left to do
    s.start_worker()
    msg = wait_for(lambda: sink.find("order_cancelled", ref=expired["id"]), "the expiry email")[0]
    assert msg["To"] == late["user"]["email"]
    assert "Reason: not paid in time" in text_of(msg) and "Total: INR 40.00" in text_of(msg)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sale_start_is_announced_once_to_wishlisters(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    seller = api.register(role="seller")
    p = new_product(api, seller["token"], price=10000, name="Kettle & <Pot>")
    fan, other = api.register(), api.register()
    r = api.post("/api/wishlist", token=fan["token"], json={"productId": p["id"]})
    assert r.status_code in (200, 201), r.text
    now = int(time.time())
    r = api.post("/api/products/%d/sale" % p["id"], token=seller["token"],
                 json={"saleStart": rfc3339(now - 60), "saleEnd": rfc3339(now + 86400), "salePercentage": 20})
    assert r.status_code == 200, r.text
    s.run_once("sale_start_notifications")
    s.run_once("sale_start_notifications")
    s.start_worker()
    msg = wait_for(lambda: sink.find("sale_start", ref=p["id"]), "the sale announcement")[0]
    assert msg["To"] == fan["user"]["email"]
    assert msg["Subject"] == "On sale now: Kettle & <Pot>, 20% off"
    assert "INR 80.00 instead of INR 100.00 (20% off)" in text_of(msg)
    assert "Kettle &amp; &lt;Pot&gt;" in html_of(msg)
    assert [j["dedupeKey"].split(":")[3] for j in s.jobs() if j["kind"] == "sale_start"] == [fan["user"]["email"]]
    assert sink.find("sale_start", to=other["user"]["email"]) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_promo_digest_reaches_each_buyer_once(shop, backend):
    s = shop(backend)
    api, sink = s.api, s.sink
    seller = api.register(role="seller")
    p = new_product(api, seller["token"], price=5000, name="Lamp")
    now = int(time.time())
    r = api.post("/api/products/%d/sale" % p["id"], token=seller["token"],
                 json={"saleStart": rfc3339(now - 60), "saleEnd": rfc3339(now + 86400), "salePercentage": 10})
    assert r.status_code == 200, r.text
    buyers = [api.register() for _ in range(3)]
    s.run_once("promo_digest")
    s.run_once("promo_digest")  # throttled: at most one per user per 20 h
    s.start_worker()
    for b in buyers:
        msg = wait_for(lambda: sink.find("promo_digest", to=b["user"]["email"]), "a digest")[0]
        assert "Lamp: INR 45.00 instead of INR 50.00 (10% off)" in text_of(msg)
    digests = [j for j in s.jobs() if j["kind"] == "promo_digest"]
    assert sorted(j["dedupeKey"].split(":")[3] for j in digests) == sorted(b["user"]["email"] for b in buyers)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cleanup_removes_what_is_old(shop, backend):
    s = shop(backend, smtp=False)
    api = s.api
    seller = api.register(role="seller")
    p = new_product(api, seller["token"])
    old_guest, new_guest = requests.Session(), requests.Session()
    for sess in (old_guest, new_guest):
        assert sess.post(api.base + "/api/cart", json={"productId": p["id"]}).status_code == 200
    owner = api.register()
    api.post("/api/cart", token=owner["token"], json={"productId": p["id"]})
    s.start_worker()
    done = wait_for(lambda: s.jobs("done"), "a delivered email")
    ninety_one_days = 91 * 86400
    sql(s.server, "UPDATE carts SET updated_at = updated_at - %d WHERE id IN (SELECT MIN(id) FROM carts"
                  " WHERE user_id IS NULL)" % ninety_one_days)
    sql(s.server, "UPDATE carts SET updated_at = updated_at - %d WHERE user_id IS NOT NULL" % ninety_one_days)
    sql(s.server, "UPDATE jobs SET updated_at = updated_at - %d WHERE id IN (%s)"
        % (8 * 86400, ", ".join(str(j["id"]) for j in done)))
    s.run_once("cleanup")
    assert old_guest.get(api.base + "/api/cart").json()["items"] == []
    assert len(new_guest.get(api.base + "/api/cart").json()["items"]) == 1
    assert len(api.get("/api/cart", token=owner["token"]).json()["items"]) == 1
    left = {j["id"] for j in s.jobs()}
    assert not left & {j["id"] for j in done}
    r = s.server.cli("scheduler", "--run-once", "nonsense", check=False)
    assert r.returncode == 2 and "nonsense" in r.stderr
