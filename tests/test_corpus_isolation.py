"""One bad record never stops a corpus (issues 14 and 17): every reader turns it into an error with its position.

Corpus-level tests read real files through `Corpus` (no model); the batch-level ones run `unspin batch`.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from unspin.corpus import bounded, readers
from unspin.corpus.readers import Corpus
from unspin.errors import InputError

UNSPIN = [sys.executable, "-c", "from unspin.cli import main; main()"]
BODY = ("The council voted on Tuesday to spend forty million on a new toll bridge across the harbour. "
        "Critics said the decision was rushed and that residents were not consulted before the vote.")
FIELDS = ["id", "title", "outlet", "url", "published", "text"]


def good(i: int) -> dict[str, str]:
    return {"id": f"a{i}", "title": f"Bridge Story {i}", "outlet": "Gazette", "url": f"https://ex.org/{i}",
            "published": "2024-03-05", "text": f"{BODY} Story number {i}."}


def read(path: Path) -> list:
    corpus = Corpus([path])
    corpus.check()
    return list(corpus)


def html(title: str) -> bytes:
    paras = "".join(f"<p>{s}.</p>" for s in BODY.split(". "))
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>".encode()


def warc(gz: bool, titles: list[str]) -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    for i, t in enumerate(titles):
        hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://news.example.org/{i}", "response", payload=io.BytesIO(html(t)),
                                            http_headers=hh))
    return buf.getvalue()


TITLES = ["Harbour Bridge Plan Approved", "Ferry Service Cut Angers Islanders", "Tunnel Plan Shelved After Protest"]


def summary(recs: list) -> list[tuple[str, str | None]]:
    """(what, error) per record: the page title or article id when read, else its error."""
    out = []
    for r in recs:
        name = r.article.title or r.article.id if r.article is not None else None
        out.append((name, r.error))
    return out


@pytest.mark.parametrize("field", FIELDS)
def test_a_lone_surrogate_in_any_field_is_replaced_and_counted(tmp_path: Path, field: str) -> None:
    p = tmp_path / "poisoned.jsonl"
    lines = [json.dumps(good(i)) for i in range(100)]
    bad = good(100)
    bad[field] = bad[field] + "\ud83d"  # json.dumps writes it as the escape \ud83d, as a truncating exporter does
    lines.insert(50, json.dumps(bad))
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recs = read(p)
    assert len(recs) == 101 and all(r.article is not None for r in recs)
    for r in recs:
        a = r.article
        for name in ("text", "title", "id", "outlet", "url", "published_raw"):
            value = getattr(a, name)
            assert value is None or value.encode("utf-8")  # storable: encodes, hashes, writes
        a.hash  # noqa: B018
    assert [r.repaired for r in recs].count(1) == 1 and recs[50].repaired == 1
    assert "\ufffd" in (getattr(recs[50].article, "published_raw" if field == "published" else field) or "")


def test_deep_nesting_invalid_json_and_non_objects_are_bad_lines_and_reading_goes_on(tmp_path: Path) -> None:
    p = tmp_path / "mixed.jsonl"
    lines = [json.dumps(good(0)), "[" * 100_000, '{"text": ' + "[" * 100_000, "{broken", "[1, 2]", json.dumps(good(1)),
             "", json.dumps({"id": "t", "text": ""}), json.dumps(good(2))]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recs = read(p)
    assert [r.origin for r in recs if r.error] == [f"{p}:{n}" for n in (2, 3, 4, 5, 8)]
    assert "nested too deeply" in (recs[2].error or "")
    assert [r.article.id for r in recs if r.article is not None] == ["a0", "a1", "a2"]


def test_an_over_long_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    p = tmp_path / "long.jsonl.gz"
    with gzip.open(p, "wb", compresslevel=1) as f:
        f.write((json.dumps(good(0)) + "\n").encode())
        f.write(b'{"id": "huge", "text": "' + b"a" * (bounded.MAX_LINE_BYTES * 4) + b'"}\n')
        f.write((json.dumps(good(1)) + "\n").encode())
    tracemalloc.start()
    try:
        recs = read(p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.article.id if r.article else r.origin for r in recs] == ["a0", f"{p}:2", "a1"]
    assert "line limit" in (recs[1].error or "")
    assert peak < 3 * bounded.MAX_LINE_BYTES, peak  # a capped line (and its copy) at most, never the whole 128 MiB


def _gz_lines(n: int) -> bytes:
    return gzip.compress("".join(json.dumps(good(i)) + "\n" for i in range(n)).encode())


def test_a_truncated_gz_keeps_the_lines_before_it(tmp_path: Path) -> None:
    data = _gz_lines(300)
    p = tmp_path / "cut.jsonl.gz"
    p.write_bytes(data[: len(data) * 2 // 3])
    recs = read(p)
    stored = [r for r in recs if r.article is not None]
    assert 100 < len(stored) < 300 and [r.article.id for r in stored] == [f"a{i}" for i in range(len(stored))]
    assert recs[-1].error is not None and "unreadable after line" in recs[-1].error
    assert recs[-1].origin == f"{p}:{len(recs)}"


def test_a_corrupt_gz_keeps_what_came_before_and_reports_the_damage(tmp_path: Path) -> None:
    crc = bytearray(_gz_lines(50))
    crc[-6] ^= 1  # the CRC-32 in the trailer: every line decodes, the check at the end fails
    p = tmp_path / "crc.jsonl.gz"
    p.write_bytes(bytes(crc))
    recs = read(p)
    assert sum(r.article is not None for r in recs) == 50 and "CRC check failed" in (recs[-1].error or "")
    flipped = bytearray(_gz_lines(300))
    for i in range(len(flipped) // 2, len(flipped) // 2 + 40):
        flipped[i] ^= 0x55  # the deflate stream itself
    q = tmp_path / "flipped.jsonl.gz"
    q.write_bytes(bytes(flipped))
    recs = read(q)
    assert sum(r.article is not None for r in recs) > 50 and recs[-1].error is not None
    notgz = tmp_path / "plain.jsonl.gz"
    notgz.write_bytes(b"".join(json.dumps(good(i)).encode() + b"\n" for i in range(3)))
    with pytest.raises(InputError, match="Not a gzipped file"):
        Corpus([notgz]).check()


def test_a_decompression_bomb_stops_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded, "DECOMPRESSED_FLOOR", 16 * 1024 * 1024)
    p = tmp_path / "bomb.jsonl.gz"
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with p.open("wb") as f:
        f.write(z.compress((json.dumps(good(0)) + "\n").encode()))
        chunk = b" " * (1024 * 1024)
        for _ in range(64):  # 64 MiB of blanks: blank lines are skipped, so only the cap stops it
            f.write(z.compress(chunk))
        f.write(z.compress((json.dumps(good(1)) + "\n").encode()))
        f.write(z.flush())
    assert p.stat().st_size < 200_000
    recs = read(p)
    assert recs[0].article is not None and recs[0].article.id == "a0"
    assert len(recs) == 2 and "decompression bomb" in (recs[1].error or "")


def test_csv_bad_rows_are_errors_and_the_rows_after_them_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "rows.csv"
    too_big = "x" * (10 * 1024 * 1024 + 10)
    p.write_text(f'id,text\nr1,"{BODY}"\nr2,"{too_big}"\nr3,"{BODY} Three."\nr4,\nr5,"{BODY} \ud83d Five."\n',
                 encoding="utf-8", errors="surrogatepass")
    recs = read(p)
    assert [(r.article.id if r.article else r.origin) for r in recs] == ["r1", f"{p}:3", "r3", f"{p}:5", "r5"]
    assert "field larger than field limit" in (recs[1].error or "") and "no text" in (recs[3].error or "")
    # a line longer than the line cap (one field of a .csv.gz bomb) is skipped, never held whole
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 1024 * 1024)
    q = tmp_path / "bomb.csv.gz"
    with gzip.open(q, "wb") as f:
        f.write(f'id,text\r\nr1,"{BODY}"\r\nbomb,"'.encode() + b"a" * (8 * 1024 * 1024) + f'"\r\nr3,"{BODY}"\r\n'.encode())
    recs = read(q)
    assert [r.article.id if r.article else "error" for r in recs] == ["r1", "error", "r3"]
    assert "line limit" in (recs[1].error or "")


@pytest.mark.parametrize("gz", [False, True])
def test_warc_records_that_cannot_be_parsed_are_errors_and_reading_resumes(tmp_path: Path, gz: bool) -> None:
    data = warc(gz, TITLES)
    marker = b"\x1f\x8b\x08" if gz else b"WARC/1.0\r\n"
    starts = [m.start() for m in re.finditer(re.escape(marker), data)]
    p = tmp_path / ("damaged.warc.gz" if gz else "damaged.warc")
    if gz:  # a gzip member whose deflate data is damaged
        s = starts[1] + 60
        p.write_bytes(data[:s] + bytes(b ^ 0xFF for b in data[s:s + 40]) + data[s + 40:])
    else:  # a record whose Content-Length is 100 bytes too long: it swallows the start of the next one
        m = re.compile(rb"Content-Length: (\d+)").search(data, starts[1])
        assert m is not None
        p.write_bytes(data[:m.start(1)] + str(int(m.group(1)) + 100).encode() + data[m.end(1):])
    recs = read(p)
    assert [t for t, _ in summary(recs)] == [TITLES[0], None, TITLES[2]]
    assert recs[1].origin == f"{p}@{starts[1]}"
    assert ("mis-sized" if not gz else "broken WARC record") in (recs[1].error or "")


def test_warc_truncated_header_less_and_non_numeric_status_records(tmp_path: Path) -> None:
    data = warc(False, TITLES)
    starts = [m.start() for m in re.finditer(b"WARC/1.0\r\n", data)]
    headless = b"WARC/1.0\r\nWARC-Type: response\r\n\r\n"
    bad_status = data[starts[1]:starts[2]].replace(b"HTTP/1.1 200 OK", b"HTTP/1.1 abc OK")
    p = tmp_path / "odd.warc"
    p.write_bytes(data[:starts[1]] + headless + bad_status + data[starts[2]:-200])
    recs = read(p)
    reasons = [e for _, e in summary(recs)]
    assert summary(recs)[0] == (TITLES[0], None)
    assert recs[1].origin == f"{p}@{starts[1]}" and "broken WARC record" in (reasons[1] or "")
    assert "non-numeric HTTP status" in (reasons[2] or "") and "abc" in (reasons[2] or "")
    assert "truncated WARC record" in (reasons[3] or "") and len(recs) == 4


def test_special_files_are_refused_and_never_block(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Bridge Vote\n\n{BODY}\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")  # no writer: opening it would wait forever
    os.mkfifo(tmp_path / "feed.jsonl")
    recs = read(folder)
    assert [(r.id, r.article is not None) for r in recs] == [("a", True), ("pipe", False)]
    assert "not a regular file" in (recs[1].error or "")
    with pytest.raises(InputError, match="not a regular file"):
        Corpus([tmp_path / "feed.jsonl"])


def test_batch_stores_every_good_record_of_a_poisoned_corpus(tmp_path: Path) -> None:
    """100 good records and one with a lone surrogate, plus broken lines, a cut .gz and a broken WARC: all good ones
    are stored, each bad one is an errors row with its position, the exit is 0 and nothing prints a traceback."""
    jl = tmp_path / "poisoned.jsonl"
    lines = [json.dumps({"id": f"p{i}", "text": f"Story {i}: the council met on Tuesday."}) for i in range(100)]
    lines.insert(30, json.dumps({"id": "bad\ud800", "title": "T\udfff", "text": "A \ud800 bridge vote, said the mayor."}))
    lines.insert(60, "[" * 100_000)
    jl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cut = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress("".join(json.dumps({"id": f"g{i}", "text": f"Ferry report {i}: fares rise."}) + "\n"
                                  for i in range(400)).encode())
    cut.write_bytes(whole[: len(whole) // 2])
    wa = tmp_path / "odd.warc"
    data = warc(False, TITLES[:2])
    second = data.index(b"WARC/1.0\r\n", 10)
    wa.write_bytes(data[:second] + data[second:].replace(b"HTTP/1.1 200 OK", b"HTTP/1.1 OK"))
    db = tmp_path / "p.duckdb"
    r = subprocess.run([*UNSPIN, "batch", jl, cut, wa, "--db", db, "--workers", "1"], capture_output=True, text=True,
                       timeout=600, env={**os.environ, "COLUMNS": "200"})
    assert r.returncode == 0 and "Traceback" not in r.stderr + r.stdout, r.stderr
    assert "3 unencodable character(s) (lone surrogates) replaced" in r.stderr  # in its id, title and text
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = {x[0] for x in con.execute("SELECT id FROM articles").fetchall()}
        errors = sorted(con.execute("SELECT input FROM errors").fetchall())
    finally:
        con.close()
    gz_stored = {i for i in ids if i.startswith("g")}
    assert {f"p{i}" for i in range(100)} | {"bad\ufffd"} <= ids
    assert 0 < len(gz_stored) < 400 and gz_stored == {f"g{i}" for i in range(len(gz_stored))}
    assert any(t for t in ids if not t.startswith(("p", "g", "bad")))  # the good WARC page (content-hash id)
    assert errors == sorted([(f"{jl}:61",), (f"{cut}:{len(gz_stored) + 1}",), (f"{wa}@{second}",)])


def test_one_text_repeated_without_end_stops_the_file_not_the_corpus(tmp_path: Path) -> None:
    """A .gz that expands to millions of copies of one line (a bomb inside the size cap) is read up to
    MAX_REPEATS_IN_A_ROW copies, then skipped with one errors row; the next input is still read."""
    bomb = tmp_path / "bomb.jsonl.gz"
    copies = readers.MAX_REPEATS_IN_A_ROW + 500
    with gzip.open(bomb, "wb") as f:
        f.write((json.dumps(good(1)) + "\n").encode())
        f.write(b'{"text": "x"}\n' * copies)
        f.write((json.dumps(good(2)) + "\n").encode())  # after the run: not reached
    after = tmp_path / "after.jsonl"
    after.write_text(json.dumps(good(3)) + "\n")
    corpus = Corpus([bomb, after])
    corpus.check()
    recs = list(corpus)
    errors = [r for r in recs if r.error]
    assert len(errors) == 1 and "in a row with the same text" in (errors[0].error or "")
    assert len(recs) == 1 + readers.MAX_REPEATS_IN_A_ROW + 1 + 1  # good(1), the copies, the error row, good(3)
    assert [r.id for r in recs if r.article is not None and r.id.startswith("a")] == ["a1", "a3"]
    # distinct texts, however many, never stop a file
    varied = tmp_path / "varied.jsonl"
    varied.write_text("".join(json.dumps({"id": f"v{i}", "text": f"{BODY} {i}"}) + "\n" for i in range(copies)))
    assert not [r for r in read(varied) if r.error]
