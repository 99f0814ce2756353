"""Sourcing through the pipeline and every view: JSON, terminal, HTML (real CLI runs)."""

from __future__ import annotations

import json

from test_sourcing import RELAYED, assert_slices
from unspin.article import Result
from unspin.load.text import article_from_text
from unspin.render.html import render_html
from unspin.sourcing import Quote, Sourcing

# a quote that runs across two paragraphs (its `parts`), after an article with every other element
FLOOD = ("The mayor spoke at length after the flood.\n\n"
         "“We lost four bridges in one night. Some of them were a hundred years old.\n\n"
         "“We will rebuild every one of them, and we will do it before winter,” Mayor Alina Brod said.\n\n"
         "Residents were sceptical.\n")


def test_pipeline_fills_sourcing(analyzer):
    result = analyzer.analyze(article_from_text(RELAYED))
    d = result.to_dict()
    assert set(d["sourcing"]) == {"quotes", "attributions", "anonymous_sources", "provenance", "summary"}
    assert_slices(RELAYED, result.sourcing)
    # the stored JSON form renders again after a round trip (what DuckDB rows and the web app do)
    back = Result.from_dict(json.loads(result.to_json()))
    assert "Ilya Dorov" in render_html(back)


def test_a_result_read_back_has_a_typed_sourcing_that_writes_the_same_json(analyzer):
    fresh = analyzer.analyze(article_from_text(RELAYED.rstrip("\n") + "\n\n" + FLOOD))
    s = fresh.sourcing
    assert s is not None and s.quotes and s.attributions and s.anonymous_sources and s.provenance
    assert any(len(q.parts) > 1 for q in s.quotes)
    text = fresh.to_json()
    back = Result.from_dict(json.loads(text))
    assert isinstance(back.sourcing, Sourcing) and all(isinstance(q, Quote) for q in back.sourcing.quotes)
    assert back.sourcing.quotes == s.quotes and back.sourcing.summary == s.summary
    assert back.to_json() == text


def test_cli_json_offsets_slice_back(tmp_path, cli):
    path = tmp_path / "relayed.txt"
    path.write_text(RELAYED, encoding="utf-8")
    proc = cli("analyze", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    d = json.loads(proc.stdout)
    text = d["article"]["text"]
    assert text == RELAYED
    s = d["sourcing"]
    for key in ("quotes", "attributions", "anonymous_sources", "provenance"):
        assert s[key], key
        for el in s[key]:
            assert text[el["start"] : el["end"]] == el["text"]
    assert {q["speaker"] for q in s["quotes"]} == {"Marko Vist", "Ilya Dorov"}
    assert {"RT", "Reuters", "Evening Ledger"} <= set(s["summary"]["outlets"])


def test_cli_terminal_shows_sourcing(tmp_path, cli):
    path = tmp_path / "relayed.txt"
    path.write_text(RELAYED, encoding="utf-8")
    proc = cli("analyze", str(path))
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    for needle in ("Sourcing", "Quotes", "Ilya Dorov", "Kremlin aide", "Unnamed sources", "four unnamed US",
                   "Provenance", "source line", "© Dora Penn / Reuters", "unnamed marker: "):
        assert needle in out, needle
    assert "_" not in "".join(line for line in out.splitlines() if "source line" in line or "unnamed marker" in line)


def test_cli_html_shows_sourcing_escaped(tmp_path, cli):
    text = ("Bad markup\n\n“<script>alert(1)</script> is fine,” Lena <b>Marr</b> said.\n\n"
            "Source: <i>RT</i>\n\n© Ann Lo / Reuters")
    path = tmp_path / "markup.txt"
    path.write_text(text, encoding="utf-8")
    proc = cli("analyze", str(path), "--format", "html")
    assert proc.returncode == 0, proc.stderr.decode()
    html = proc.stdout.decode()
    assert 'class="sourcing-view"' in html and "<h3>Provenance</h3>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>RT</i>" not in html and "&lt;i&gt;RT&lt;/i&gt;" in html
    assert "© Ann Lo / Reuters" in html


def test_views_tell_sources_and_provenance_apart(tmp_path, cli):
    path = tmp_path / "relayed.txt"
    path.write_text(RELAYED, encoding="utf-8")
    out = cli("analyze", str(path)).stdout.decode()
    flat = " ".join(out.split())
    assert "2 people (Marko Vist, Ilya Dorov)" in flat and "1 outlet (Evening Ledger)" in flat
    assert "published by RT · relays Evening Ledger · photo credits Reuters" in flat
    assert "relies on" not in flat
    html = cli("analyze", str(path), "--format", "html").stdout.decode()
    assert 'Published by: <span class="outlet">RT</span>' in html
    assert 'Relays: <span class="outlet">Evening Ledger</span>' in html
    assert 'Photo credits: <span class="outlet">Reuters</span>' in html


def test_a_result_stored_before_schema_2_1_still_renders(analyzer):
    d = json.loads(analyzer.analyze(article_from_text(RELAYED)).to_json())
    d["schema_version"] = "2.0"
    m = d["sourcing"]["summary"]
    for key in ("named_by_kind", "publisher", "relayed", "credits"):
        del m[key]
    back = Result.from_dict(d)
    html = render_html(back)
    assert "Relies on:" in html and "Published by:" not in html
    assert back.to_dict()["sourcing"] == d["sourcing"]  # read back and written again, it is still the old form
