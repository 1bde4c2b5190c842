"""The HTTP edge under attack: error text cut between characters, requests
refused from their headers before any body is read, framing attacks,
guest-cart fixation, held answers of vanished clients, and slow clients
that must not pin memory or connections."""
import json
import re
import secrets
import socket
import struct
import subprocess
import time

import pytest
import requests

from conftest import BINARY, Api, Server, assert_problem, wait_for
from test_cart_orders import product


@pytest.mark.parametrize("key", ["\u00e9" * 24, "\u20ac" * 16, "x" + "\U0001F600" * 20, "k" * 200])
def test_long_multibyte_unknown_keys_keep_the_field_list(api, key):
    r = api.post("/api/auth/login", json={"email": "a@b.co", "password": "whatever1", key: 1})
    body = assert_problem(r, 400, "field_not_allowed")
    assert len(body["errors"]) == 1, body
    field = body["errors"][0]["field"]
    assert field and key.startswith(field), body
    assert body["detail"].startswith("field '") and body["detail"].endswith("cannot be set by the client")


# --- raw HTTP helpers ----------------------------------------------------------

def connect(port, source="127.0.0.1", timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_response(s):
    """One response: (status, headers with lower-case names, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, "connection closed before a response: %r" % data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = s.recv(65536)
        assert chunk, "connection closed inside a body"
        body += chunk
    return status, headers, body


def is_closed(s):
    """True once the server has closed (or reset) the connection."""
    s.settimeout(0.05)
    try:
        return s.recv(65536) == b""
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def request_head(method, path, token=None, length=None, expect=False, extra=""):
    h = "%s %s HTTP/1.1\r\nHost: mercato\r\n" % (method, path)
    if token:
        h += "Authorization: Bearer %s\r\n" % token
    if length is not None:
        h += "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n" % length
    if expect:
        h += "Expect: 100-continue\r\n"
    return (h + extra + "\r\n").encode()


def rss_kib(server):
    with open("/proc/%d/status" % server.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56


# --- refused from the headers, before any body -----------------------------------

def test_refusals_come_before_the_body_and_without_100_continue(api):
    seller = api.register(role="seller")
    buyer = api.register()
    pid = product(api, seller["token"])["id"]
    image = "/api/products/%d/image" % pid
    cases = [
        ("POST", image, None, 4 * 1024 * 1024, 401),                        # anonymous upload
        ("POST", image, buyer["token"], 4 * 1024 * 1024, 403),              # wrong role
        ("POST", image, seller["token"], 6 * 1024 * 1024, 413),             # over the route's limit
        ("POST", "/api/nothing/here", None, 1024 * 1024, 404),              # no route
        ("PATCH", "/api/products", seller["token"], 1024 * 1024, 405),      # wrong method
        ("POST", image, "not-a-token", 1024, 401),                          # bad token
    ]
    for method, path, token, length, status in cases:
        for expect in (True, False):
            s = connect(api.server.port)
            s.sendall(request_head(method, path, token, length, expect))
            got, headers, body = read_response(s)
            assert got == status, (method, path, expect, got, body)
            assert headers["content-type"].startswith("application/problem+json")
            # The body was never read: the connection ends with the answer.
            wait_for(lambda: is_closed(s), "the refused connection to close", timeout=10)
            s.close()
    # A request that will be served does get 100 Continue, then its answer.
    s = connect(api.server.port)
    s.sendall(request_head("POST", image, seller["token"], len(PNG), expect=True))
    status, _, _ = read_response(s)
    assert status == 100
    s.sendall(PNG)
    status, _, body = read_response(s)
    assert status == 200, body
    s.close()


# --- framing ----------------------------------------------------------------------

def test_content_length_with_transfer_encoding_is_400_and_closes(api):
    smuggled = b"GET /healthz HTTP/1.1\r\nHost: mercato\r\n\r\n"
    chunked = b"4\r\n{}{}\r\n0\r\n\r\n"
    for path in ("/api/auth/login", "/api/nothing"):
        s = connect(api.server.port)
        s.sendall(("POST %s HTTP/1.1\r\nHost: mercato\r\nContent-Type: application/json\r\n"
                   "Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % (path, len(chunked))).encode()
                  + chunked + smuggled)
        status, headers, body = read_response(s)
        assert status == 400, body
        assert json.loads(body)["code"] == "ambiguous_framing"
        assert headers.get("connection", "").lower() == "close"
        # The request after it is never answered: the connection is closed.
        wait_for(lambda: is_closed(s), "the connection to close", timeout=10)
        s.close()


# --- guest cart fixation ------------------------------------------------------------

def cart_session_of(r):
    cookie = r.headers.get("Set-Cookie", "")
    m = re.search(r"cart_session=([^;]*)", cookie)
    return m.group(1) if m else None


def test_only_server_issued_cart_sessions_are_honoured(api):
    seller = api.register(role="seller")
    p = product(api, seller["token"], stock=50)
    planted = secrets.token_hex(16)
    # The attacker plants an id the server never issued and fills "its" cart.
    attacker = requests.Session()
    attacker.cookies.set("cart_session", planted)
    r = attacker.post(api.base + "/api/cart", json={"productId": p["id"], "qty": 2})
    assert r.status_code == 200, r.text
    issued = cart_session_of(r)
    assert issued and issued != planted
    # The victim carrying the planted id sees none of it, and gets a fresh id too.
    victim = requests.Session()
    victim.cookies.set("cart_session", planted)
    r = victim.get(api.base + "/api/cart")
    assert r.json()["items"] == []
    fresh = cart_session_of(r)
    assert fresh and fresh not in (planted, issued)
    # Logging in with the planted id merges nothing.
    u = api.register(password="password1")
    r = requests.post(api.base + "/api/auth/login", json={"email": u["user"]["email"], "password": "password1"},
                      cookies={"cart_session": planted})
    assert r.status_code == 200 and "cartMerge" not in r.json()
    # An issued id keeps working, and a tampered one does not.
    r = requests.get(api.base + "/api/cart", cookies={"cart_session": issued})
    assert [i["qty"] for i in r.json()["items"]] == [2] and cart_session_of(r) is None
    tampered = issued[:-1] + ("0" if issued[-1] != "0" else "1")
    r = requests.get(api.base + "/api/cart", cookies={"cart_session": tampered})
    assert r.json()["items"] == [] and cart_session_of(r) not in (None, tampered)


# --- held answers of clients that went away ------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_a_reset_during_the_durable_wait_leaks_nothing(make_server, pg_cluster, backend):
    """Checkouts whose clients reset the connection while the answer waits for
    the disk flush; the sanitizer report at shutdown is the check."""
    db = pg_cluster.new_database() if backend == "pg" else None
    server = Server(backend, db)
    try:
        api = Api(server)
        seller = api.register(role="seller")
        p = product(api, seller["token"], stock=1000)
        buyer = api.register()
        for i in range(40):
            r = api.post("/api/cart", token=buyer["token"], json={"productId": p["id"], "qty": 1})
            assert r.status_code == 200, r.text
            body = b"{}"
            s = connect(server.port)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.sendall(request_head("POST", "/api/checkout", buyer["token"], len(body)).replace(
                b"application/octet-stream", b"application/json") + body)
            # Reset at a spread of moments after the request (the window the
            # issue measured was 2 to 6 ms), not to synchronise anything.
            time.sleep((i % 8) / 1000)
            s.close()
        assert api.get("/healthz").status_code == 200
    finally:
        server.finish()


# --- slow clients ----------------------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "pg"])
def guarded(request, make_server):
    """Short whole-request deadline; enough connections per address for the crowd."""
    return Api(make_server(request.param, {"MERCATO_REQUEST_TIMEOUT": "3", "MERCATO_MAX_CONN_PER_IP": "400"}))


def trickle(sockets, data=b"X"):
    """One byte on each still-open socket; returns how many took it."""
    alive = 0
    for s in sockets:
        try:
            s.send(data)
            alive += 1
        except OSError:
            pass
    return alive


def image_route(api):
    """A seller's token and the image route of one of their products."""
    seller = api.register(role="seller")
    return seller["token"], "/api/products/%d/image" % product(api, seller["token"])["id"]


def test_slow_clients_are_cut_off_and_others_are_served(guarded):
    api, server = guarded, guarded.server
    _, image = image_route(api)
    before = rss_kib(server)
    uploads, loris = [], []
    for _ in range(50):
        s = connect(server.port)
        s.sendall(request_head("POST", image, None, 5 * 1024 * 1024) + b"\xff" * 1024)
        uploads.append(s)
    for _ in range(50):
        s = connect(server.port)
        s.sendall(b"GET /api/products HTTP/1.1\r\nHost: mercato\r\n")
        loris.append(s)
    # Anonymous uploads are refused at once, from their headers.
    for s in uploads:
        assert read_response(s)[0] == 401
    # Meanwhile an ordinary client is served, and memory stays flat.
    for _ in range(5):
        assert api.get("/api/products").status_code == 200
        trickle(loris, b"X-A: b\r\n")
    assert rss_kib(server) - before < 64 * 1024

    # Slowloris connections that keep sending are closed by the deadline.
    def all_closed():
        trickle(loris, b"X-A: b\r\n")
        return all(is_closed(s) for s in loris)

    wait_for(all_closed, "the slow connections to be closed", timeout=30)
    assert api.get("/healthz").status_code == 200
    for s in uploads + loris:
        s.close()


def test_slow_authenticated_uploads_hit_the_body_budget(guarded):
    api, server = guarded, guarded.server
    token, image = image_route(api)
    before = rss_kib(server)
    slow = []
    for _ in range(20):  # 20 x 5 MiB declared: past the 64 MiB budget
        s = connect(server.port)
        s.sendall(request_head("POST", image, token, 5 * 1024 * 1024) + PNG)
        slow.append(s)
    refused = []

    def answered():
        for s in slow:
            if s in refused:
                continue
            s.settimeout(0.05)
            try:
                status, headers, body = read_response(s)
            except (socket.timeout, AssertionError):
                continue
            assert status == 503 and int(headers["retry-after"]) >= 1, body
            refused.append(s)
        return len(refused) >= 20 - 64 // 5

    wait_for(answered, "uploads past the body budget to be refused", timeout=20)
    assert api.get("/api/products").status_code == 200
    assert rss_kib(server) - before < 64 * 1024
    # The others are cut off by the deadline.
    wait_for(lambda: trickle(slow) == 0 or all(is_closed(s) for s in slow), "the slow uploads to end", timeout=30)
    for s in slow:
        s.close()


def served_connection(port, source="127.0.0.1"):
    """A connection that got an answer and stays open, or None when refused."""
    s = connect(port, source)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: mercato\r\n\r\n")
        if read_response(s)[0] == 200:
            return s
    except (AssertionError, OSError):
        pass
    s.close()
    return None


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_connections_per_address_are_capped(make_server, backend):
    server = make_server(backend, {"MERCATO_MAX_CONN_PER_IP": "4"})
    # The harness's own probes may still be closing: wait for each place.
    held = [wait_for(lambda: served_connection(server.port), "a place") for _ in range(4)]
    extra = connect(server.port)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: mercato\r\n\r\n")
    wait_for(lambda: is_closed(extra), "the fifth connection to be refused", timeout=10)
    # Another address has its own allowance.
    other = served_connection(server.port, source="127.0.0.2")
    assert other is not None
    # A closed connection frees its place.
    held.pop().close()
    held.append(wait_for(lambda: served_connection(server.port), "a place to free up", timeout=10))
    for s in held + [extra, other]:
        s.close()


def test_edge_settings_are_listed():
    out = subprocess.run([BINARY, "help"], capture_output=True, text=True).stdout
    for name in ("MERCATO_MAX_CONN_PER_IP", "MERCATO_REQUEST_TIMEOUT"):
        assert name in out
