#!/usr/bin/env python3
"""Long-run memory torture: drives the release build (build/mercato serve, on
SQLite, seeded with the demo shop) with wrk and tests/torture/mixed.lua until
--requests requests were answered, in rounds. After the warm-up round the
server's RSS may grow by less than --max-growth-kib in all, and once the load
stops its open file descriptors must come back to the idle count.
Prints one line per round and a verdict; exits 1 on failure."""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def wait_until(cond, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit("torture: timed out waiting for %s" % what)
        time.sleep(0.1)  # polling another process


def open_conns(port):
    """Established TCP connections to the server's port (wrk's closed ones gone)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                for line in f.readlines()[1:]:
                    local, state = line.split()[1], line.split()[3]
                    n += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
        except FileNotFoundError:
            pass
    return n


def http(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method, data=body,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000000)
    ap.add_argument("--round", type=float, default=10, help="seconds of wrk per round")
    ap.add_argument("--warmup", type=int, default=100000, help="requests before the RSS baseline")
    ap.add_argument("--max-growth-kib", type=int, default=2048)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "mercato"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="mercato-torture-")
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    env = dict(os.environ, MERCATO_DB="sqlite:%s/mercato.db" % tmp, MERCATO_DATA_DIR=tmp + "/data",
               MERCATO_PORT=str(port), MERCATO_THREADS="2", MERCATO_ACCESS_LOG="0",
               MERCATO_RATE="10000000", MERCATO_RATE_BURST="10000000", MERCATO_AUTH_RATE="1000000")
    subprocess.run([args.bin, "seed"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = open(os.path.join(tmp, "server.log"), "wb")
    server = subprocess.Popen([args.bin, "serve"], env=env, stdout=log, stderr=log)
    ok = False
    try:
        def up():
            try:
                return http(base, "GET", "/healthz") is not None
            except OSError:
                return False
        wait_until(up, "the server")
        token = json.loads(http(base, "POST", "/api/auth/login",
                                json.dumps({"email": "buyer1@mercato.dev", "password": "mercato-demo"}).encode()))["token"]
        products = json.loads(http(base, "GET", "/api/products?limit=1"))["total"]
        idle_fds = None
        wenv = dict(os.environ, TORTURE_TOKEN=token, TORTURE_PRODUCTS=str(products))
        done, baseline, rounds, peak = 0, None, 0, 0
        while done < args.requests:
            out = subprocess.run(["wrk", "-t1", "-c%d" % args.connections, "-d%gs" % args.round,
                                  "-s", os.path.join(ROOT, "tests", "torture", "mixed.lua"), base],
                                 env=wenv, check=True, capture_output=True, text=True).stdout
            n = int(re.search(r"(\d+) requests in", out).group(1))
            errors = re.search(r"Socket errors: (.*)", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            done += n
            rounds += 1
            rss = rss_kib(server.pid)
            if baseline is None and done >= args.warmup:
                baseline = rss
                # What the server holds once warm (lazily opened database
                # connections, WAL handles) and its clients gone: the idle count.
                wait_until(lambda: open_conns(port) == 0, "the warm-up's connections to close")
                idle_fds = fds(server.pid)
            peak = max(peak, rss)
            print("torture round %d: %d requests (%s answered 4xx/5xx, %d in all), RSS %d KiB%s" % (
                rounds, n, non2xx.group(1) if non2xx else 0, done, rss,
                "; socket errors: " + errors.group(1) if errors else ""), flush=True)
            if server.poll() is not None:
                raise SystemExit("torture: the server died")
        wait_until(lambda: open_conns(port) == 0, "the load's connections to close")
        wait_until(lambda: fds(server.pid) <= idle_fds, "file descriptors back to %d" % idle_fds)
        growth = rss_kib(server.pid) - baseline
        ok = growth < args.max_growth_kib
        print("torture: %d requests; RSS after warm-up %d KiB, now %d KiB (growth %d KiB, limit %d); fds %d idle" % (
            done, baseline, rss_kib(server.pid), growth, args.max_growth_kib, idle_fds))
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
        log.close()
        if code != 0:
            ok = False
            print("torture: the server exited with %s" % code)
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("torture: FAILED (kept %s)" % tmp)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
