"""Corpus readers on real files: folders, JSONL, CSV with custom columns, WARC built with warcio."""

from __future__ import annotations

import gzip
import io
import json
import random
import tracemalloc
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from unspin.corpus.readers import Columns, Corpus, open_input
from unspin.errors import InputError

BODY = (
    "The council voted on Tuesday to spend forty million on a new toll bridge across the harbour. "
    "Critics said the decision was rushed and that residents were not consulted before the vote. "
    "The mayor said the bridge would cut commuting times in half and bring new jobs to the east side. "
    "A local residents group has started a petition against the plan and will present it next week."
)


def html_page(title: str, body: str = BODY) -> str:
    paras = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (f"<html><head><title>{title}</title><meta name='author' content='A. Writer'></head><body>"
            f"<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article><footer>Copyright Example News</footer></body></html>")


def write_warc(path: Path, pages: list[tuple[str, str, int, str]]) -> None:
    """pages: (url, body, status, content type)."""
    with path.open("wb") as f:
        w = WARCWriter(f, gzip=path.name.endswith(".gz"))
        for url, body, status, ctype in pages:
            headers = StatusAndHeaders(f"{status} OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body.encode("utf-8")),
                                       http_headers=headers)
            w.write_record(rec)
        w.write_record(w.create_warc_record("http://example.org/", "request",
                                            payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))


def test_folder_reads_txt_and_html_recursively_with_path_ids(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "one.txt").write_text("Bridge Vote Splits Town\n\n" + BODY + "\n", encoding="utf-8")
    (tmp_path / "sub" / "two.html").write_text(html_page("Harbour Bridge Plan Approved"), encoding="utf-8")
    (tmp_path / "sub" / "notes.md").write_text("not an article", encoding="utf-8")
    (tmp_path / ".hidden" / "x.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    corpus = Corpus([tmp_path])
    corpus.check()
    recs = list(corpus)
    assert [r.id for r in recs] == ["bad", "one", "sub/two"]
    assert recs[0].article is None and "binary" in (recs[0].error or "")
    one, two = recs[1].article, recs[2].article
    assert one is not None and two is not None
    assert one.id == "one" and one.title == "Bridge Vote Splits Town" and one.text[: one.title_end] == one.title
    assert two.id == "sub/two" and two.title == "Harbour Bridge Plan Approved"
    assert "toll bridge" in two.text and "Copyright" not in two.text
    assert corpus.count() == 3


def test_jsonl_with_custom_columns_titles_and_bad_lines(tmp_path: Path) -> None:
    p = tmp_path / "news.jsonl"
    rows = [
        {"doc": "n1", "body": BODY, "headline": "Bridge Vote", "link": "https://ex.org/1", "paper": "Gazette",
         "date": "2024-03-05T08:00:00Z"},
        {"doc": 7, "body": "Bridge Vote Splits Town\n\n" + BODY, "headline": "Bridge Vote Splits Town"},
        {"doc": "n3", "body": "   "},
        {"doc": "n4", "body": BODY},
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(2, "{not json")
    lines.insert(1, "")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cols = Columns(text="body", id="doc", title="headline", url="link", outlet="paper", published="date")
    corpus = Corpus([p], cols)
    corpus.check()
    recs = list(corpus)
    assert len(recs) == 5 == corpus.count()
    a = recs[0].article
    assert a is not None and a.id == "n1" and a.outlet == "Gazette" and a.url == "https://ex.org/1"
    assert a.published == "2024-03-05T08:00:00+00:00" and a.published_raw == "2024-03-05T08:00:00Z"
    # a separate title becomes line 1, so it is analysed and offsets stay in one string
    assert a.text.startswith("Bridge Vote\n\n") and a.text[: a.title_end] == "Bridge Vote"
    b = recs[1].article
    assert b is not None and b.id == "7" and b.text.count("Bridge Vote Splits Town") == 1
    assert recs[2].article is None and recs[2].origin == f"{p}:4" and "JSON" in (recs[2].error or "")
    assert recs[3].article is None and "no text" in (recs[3].error or "") and recs[3].id == "n3"
    d = recs[4].article
    assert d is not None and d.id == "n4" and d.title == ""


def test_jsonl_gz_and_id_defaults_to_hash_prefix(tmp_path: Path) -> None:
    p = tmp_path / "news.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": BODY}) + "\n")
    (rec,) = list(Corpus([p]))
    assert rec.article is not None and rec.article.id == rec.article.hash[:16]


