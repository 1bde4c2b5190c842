"""A real S3-compatible store for the tests: s3rver (npm, installed by
scripts/deps.sh outside the tree) on loopback, behind a gate that checks
the AWS Signature V4 of every request the way S3 does (s3rver 3 checks the
access key and the clock but not the signature itself) and forwards the
good ones. The gate is written from the specification, independently of
the server's signer, so a wrong signature fails the tests as it would fail
on S3. Anonymous reads pass (a public bucket); anonymous writes do not."""
import datetime
import hashlib
import hmac
import http.client
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest
import requests

from conftest import free_port

NPM_DIR = os.environ.get("MERCATO_NPM_DIR",
                         os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "mercato-npm"))
S3RVER = os.path.join(NPM_DIR, "node_modules", "s3rver", "bin", "s3rver.js")
ACCESS_KEY = SECRET_KEY = "S3RVER"   # s3rver's built-in account
REGION = "us-east-1"
BUCKET = "mercato-media"
SKEW = 15 * 60


def _enc(s, keep_slash=False):
    return urllib.parse.quote(s, safe="-_.~" + ("/" if keep_slash else ""))


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signature(secret, amz_date, scope, method, path, query_pairs, headers, signed, payload_hash):
    """SigV4 of a request as received: path as sent, query pairs decoded."""
    query = "&".join("%s=%s" % (_enc(k), _enc(v)) for k, v in sorted(query_pairs))
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed)
    creq = "\n".join([method, path, query, canon_headers, ";".join(signed), payload_hash])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    date, region, service, _ = scope.split("/")
    key = _hmac(("AWS4" + secret).encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()


def _parse_time(amz_date):
    return datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


class Gate(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.clock_offset = 0       # seconds added to the gate's clock (tests of expiry)
        self.verified = 0
        self.refused = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", free_port()), GateHandler)

    def now(self):
        return time.time() + self.clock_offset


class GateHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _refuse(self, why):
        with self.server.lock:
            self.server.refused.append("%s %s: %s" % (self.command, self.path, why))
        body = ("<Error><Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error>" % why).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _check(self, body):
        """None when the request is properly signed (or an anonymous read), else why not."""
        url = urllib.parse.urlsplit(self.path)
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        q = dict(pairs)
        headers = {k.lower(): v for k, v in self.headers.items()}
        now = self.server.now()
        if "X-Amz-Signature" in q:
            cred = q.get("X-Amz-Credential", "").split("/", 1)
            if q.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or cred[0] != ACCESS_KEY or len(cred) < 2:
                return "bad algorithm or credential"
            start, ttl = _parse_time(q["X-Amz-Date"]), int(q["X-Amz-Expires"])
            if not 1 <= ttl <= 604800 or now > start + ttl or now < start - SKEW:
                return "request has expired"
            signed = q["X-Amz-SignedHeaders"].split(";")
            want = signature(SECRET_KEY, q["X-Amz-Date"], cred[1], self.command, url.path,
                             [p for p in pairs if p[0] != "X-Amz-Signature"], headers, signed, "UNSIGNED-PAYLOAD")
            return None if hmac.compare_digest(want, q["X-Amz-Signature"]) else "signature does not match"
        auth = headers.get("authorization")
        if not auth:
            return None if self.command in ("GET", "HEAD") else "anonymous write"
        algo, _, rest = auth.partition(" ")
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        cred = parts.get("Credential", "").split("/", 1)
        if algo != "AWS4-HMAC-SHA256" or cred[0] != ACCESS_KEY or len(cred) < 2:
            return "bad algorithm or credential"
        amz_date = headers.get("x-amz-date", "")
        if abs(now - _parse_time(amz_date)) > SKEW:
            return "request time too skewed"
        payload = headers.get("x-amz-content-sha256", "")
        if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
            return "x-amz-content-sha256 does not match the body"
        signed = parts["SignedHeaders"].split(";")
        if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed) or signed != sorted(signed):
            return "host, x-amz-date and x-amz-content-sha256 must be signed, in order"
        want = signature(SECRET_KEY, amz_date, cred[1], self.command, url.path, pairs, headers, signed, payload)
        return None if hmac.compare_digest(want, parts.get("Signature", "")) else "signature does not match"

    def _handle(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        why = self._check(body)
        if why:
            return self._refuse(why)
        if "authorization" in {k.lower() for k in self.headers} or "X-Amz-Signature" in self.path:
            with self.server.lock:
                self.server.verified += 1
        up = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        up.request(self.command, self.path, body=body or None, headers=headers)
        r = up.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        up.close()

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _handle


class S3Store:
    def __init__(self):
        assert os.path.exists(S3RVER), "s3rver is not installed: run scripts/deps.sh"
        self.dir = tempfile.mkdtemp(prefix="mercato-s3-")
        port = free_port()
        self.log = open(os.path.join(self.dir, "s3rver.log"), "ab")
        self.proc = subprocess.Popen(
            ["node", S3RVER, "-d", os.path.join(self.dir, "data"), "-a", "127.0.0.1", "-p", str(port),
             "--silent", "--no-vhost-buckets", "--configure-bucket", BUCKET],
            stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get("http://127.0.0.1:%d/%s/" % (port, BUCKET), timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert self.proc.poll() is None and time.monotonic() < deadline, "s3rver did not start"
            time.sleep(0.05)  # polling a starting process, not synchronising a test
        self.gate = Gate(port)
        threading.Thread(target=self.gate.serve_forever, daemon=True).start()
        self.endpoint = "http://127.0.0.1:%d" % self.gate.server_address[1]
        self.base = self.endpoint + "/" + BUCKET

    def server_env(self, **extra):
        env = {"MERCATO_MEDIA_URL": "s3://" + BUCKET, "MERCATO_S3_ENDPOINT": self.endpoint,
               "MERCATO_S3_REGION": REGION, "MERCATO_S3_ACCESS_KEY": ACCESS_KEY,
               "MERCATO_S3_SECRET_KEY": SECRET_KEY}
        env.update(extra)
        return env

    def stop(self):
        self.gate.shutdown()
        self.gate.server_close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def s3():
    store = S3Store()
    yield store
    store.stop()
