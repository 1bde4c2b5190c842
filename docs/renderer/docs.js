/* The /docs page: renders the served OpenAPI document (/api/openapi.json)
 * as a reference. Plain DOM building with textContent only: the document's
 * text never becomes markup. Covers the subset of OpenAPI 3.0 Mercato uses. */
"use strict";

(function () {
  const METHODS = ["get", "post", "put", "patch", "delete"];
  const MAX_DEPTH = 8;   // schema nesting shown before "…"
  let doc = null;

  /* el("p", {class: "x"}, "text", childNode, ...) */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    for (const k of kids) {
      if (k === null || k === undefined || k === false) continue;
      e.append(typeof k === "string" ? document.createTextNode(k) : k);
    }
    return e;
  }

  /* Inline markdown: `code` and **bold**; everything else stays text. */
  function inline(text) {
    const frag = document.createDocumentFragment();
    const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      frag.append(document.createTextNode(text.slice(last, m.index)));
      frag.append(m[1] !== undefined ? el("code", null, m[1]) : el("strong", null, m[2]));
      last = re.lastIndex;
    }
    frag.append(document.createTextNode(text.slice(last)));
    return frag;
  }

  /* Block markdown: paragraphs and "* " bullet lists. */
  function markdown(text) {
    const box = el("div", { class: "md" });
    if (!text) return box;
    for (const block of String(text).split(/\n\s*\n/)) {
      const lines = block.split("\n").filter((l) => l.trim() !== "");
      if (lines.length && lines.every((l) => /^\s*[*-] /.test(l))) {
        box.append(el("ul", null, ...lines.map((l) => el("li", null, inline(l.replace(/^\s*[*-] /, ""))))));
      } else if (lines.length) {
        box.append(el("p", null, inline(lines.join(" "))));
      }
    }
    return box;
  }

  function refName(ref) { return ref.split("/").pop(); }

  /* Follows "$ref": "#/components/KIND/NAME". */
  function resolve(obj) {
    let seen = 0;
    while (obj && obj.$ref && seen++ < 20) {
      const parts = obj.$ref.replace(/^#\//, "").split("/");
      obj = parts.reduce((o, p) => (o ? o[p] : undefined), doc);
    }
    return obj || {};
  }

  function typeLabel(s) {
    if (s.$ref) return refName(s.$ref);
    let t = s.type || (s.properties ? "object" : s.oneOf ? "one of" : s.anyOf ? "any of" : s.allOf ? "all of" : "any");
    if (t === "array" && s.items) t = "array of " + typeLabel(s.items);
    if (s.format) t += " (" + s.format + ")";
    if (s.nullable) t += ", nullable";
    return t;
  }

  function constraints(s) {
    const out = [];
    if (s.enum) out.push("one of: " + s.enum.map((v) => JSON.stringify(v)).join(", "));
    if (s.minimum !== undefined) out.push("min " + s.minimum);
    if (s.maximum !== undefined) out.push("max " + s.maximum);
    if (s.minLength !== undefined) out.push("min length " + s.minLength);
    if (s.maxLength !== undefined) out.push("max length " + s.maxLength);
    if (s.maxItems !== undefined) out.push("at most " + s.maxItems + " items");
    if (s.pattern) out.push("pattern " + s.pattern);
    if (s.default !== undefined) out.push("default " + JSON.stringify(s.default));
    return out.join("; ");
  }

  /* A schema as a nested list of its properties. */
  function schemaTree(schema, depth, seen) {
    const ul = el("ul");
    const s = resolve(schema);
    if (depth > MAX_DEPTH) { ul.append(el("li", { class: "note" }, "…")); return ul; }
    const name = schema.$ref ? refName(schema.$ref) : null;
    if (name && seen.has(name)) { ul.append(el("li", { class: "note" }, "(" + name + ", see above)")); return ul; }
    const next = new Set(seen); if (name) next.add(name);
    for (const key of ["allOf", "oneOf", "anyOf"]) {
      if (!s[key]) continue;
      const label = { allOf: "all of", oneOf: "one of", anyOf: "any of" }[key];
      for (const sub of s[key]) {
        ul.append(el("li", null, el("span", { class: "note" }, label + ": "), el("span", { class: "type" }, typeLabel(sub)),
          schemaTree(sub, depth + 1, next)));
      }
    }
    const required = new Set(s.required || []);
    for (const [prop, ps] of Object.entries(s.properties || {})) {
      const p = resolve(ps);
      const li = el("li", null, el("span", { class: "pname" }, prop), " ",
        el("span", { class: "type" }, typeLabel(ps)), " ",
        required.has(prop) ? el("span", { class: "req" }, "required") : null);
      const c = constraints(p);
      if (c) li.append(el("div", { class: "note" }, c));
      if (p.description) li.append(el("div", { class: "note" }, inline(p.description)));
      const inner = p.type === "array" ? resolve(p.items || {}) : p;
      if (inner.properties || inner.allOf || inner.oneOf || inner.anyOf) {
        li.append(schemaTree(p.type === "array" ? p.items : ps, depth + 1, next));
      }
      ul.append(li);
    }
    if (s.type === "array" && s.items && depth === 0) ul.append(el("li", null, schemaTree(s.items, depth + 1, next)));
    return ul;
  }

  function schemaBlock(schema) {
    const s = resolve(schema);
    const box = el("div", { class: "schema" }, el("span", { class: "type" }, typeLabel(schema)));
    const c = constraints(s);
    if (c) box.append(el("span", { class: "note" }, " " + c));
    if (s.description) box.append(el("div", { class: "note" }, inline(s.description)));
    box.append(schemaTree(schema, 0, new Set()));
    return box;
  }

  function content(media) {
    const box = el("div");
    for (const [type, mt] of Object.entries(media || {})) {
      box.append(el("div", { class: "note" }, type));
      if (mt.schema) box.append(schemaBlock(mt.schema));
      const example = mt.example !== undefined ? mt.example : mt.schema ? resolve(mt.schema).example : undefined;
      if (example !== undefined) box.append(el("pre", null, JSON.stringify(example, null, 2)));
    }
    return box;
  }

  function parameters(list) {
    const table = el("table", null, el("tr", null, ...["name", "in", "type", "description", "example"].map((h) => el("th", null, h))));
    for (const raw of list) {
      const p = resolve(raw);
      const s = resolve(p.schema || {});
      table.append(el("tr", null,
        el("td", null, el("code", null, p.name), p.required ? el("span", { class: "req" }, " required") : null),
        el("td", null, p.in),
        el("td", null, el("span", { class: "type" }, typeLabel(p.schema || {})), el("div", { class: "note" }, constraints(s))),
        el("td", null, inline(p.description || "")),
        el("td", null, p.example !== undefined ? el("code", null, JSON.stringify(p.example)) : "")));
    }
    return table;
  }

  function responses(map) {
    const box = el("div");
    for (const [code, raw] of Object.entries(map || {})) {
      const r = resolve(raw);
      const row = el("div", null, el("span", { class: "status s" + code[0] }, code), " ", inline(r.description || ""));
      if (r.headers) row.append(el("div", { class: "note" }, "headers: " + Object.keys(r.headers).join(", ")));
      if (r.content) {
        const d = el("details", null, el("summary", null, "body"), content(r.content));
        row.append(d);
      }
      box.append(row);
    }
    return box;
  }

  function opId(method, path) { return (method + path).replace(/[^A-Za-z0-9]+/g, "-"); }

  function operation(method, path, op, shared) {
    const a = el("article", { class: "op", id: op.operationId || opId(method, path) });
    a.dataset.search = (method + " " + path + " " + (op.summary || "") + " " + (op.operationId || "")).toLowerCase();
    a.append(el("h3", null, el("span", { class: "method m-" + method }, method), el("span", { class: "path" }, path),
      el("span", { class: "summary" }, op.summary || ""),
      op["x-mercato-auth"] ? el("span", { class: "badge" }, "auth: " + op["x-mercato-auth"]) : null));
    if (op.description) a.append(markdown(op.description));
    if (op["x-mercato-aliases"]) a.append(el("p", { class: "note" }, "Also routed at: " + op["x-mercato-aliases"].join(", ")));
    const params = (shared || []).concat(op.parameters || []);
    if (params.length) a.append(el("h4", null, "Parameters"), parameters(params));
    if (op.requestBody) {
      const rb = resolve(op.requestBody);
      a.append(el("h4", null, "Request body" + (rb.required ? "" : " (optional)")));
      if (rb.description) a.append(markdown(rb.description));
      a.append(content(rb.content));
    }
    a.append(el("h4", null, "Responses"), responses(op.responses));
    return a;
  }

  function render() {
    const main = document.getElementById("main");
    const toc = document.getElementById("toc");
    main.replaceChildren();
    document.title = doc.info.title + " " + doc.info.version;
    document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;

    const intro = el("section", { class: "intro" }, markdown(doc.info.description));
    if (doc.info.license) {
      intro.append(el("p", { class: "note" }, "License: ",
        doc.info.license.url && /^https?:\/\//.test(doc.info.license.url)
          ? el("a", { href: doc.info.license.url }, doc.info.license.name) : doc.info.license.name));
    }
    for (const s of doc.servers || []) {
      const vars = Object.entries(s.variables || {}).map(([k, v]) => k + " = " + v.default).join(", ");
      intro.append(el("p", { class: "note" }, "Server: ", el("code", null, s.url), vars ? " (" + vars + ")" : ""));
    }
    main.append(intro);

    const tags = (doc.tags || []).map((t) => t.name);
    const byTag = new Map(tags.map((t) => [t, []]));
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const m of METHODS) {
        if (!item[m]) continue;
        const tag = (item[m].tags || ["other"])[0];
        if (!byTag.has(tag)) byTag.set(tag, []);
        byTag.get(tag).push([m, path, item[m], item.parameters]);
      }
    }
    const tagInfo = new Map((doc.tags || []).map((t) => [t.name, t]));
    for (const [tag, ops] of byTag) {
      if (!ops.length) continue;
      const sec = el("section", { class: "tag", id: "tag-" + tag }, el("h2", null, tag));
      const info = tagInfo.get(tag);
      if (info && info.description) sec.append(markdown(info.description));
      toc.append(el("li", { class: "tag" }, el("a", { href: "#tag-" + tag }, tag)));
      for (const [m, path, op, shared] of ops) {
        const art = operation(m, path, op, shared);
        sec.append(art);
        const li = el("li", { class: "op" }, el("a", { href: "#" + art.id }, el("span", { class: "method m-" + m }, m), " ", path));
        li.dataset.search = art.dataset.search;
        toc.append(li);
      }
      main.append(sec);
    }
  }

  function filter(q) {
    q = q.trim().toLowerCase();
    for (const node of document.querySelectorAll("[data-search]")) {
      node.classList.toggle("hidden", q !== "" && !node.dataset.search.includes(q));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("filter").addEventListener("input", (e) => filter(e.target.value));
    fetch("/api/openapi.json", { headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then((d) => {
        doc = d;
        render();
        if (location.hash) {
          const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
          if (target) target.scrollIntoView();
        }
      })
      .catch((e) => { document.getElementById("status").textContent = "Could not load /api/openapi.json: " + e.message; });
  });
})();
