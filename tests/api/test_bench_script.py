"""bench/run works end to end: a quick run on a small data set prints a line
for every scenario and the nginx ratio on the catalog lines, and leaves no
temp dir behind. No timing assertions (DESIGN.md section 8): the numbers are
for people, not for the suite. Starts its own server through the script, so
it does not use the `api` fixture."""
import os
import re
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINES = [("list", 64), ("list", 256), ("detail", 64), ("detail", 256), ("cart_add", None),
         ("checkout", None), ("mixed", None), ("read_under_writes", None)]
CATALOG = {"list", "detail"}


def test_bench_run_quick_small_data_set():
    # Its temp dirs go to a folder of this test's own, so another bench run
    # on the machine cannot be mistaken for one it left behind.
    temp = tempfile.mkdtemp(prefix="mcbench-test-")
    os.chmod(temp, 0o755)  # nginx's workers read the baseline's files below it
    env = dict(os.environ, TMPDIR=temp, MCBENCH_SHM=temp)
    r = subprocess.run(["bash", os.path.join(ROOT, "bench", "run"), "--quick", "--duration", "1",
                        "--products", "300", "--users", "50"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, "bench/run failed:\n%s\n%s" % (r.stdout, r.stderr[-4000:])

    rows = [line for line in r.stdout.splitlines() if line and not line.startswith("#")]
    assert rows[0].split()[:2] == ["scenario", "conns"], r.stdout
    for name, conns in LINES:
        pattern = r"^%s\s+c%s\s" % (name, conns if conns else r"\d+")
        found = [line for line in rows if re.match(pattern, line)]
        assert len(found) == 1, "no single line for %s c%s in:\n%s" % (name, conns, r.stdout)
        fields = found[0].split()
        rps, p50, p99, errors, rss = fields[2:7]
        assert float(rps) > 0 and float(p50) >= 0 and float(p99) >= float(p50), found[0]
        assert int(errors) >= 0 and float(rss) > 0, found[0]
        if name in CATALOG:
            assert re.search(r"\s\d+\.\d\dx nginx", found[0]), found[0]
        if name in ("checkout", "mixed", "read_under_writes"):
            assert re.search(r"\s\d+ orders/s", found[0]), found[0]
        if name in ("mixed", "read_under_writes"):
            assert re.search(r"\s\d+ reads/s", found[0]), found[0]

    # The script removes its temp dir (database, nginx config, logs) at exit.
    assert os.listdir(temp) == []
    os.rmdir(temp)
