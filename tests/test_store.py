"""The DuckDB results store on real files: schema, idempotency, id clashes, atomic writes, locks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from old_layout import write_old_store
from unspin.article import Article, ModelInfo, Result, Sentence, Span
from unspin.corpus.migrate import migrating_path
from unspin.corpus.results_file import results_path
from unspin.corpus.store import Store, StoreError, clash_id
from unspin.corpus.store_access import StoreReader
from unspin.errors import UnspinError

TEXT = "Council Betrays Town\n\nThe reckless council betrayed everyone. The mayor said jobs will come.\n"


def make_result(text: str = TEXT, article_id: str = "a1", version: str = "v1", published: str | None = None) -> Result:
    art = Article(text=text, title=text.split("\n")[0], title_end=len(text.split("\n")[0]), id=article_id,
                  outlet="Gazette", url="https://ex.org/a", published=published)
    s1 = text.index("The reckless")
    s2 = text.index("The mayor")
    spans = [Span(s1 + 4, s1 + 12, "Loaded_Language", 0.9, text[s1 + 4:s1 + 12]),
             Span(s1 + 21, s1 + 29, "Name_Calling,Labeling", 0.7, text[s1 + 21:s1 + 29])]
    sentences = [Sentence(0, art.title_end, 0.1, True), Sentence(s1, s2 - 1, 0.8), Sentence(s2, len(text) - 1, 0.05)]
    return Result(article=art, model=ModelInfo("test-model", version), spans=spans, sentences=sentences, score=0.42)


def test_schema_is_created_idempotently_with_the_agreed_columns(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    with Store(db):
        pass
    with Store(db) as s:
        cols = {t: [r[0] for r in s.connection.execute(f"DESCRIBE {t}").fetchall()]
                for t in ("articles", "spans", "sentences", "errors")}
    assert cols["articles"] == ["id", "hash", "model_version", "outlet", "url", "title", "published", "published_raw",
                                "words", "score",
                                "n_spans", "n_sentences", "n_flagged_sentences", "analysed_at", "result_offset",
                                "result_bytes"]
    assert cols["spans"] == ["article_id", "start", "end", "technique", "confidence", "text"]
    assert cols["sentences"] == ["article_id", "idx", "start", "end", "score", "is_title"]
    assert cols["errors"] == ["id", "input", "reason", "at"]


def test_write_is_idempotent_and_rows_match_the_result(tmp_path: Path) -> None:
    r = make_result(published="2024-03-05T08:00:00+01:00")
    with Store(tmp_path / "r.duckdb") as s:
        assert not s.seen(r.article.hash, "v1")
        assert s.write(r) is True
        assert s.write(r) is False
        assert s.write_many([r, r]) == 0
        assert s.seen(r.article.hash, "v1") and not s.seen(r.article.hash, "v2")
        assert s.seen_many([r.article.hash, "0" * 64], "v1") == {r.article.hash}
        row = s.connection.execute(
            "SELECT id, hash, model_version, outlet, title, CAST(published AS VARCHAR), words, score, n_spans,"
            " n_sentences, n_flagged_sentences FROM articles").fetchall()
        assert row == [("a1", r.article.hash, "v1", "Gazette", "Council Betrays Town", "2024-03-05",
                        r.article.words, 0.42, 2, 3, 1)]
        spans = s.connection.execute('SELECT start, "end", text FROM spans ORDER BY start').fetchall()
        assert [(a, b) for a, b, _ in spans] == [(sp.start, sp.end) for sp in r.spans]
        assert all(TEXT[a:b] == t for a, b, t in spans)
        sents = s.connection.execute('SELECT idx, start, "end", is_title FROM sentences ORDER BY idx').fetchall()
        assert sents == [(0, 0, 20, True), (1, r.sentences[1].start, r.sentences[1].end, False),
                         (2, r.sentences[2].start, r.sentences[2].end, False)]
        back = s.get_result("a1")
        assert back is not None and back.to_dict() == r.to_dict()
        assert s.get_result("nope") is None


def test_id_clash_with_different_text_keeps_both(tmp_path: Path) -> None:
    first = make_result()
    edited = make_result(TEXT.replace("everyone", "the whole town"))
    with Store(tmp_path / "r.duckdb") as s:
        assert s.write(first) and s.write(edited)
        ids = sorted(r[0] for r in s.connection.execute("SELECT id FROM articles").fetchall())
        assert ids == ["a1", clash_id("a1", edited.article.hash)]
        got = s.get_result(clash_id("a1", edited.article.hash))
        assert got is not None and "the whole town" in got.article.text
        assert got.article.id == clash_id("a1", edited.article.hash)
        n = s.connection.execute("SELECT count(*) FROM spans WHERE article_id = ?", [got.article.id]).fetchone()
        assert n == (2,)
        assert s.write(edited) is False  # and the edited text is not stored twice


def test_new_model_version_replaces_the_old_analysis(tmp_path: Path) -> None:
    with Store(tmp_path / "r.duckdb") as s:
        s.write(make_result(version="v1"))
        newer = make_result(version="v2")
        newer.spans = newer.spans[:1]
        assert s.write(newer)
        assert s.connection.execute("SELECT id, model_version, n_spans FROM articles").fetchall() == [("a1", "v2", 1)]
        assert s.connection.execute("SELECT count(*) FROM spans").fetchone() == (1,)
        assert s.connection.execute("SELECT count(*) FROM sentences").fetchone() == (3,)


def test_a_failing_write_commits_nothing(tmp_path: Path) -> None:
    good = make_result(article_id="good")
    bad = make_result(TEXT + "More.", article_id="bad")
    bad.spans = [Span(2**40, 2**40 + 1, "Loaded_Language", 0.5)]  # fails inside the transaction: INTEGER overflow
    with Store(tmp_path / "r.duckdb") as s:
        with pytest.raises(duckdb.Error):
            s.write_many([good, bad])
        assert s.count() == 0
        assert s.connection.execute("SELECT count(*) FROM sentences").fetchone() == (0,)
        assert results_path(tmp_path / "r.duckdb").stat().st_size == 0  # the lines written for it are cut off
        assert s.write_many([good]) == 1
        assert s.get_result("good") is not None


def test_errors_are_recorded_once(tmp_path: Path) -> None:
    with Store(tmp_path / "r.duckdb") as s:
        s.record_error("a9", "news.jsonl:9", "news.jsonl:9: no text in 'text'")
        s.record_error("a9", "news.jsonl:9", "news.jsonl:9: no text in 'text'")
        s.record_error("a10", "news.jsonl:10", "empty")
        rows = s.connection.execute("SELECT id, input FROM errors ORDER BY id").fetchall()
    assert rows == [("a10", "news.jsonl:10"), ("a9", "news.jsonl:9")]


def test_many_errors_in_one_write_are_each_recorded_once(tmp_path: Path) -> None:
    with Store(tmp_path / "r.duckdb") as s:
        s.record_error("a1", "f:1", "empty")
        batch = [("a1", "f:1", "empty"), ("a2", "f:2", "empty"), ("a2", "f:2", "empty"), (None, "f:3", "bad line"),
                 (None, "f:3", "bad line"), ("a\ud800", "f:4", "lone \udfff surrogate")]
        assert s.record_errors(batch) == 3  # a1 was there, a2 and the id-less f:3 come twice
        assert s.record_errors(batch) == 0 and s.record_errors([]) == 0
        rows = s.connection.execute("SELECT id, input, reason FROM errors ORDER BY input").fetchall()
    assert rows == [("a1", "f:1", "empty"), ("a2", "f:2", "empty"), (None, "f:3", "bad line"),
                    ("a\ufffd", "f:4", "lone \ufffd surrogate")]


def test_read_only_sees_committed_rows(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    with Store(db) as s:
        s.write(make_result())
    with Store(db, read_only=True) as ro, Store(db, read_only=True) as ro2:
        assert ro.count() == 1 == ro2.count()


def test_locked_and_foreign_files_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time, duckdb
            con = duckdb.connect({str(db)!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        for ro in (False, True):
            with pytest.raises(UnspinError, match="in use by another process") as e:
                Store(db, read_only=ro)
            assert "\n" not in str(e.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    time.sleep(0.1)
    with Store(db) as s:  # free again once the other process is gone
        assert s.count() == 0
    text = tmp_path / "notes.duckdb"
    text.write_text("hello, not a database\n" * 100)
    with pytest.raises(UnspinError, match="not a DuckDB results file"):
        Store(text)
    with pytest.raises(UnspinError, match="no such results file"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_new_files_have_no_unique_indexes_and_the_writer_still_stores_each_text_once(tmp_path: Path) -> None:
    """Uniqueness is the writer's own check; it must hold across the reconnects at each finished row group."""
    from unspin.corpus import store as store_module

    n = store_module.WRITER_ROW_GROUP_SIZE + 130
    results = [make_result(TEXT.replace("everyone", f"everyone {i}"), f"a{i}") for i in range(n)]
    db = tmp_path / "r.duckdb"
    with Store(db) as s:
        first = s.connection
        assert sum(s.write_many(results[i:i + 50]) for i in range(0, n, 50)) == n
        assert s.connection is not first  # a row group was completed: the writer reconnected
        assert s.write_many(results) == 0 and not s.write(results[7])
        assert s.write(make_result(TEXT.replace("everyone", "everyone 7"), "a7", version="v2"))
    with Store(db, read_only=True) as s:
        con = s.connection
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'articles'"
                           " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchone() == (0,)
        assert con.execute("SELECT count(*), count(DISTINCT id), count(DISTINCT (hash, model_version))"
                           " FROM articles").fetchone() == (n, n, n)
        assert con.execute("SELECT model_version FROM articles WHERE id = 'a7'").fetchall() == [("v2",)]
        assert con.execute("SELECT count(*) FROM spans").fetchone() == (2 * n,)
        got = s.get_result(f"a{n - 1}")
        assert got is not None and got.article.text == results[-1].article.text


