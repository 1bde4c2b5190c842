"""Operations: the command line refuses what it does not know, and
`mercato backup` copies a live SQLite database consistently."""
import os
import shutil
import sqlite3
import subprocess
import threading

import pytest

from conftest import BINARY, Api, wait_for


def run(server, *args):
    """A subcommand against the server's database; a usage error exits at once."""
    return subprocess.run([BINARY, *args], env=server.env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args", [
    ("migrate", "--prot", "9000"),
    ("serve", "--config", "x"),
    ("serve", "extra"),
    ("worker", "--threads"),
    ("worker", "now"),
    ("seed", "--bogus", "1"),
    ("migrate", "--port"),
    ("scheduler", "--run-once"),
    ("scheduler", "--run-once", "cleanup", "again"),
    ("scheduler", "--every", "5"),
    ("user", "create", "--email", "a@b.co", "--password", "password1", "--role", "buyer", "--rol", "x"),
    ("user", "create", "--email", "a@b.co", "--password", "password1", "--role", "buyer", "stray"),
    ("import", "fakestore"),
    ("import", "fakestore", "a.json", "b.json"),
    ("import", "fakestore", "a.json", "--stock"),
    ("backup",),
    ("backup", "a.db", "b.db"),
    ("backup", "--to", "a.db"),
    ("help", "me"),
    ("nonsense",),
])
def test_usage_errors_exit_2(api, args):
    r = run(api.server, *args)
    assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
    assert "mercato:" in r.stderr or "usage:" in r.stderr


def test_settings_still_work_anywhere_on_the_line(api):
    r = run(api.server, "migrate", "--access-log", "0")
    assert r.returncode == 0, r.stderr
    r = run(api.server, "--access-log=1", "migrate")
    assert r.returncode == 0, r.stderr


def checkout_load(api, pid, stop, acked, errors):
    """One buyer placing orders until told to stop; records acknowledged ids."""
    try:
        buyer = api.register()
        while not stop.is_set():
            r = api.post("/api/cart", token=buyer["token"], json={"productId": pid, "qty": 1})
            assert r.status_code in (200, 201), r.text
            r = api.post("/api/checkout", token=buyer["token"], json={})
            assert r.status_code == 201, r.text
            acked.append(r.json()["id"])
    except Exception as e:  # reported by the test, not lost in the thread
        errors.append(e)


def test_backup_on_postgresql_points_to_pg_dump(api):
    r = run(api.server, "backup", os.path.join(api.server.dir, "x.db"))
    if api.backend == "pg":
        assert r.returncode == 2 and "pg_dump" in r.stderr
    else:
        assert r.returncode == 0, r.stderr


def test_backup_while_checking_out_has_every_acknowledged_order(make_server, tmp_path):
    api = Api(make_server("sqlite"))
    seller = api.create_account("seller")
    r = api.post("/api/products", token=seller["token"],
                 json={"name": "Backup lamp", "price": 100, "stock": 1000000, "category": "home"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    stop, acked, errors = threading.Event(), [], []
    workers = [threading.Thread(target=checkout_load, args=(Api(api.server), pid, stop, acked, errors))
               for _ in range(4)]
    dest = str(tmp_path / "backup.db")
    for w in workers:
        w.start()
    try:
        # Orders acknowledged before the copy starts, and more while it runs.
        wait_for(lambda: len(acked) >= 20 or errors, "orders under load")
        before = list(acked)
        r = run(api.server, "backup", dest)
        wait_for(lambda: len(acked) > len(before) + 4 or errors, "orders after the backup")
    finally:
        stop.set()
        for w in workers:
            w.join(60)
    assert not errors, errors
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "backup: " + dest
    assert not os.path.exists(dest + ".partial")
    assert os.stat(dest).st_mode & 0o077 == 0, "a backup holds password hashes: owner only"
    db = sqlite3.connect(dest)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        have = {row[0] for row in db.execute("SELECT id FROM orders")}
    finally:
        db.close()
    missing = [o for o in before if o not in have]
    assert not missing, "acknowledged before the backup, absent from it: %s" % missing

    # Restore as the README says: the copy becomes a stopped server's database.
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(dest, restored / "mercato.db")
    # Same signing key (the development key in the data directory): the
    # database records its fingerprint and a node with another key refuses it.
    other = Api(make_server("sqlite", {"MERCATO_DB": "sqlite:%s" % (restored / "mercato.db"),
                                       "MERCATO_DATA_DIR": api.server.env["MERCATO_DATA_DIR"]}))
    admin = other.create_account("admin")
    r = other.get("/api/orders/%d" % before[-1], token=admin["token"])
    assert r.status_code == 200, r.text


def test_backup_of_a_missing_database_fails_without_creating_it(tmp_path):
    env = dict(os.environ, MERCATO_DB="sqlite:%s" % (tmp_path / "absent.db"),
               MERCATO_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run([BINARY, "backup", str(tmp_path / "copy.db")], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1 and "cannot open" in r.stderr
    assert not (tmp_path / "absent.db").exists() and not (tmp_path / "copy.db").exists()
