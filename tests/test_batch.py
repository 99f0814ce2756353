"""`unspin batch` end to end: real subprocess runs, real DuckDB files, real worker processes, kill -9."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from invariants import check_result
from unspin.corpus.batch import run_batch
from unspin.corpus.readers import Columns
from unspin.corpus.results_file import results_path
from unspin.corpus.store import Store, clash_id

UNSPIN = [sys.executable, "-c", "from unspin.cli import main; main()"]
OUTLETS = ["Gazette", "Courier", "Herald", "Tribune"]
PLACES = ["Harbour Town", "Millbrook", "Eastcliff", "Northgate", "Riverside", "Oakham", "Westmere"]


def story(i: int) -> tuple[str, str]:
    """A short, distinct (title, body) pair: the same story told with different names and numbers."""
    place = PLACES[i % len(PLACES)]
    title = f"Reckless Council Betrays {place} With Bridge Scheme {i}"
    body = (
        f"The council of {place} voted on Tuesday to spend {i + 3} million on a new toll bridge. "
        f"Critics called it a shameless giveaway to friends of the mayor. "
        f"\"This bridge will destroy everything our grandparents built,\" said resident number {i}. "
        "The mayor said the bridge will bring jobs to the east side."
    )
    return title, body


def html_page(title: str, body: str) -> str:
    paras = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article><footer>Copyright</footer></body></html>")


def write_jsonl(path: Path, n: int, start: int = 0, repeat: int = 1, **keys: str) -> None:
    k = {"text": "text", "id": "id", "title": "title", **keys}
    with path.open("w", encoding="utf-8") as f:
        for i in range(start, start + n):
            title, body = story(i)
            f.write(json.dumps({k["id"]: f"j{i}", k["title"]: title, k["text"]: " ".join([body] * repeat)}) + "\n")


def cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNSPIN, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "120"})


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def assert_consistent(db: Path, finished: bool = True) -> None:
    """Every stored article is whole: its span/sentence rows match its counts and slice back into its text."""
    assert query(db, "SELECT count(*) - count(DISTINCT hash || model_version) FROM articles") == [(0,)]
    bad = query(db, """
        SELECT a.id FROM articles a
        LEFT JOIN (SELECT article_id, count(*) n FROM spans GROUP BY ALL) s ON s.article_id = a.id
        LEFT JOIN (SELECT article_id, count(*) n FROM sentences GROUP BY ALL) t ON t.article_id = a.id
        WHERE coalesce(s.n, 0) <> a.n_spans OR coalesce(t.n, 0) <> a.n_sentences""")
    assert bad == []
    orphans = query(db, "SELECT count(*) FROM spans WHERE article_id NOT IN (SELECT id FROM articles)")
    assert orphans == [(0,)]
    # each row points at its own whole line of the results file; lines past the last committed one can only be
    # those of a run killed before its commit (the next writer cuts them off), and none are left once a run ends
    refs = query(db, "SELECT id, result_offset, result_bytes FROM articles ORDER BY result_offset")
    data = results_path(db).read_bytes() if refs else b""
    assert all(a[1] + a[2] <= b[1] for a, b in zip(refs, refs[1:], strict=False))
    if refs and finished:
        assert sum(r[2] for r in refs) == len(data)
    for aid, offset, size in refs:
        line = data[offset:offset + size]
        assert line.endswith(b"\n") and (offset == 0 or data[offset - 1:offset] == b"\n")
        d = json.loads(line)
        assert d["article"]["id"] == aid
        check_result(d)
        text = d["article"]["text"]
        for start, end, span_text in query(db, f"SELECT start, \"end\", text FROM spans WHERE article_id = '{aid}'"):
            assert text[start:end] == span_text


@pytest.fixture()
def mixed_corpus(tmp_path: Path) -> tuple[list[Path], int, list[str]]:
    """Every input kind, with custom column names, plus bad records; returns inputs, good count, args."""
    d = tmp_path / "folder"
    (d / "sub").mkdir(parents=True)
    for i in range(2):
        t, b = story(i)
        (d / f"t{i}.txt").write_text(f"{t}\n\n{b}\n", encoding="utf-8")
    t, b = story(2)
    (d / "sub" / "h2.html").write_text(html_page(t, b), encoding="utf-8")
    (d / "empty.txt").write_text("\n", encoding="utf-8")  # a bad article: no text
    jl = tmp_path / "news.jsonl"
    write_jsonl(jl, 3, start=3, text="body", id="doc", title="headline")
    with jl.open("a", encoding="utf-8") as f:
        f.write("{broken json\n")
    cs = tmp_path / "news.csv"
    with cs.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["doc", "headline", "body", "paper", "day", "link"])
        for i in range(6, 9):
            t, b = story(i)
            w.writerow([f"c{i}", t, b, OUTLETS[i % 4], f"2024-03-0{i - 5}", f"https://ex.org/c{i}"])
    wa = tmp_path / "crawl.warc.gz"
    with wa.open("wb") as f:
        ww = WARCWriter(f, gzip=True)
        for i in range(9, 11):
            t, b = story(i)
            hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            ww.write_record(ww.create_warc_record(f"https://news.example.org/{i}", "response",
                                                  payload=io.BytesIO(html_page(t, b).encode()), http_headers=hh))
    args = ["--text-column", "body", "--id-column", "doc", "--title-column", "headline",
            "--outlet-column", "paper", "--published-column", "day", "--url-column", "link"]
    return [d, jl, cs, wa], 11, args


def test_cli_reads_every_input_kind_and_is_idempotent(tmp_path: Path, mixed_corpus) -> None:
    inputs, good, args = mixed_corpus
    db = tmp_path / "out.duckdb"
    r = cli("batch", *inputs, "--db", db, "--workers", "2", *args)
    assert r.returncode == 0, r.stderr
    assert f"13 read, {good} stored, 0 already stored, 2 errors" in r.stderr
    ids = sorted(x[0] for x in query(db, "SELECT id FROM articles"))
    warc_ids = sorted(x[0] for x in query(db, "SELECT id FROM articles WHERE url LIKE 'https://news.example.org/%'"))
    assert len(warc_ids) == 2 and all(len(w) == 16 for w in warc_ids)  # WARC pages: content-hash ids
    assert sorted(set(ids) - set(warc_ids)) == ["c6", "c7", "c8", "j3", "j4", "j5", "sub/h2", "t0", "t1"]
    assert query(db, "SELECT outlet, CAST(published AS VARCHAR), url FROM articles WHERE id = 'c7'") == [
        ("Tribune", "2024-03-02", "https://ex.org/c7")]
    titles = dict(query(db, "SELECT id, title FROM articles"))
    for i, aid in [(0, "t0"), (2, "sub/h2"), (4, "j4"), (8, "c8")]:
        assert titles[aid] == story(i)[0]
    errors = dict(query(db, "SELECT input, id FROM errors"))
    assert errors == {str(inputs[0] / "empty.txt"): "empty", f"{inputs[1]}:4": f"{inputs[1]}:4"}
    assert_consistent(db)
    stamp = query(db, "SELECT id, analysed_at FROM articles ORDER BY id")

    again = cli("batch", *inputs, "--db", db, *args)
    assert again.returncode == 0, again.stderr
    assert f"13 read, 0 stored, {good} already stored, 2 errors" in again.stderr
    assert query(db, "SELECT id, analysed_at FROM articles ORDER BY id") == stamp  # nothing analysed twice
    assert query(db, "SELECT count(*) FROM errors") == [(2,)]


def test_duplicate_texts_and_id_clashes_in_one_run(tmp_path: Path) -> None:
    jl = tmp_path / "dups.jsonl"
    t0, b0 = story(0)
    t1, b1 = story(1)
    rows = [{"id": "x", "title": t0, "text": b0}, {"id": "copy", "title": t0, "text": b0},
            {"id": "x", "title": t1, "text": b1}]
    jl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "d.duckdb"
    s = run_batch([jl], db, workers=1)
    assert (s.read, s.stored, s.skipped, s.errors) == (3, 2, 1, 0)
    with Store(db, read_only=True) as st:
        ids = sorted(r[0] for r in st.connection.execute("SELECT id FROM articles").fetchall())
        edited = st.get_result(ids[1])
    assert ids[0] == "x" and ids[1].startswith("x~") and edited is not None
    assert ids[1] == clash_id("x", edited.article.hash) and edited.article.title == t1


def test_limit_reads_only_the_first_records(tmp_path: Path) -> None:
    jl = tmp_path / "n.jsonl"
    write_jsonl(jl, 5)
    db = tmp_path / "l.duckdb"
    s = run_batch([jl], db, workers=1, limit=2, columns=Columns())
    assert (s.read, s.stored) == (2, 2)
    assert sorted(r[0] for r in query(db, "SELECT id FROM articles")) == ["j0", "j1"]


def test_bad_inputs_are_one_line_errors_and_keep_the_store(tmp_path: Path) -> None:
    jl = tmp_path / "ok.jsonl"
    write_jsonl(jl, 1)
    db = tmp_path / "keep.duckdb"
    assert cli("batch", jl, "--db", db, "--workers", "1").returncode == 0
    before = query(db, "SELECT id, analysed_at FROM articles")
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("id,summary\n1,hello\n", encoding="utf-8")
    cases = [
        ([tmp_path / "missing.jsonl"], "no such file"),
        ([nocol], "no text column"),
        ([jl, tmp_path / "x.parquet"], "no such file"),
    ]
    (tmp_path / "y.parquet").write_bytes(b"PAR1")
    cases.append(([tmp_path / "y.parquet"], "unknown input kind"))
    for inputs, msg in cases:
        r = cli("batch", *inputs, "--db", db)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and msg in lines[0], r.stderr
    notdb = tmp_path / "notes.duckdb"
    notdb.write_text("not a database\n" * 50)
    r = cli("batch", jl, "--db", notdb)
    assert r.returncode == 2 and "not a DuckDB results file" in r.stderr and "Traceback" not in r.stderr
    assert query(db, "SELECT id, analysed_at FROM articles") == before


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
@pytest.mark.parametrize("option", ["--text-column", "--id-column", "--title-column", "--url-column",
                                    "--outlet-column", "--published-column"])
def test_a_column_option_naming_an_absent_column_is_one_line_and_writes_nothing(
        tmp_path: Path, kind: str, option: str) -> None:
    src = tmp_path / f"news.{kind}"
    if kind == "jsonl":
        write_jsonl(src, 3, text="body", id="doc", title="headline")
    else:
        src.write_text("doc,headline,body\nc1,Bridge,The council voted.\n", encoding="utf-8")
    db = tmp_path / "news.duckdb"
    r = cli("batch", src, "--db", db, "--workers", "1", "-q", option, "nope")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "'nope'" in lines[0] and option in lines[0] and all(c in lines[0] for c in ("doc", "headline", "body"))
    assert not db.exists() and not list(tmp_path.glob("news.duckdb*"))  # nothing written


def test_jsonl_without_a_text_field_of_any_common_name_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "news.jsonl"
    write_jsonl(src, 3, text="words")
    db = tmp_path / "news.duckdb"
    r = cli("batch", src, "--db", db, "-q")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr == f"error: {src}: no text field (text, content, body...) in its first record (has: id, title, words); use --text-column\n"
    assert not db.exists()
    assert cli("batch", src, "--db", db, "-q", "--text-column", "words").returncode == 0


def test_a_column_of_one_input_among_several_is_enough_but_one_of_none_is_not(tmp_path: Path) -> None:
    jl, cs = tmp_path / "a.jsonl", tmp_path / "b.csv"
    write_jsonl(jl, 1, text="body")
    cs.write_text("id,body,paper\nc1,The council voted.\n", encoding="utf-8")
    db = tmp_path / "news.duckdb"
    r = cli("batch", jl, cs, "--db", db, "-q", "--text-column", "body", "--outlet-column", "papr")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "'papr'" in r.stderr and "paper" in r.stderr, r.stderr
    assert not db.exists()
    cs.write_text("id,content,paper\nc1,The council voted.\n", encoding="utf-8")
    r = cli("batch", jl, cs, "--db", db, "-q", "--text-column", "content")  # the text column: in every input
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert f"{jl}: no 'content' column for --text-column (has: id, title, body)" in r.stderr, r.stderr
    assert not db.exists()


def test_a_locked_store_is_a_one_line_error(tmp_path: Path) -> None:
    jl = tmp_path / "ok.jsonl"
    write_jsonl(jl, 1)
    db = tmp_path / "busy.duckdb"
    holder = duckdb.connect(str(db))  # this test process holds the write lock
    try:
        r = cli("batch", jl, "--db", db)
    finally:
        holder.close()
    assert r.returncode == 2 and "in use by another process" in r.stderr and "Traceback" not in r.stderr


def _wait_for_growth(path: Path, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait until the run commits something new (its results file grows) or ends."""
    size = path.stat().st_size if path.exists() else 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists() and path.stat().st_size > size:
            return
        time.sleep(0.1)