def test_an_old_layout_file_is_refused_until_migrated_and_then_keeps_every_row(tmp_path: Path, cli) -> None:
    """A file from before 2026-11-29 (full results in `result_json`, unique indexes): opening it names the
    migration and changes nothing; `unspin migrate` moves each result into the results file and keeps every row."""
    db = tmp_path / "old.duckdb"
    first, edited = make_result(published="2026-11-02"), make_result(TEXT.replace("everyone", "the whole town"))
    edited = replace(edited, article=replace(edited.article, id=clash_id("a1", edited.article.hash)))
    write_old_store(db, [first, edited], errors=[("bad", "in.jsonl:3", "no text")])
    before = db.read_bytes()
    for read_only in (False, True):
        with pytest.raises(StoreError, match=r"older unspin.*run `unspin migrate .*old.duckdb` once"):
            Store(db, read_only=read_only)
    assert db.read_bytes() == before and not results_path(db).exists()

    def rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
        cols = "id, hash, model_version, outlet, url, title, published, words, score, n_spans, n_sentences, " \
               "n_flagged_sentences, analysed_at"
        return {t: con.execute(f"SELECT {c} FROM {t} ORDER BY ALL").fetchall() for t, c in (
            ("articles", cols), ("spans", "*"), ("sentences", "*"), ("errors", "*"))}

    with duckdb.connect(str(db), read_only=True) as con:
        old_rows = rows(con)
    done = cli("migrate", str(db))
    assert done.returncode == 0, done.stderr
    assert b"migrated (2 articles, 1 errors, 6 sentences, 4 spans)" in done.stderr
    with Store(db, read_only=True) as s:
        assert rows(s.connection) == old_rows  # every row kept, as it was
        assert "result_json" not in {r[0] for r in s.connection.execute("DESCRIBE articles").fetchall()}
        assert s.get_result("a1").to_dict() == first.to_dict()  # type: ignore[union-attr]
        assert s.texts([edited.article.id, "a1", "nope"]) == [edited.article.text, TEXT, ""]
    assert StoreReader(db).result(edited.article.id).to_dict() == edited.to_dict()  # type: ignore[union-attr]
    assert len(lines(db)) == 2
    again = cli("migrate", str(db))  # safe to rerun: nothing to do
    assert again.returncode == 0 and b"nothing to do" in again.stderr and len(lines(db)) == 2
    with Store(db) as s:  # the store writes it as any other: the identity rules hold across the migration
        assert not s.write(first) and not s.write(edited)
        assert s.write(make_result(published="2026-11-02", version="v2"))  # same text, newer model: replaces a1
        assert s.connection.execute("SELECT count(*) FROM duckdb_constraints() WHERE database_name = 'store'"
                                    " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')").fetchone() == (0,)
    with Store(db, read_only=True) as s:
        assert s.connection.execute("SELECT id, model_version FROM articles ORDER BY id").fetchall() == [
            ("a1", "v2"), (edited.article.id, "v1")]
        assert s.get_result(edited.article.id).to_dict() == edited.to_dict()  # type: ignore[union-attr]


