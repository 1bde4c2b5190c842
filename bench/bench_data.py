#!/usr/bin/env python3
"""Helpers for bench/run (standard library only).

  bench_data.py sql --products N --users N [--sellers N] [--now T] [--pg]
      prints SQL that loads a deterministic data set into a freshly migrated
      database (SQLite or PostgreSQL; the same statements work on both). It
      expects one account created by `mercato user create` with the email
      TEMPLATE_EMAIL: every inserted account copies its argon2id password
      hash, so they all share PASSWORD.

  bench_data.py login --base URL --count N [--parallel P] --out FILE
      logs in the first N buyers through the API and writes their tokens,
      one per line.

  bench_data.py sqlite DBFILE
      runs the SQL script on stdin against a SQLite database (no sqlite3 CLI
      needed), waiting up to 10 s for the server's write lock.

  bench_data.py fsync DIR
      prints the median time of a 4 KiB append + fsync in DIR, in ms: the
      floor under a durable (synchronous=FULL) commit on that disk.
"""
import argparse
import json
import os
import random
import sqlite3
import statistics
import time
import sys
import threading
import urllib.error
import urllib.request

TEMPLATE_EMAIL = "template@bench.test"
PASSWORD = "bench-password-1"
CATEGORIES = ["Electronics", "Books", "Home", "Kitchen", "Garden", "Toys", "Sports", "Beauty",
              "Grocery", "Fashion"]
ADJECTIVES = ["Compact", "Deluxe", "Classic", "Portable", "Smart", "Eco", "Premium", "Everyday",
              "Rugged", "Silent", "Wireless", "Handmade", "Organic", "Ultra", "Vintage", "Modular"]
NOUNS = ["Lamp", "Kettle", "Backpack", "Notebook", "Speaker", "Blender", "Chair", "Jacket", "Racket",
         "Puzzle", "Planter", "Serum", "Tea Set", "Charger", "Watch", "Novel", "Skillet", "Helmet"]
WORDS = ("durable light easy daily reliable quiet fast warm bright soft strong clean simple elegant "
         "sturdy travel home office garden kitchen gift family quality design steel cotton bamboo "
         "battery compact water resistant warranty").split()
BASE_TIME = 1700000000  # product and account creation times: fixed, so the data is too
DAY = 86400
STOCK = 1000000000      # MC_STOCK_MAX: checkouts never run out, so no 409 and no cache flush


def q(s):
    return "'" + s.replace("'", "''") + "'"


