"""GET /api/openapi.json: the embedded OpenAPI document, and its agreement
with THE route table (src/api/routes.c): every route is documented, every
documented operation is a route (with the same role, where the document
names one), and every documented path is routed by the server."""
import json
import os
import re
import uuid

from conftest import ROOT

ROUTES_C = os.path.join(ROOT, "src", "api", "routes.c")
DOC = os.path.join(ROOT, "docs", "openapi.json")
METHODS = ("get", "post", "put", "patch", "delete")
ROUTE_RE = re.compile(r'\{\s*HTTP_(GET|POST|PUT|PATCH|DELETE)\s*,\s*"(/[^"]*)"\s*,\s*\w+\s*,\s*AUTH_(\w+)')
AUTH = {"PUBLIC": "public", "USER": "user", "SELLER": "seller", "ADMIN": "admin"}


def route_table():
    """{(method, openapi path): role} from the route table; `:param` becomes `{param}`."""
    with open(ROUTES_C) as f:
        src = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    routes = {}
    for method, pattern, auth in ROUTE_RE.findall(src):
        path = re.sub(r":(\w+)", r"{\1}", pattern)
        routes[(method.lower(), path)] = AUTH[auth]
    assert len(routes) > 30, "could not parse %s" % ROUTES_C
    return routes


def operations(doc):
    return {(m, p): o for p, item in doc["paths"].items() for m, o in item.items() if m in METHODS}


def aliases(doc):
    """{(method, alias path): (method, documented path)}: routes an operation lists as x-mercato-aliases."""
    return {(m, a): (m, p) for (m, p), o in operations(doc).items() for a in o.get("x-mercato-aliases", [])}


def test_openapi_served_as_cacheable_json(api):
    r = api.get("/api/openapi.json")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Cache-Control"] == "public, max-age=300"
    doc = r.json()
    assert isinstance(doc["openapi"], str) and doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["paths"]
    # Public: no token is needed, and a bad one reads as none.
    assert api.get("/api/openapi.json", token="x").status_code == 200
    # The served bytes are the file in the tree, byte for byte.
    with open(DOC, "rb") as f:
        assert r.content == f.read(), "build/gen/openapi.c is stale: rebuild"
    h = api.request("HEAD", "/api/openapi.json")
    assert h.status_code == 200 and not h.content


def test_every_route_is_documented_and_nothing_else():
    with open(DOC) as f:
        doc = json.load(f)
    routes = route_table()
    ops = operations(doc)
    for alias, target in aliases(doc).items():
        assert alias in routes, "x-mercato-aliases names a route that does not exist: %s" % (alias,)
        assert routes.pop(alias) == routes[target], "alias %s needs another role than %s" % (alias, target)
    missing = sorted(set(routes) - set(ops))
    assert not missing, "routes missing from docs/openapi.json: %s" % missing
    extra = sorted(set(ops) - set(routes))
    assert not extra, "documented operations that are not routes: %s" % extra
    wrong = sorted((k, ops[k]["x-mercato-auth"], routes[k]) for k in ops
                   if "x-mercato-auth" in ops[k] and ops[k]["x-mercato-auth"] != routes[k])
    assert not wrong, "x-mercato-auth disagrees with routes.c: %s" % wrong