def test_a_migration_killed_earlier_leaves_the_old_file_whole_and_a_rerun_finishes(tmp_path: Path, cli) -> None:
    """What a killed migration leaves beside the file (a half-built new file, its half-written results file)
    is thrown away; the old file was never touched, so the rerun migrates it whole."""
    db = tmp_path / "old.duckdb"
    write_old_store(db, [make_result()])
    half = migrating_path(db)
    half.write_bytes(b"half a DuckDB file")
    results_path(half).write_bytes(b'{"half": ')
    done = cli("migrate", str(db))
    assert done.returncode == 0, done.stderr
    assert not half.exists() and not results_path(half).exists()
    with Store(db, read_only=True) as s:
        assert s.get_result("a1").to_dict() == make_result().to_dict()  # type: ignore[union-attr]


def test_migrate_refuses_what_it_cannot_migrate_in_one_line(tmp_path: Path, cli) -> None:
    not_db = tmp_path / "notes.duckdb"
    not_db.write_text("just some text\n")
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).execute("CREATE TABLE t(a INTEGER)").close()
    for path, message in ((tmp_path / "missing.duckdb", "no such results file"), (not_db, "not a DuckDB"),
                          (foreign, "not an unspin results store")):
        p = cli("migrate", str(path))
        err = p.stderr.decode()
        assert p.returncode == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not_db.read_text() == "just some text\n"


