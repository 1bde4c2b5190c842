"""I/O faults: the database's disk full, the mail spool's disk full, an SMTP
server that drops the connection in the middle of a message. Each time the
API answers 503 (or the job is retried), the log says what failed in one
line, nothing is reported done that was not written, and the service
recovers by itself once the fault clears. A full disk is a small tmpfs the
test mounts (the suite runs as root) and fills."""
import errno
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

from conftest import BACKENDS, Api, wait_for
from test_jobs import Sink, shop, welcome_id  # noqa: F401 (shop is a fixture)


class SmallDisk:
    """A tmpfs of `mib` MiB that fill() fills to the last byte and clear()
    empties again."""

    def __init__(self, mib=16):
        self.path = tempfile.mkdtemp(prefix="mercato-disk-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % mib, "tmpfs", self.path], check=True)
        self.filler = os.path.join(self.path, "filler")

    def fill(self):
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * (1 << 20))
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
        finally:
            os.close(fd)

    def clear(self):
        os.unlink(self.filler)

    def remove(self):
        subprocess.run(["umount", "-l", self.path], check=False)
        shutil.rmtree(self.path, ignore_errors=True)


class DroppingSink(Sink):
    """`drop_data[address] = n`: the next n messages to that address are
    cut off after their content arrived, without a reply."""

    def __init__(self):
        self.drop_data = {}
        super().__init__()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            drops = [a for a in envelope.rcpt_tos if self.drop_data.get(a)]
            for a in drops:
                self.drop_data[a] -= 1
        if drops:
            server.transport.abort()
            return "421 4.4.2 connection dropped"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink():
    s = DroppingSink()
    yield s
    s.stop()


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        pytest.fail("the fault tests mount a tmpfs: run them as root")
    d = SmallDisk()
    yield d
    d.remove()


def log_lines(server, text):
    return [line for line in server.log().splitlines() if text in line]


def test_database_disk_full_is_503_and_recovers(make_server, small_disk):
    srv = make_server("sqlite", {"MERCATO_DB": "sqlite:%s/mercato.db" % small_disk.path})
    api = Api(srv)
    seller = api.register(role="seller")["token"]
    small_disk.fill()
    told, refused = [], []
    # Pages SQLite already owns may take a few writes yet; a bounded number.
    for _ in range(200):
        name = "Item " + uuid.uuid4().hex[:8]
        r = api.post("/api/products", token=seller, json={"name": name, "price": 100, "stock": 1})
        assert r.status_code in (201, 503), r.text
        (told if r.status_code == 201 else refused).append(name)
        if len(refused) >= 3:
            break
    assert len(refused) >= 3, "the writes kept succeeding on a full disk"
    assert api.get("/api/products").status_code == 200, "reads must go on"
    assert log_lines(srv, "disk is full"), srv.log()[-2000:]
    small_disk.clear()
    wait_for(lambda: api.post("/api/products", token=seller,
                              json={"name": "after", "price": 100, "stock": 1}).status_code == 201,
             "a write once the disk has room")
    names = {p["name"] for p in api.get("/api/products?limit=100").json()["items"]}
    assert set(told) <= names, "an acknowledged product is missing"
    assert not set(refused) & names, "a refused product was written"
    srv.stop()
    srv.start()
    names = {p["name"] for p in api.get("/api/products?limit=100").json()["items"]}
    assert set(told) <= names and not set(refused) & names


def test_spool_disk_full_is_retried_and_delivered_once_it_clears(shop, small_disk):
    """On SQLite `serve` delivers into DATA_DIR/mail itself."""
    s = shop("sqlite", smtp=False, MERCATO_DATA_DIR=small_disk.path, MERCATO_MAIL_MAX_ATTEMPTS="100")
    small_disk.fill()
    user = s.api.register()
    assert user["user"]["id"], "the account is written: the database is elsewhere"
    key = "welcome:%d:%s" % (user["user"]["id"], user["user"]["email"])
    job = wait_for(lambda: (lambda j: j if j and j["attempts"] >= 2 else None)(s.job(key)), "a retried job")
    assert job["status"] in ("queued", "running") and "No space left on device" in job["lastError"], job
    assert log_lines(s.server, "No space left on device"), s.server.log()[-2000:]
    small_disk.clear()
    mid = welcome_id(user)
    path = os.path.join(small_disk.path, "mail", mid[1:mid.index("@")] + ".eml")
    wait_for(lambda: s.job(key, "done"), "the job done once the disk has room")
    assert os.path.exists(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_smtp_dropping_mid_message_is_retried(shop, backend):
    s = shop(backend, MERCATO_MAIL_MAX_ATTEMPTS="100")
    sink = s.sink
    address = s.api.unique_email()
    sink.drop_data = {address: 2}
    user = s.api.register(email=address)
    s.start_worker()
    wait_for(lambda: sink.find("welcome", to=address), "the welcome email after two dropped connections")
    key = "welcome:%d:%s" % (user["user"]["id"], address)
    job = wait_for(lambda: s.job(key, "done"), "the job to be done")
    assert job["attempts"] == 3 and job["lastError"], job
    assert [m["Message-ID"] for m in sink.find("welcome", to=address)] == [welcome_id(user)]