def test_document_is_self_consistent():
    with open(DOC) as f:
        text = f.read()
    assert len(text) <= 200 * 1024
    doc = json.loads(text)
    comps = doc["components"]
    # Every $ref resolves.
    for ref in set(re.findall(r'"\$ref":\s*"([^"]+)"', text)):
        kind, name = re.fullmatch(r"#/components/(\w+)/([\w.-]+)", ref).groups()
        assert name in comps[kind], ref
    for (method, path), o in operations(doc).items():
        where = "%s %s" % (method.upper(), path)
        assert o.get("responses"), where
        assert o.get("operationId"), where
        # Every {param} of the path is declared, and nothing more.
        declared = set()
        for p in o.get("parameters", []):
            if "$ref" in p:
                p = comps["parameters"][p["$ref"].rsplit("/", 1)[1]]
            if p["in"] == "path":
                declared.add(p["name"])
                assert p["required"] is True, where
        assert declared == set(re.findall(r"\{(\w+)\}", path)), where
        if o.get("x-mercato-auth") in ("user", "seller", "admin"):
            assert "401" in o["responses"], where
    for name in ("Product", "Cart", "Order", "Payment", "Coupon", "User", "Problem"):
        assert name in comps["schemas"], name
    assert {"code", "errors", "requestId"} <= set(comps["schemas"]["Problem"]["properties"])
    assert comps["securitySchemes"]["bearerAuth"]["bearerFormat"] == "JWT"


def test_every_parameter_and_json_body_has_an_example():
    """Integrators' tools (mock servers, Postman, Dredd) need one for each;
    binary bodies (image bytes) are the exception."""
    with open(DOC) as f:
        doc = json.load(f)

    def resolve(x):
        while isinstance(x, dict) and "$ref" in x:
            node = doc
            for part in x["$ref"].split("/")[1:]:
                node = node[part]
            x = node
        return x

    def has_example(schema):
        schema = resolve(schema)
        if not isinstance(schema, dict):
            return False
        if "example" in schema or "examples" in schema:
            return True
        return any(k in schema and all(has_example(s) for s in schema[k]) for k in ("oneOf", "anyOf", "allOf"))

    missing = []
    for path, ops in doc["paths"].items():
        shared = ops.get("parameters", [])
        for method, op in ops.items():
            if method == "parameters":
                continue
            for prm in map(resolve, op.get("parameters", []) + shared):
                if "example" not in prm and "examples" not in prm and not has_example(prm.get("schema", {})):
                    missing.append("%s %s parameter %s" % (method, path, prm.get("name")))
            body = resolve(op.get("requestBody", {}))
            for ctype, media in body.get("content", {}).items():
                if ctype.startswith("image/"):
                    continue
                if "example" not in media and "examples" not in media and not has_example(media.get("schema", {})):
                    missing.append("%s %s body %s" % (method, path, ctype))
    assert not missing, missing


def test_every_documented_path_is_routed(api):
    doc = api.get("/api/openapi.json").json()
    misses = []
    for path, item in doc["paths"].items():
        method = next(m for m in item if m in METHODS)
        url = re.sub(r"\{\w+\}", "1", path)
        r = api.request(method.upper(), url, headers={"Content-Type": "application/json"}, data="")
        if r.status_code == 404 and r.headers.get("Content-Type", "").startswith("application/problem+json") \
                and r.json().get("code") == "no_route":
            misses.append("%s %s" % (method.upper(), url))
        assert r.status_code < 500, (method, url, r.status_code, r.text)
    assert not misses, "documented but not routed: %s" % misses


# --- live responses against the documented schemas --------------------------

DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