def lines(db: Path) -> list[bytes]:
    return results_path(db).read_bytes().splitlines(keepends=True)


def test_full_results_are_lines_of_a_file_next_to_the_store(tmp_path: Path) -> None:
    """The row points at its line; the line is the whole result; DuckDB reads the file as it is."""
    db = tmp_path / "r.duckdb"
    first, edited = make_result(), make_result(TEXT.replace("everyone", "the whole town"))
    with Store(db) as s:
        s.write_many([first, edited])
        refs = s.connection.execute("SELECT id, result_offset, result_bytes FROM articles ORDER BY result_offset")
        refs = refs.fetchall()
    assert results_path(db).name == "r.duckdb.results.jsonl"
    data = results_path(db).read_bytes()
    assert [len(x) for x in lines(db)] == [size for _, _, size in refs] and refs[0][1] == 0
    for aid, offset, size in refs:
        line = data[offset:offset + size]
        assert line.endswith(b"\n") and Result.from_dict(__import__("json").loads(line)).article.id == aid
    with Store(db, read_only=True) as s:
        assert s.get_result("a1").to_dict() == first.to_dict()  # type: ignore[union-attr]
        assert s.texts([clash_id("a1", edited.article.hash), "a1"]) == [edited.article.text, TEXT]
    con = duckdb.connect()
    got = con.execute("SELECT article.id, model.version FROM read_json(?) ORDER BY 1", [str(results_path(db))])
    assert got.fetchall() == sorted([("a1", "v1"), (clash_id("a1", edited.article.hash), "v1")])


def test_lines_of_a_write_that_never_committed_are_cut_off_when_a_writer_opens(tmp_path: Path) -> None:
    """A run killed between writing its lines and committing its rows leaves lines nobody points at."""
    db = tmp_path / "r.duckdb"
    with Store(db) as s:
        s.write(make_result())
    committed = results_path(db).stat().st_size
    with open(results_path(db), "ab") as f:  # what the killed run had appended, half a line included
        f.write(lines(db)[0] + lines(db)[0][:40])
    with Store(db, read_only=True) as s:  # readers never change the file
        assert s.get_result("a1") is not None
    assert results_path(db).stat().st_size > committed
    with Store(db) as s:
        assert results_path(db).stat().st_size == committed
        assert s.write(make_result(TEXT + "Again.\n", article_id="a2"))
    assert len(lines(db)) == 2
    with Store(db, read_only=True) as s:
        assert [s.get_result(i).article.id for i in ("a1", "a2")] == ["a1", "a2"]  # type: ignore[union-attr]


def test_a_missing_or_short_results_file_is_a_one_line_error_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    with Store(db) as s:
        s.write_many([make_result(), make_result(TEXT + "Again.\n", article_id="a2")])
    full = results_path(db).read_bytes()
    results_path(db).write_bytes(full[:-10])
    with pytest.raises(StoreError, match="the store points up to") as e:
        Store(db)
    assert "\n" not in str(e.value)
    assert results_path(db).read_bytes() == full[:-10]  # the writer refused before touching anything
    with Store(db, read_only=True) as s:
        assert s.count() == 2 and s.get_result("a1") is not None
        with pytest.raises(StoreError, match="damaged"):
            s.get_result("a2")
    results_path(db).unlink()
    with pytest.raises(StoreError, match="is missing; the full results"):
        Store(db)
    with Store(db, read_only=True) as s:
        assert s.count() == 2
        with pytest.raises(StoreError, match="missing"):
            s.get_result("a1")
    results_path(db).write_bytes(full)  # put back next to its store, everything is there again
    with Store(db) as s:
        assert s.count() == 2 and s.get_result("a2") is not None


