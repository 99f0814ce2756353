"""One store, a writer and readers at once (issue 17): real DuckDB files, real processes, a real server.

The rules under test (unspin.corpus.store_access): a second writer is refused at once;
a writer that finds the file held by a reader waits for that read instead of
failing; while a writer that shares reads works, readers get their answers
through it, reconnects included; and `unspin batch` and `unspin serve --db`
run side by side on one file, the pages answering all along.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb
import httpx
import pytest

from unspin.corpus.selection import StatsFilter
from unspin.corpus.stats import compute_stats
from unspin.corpus.store import Store, StoreError
from unspin.corpus.store_access import StoreBusy, StoreReader, current_writer, file_lock_holder, read
from unspin.load.text import article_from_text
from unspin.web import Settings, create_app
from unspin.web.server import BackgroundServer

ROOT = Path(__file__).resolve().parent.parent
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
UNSPIN = [sys.executable, "-c", "from unspin.cli import main; main()"]


def text(i: int) -> str:
    return DEMO.replace("Harbour Town", f"Town {i}").replace("40 million", f"{i + 10} million")


@pytest.fixture(scope="module")
def results(analyzer) -> list:
    return [analyzer.analyze(article_from_text(text(i), id=f"r/{i}", outlet=f"Outlet {i % 3}")) for i in range(24)]


def seed(path: Path, results: list) -> None:
    with Store(path) as store:
        store.write_many(results)


def hold(code: str, *args: str) -> subprocess.Popen[str]:
    """A process that runs `code`, prints `ready`, and waits for its stdin to close."""
    proc = subprocess.Popen([sys.executable, "-c", code + "\nprint('ready', flush=True)\nsys.stdin.read()", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_a_second_writer_is_refused_at_once(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:2])
    writer = hold("import sys; from unspin.corpus.store import Store; s = Store(sys.argv[1])", str(db))
    try:
        assert current_writer(db) is not None and file_lock_holder(db) == "writer"
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="in use by another writer"):
            Store(db)
        assert time.monotonic() - t0 < 2
    finally:
        writer.communicate("", timeout=30)
    assert current_writer(db) is None
    with Store(db) as store:  # free again
        assert store.count() == 2


def test_a_foreign_writer_without_the_sidecar_is_refused_at_once(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:1])
    holder = hold("import sys, duckdb; c = duckdb.connect(sys.argv[1])", str(db))
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="in use by another process"):
            Store(db)
        assert time.monotonic() - t0 < 2
    finally:
        holder.communicate("", timeout=30)


def test_a_writer_waits_for_a_reader_instead_of_failing(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:2])
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print('ready', flush=True); time.sleep(1.5); c.close()", str(db)],
        stdout=subprocess.PIPE, text=True)
    assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
    assert file_lock_holder(db) == "reader"
    t0 = time.monotonic()
    with Store(db) as store:
        waited = time.monotonic() - t0
        assert store.write_many(results[2:4]) == 2
    reader.wait(timeout=30)
    assert waited > 0.5  # it waited for the read rather than giving up


WRITER = """
import json, sys, time
from unspin.article import Result
from unspin.corpus.store import Store
from unspin.corpus.store_access import ReadService
rows = [Result.from_dict(json.loads(line)) for line in open(sys.argv[2], encoding="utf-8")]
with Store(sys.argv[1]) as store, ReadService(store):
    print("ready", flush=True)
    for r in rows:
        store.write_many([r])
        store._reconnect()  # what a long batch does each row group: close (checkpoint) and open again
        time.sleep(0.15)
    print("done", flush=True)
    sys.stdin.read()
