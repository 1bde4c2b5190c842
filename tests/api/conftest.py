"""API test harness: starts `build/asan/mercato serve` on a free port with a
fresh database, once on SQLite and once on PostgreSQL, so every test that
uses the `api` fixture runs on both. A sanitizer report or an unclean exit of
a server fails the session."""
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("MERCATO_BIN", os.path.join(ROOT, "build", "asan", "mercato"))
PG_SCRIPT = os.path.join(ROOT, "scripts", "pg_cluster.sh")
BACKENDS = ["sqlite", "pg"]
_counter = itertools.count()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One throwaway PostgreSQL cluster per session; a database per server."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mercato-api-pg-")
        self.url = subprocess.check_output(["bash", PG_SCRIPT, "start", self.dir], text=True).strip()

    def new_database(self):
        name = "t_%s" % uuid.uuid4().hex[:12]
        subprocess.check_call(["psql", "-q", "-d", self.url, "-c", "CREATE DATABASE %s" % name],
                              stdout=subprocess.DEVNULL)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        subprocess.call(["bash", PG_SCRIPT, "stop", self.dir])


class Server:
    """A running mercato process with its own data directory and database."""

    def __init__(self, backend, db_url, extra_env=None):
        self.backend = backend
        self.dir = tempfile.mkdtemp(prefix="mercato-api-")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.db_url = db_url or "sqlite:%s/mercato.db" % self.dir
        self.env = dict(os.environ)
        self.env.update({
            "MERCATO_DB": self.db_url,
            "MERCATO_PORT": str(self.port),
            "MERCATO_HOST": "127.0.0.1",
            "MERCATO_DATA_DIR": os.path.join(self.dir, "data"),
            "MERCATO_ENV": "development",
            "MERCATO_THREADS": "4",
            # The suite sends thousands of requests from one address.
            "MERCATO_AUTH_RATE": "1000000",
            "MERCATO_RATE": "1000000",
            "MERCATO_RATE_BURST": "1000000",
            "MERCATO_MAX_CONN_PER_IP": "100000",
            "ASAN_OPTIONS": "detect_leaks=1:log_path=%s/asan" % self.dir,
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % self.dir,
        })
        self.env.update(extra_env or {})
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.start()

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BINARY, "serve"], env=self.env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited at start:\n" + self.log())
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)  # polling a starting process, not synchronising a test
        raise RuntimeError("server did not start:\n" + self.log())

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def cli(self, *args, check=True):
        """Runs another mercato subcommand against the same database."""
        return subprocess.run([BINARY, *args], env=self.env, capture_output=True, text=True, check=check)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on SIGTERM")
        return self.proc.returncode

    def sanitizer_reports(self):
        out = []
        for path in glob.glob(os.path.join(self.dir, "asan*")) + glob.glob(os.path.join(self.dir, "ubsan*")):
            with open(path, errors="replace") as f:
                out.append(f.read())
        return out

    def finish(self):
        code = self.stop()
        reports = self.sanitizer_reports()
        assert not reports, "sanitizer reports:\n" + "\n".join(reports)
        assert code == 0, "server exited with %s:\n%s" % (code, self.log()[-4000:])
        shutil.rmtree(self.dir, ignore_errors=True)


class Api:
    """A thin client: `api.post("/api/cart", token=t, json={...})`."""

    def __init__(self, server):
        self.server = server
        self.base = server.base
        self.backend = server.backend
        self.http = requests.Session()

    def request(self, method, path, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        kw.setdefault("timeout", 60)
        return self.http.request(method, self.base + path, headers=h, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def unique_email(self, prefix="user"):
        return "%s%d.%s@example.test" % (prefix, next(_counter), uuid.uuid4().hex[:6])

    def register(self, role=None, name="Test User", password="correct horse", email=None):
        body = {"name": name, "email": email or self.unique_email(), "password": password}
        if role:
            body["role"] = role
        r = self.post("/api/auth/register", json=body)
        assert r.status_code == 201, r.text
        data = r.json()
        data["password"] = password
        return data

    def create_account(self, role, password="correct horse"):
        """Creates any account (admins included) through the CLI, then logs in."""
        email = self.unique_email(role)
        self.server.cli("user", "create", "--email", email, "--password", password, "--role", role,
                        "--name", role.title())
        r = self.post("/api/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return r.json()


def wait_for(cond, what, timeout=20):
    """Bounded polling of an observable condition (another process or node
    acts asynchronously); returns its first truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(0.05)


def assert_problem(r, status, code=None):
    """Every error is RFC 9457 problem+json with a request id."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status
    assert body["title"] and body["type"] and body["detail"]
    assert body["requestId"] == r.headers["X-Request-Id"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = PgCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def make_server(request):
    """Starts extra servers (e.g. with other settings); all are checked at the end."""
    started = []

    def make(backend, extra_env=None):
        db_url = request.getfixturevalue("pg_cluster").new_database() if backend == "pg" else None
        s = Server(backend, db_url, extra_env)
        started.append(s)
        return s

    yield make
    errors = []
    for s in started:
        try:
            s.finish()
        except AssertionError as e:
            errors.append("%s server: %s" % (s.backend, e))
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, make_server):
    return make_server(request.param)


@pytest.fixture
def api(server):
    return Api(server)
