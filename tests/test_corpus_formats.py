"""Corpora as newsrooms have them (issue 14, kind 3): CSV dialects, encodings, common column names, dates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from unspin.corpus.readers import Columns, Corpus, delimiter_option
from unspin.errors import InputError
from unspin.load.dates import parse_published

BODY = ("The council voted on Tuesday to spend forty million on a new toll bridge across the harbour. "
        "Critics said the decision was rushed; residents were not consulted before the vote.")
CAFE = "“This tax will ruin us,” said Renée Dubois, who runs a café by the ministry’s offices — since 1998."


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def articles(paths: list[Path], **kw: object) -> list:
    corpus = Corpus(paths, **kw)  # type: ignore[arg-type]
    corpus.check()
    recs = list(corpus)
    assert all(r.error is None for r in recs), [r.error for r in recs]
    return [r.article for r in recs]


@pytest.mark.parametrize(("delimiter", "name"), [(";", "eu.csv"), ("\t", "tabs.csv"), ("|", "pipes.csv"), ("\t", "x.tsv")])
def test_the_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [["id", "title", "text", "outlet"], ["a1", "Bridge Vote", f"{BODY} Costs, critics said; the mayor disagreed.",
                                                "Gazette"], ["a2", "Ferry Cut", BODY, "Courier"]]
    arts = articles([write_csv(tmp_path / name, rows, delimiter)])
    assert [a.id for a in arts] == ["a1", "a2"]
    assert arts[0].text.endswith("Costs, critics said; the mayor disagreed.") and arts[0].outlet == "Gazette"


def test_delimiter_option_overrides_sniffing(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "eu.csv", [["id", "text", "outlet"], ["a1", f"{BODY}, and more", "Gazette"]], ";")
    (a,) = articles([p], delimiter=";")
    assert a.id == "a1" and a.text == f"{BODY}, and more" and a.outlet == "Gazette"
    with pytest.raises(InputError, match=r"no text column .*--delimiter"):  # named, so not sniffed
        Corpus([p], delimiter=",").check()
    assert delimiter_option("tab") == "\t" and delimiter_option(";") == ";" and delimiter_option("semicolon") == ";"
    with pytest.raises(InputError, match="one character"):
        delimiter_option(";;")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_csv_in_other_encodings_is_decoded(tmp_path: Path, encoding: str) -> None:
    p = write_csv(tmp_path / "excel.csv", [["id", "text"], ["b1", CAFE + " " + BODY], ["b2", "The ministry’s plan. " + BODY]],
                  encoding=encoding)
    arts = articles([p])
    assert [a.id for a in arts] == ["b1", "b2"]
    assert arts[0].text.startswith(CAFE) and "\ufffd" not in arts[0].text
    assert arts[1].text.startswith("The ministry’s plan.")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_jsonl_in_other_encodings_is_decoded(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "legacy.jsonl"
    lines = [json.dumps({"id": "j1", "text": CAFE + " " + BODY}, ensure_ascii=False),
             json.dumps({"id": "j2", "text": "Ferry cut. " + BODY})]
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    arts = articles([p])
    assert [a.id for a in arts] == ["j1", "j2"] and arts[0].text.startswith(CAFE)


def test_common_column_names_are_recognised_without_options(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "export.csv", [
        ["Link", "Headline", "Content", "Publisher", "pubDate", "guid"],
        ["https://ex.org/1", "Bridge Vote", BODY, "Gazette", "Tue, 05 Mar 2024 08:00:00 GMT", "g1"]])
    jl = tmp_path / "api.jsonl"
    jl.write_text(json.dumps({"article_id": "n1", "title": "Ferry Cut", "body": BODY, "source": {"id": "x", "name": "Courier"},
                              "date": "3/7/2024", "url": "https://ex.org/2"}) + "\n", encoding="utf-8")
    a, b = articles([csv_path, jl])
    assert (a.id, a.title, a.outlet, a.url, a.published) == ("g1", "Bridge Vote", "Gazette", "https://ex.org/1",
                                                              "2024-03-05T08:00:00+00:00")
    assert a.published_raw == "Tue, 05 Mar 2024 08:00:00 GMT"
    assert (b.id, b.title, b.outlet, b.url, b.published, b.published_raw) == (
        "n1", "Ferry Cut", "Courier", "https://ex.org/2", "2024-03-07", "3/7/2024")
    # a named column wins over the common names
    (c,) = articles([csv_path], columns=Columns(outlet="Link"))
    assert c.outlet == "https://ex.org/1"


@pytest.mark.parametrize(("raw", "iso"), [
    ("2016-09-20", "2016-09-20"),
    ("7/23/17", "2017-07-23"),  # the AllSides corpus: M/D/YY
    ("12/1/16", "2016-12-01"),
    ("3/7/2024", "2024-03-07"),  # M/D/YYYY
    ("Tue, 05 Mar 2024 08:00:00 GMT", "2024-03-05T08:00:00+00:00"),  # RFC 822, from RSS
    ("Wed, 06 Mar 2024 17:30:00 EST", "2024-03-06T17:30:00-05:00"),
    ("2024-03-05T08:00:00Z", "2024-03-05T08:00:00+00:00"),
    ("2024-02-12 10:11:12", "2024-02-12T10:11:12"),
    ("March 5, 2024", "2024-03-05"),
    ("20240305", "2024-03-05"),
    (1709625600, "2024-03-05T08:00:00+00:00"),
    ("2024", None), ("Mar 2024", None), ("5", None), ("not a date", None), ("2024-02-30", None), ("0001-11-30", None),
    ("", None), (None, None),
])
def test_dates_are_normalised_to_iso_8601(raw: object, iso: str | None) -> None:
    assert parse_published(raw) == iso