"""


def test_readers_are_answered_through_a_writer_that_shares_reads(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:4])
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(r.to_json(indent=None) + "\n" for r in results[4:16]), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(rows)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def poll(k: int) -> None:
        while not stop.is_set():
            try:
                if k % 2:
                    seen.append(read(db, "stats", {"filter": {}, "top": 3})["articles"])
                else:
                    got = read(db, "result", {"id": "r/1"})
                    assert got is not None and got["article"]["id"] == "r/1"
                    listed = read(db, "articles", {"filter": {"outlets": ["outlet 1"]}, "technique": None, "limit": 50})
                    assert listed and all(a["outlet"] == "Outlet 1" for a in listed)
            except Exception as e:
                failures.append(f"{type(e).__name__}: {e}")

    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        pollers = [threading.Thread(target=poll, args=(k,)) for k in range(4)]
        for t in pollers:
            t.start()
        assert writer.stdout.readline().strip() == "done"
        assert current_writer(db) is not None
        with pytest.raises(StoreError):
            Store(db, read_only=True)  # the file itself is held: these answers came through the writer
        stop.set()
        for t in pollers:
            t.join(timeout=30)
    finally:
        stop.set()
        writer.communicate("", timeout=60)
    assert writer.returncode == 0
    assert not failures, Counter(failures).most_common(3)
    assert seen and seen == sorted(seen) and seen[0] < 16 and 4 < seen[-1] <= 16  # it watched the store grow
    with Store(db, read_only=True) as store:
        direct = json.loads(json.dumps(compute_stats(store, top=3)))
    assert close(direct, read(db, "stats", {"filter": {}, "top": 3}))


def close(a: object, b: object) -> bool:
    """Equal, floats within 1e-3: DuckDB's parallel averages differ in the last bits from run to run, and the
    statistics round them to 4 places, so a mean near a rounding edge may come out 0.0733 or 0.0734."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-3
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_the_store_reader_answers_each_query_typed(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:6])
    reader = StoreReader(db)
    got = reader.result("r/1")
    assert got is not None and got.to_dict() == results[1].to_dict()
    assert reader.result("r/99") is None
    by_key = reader.result_by_key(results[2].article.hash[:16], results[2].model.version)
    assert by_key is not None and by_key.article.id == "r/2" and reader.result_by_key("0" * 16) is None
    rows = reader.articles(StatsFilter())
    assert sorted(r["id"] for r in rows) == [f"r/{i}" for i in range(6)]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert {r["outlet"] for r in reader.articles(StatsFilter(outlets=("Outlet 1",)))} == {"Outlet 1"}
    assert len(reader.articles(StatsFilter(), limit=2)) == 2
    with Store(db, read_only=True) as store:
        direct = json.loads(json.dumps(compute_stats(store, top=3)))
    assert close(direct, reader.stats(StatsFilter(), top=3))
    with pytest.raises(StoreError):
        StoreReader(tmp_path / "missing.duckdb").stats(StatsFilter())


def test_the_web_reads_stores_only_through_the_store_reader() -> None:
    """No SQL, DuckDB or store query outside `StoreReader` in the web app: one object owns the reads."""
    import ast
    import re

    sql = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|JOIN)\b|\bFROM\s+\w+\s+WHERE\b")
    for path in sorted((ROOT / "src" / "unspin" / "web").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not sql.search(node.value), f"{path.name}: SQL in {node.value[:60]!r}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("duckdb") for a in node.names), path.name
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {a.name for a in node.names}
                assert not node.module.startswith("duckdb"), path.name
                if node.module == "unspin.corpus.store_access":
                    assert names <= {"StoreReader", "StoreBusy"}, f"{path.name}: {names}"
                if node.module in ("unspin.corpus.stats", "unspin.corpus.store", "unspin.corpus.selection"):
                    assert not names & {"compute_stats", "read_result", "selection", "Store", "open_results"}, \
                        f"{path.name}: {names}"


def test_junk_sent_to_the_read_service_never_reaches_the_writer(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:2])
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(r.to_json(indent=None) + "\n" for r in results[2:5]), encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(rows)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        info = current_writer(db)
        assert info is not None and info.socket
        answers = []
        for junk in [b"not json\n", b'{"op": "drop tables"}\n', b'{"op": "result"}\n', b"[1, 2]\n",
                     b'{"op": "stats", "args": {"top": "many"}}\n', b"x" * 200_000, b""]:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(30)
                sock.connect(info.socket)
                try:
                    sock.sendall(junk)
                    sock.shutdown(socket.SHUT_WR)
                    answers.append(sock.recv(65536))
                except (ConnectionResetError, BrokenPipeError):  # cut off: the oversized one
                    answers.append(b"")
        assert all(a == b"" or b'"error"' in a for a in answers), answers
        assert read(db, "result", {"id": "r/1"})["article"]["id"] == "r/1"  # still answering
        assert writer.stdout.readline().strip() == "done"
    finally:
        _, err = writer.communicate("", timeout=60)
    assert writer.returncode == 0 and "Traceback" not in err
    with Store(db, read_only=True) as store:
        assert store.count() == 5