class Conformance:
    """A small checker for the JSON Schema subset the document uses. Response
    objects may not carry properties the document does not name."""

    def __init__(self, doc):
        self.doc = doc
        self.ops = operations(doc)

    def resolve(self, s):
        while "$ref" in s:
            kind, name = s["$ref"].split("/")[2:]
            s = self.doc["components"][kind][name]
        return s

    def props(self, s):
        s = self.resolve(s)
        out = dict(s.get("properties", {}))
        for sub in s.get("allOf", []):
            out.update(self.props(sub))
        return out

    def open_ended(self, s):
        s = self.resolve(s)
        return s.get("additionalProperties") not in (None, False) or any(self.open_ended(x)
                                                                         for x in s.get("allOf", []))

    def check(self, s, v, at, strict=True):
        s = self.resolve(s)
        if v is None:
            assert s.get("nullable") or any(self.resolve(x).get("nullable") for x in s.get("allOf", [])), \
                "%s: null where the document says not nullable" % at
            return
        for sub in s.get("allOf", []):
            self.check(sub, v, at, strict=False)
        t = s.get("type")
        if t == "integer":
            assert isinstance(v, int) and not isinstance(v, bool), "%s: %r is not an integer" % (at, v)
        elif t == "number":
            assert isinstance(v, (int, float)) and not isinstance(v, bool), "%s: %r is not a number" % (at, v)
        elif t:
            assert isinstance(v, TYPES[t]), "%s: %r is not %s" % (at, v, t)
        if "enum" in s:
            assert v in s["enum"], "%s: %r not in %s" % (at, v, s["enum"])
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            assert s.get("minimum", v) <= v <= s.get("maximum", v), "%s: %r out of bounds" % (at, v)
        if isinstance(v, str):
            assert len(v) <= s.get("maxLength", len(v)), "%s: longer than maxLength" % at
            if s.get("format") == "date-time":
                assert DATE_TIME.match(v), "%s: %r is not RFC 3339" % (at, v)
        if isinstance(v, list) and "items" in s:
            for i, x in enumerate(v):
                self.check(s["items"], x, "%s[%d]" % (at, i))
        if isinstance(v, dict):
            props = self.props(s)
            for k in s.get("required", []):
                assert k in v, "%s: required %s missing" % (at, k)
            for k, x in v.items():
                if k in props:
                    self.check(props[k], x, "%s.%s" % (at, k))
                elif strict and (props or s.get("allOf")) and not self.open_ended(s):
                    raise AssertionError("%s: undocumented property %s" % (at, k))

    def __call__(self, r, method, path, status):
        """Checks response r of `method path` (document path): the status, and the body against the document."""
        op = self.ops[(method, path)]
        where = "%s %s -> %d" % (method.upper(), path, r.status_code)
        assert r.status_code == status, "%s: expected %d: %s" % (where, status, r.text[:300])
        resp = op["responses"].get(str(r.status_code))
        assert resp, "%s: status not documented" % where
        resp = self.resolve(resp)
        if not resp.get("content"):
            assert not r.content, where
            return None
        ctype = r.headers["Content-Type"].split(";")[0]
        assert ctype in resp["content"], "%s: %s not documented" % (where, ctype)
        body = r.json()
        self.check(resp["content"][ctype]["schema"], body, where)
        return body