def emit_sql(args, out):
    rnd = random.Random(20240501)
    now = args.now
    w = out.write
    w("BEGIN;\n")
    # Accounts: sellers then buyers, with a placeholder hash replaced below.
    accounts = [("seller%d@bench.test" % i, "Bench Seller %d" % i, "seller") for i in range(1, args.sellers + 1)]
    accounts += [("buyer%04d@bench.test" % i, "Bench Buyer %d" % i, "buyer") for i in range(1, args.users + 1)]
    for start in range(0, len(accounts), 500):
        rows = ["(%s, %s, 'pending', %s, %d, %d)" % (q(e), q(n), q(r), BASE_TIME, BASE_TIME)
                for e, n, r in accounts[start:start + 500]]
        w("INSERT INTO users (email, name, password_hash, role, created_at, updated_at) VALUES\n")
        w(",\n".join(rows) + ";\n")
    w("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = %s)"
      " WHERE password_hash = 'pending';\n" % q(TEMPLATE_EMAIL))
    # Products: ids 1..N (the detail scenario draws ids from that range).
    seller_ids = ["(SELECT id FROM users WHERE email = %s)" % q("seller%d@bench.test" % i)
                  for i in range(1, args.sellers + 1)]
    rows = []
    for pid in range(1, args.products + 1):
        cat = CATEGORIES[pid % len(CATEGORIES)]
        name = "%s %s %s" % (rnd.choice(ADJECTIVES), rnd.choice(NOUNS), pid)
        desc = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(12, 30))).capitalize() + "."
        price = rnd.randint(1, 5000) * 100 - 1           # 99 .. 499999 paise
        image = "NULL" if pid % 11 == 0 else q("https://cdn.example.test/p/%d.jpg" % pid)
        sale = ("NULL", "NULL", "NULL")
        if pid % 7 == 0:                                  # on sale now, for a month
            sale = (str(now - DAY), str(now + 30 * DAY), str(10 + pid % 5 * 10))
        elif pid % 29 == 0:                               # a sale that starts in two weeks
            sale = (str(now + 14 * DAY), str(now + 21 * DAY), "15")
        count = rnd.randint(0, 200)
        rsum = count * rnd.randint(2, 4) + rnd.randint(0, count)  # averages 2.0 .. 5.0
        created = BASE_TIME + pid * 37
        rows.append("(%d, %s, %s, %s, %d, 'INR', %s, %s, %d, %s, %s, %s, %d, %d, %d, %d)" % (
            pid, seller_ids[pid % len(seller_ids)], q(name), q(desc), price, image, q(cat), STOCK,
            sale[0], sale[1], sale[2], rsum, count, created, created))
        if len(rows) == 500 or pid == args.products:
            w("INSERT INTO products (id, seller_id, name, description, price, currency, image_url, category,"
              " stock, sale_start, sale_end, sale_percentage, rating_sum, rating_count, created_at,"
              " updated_at) VALUES\n")
            w(",\n".join(rows) + ";\n")
            rows = []
    if args.pg:
        w("SELECT setval('products_id_seq', (SELECT max(id) FROM products));\n")
    w("UPDATE catalog_version SET version = version + 1 WHERE id = 1;\n")
    w("COMMIT;\n")


def login(args):
    emails = ["buyer%04d@bench.test" % i for i in range(1, args.count + 1)]
    tokens = [None] * len(emails)
    errors = []
    lock = threading.Lock()
    nxt = [0]

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(emails) or errors:
                return
            body = json.dumps({"email": emails[i], "password": PASSWORD}).encode()
            req = urllib.request.Request(args.base + "/api/auth/login", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    tokens[i] = json.load(r)["token"]
            except (urllib.error.URLError, KeyError, ValueError) as e:
                detail = e.read().decode(errors="replace") if isinstance(e, urllib.error.HTTPError) else ""
                with lock:
                    errors.append("login %s: %s %s" % (emails[i], e, detail))

    threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("bench_data: " + errors[0])
    with open(args.out, "w") as f:
        f.write("\n".join(tokens) + "\n")


def fsync_ms(directory):
    path = os.path.join(directory, "fsync.probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    times = []
    try:
        for _ in range(200):
            t = time.perf_counter()
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
            times.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    print("%.2f" % (statistics.median(times) * 1000))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sql")
    s.add_argument("--products", type=int, required=True)
    s.add_argument("--users", type=int, required=True)
    s.add_argument("--sellers", type=int, default=2)
    s.add_argument("--now", type=int, required=True)
    s.add_argument("--pg", action="store_true")
    lg = sub.add_parser("login")
    lg.add_argument("--base", required=True)
    lg.add_argument("--count", type=int, required=True)
    lg.add_argument("--parallel", type=int, default=4)
    lg.add_argument("--out", required=True)
    fs = sub.add_parser("fsync")
    fs.add_argument("dir")
    sq = sub.add_parser("sqlite")
    sq.add_argument("db")
    args = ap.parse_args()
    if args.cmd == "sql":
        emit_sql(args, sys.stdout)
    elif args.cmd == "sqlite":
        conn = sqlite3.connect(args.db, timeout=10)
        conn.executescript(sys.stdin.read())
        conn.close()
    elif args.cmd == "fsync":
        fsync_ms(args.dir)
    else:
        login(args)


if __name__ == "__main__":
    main()