def test_a_writer_that_does_not_share_reads_is_busy_not_an_error(tmp_path: Path, results: list) -> None:
    db = tmp_path / "s.duckdb"
    seed(db, results[:2])
    writer = hold("import sys; from unspin.corpus.store import Store; s = Store(sys.argv[1])", str(db))
    try:
        with pytest.raises(StoreBusy, match="does not share reads"):
            read(db, "stats", {})
    finally:
        writer.communicate("", timeout=30)
    assert read(db, "stats", {})["articles"] == 2


def test_batch_and_serve_on_one_store(tmp_path: Path, results: list) -> None:
    """`unspin batch` starts and runs while four clients keep reading the store through `unspin serve --db`."""
    db = tmp_path / "corpus.duckdb"
    seed(db, results[:3])
    corpus = tmp_path / "more.jsonl"
    with corpus.open("w", encoding="utf-8") as f:
        for i in range(100, 140):
            f.write(json.dumps({"id": f"b/{i}", "text": text(i), "outlet": "Batch Outlet"}) + "\n")
    statuses: Counter[str] = Counter()
    counts: list[int] = []
    odd: list[str] = []
    stop = threading.Event()

    def poll(k: int, base: str) -> None:
        paths = ["/api/stats", "/corpus", "/api/articles/r%2F1", "/articles/r/2"]
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                r = client.get(paths[k])
                statuses[f"{paths[k]} {r.status_code}"] += 1
                if r.status_code != 200:
                    odd.append(f"{paths[k]} {r.status_code}: {r.text[:300]}")
                if r.status_code == 200 and paths[k] == "/api/stats":
                    counts.append(r.json()["articles"])

    with BackgroundServer(create_app(Settings(db=db))) as server:
        pollers = [threading.Thread(target=poll, args=(k, server.url)) for k in range(4)]
        for t in pollers:
            t.start()
        time.sleep(1.0)  # the readers are at it before the batch starts
        try:
            batch = subprocess.run([*UNSPIN, "batch", str(corpus), "--db", str(db), "--workers", "1", "-q"],
                                   capture_output=True, text=True, timeout=600)
            time.sleep(1.0)
        finally:
            stop.set()
            for t in pollers:
                t.join(timeout=60)
    assert batch.returncode == 0, batch.stderr
    assert "Traceback" not in batch.stderr and "40 stored" in batch.stderr
    assert all(key.endswith(" 200") for key in statuses), (statuses, odd[:3])
    assert any(3 < c < 43 for c in counts), sorted(set(counts))  # answered while the batch was writing
    assert counts[-1] == 43
    assert duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM articles").fetchone() == (43,)


_HOLDER = """
import os, sys, time
from pathlib import Path
from unspin.corpus.store import StoreLocked
from unspin.corpus.store_access import WriterLock

db, held, until = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
turns = clashes = 0
while time.time() < until:
    try:
        lock = WriterLock(db)
    except StoreLocked:
        continue
    try:
        os.mkdir(held)  # only one holder at a time may make it
    except FileExistsError:
        clashes += 1
    else:
        turns += 1
        os.rmdir(held)
    lock.release()
print(turns, clashes)
"""


def test_the_writer_lock_file_goes_with_its_writer_and_stays_one_writer_at_a_time(tmp_path: Path) -> None:
    from unspin.corpus.store_access import WriterLock, sidecar_path

    db = tmp_path / "news.duckdb"
    lock = WriterLock(db)
    assert sidecar_path(db).exists() and current_writer(db) is not None
    lock.release()
    assert not sidecar_path(db).exists() and current_writer(db) is None
    # processes taking and letting go of the lock as fast as they can: the file comes and goes, and a writer
    # that opened it just before its last holder removed it must not count as holding the lock
    until = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", _HOLDER, str(db), str(tmp_path / "held"), str(until)],
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    counts = [tuple(map(int, p.communicate(timeout=60)[0].split())) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(t for t, _ in counts) > 100 and sum(c for _, c in counts) == 0, counts
    assert not sidecar_path(db).exists()


def test_a_finished_batch_leaves_no_writer_file(tmp_path: Path) -> None:
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": text(i)}) + "\n" for i in range(2)), encoding="utf-8")
    db = tmp_path / "news.duckdb"
    for _ in range(2):  # a first run, then one with everything already stored
        r = subprocess.run([*UNSPIN, "batch", str(src), "--db", str(db), "--workers", "1", "-q"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("news.duckdb")) == [
            "news.duckdb", "news.duckdb.results.jsonl"], list(tmp_path.iterdir())