def test_live_responses_match_the_document(api):
    """Walks a shop's life through the API and checks each answer's status and body against the document."""
    c = Conformance(api.get("/api/openapi.json").json())
    admin = api.create_account("admin")["token"]
    seller = api.create_account("seller")["token"]
    r = api.post("/api/auth/register", json={"name": "Doc Buyer", "email": api.unique_email("doc"),
                                              "password": "correct horse"})
    buyer = c(r, "post", "/api/auth/register", 201)["token"]
    me = c(api.get("/api/users/me", token=buyer), "get", "/api/users/me", 200)
    c(api.patch("/api/users/me", token=buyer, json={"name": "Doc B."}), "patch", "/api/users/me", 200)
    c(api.post("/api/products", token=seller, json={"price": 1}), "post", "/api/products", 400)

    p = c(api.post("/api/products", token=seller, json={"name": "Doc " + uuid.uuid4().hex[:8], "price": 2500,
                                                         "stock": 5, "category": "docs"}),
          "post", "/api/products", 201)
    pid = p["id"]
    c(api.post("/api/products/%d/sale" % pid, token=seller,
               json={"saleStart": "2020-01-01T00:00:00Z", "saleEnd": "2099-01-01T00:00:00Z", "salePercentage": 10}),
      "post", "/api/products/{id}/sale", 200)
    r = api.get("/api/products/%d" % pid)
    assert c(r, "get", "/api/products/{id}", 200)["onSale"] is True
    c(api.get("/api/products/%d" % pid, headers={"If-None-Match": r.headers["ETag"]}),
      "get", "/api/products/{id}", 304)
    c(api.get("/api/products?category=docs&sort=-price"), "get", "/api/products", 200)
    c(api.get("/api/products/999999999"), "get", "/api/products/{id}", 404)
    c(api.get("/api/products?limit=0"), "get", "/api/products", 400)

    c(api.get("/api/cart"), "get", "/api/cart", 200)
    c(api.post("/api/cart", token=buyer, json={"productId": pid, "qty": 9}), "post", "/api/cart", 409)
    c(api.post("/api/cart/items", token=buyer, json={"productId": pid, "qty": 2}), "post", "/api/cart/items", 200)
    c(api.get("/api/users/%d/cart" % me["id"], token=buyer), "get", "/api/users/{userId}/cart", 200)
    # The seed's alias answers the same.
    c(api.get("/api/cart/%d" % me["id"], token=buyer), "get", "/api/users/{userId}/cart", 200)
    c(api.post("/api/wishlist", token=buyer, json={"productId": pid}), "post", "/api/wishlist", 201)
    c(api.get("/api/wishlist", token=buyer), "get", "/api/wishlist", 200)

    code = "DOC" + uuid.uuid4().hex[:6].upper()
    c(api.post("/api/coupons", token=seller, json={"code": code, "discountPercentage": 10, "usageLimit": 5,
                                                    "validFrom": "2020-01-01T00:00:00Z",
                                                    "validTo": "2099-01-01T00:00:00Z"}),
      "post", "/api/coupons", 201)
    c(api.get("/api/coupons", token=seller), "get", "/api/coupons", 200)
    c(api.get("/api/coupons/apply?code=" + code, token=buyer), "get", "/api/coupons/apply", 200)

    key = {"Idempotency-Key": uuid.uuid4().hex}
    order = c(api.post("/api/checkout", token=buyer, headers=key, json={"couponCode": code}),
              "post", "/api/checkout", 201)
    r = api.post("/api/checkout", token=buyer, headers=key, json={"couponCode": code})
    assert r.headers.get("Idempotent-Replayed") == "true"
    c(r, "post", "/api/checkout", 201)
    c(api.post("/api/orders", token=buyer), "post", "/api/orders", 422)
    c(api.get("/api/orders", token=buyer), "get", "/api/orders", 200)
    c(api.get("/api/orders/%d" % order["id"], token=buyer), "get", "/api/orders/{id}", 200)
    pay = c(api.post("/api/payments", token=buyer, json={"orderId": order["id"], "method": "UPI"}),
            "post", "/api/payments", 201)
    c(api.get("/api/payments/%d" % pay["id"], token=buyer), "get", "/api/payments/{id}", 200)
    c(api.post("/api/payments", token=buyer, json={"orderId": order["id"], "method": "UPI"}),
      "post", "/api/payments", 409)

    c(api.post("/api/products/%d/reviews" % pid, token=buyer, json={"rating": 4, "comment": "ok"}),
      "post", "/api/products/{id}/reviews", 201)
    c(api.get("/api/products/%d/reviews" % pid), "get", "/api/products/{id}/reviews", 200)
    for status in ("shipped", "delivered"):
        c(api.patch("/api/orders/%d/status" % order["id"], token=admin, json={"status": status}),
          "patch", "/api/orders/{id}/status", 200)
    c(api.patch("/api/orders/%d/cancel" % order["id"], token=buyer), "patch", "/api/orders/{id}/cancel", 409)
    c(api.post("/api/orders/%d/refund" % order["id"], token=admin, json={"reason": "doc"}),
      "post", "/api/orders/{id}/refund", 200)
    c(api.get("/api/admin/jobs", token=admin), "get", "/api/admin/jobs", 200)
    c(api.get("/api/admin/jobs", token=seller), "get", "/api/admin/jobs", 403)
    c(api.post("/api/auth/logout", token=buyer), "post", "/api/auth/logout", 204)
    c(api.get("/api/auth/me", token=buyer), "get", "/api/auth/me", 401)