def test_key_index_finds_every_added_key_across_merges() -> None:
    import numpy as np

    from unspin.corpus.key_index import MERGE_EVERY, KeyIndex

    rng = np.random.default_rng(3)
    stored = rng.integers(0, 2**64 - 1, size=3 * MERGE_EVERY + 17, dtype=np.uint64)
    ix = KeyIndex(stored[:100])
    for i in range(100, len(stored), 777):  # additions cross several merges and leave a tail
        ix.add(stored[i:i + 777])
    other = rng.integers(0, 2**64 - 1, size=5000, dtype=np.uint64)
    assert len(ix) == len(stored) and ix.contains(stored).all()
    assert not ix.contains(np.setdiff1d(other, stored)).any()
    assert KeyIndex().contains(stored[:3]).tolist() == [False] * 3


def test_key_index_keeps_runs_bounded_and_finds_keys_in_each() -> None:
    """A merge rewrites only the last, unfilled run, so no run outgrows run_max and every run is searched."""
    import numpy as np

    from unspin.corpus.key_index import MERGE_EVERY, KeyIndex

    rng = np.random.default_rng(4)
    run_max = MERGE_EVERY + 500
    stored = rng.integers(0, 2**64 - 1, size=5 * MERGE_EVERY + 2 * run_max + 3, dtype=np.uint64)
    ix = KeyIndex(stored[:2 * run_max + 3], run_max=run_max)  # three runs from the start, the last of 3 keys
    for i in range(2 * run_max + 3, len(stored), 1000):
        ix.add(stored[i:i + 1000])
    runs = ix._runs
    assert len(runs) >= 5 and all(len(r) <= run_max for r in runs)
    assert all(bool((r[1:] >= r[:-1]).all()) for r in runs)
    assert len(ix) == len(stored) and ix.contains(stored).all()
    other = rng.integers(0, 2**64 - 1, size=5000, dtype=np.uint64)
    assert not ix.contains(np.setdiff1d(other, stored)).any()


def test_a_reopened_writer_knows_what_is_stored_and_confirms_each_hit(tmp_path: Path) -> None:
    """The writer's key sets are rebuilt from the file; a key hit is confirmed against the rows."""
    db = tmp_path / "r.duckdb"
    first = make_result()
    with Store(db) as s:
        assert s.write(first)
    with Store(db) as s:
        assert s.seen_many([first.article.hash, "f" * 64], "v1") == {first.article.hash}
        assert s.seen_many([first.article.hash], "v2") == set()
        assert not s.write(first)
        edited = make_result(TEXT.replace("everyone", "the whole town"))
        assert s.write(edited)  # the id a1 is known: the edited text gets the clash id
        assert s.write(make_result(version="v2"))  # same id and text, newer model: replaces it
        # a key that is in the set but whose value is not stored (as after a 64-bit collision) is not a hit
        from unspin.corpus.key_index import keys_of

        assert s._text_keys is not None
        s._text_keys.add(keys_of(s.connection, ["0" * 64 + "|v1"]))
        assert s.seen_many(["0" * 64], "v1") == set()
    with Store(db, read_only=True) as s:
        rows = s.connection.execute("SELECT id, model_version FROM articles ORDER BY id").fetchall()
        assert rows == [("a1", "v2"), (clash_id("a1", edited.article.hash), "v1")]
        assert s.seen_many([first.article.hash], "v2") == {first.article.hash}


def test_bytes_of_a_failed_append_are_cut_before_the_next_write(tmp_path: Path) -> None:
    """An append that fails half-way (as on a full disk) leaves bytes the file's end does not count."""
    from unspin.corpus.results_file import ResultsFile

    path = tmp_path / "r.duckdb.results.jsonl"
    rf = ResultsFile(path, committed_end=0)
    assert rf.append([b'{"a": 1}\n']) == [(0, 9)]
    undo_to = rf.end
    assert rf._fh is not None
    rf._fh.write(b'{"half')  # what a failed write left behind
    rf._fh.flush()
    rf.truncate(undo_to)
    assert rf.append([b'{"b": 2}\n']) == [(9, 9)]
    rf.close()
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert ResultsFile(path).read_many([(9, 9), (0, 9)]) == [b'{"b": 2}\n', b'{"a": 1}\n']
