"""Sourcing through the pipeline and every view: JSON, terminal, HTML (real CLI runs)."""

from __future__ import annotations

import json

from test_sourcing import RELAYED, assert_slices
from unspin.article import Result
from unspin.load.text import article_from_text
from unspin.render.html import render_html


def test_pipeline_fills_sourcing(analyzer):
    result = analyzer.analyze(article_from_text(RELAYED))
    d = result.to_dict()
    assert set(d["sourcing"]) == {"quotes", "attributions", "anonymous_sources", "provenance", "summary"}
    assert_slices(RELAYED, result.sourcing)
    # the stored JSON form renders again after a round trip (what DuckDB rows and the web app do)
    back = Result.from_dict(json.loads(result.to_json()))
    assert "Ilya Dorov" in render_html(back)


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
                   "Provenance", "source_line", "© Dora Penn / Reuters"):
        assert needle in out, needle


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