def test_resume_after_kill_9_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    n = 200
    jl = tmp_path / "many.jsonl"
    write_jsonl(jl, n, repeat=8)  # ~400 words each: a whole run takes >10 s, longer than all kills together
    db = tmp_path / "resume.duckdb"
    rng = random.Random(7)
    committed: dict[str, object] = {}
    kills = 0
    for _ in range(3):
        proc = subprocess.Popen([*UNSPIN, "batch", str(jl), "--db", str(db), "--workers", "2", "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_for_growth(results_path(db), proc, timeout=90)  # past start-up and a commit, however loaded the machine
        time.sleep(rng.uniform(0.0, 1.5))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole run, workers included: like a power cut
            kills += 1
        proc.wait()
        if not db.exists():
            continue
        now = dict(query(db, "SELECT id, analysed_at FROM articles"))
        assert all(now.get(k) == v for k, v in committed.items())  # nothing committed was lost or redone
        committed = now
        assert_consistent(db, finished=False)
    assert kills >= 2 and 0 < len(committed) < n
    final = cli("batch", jl, "--db", db, "--workers", "2")
    assert final.returncode == 0, final.stderr
    rows = dict(query(db, "SELECT id, analysed_at FROM articles"))
    assert sorted(rows) == sorted(f"j{i}" for i in range(n))
    assert all(rows[k] == v for k, v in committed.items())
    assert f"{n - len(committed)} stored, {len(committed)} already stored" in final.stderr
    assert_consistent(db)


def test_a_row_in_another_encoding_half_way_is_decoded_on_its_own_and_the_run_goes_on(tmp_path: Path) -> None:
    """A UTF-8 CSV with one Latin-1 row far past the sniffed head: that row is decoded by itself, none is lost."""
    cs = tmp_path / "half.csv"
    with cs.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "notes"])
        for i in range(40):
            w.writerow([f"r{i}", " ".join(story(i)), "x" * 8000])  # notes: not analysed, push the odd row past the head
    with cs.open("ab") as f:
        f.write(b"r40,\"Caf\xe9 owners in Millbrook said the new toll bridge will ruin their trade this summer.\",n\r\n")
    with cs.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["r41", " ".join(story(41)), "n"])
    assert cs.stat().st_size > 256 * 1024
    db = tmp_path / "half.duckdb"
    r = cli("batch", cs, "--db", db, "--workers", "2")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    ids = {x[0] for x in query(db, "SELECT id FROM articles")}
    assert ids == {f"r{i}" for i in range(42)}
    with Store(db, read_only=True) as st:
        odd = st.get_result("r40")
    assert odd is not None and odd.article.text.startswith("Café owners") and "\ufffd" not in odd.article.text
    assert query(db, "SELECT count(*) FROM errors") == [(0,)]
    assert_consistent(db)


