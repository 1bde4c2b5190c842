"""GET /metrics: clean for `promtool check metrics`, per-route series, the
shop's business counters, the outbox and the process."""
import re
import subprocess

from conftest import wait_for


def scrape(api):
    r = api.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return r.text


def value(text, series):
    """The value of one series line, e.g. 'mercato_orders_created_total' or
    'x{a="b"}'; None when absent."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[1])
    return None


def test_promtool_finds_nothing_to_complain_about(api):
    api.get("/api/products")
    api.get("/api/no/such/route")
    text = scrape(api)
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), r.stdout + r.stderr
    # Every family has HELP and TYPE, not only what promtool insists on.
    names = set(re.findall(r"^([a-z_]+)(?:\{| )", text, re.M))
    helped = set(re.findall(r"^# HELP ([a-z_]+) ", text, re.M))
    typed = dict(re.findall(r"^# TYPE ([a-z_]+) ([a-z]+)$", text, re.M))
    for n in names:
        base = re.sub(r"_(bucket|sum|count)$", "", n)
        family = base if typed.get(base) == "histogram" else n
        assert family in helped and family in typed, n


def test_requests_by_route_pattern_and_status_class(api):
    before = scrape(api)
    api.get("/api/products/999999999")
    api.get("/api/products/999999998")
    api.get("/api/products")
    text = scrape(api)
    series = 'mercato_http_requests_total{method="GET",route="/api/products/:id",code="4xx"}'
    assert value(text, series) - (value(before, series) or 0) == 2
    hist = 'mercato_http_request_duration_seconds_count{method="GET",route="/api/products/:id",code="4xx"}'
    assert value(text, hist) == value(text, series)
    inf = 'mercato_http_request_duration_seconds_bucket{method="GET",route="/api/products/:id",code="4xx",le="+Inf"}'
    assert value(text, inf) == value(text, hist)
    assert value(text, 'mercato_http_requests_total{method="GET",route="/api/products",code="2xx"}') >= 1


def test_orders_and_payments_counted_with_amounts(api):
    seller = api.create_account("seller")
    buyer = api.register()
    r = api.post("/api/products", token=seller["token"],
                 json={"name": "Metered kettle", "price": 2500, "stock": 100, "category": "home"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    names = ["orders_created", "orders_paid", "orders_cancelled", "payments_captured",
             "payments_captured_minor_units", "payments_refunded", "payments_refunded_minor_units"]

    def counters():
        text = scrape(api)
        return {n: value(text, "mercato_%s_total" % n) for n in names}

    def order():
        api.post("/api/cart/clear", token=buyer["token"])
        assert api.post("/api/cart", token=buyer["token"], json={"productId": pid, "qty": 2}).status_code == 200
        r = api.post("/api/checkout", token=buyer["token"], json={})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    start = counters()
    paid = order()
    r = api.post("/api/payments", token=buyer["token"], json={"orderId": paid, "method": "CARD"})
    assert r.status_code == 201, r.text
    unpaid = order()
    for oid in (paid, unpaid):
        r = api.patch("/api/orders/%d/cancel" % oid, token=buyer["token"], json={"reason": "changed my mind"})
        assert r.status_code == 200, r.text
    end = counters()
    delta = {n: end[n] - start[n] for n in names}
    assert delta == {"orders_created": 2, "orders_paid": 1, "orders_cancelled": 2, "payments_captured": 1,
                     "payments_captured_minor_units": 5000, "payments_refunded": 1,
                     "payments_refunded_minor_units": 5000}, delta


def test_outbox_and_process_gauges(api):
    admin = api.create_account("admin")
    text = scrape(api)
    dead = api.get("/api/admin/jobs?status=dead", token=admin["token"]).json()["total"]
    assert value(text, "mercato_outbox_dead_jobs") == dead
    assert value(text, "mercato_outbox_depth") >= 0
    assert value(text, "process_resident_memory_bytes") > 1024 * 1024
    assert value(text, "process_open_fds") >= 3
    assert value(text, "process_max_fds") >= value(text, "process_open_fds")
    start = value(text, "process_start_time_seconds")
    assert start > 1.6e9
    assert re.search(r'^mercato_build_info\{version="[^"]+"\} 1$', text, re.M)
    # The process start time stays put between scrapes.
    assert wait_for(lambda: value(scrape(api), "process_start_time_seconds") == start, "a stable start time")