def test_jsonl_that_is_not_json_is_a_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text("hello world\n", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON Lines"):
        Corpus([p]).check()


def test_csv_with_custom_columns_and_multiline_fields(tmp_path: Path) -> None:
    p = tmp_path / "news.csv"
    p.write_text(
        'key,content,heading,source_name,when\n'
        f'a1,"{BODY}\nSecond paragraph, with a comma.",Bridge Vote,Gazette,2024-03-05\n'
        'a2,,Empty,Gazette,2024-03-06\n'
        f'a3,"{BODY}",,Courier,not a date\n',
        encoding="utf-8",
    )
    cols = Columns(text="content", id="key", title="heading", outlet="source_name", published="when")
    corpus = Corpus([p], cols)
    corpus.check()
    recs = list(corpus)
    assert [r.id for r in recs] == ["a1", "a2", "a3"] and corpus.count() == 3
    a = recs[0].article
    assert a is not None and a.title == "Bridge Vote" and "Second paragraph, with a comma." in a.text
    assert a.outlet == "Gazette" and a.published == "2024-03-05"
    assert recs[1].article is None and "no text" in (recs[1].error or "")
    assert recs[2].article is not None and recs[2].article.outlet == "Courier"


def test_csv_without_the_text_column_or_binary_is_a_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "news.csv"
    p.write_text("id,summary\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text column .*--text-column"):
        Corpus([p]).check()
    with pytest.raises(InputError, match="no 'story_body' column .*--text-column"):
        Corpus([p], Columns(text="story_body")).check()
        Corpus([p]).check()
    b = tmp_path / "bin.csv"
    b.write_bytes(b"\x89PNG\x00\x00\x00\rIHDR" * 50)
    with pytest.raises(InputError, match="not a CSV text file"):
        Corpus([b]).check()
    r = tmp_path / "random.csv"
    r.write_bytes(random.Random(7).randbytes(4000))
    with pytest.raises(InputError, match="not a CSV text file"):
        Corpus([r]).check()


def test_a_stray_nul_in_one_csv_field_is_that_rows_not_the_files(tmp_path: Path) -> None:
    p = tmp_path / "news.csv"
    rows = [f"{i},Title {i},The council voted on bridge number {i} and critics said it was rushed\n" for i in range(5)]
    rows[2] = rows[2].replace("council", "coun\x00cil")
    p.write_bytes(("id,title,text\n" + "".join(rows)).encode())
    corpus = Corpus([p])
    corpus.check()
    recs = list(corpus)
    assert [r.id for r in recs if r.article is not None] == ["0", "1", "2", "3", "4"]
    assert "coun\x00cil" in (recs[2].article.text if recs[2].article else "")  # read as it is: offsets unchanged


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_html_responses_become_articles_with_their_url(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    write_warc(p, [
        ("https://news.example.org/bridge", html_page("Harbour Bridge Plan Approved"), 200, "text/html; charset=utf-8"),
        ("https://news.example.org/logo.png", "PNGDATA", 200, "image/png"),
        ("https://news.example.org/missing", html_page("Gone"), 404, "text/html"),
        ("https://news.example.org/empty", "<html><body></body></html>", 200, "text/html"),
    ])
    corpus = Corpus([p])
    corpus.check()
    recs = list(corpus)
    assert len(recs) == 3 == corpus.count()  # the image and the request record are not articles
    a = recs[0].article
    assert a is not None and a.url == "https://news.example.org/bridge" and a.title == "Harbour Bridge Plan Approved"
    assert a.id == a.hash[:16] and recs[0].origin.startswith(f"{p}@")
    assert recs[1].article is None and "404" in (recs[1].error or "")
    assert recs[2].article is None and "no article text" in (recs[2].error or "")


def test_not_a_warc_file_is_a_bad_input(tmp_path: Path) -> None:
    p = tmp_path / "crawl.warc"
    p.write_text("this is not a web archive\n" * 10, encoding="utf-8")
    with pytest.raises(InputError, match="not a WARC file"):
        Corpus([p]).check()


def test_missing_and_unknown_inputs_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        Corpus([tmp_path / "nope.jsonl"])
    (tmp_path / "data.parquet").write_bytes(b"PAR1")
    with pytest.raises(InputError, match="unknown input kind"):
        open_input(tmp_path / "data.parquet", Columns())


def test_reading_is_streamed_in_constant_memory(tmp_path: Path) -> None:
    """Reading 6,000 records (~12 MB) never holds more than a few of them at once."""
    p = tmp_path / "big.jsonl"
    with p.open("w", encoding="utf-8") as f:
        for i in range(6000):
            f.write(json.dumps({"id": f"a{i}", "text": f"Story {i}\n\n" + BODY * 5}) + "\n")
    assert p.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        n = sum(1 for r in Corpus([p]) if r.article is not None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 6000
    assert peak < 1_000_000, peak