def test_an_article_the_analyzer_refuses_is_logged_and_the_run_goes_on(tmp_path: Path) -> None:
    jl = tmp_path / "huge.jsonl"
    t, b = story(1)
    rows = [{"id": "huge", "text": "word " * 450_000}, {"id": "fine", "title": t, "text": b}]  # 2.25M characters
    jl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "h.duckdb"
    s = run_batch([jl], db, workers=1)
    assert (s.read, s.stored, s.errors) == (2, 1, 1)
    (reason,) = query(db, "SELECT reason FROM errors WHERE id = 'huge'")[0]
    assert "over the" in reason and "limit" in reason
    assert query(db, "SELECT id FROM articles") == [("fine",)]


def _interruptible() -> None:
    """Give the child a default SIGINT: a shell starts background jobs (CI runners, `make test &`)
    with SIGINT ignored, children inherit that, and Python then installs no Ctrl-C handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_workers(pid: int, n: int, timeout: float = 60.0) -> None:
    """Block until `pid` has `n` spawned worker processes, so a signal lands mid-run,
    however slow the start (a fresh clone compiles every module on first import)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            kids = []
        workers = 0
        for k in kids:
            try:
                workers += b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()
            except OSError:
                pass
        if workers >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {n} worker processes after {timeout} s")


