"""deploy/: the systemd units pass `systemd-analyze verify`, and the nginx
gateway config passes `nginx -t` with a throwaway certificate, then serves
the API over TLS in front of a real node."""
import os
import re
import shutil
import signal
import subprocess

import requests

from conftest import BINARY, ROOT, free_port, wait_for

DEPLOY = os.path.join(ROOT, "deploy")
UNITS = {"mercato.service": "serve", "mercato-worker.service": "worker", "mercato-scheduler.service": "scheduler"}


def test_systemd_units_verify(tmp_path):
    assert shutil.which("systemd-analyze"), "systemd-analyze is missing: run scripts/deps.sh"
    paths = []
    for name, command in UNITS.items():
        with open(os.path.join(DEPLOY, "systemd", name)) as f:
            text = f.read()
        assert re.search(r"^ExecStart=/usr/local/bin/mercato %s$" % command, text, re.M), name
        assert re.search(r"^User=mercato$", text, re.M) and "NoNewPrivileges=yes" in text, name
        # verify checks that the command exists: point it at this build.
        path = tmp_path / name
        path.write_text(text.replace("/usr/local/bin/mercato", os.path.abspath(BINARY)))
        paths.append(str(path))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", *paths], capture_output=True, text=True,
                       timeout=120)
    # Unknown keys are only warnings (exit 0): any word about our files fails.
    ours = [line for line in (r.stdout + r.stderr).splitlines() if "mercato" in line]
    assert r.returncode == 0 and not ours, r.stdout + r.stderr


def gateway_conf(tmp_path, node_port, https_port, http_port):
    """The deploy config with a throwaway certificate, local ports and this
    test's node, inside a minimal main config."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=120)
    with open(os.path.join(DEPLOY, "nginx", "mercato.conf")) as f:
        site = f.read()
    for old, new in (("/etc/ssl/mercato/fullchain.pem", str(cert)), ("/etc/ssl/mercato/privkey.pem", str(key)),
                     ("127.0.0.1:8080", "127.0.0.1:%d" % node_port),
                     ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https_port),
                     ("listen 80;", "listen 127.0.0.1:%d;" % http_port),
                     ("/var/www/acme", str(tmp_path))):
        assert old in site, old
        site = site.replace(old, new)
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)  # the machine may lack IPv6
    (tmp_path / "mercato.conf").write_text(site)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / d).mkdir(parents=True)
    main = tmp_path / "nginx.conf"
    main.write_text("""%s
worker_processes 1;
daemon off;
pid %s/nginx.pid;
error_log %s/error.log warn;
events { worker_connections 64; }
http {
    access_log %s/access.log;
    client_body_temp_path %s/tmp/body;
    proxy_temp_path %s/tmp/proxy;
    fastcgi_temp_path %s/tmp/fastcgi;
    uwsgi_temp_path %s/tmp/uwsgi;
    scgi_temp_path %s/tmp/scgi;
    include %s/mercato.conf;
}
""" % ((("user root;" if os.getuid() == 0 else ""),) + (str(tmp_path),) * 9))
    return main, cert


def test_nginx_gateway_with_tls(api, tmp_path):
    https_port, http_port = free_port(), free_port()
    main, cert = gateway_conf(tmp_path, api.server.port, https_port, http_port)
    r = subprocess.run(["nginx", "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "test is successful" in r.stderr

    proc = subprocess.Popen(["nginx", "-c", str(main), "-p", str(tmp_path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = "https://127.0.0.1:%d" % https_port
    try:
        def up():
            try:
                return requests.get(base + "/healthz", verify=str(cert), timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_for(up, "nginx to serve TLS")
        r = requests.get(base + "/api/products", verify=str(cert), timeout=10)
        assert r.status_code == 200, r.text
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
        # The node names the request with nginx's id.
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-Id"])
        r = requests.get("http://127.0.0.1:%d/api/products?page=2" % http_port, allow_redirects=False, timeout=10)
        assert r.status_code == 308
        assert r.headers["Location"] == "https://127.0.0.1/api/products?page=2"
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=30)