def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(tmp_path: Path) -> None:
    jl = tmp_path / "many.jsonl"
    write_jsonl(jl, 100, repeat=8)  # several seconds of work: Ctrl-C lands mid-run
    db = tmp_path / "int.duckdb"
    proc = subprocess.Popen([*UNSPIN, "batch", str(jl), "--db", str(db), "--workers", "2"], stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, "COLUMNS": "200"},
                            preexec_fn=_interruptible)
    _wait_for_workers(proc.pid, 2)
    _wait_for_growth(results_path(db), proc, timeout=90)  # the workers have loaded the model and results are coming back
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("interrupted: ") and "run the same command again to resume" in last
    stored = int(last.split(" stored,")[0].rsplit(" ", 1)[1])
    assert 0 < stored < 100 and query(db, "SELECT count(*) FROM articles") == [(stored,)]
    assert_consistent(db)
    again = cli("batch", jl, "--db", db, "--workers", "2")
    assert again.returncode == 0 and f"{100 - stored} stored, {stored} already stored" in again.stderr


def test_a_spawned_worker_can_set_its_blas_threads_before_numpy_loads() -> None:
    """Workers unpickle their initializer by importing `unspin.corpus.batch`; if that pulled in numpy, its BLAS would
    start one thread per core in every worker before `_init_local_worker` pins it to one (2 workers then ran
    at the speed of one: measured 1.01x instead of 1.8x)."""
    code = "import sys, unspin.corpus.batch; print(sorted(m for m in ('numpy', 'onnxruntime', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _worker_pids(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    out = []
    for k in kids:
        try:
            if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes():
                out.append(k)
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_driver_alone_is_killed(tmp_path: Path) -> None:
    """kill -9 on the driver's pid (not its group): its workers must not live on as orphans (issue 17)."""
    jl = tmp_path / "many.jsonl"
    write_jsonl(jl, 100, repeat=8)
    db = tmp_path / "orphans.duckdb"
    proc = subprocess.Popen([*UNSPIN, "batch", str(jl), "--db", str(db), "--workers", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    try:
        _wait_for_workers(proc.pid, 2)
        workers = _worker_pids(proc.pid)
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)  # the driver only
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "workers outlived their driver"
    finally:
        for w in [proc.pid, *workers]:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass


def test_ctrl_c_during_a_store_write_lands_after_the_write(tmp_path: Path) -> None:
    """A Ctrl-C inside a DuckDB statement used to abort it ("Query interrupted", a traceback): the driver holds
    SIGINT while it writes, and the interrupt is raised once the write is done."""
    from unspin.corpus.batch import ctrl_c_held

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    # Python's own Ctrl-C handler, as in a terminal (a pytest-xdist worker ignores SIGINT)
    outer = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with ctrl_c_held():
                os.kill(os.getpid(), signal.SIGINT)
                con.execute("CREATE TABLE t AS SELECT range AS x FROM range(2000000)")
    finally:
        signal.signal(signal.SIGINT, outer)
    assert con.execute("SELECT count(*) FROM t").fetchone() == (2000000,)
    con.close()
