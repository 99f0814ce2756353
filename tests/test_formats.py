"""Every output format is a view of one Result; offsets are the contract."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest

from invariants import check_result
from unspin.article import SCHEMA_VERSION, Result, SchemaError, Span
from unspin.load.text import load_text_file
from unspin.ptc.files import render_ptc
from unspin.render.html import render_html
from unspin.render.pieces import pieces
from unspin.techniques import BY_ID


@pytest.fixture(scope="module")
def result(analyzer, example_path: Path) -> Result:
    return analyzer.analyze(load_text_file(example_path))


def test_json_schema_keys(result: Result):
    doc = json.loads(result.to_json())
    assert doc["schema_version"] == SCHEMA_VERSION == "2.1"
    assert set(doc["model"]) == {"name", "version"}
    assert {"id", "title", "outlet", "url", "text"} <= set(doc["article"])
    assert isinstance(doc["score"], float) and 0.0 <= doc["score"] <= 1.0
    check_result(doc)
    for s in doc["spans"]:
        assert set(s) == {"technique", "start", "end", "text", "confidence", "explanation"}
        assert BY_ID[s["technique"]].name in s["explanation"]
    for s in doc["sentences"]:
        assert {"start", "end", "score"} <= set(s)


def test_json_round_trip(result: Result):
    again = Result.from_dict(json.loads(result.to_json()))
    assert again.spans == result.spans and again.sentences == result.sentences
    assert again.article.text == result.article.text


def test_sentence_scores_follow_spans(result: Result):
    check_result(result.to_dict())  # a sentence scores its highest overlapping span; the article, their mean


def test_min_confidence_filters(analyzer, example_path: Path, cli):
    proc = cli("analyze", str(example_path), "--format", "json", "--min-confidence", "0.5")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert all(s["confidence"] >= 0.5 for s in doc["spans"])
    check_result(doc)  # the scores follow the spans that are shown
    assert cli("analyze", str(example_path), "--min-confidence", "1.5").returncode == 2


def test_ptc_lines(result: Result):
    lines = render_ptc(result).splitlines()
    assert len(lines) == len(result.spans)
    for line, span in zip(lines, result.spans, strict=True):
        aid, tech, start, end = line.split("\t")
        assert (aid, tech, int(start), int(end)) == (result.article.id, span.technique, span.start, span.end)


def test_html_is_self_contained_and_marks_every_span(result: Result):
    page = render_html(result)
    assert '<meta name="viewport"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "no external assets"
    assert "<script" not in page.lower()
    marks = re.findall(r'<mark class="span"[^>]*>(.*?)<span class="tip"', page, flags=re.S)
    marked_text = "".join(htmllib.unescape(m) for m in marks)
    for s in result.spans:
        assert " ".join(s.text.split()).split()[0] in marked_text
    for s in result.spans:
        assert BY_ID[s.technique].definition in htmllib.unescape(page)


def test_html_escapes_article_text(analyzer):
    from unspin.load.text import article_from_text

    evil = "<script>alert(1)</script> Title\n\nThe <img src=x onerror=alert(2)> plan is a disgrace.\n"
    page = render_html(analyzer.analyze(article_from_text(evil)))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_pieces_cover_overlaps_exactly():
    spans = [Span(2, 8, "Doubt", 0.9), Span(5, 12, "Slogans", 0.4), Span(5, 12, "Repetition", 0.6)]
    ps = pieces(15, spans)
    assert [(p.start, p.end) for p in ps] == [(0, 2), (2, 5), (5, 8), (8, 12), (12, 15)]
    assert [len(p.spans) for p in ps] == [0, 1, 3, 2, 0]
    assert ps[2].top.technique == "Doubt" and ps[3].top.technique == "Repetition"


@pytest.mark.parametrize("fmt", ["text", "json", "html", "ptc"])
def test_every_format_from_the_cli(fmt: str, example_path: Path, tmp_path: Path, cli):
    out = tmp_path / f"out.{fmt}"
    proc = cli("analyze", str(example_path), "--format", fmt, "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").strip() or fmt == "ptc"


def test_terminal_view_shows_legend_and_scores(example_path: Path, cli):
    proc = cli("analyze", str(example_path))
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "Article score" in out and "Reckless Council" in out
    if "Techniques found" not in out:
        assert "No propaganda techniques found" in out


def test_public_api_from_the_package():
    import unspin

    result = unspin.analyze("A Title\n\nThe corrupt elites lie to us again and again.\n")
    assert isinstance(result, unspin.Result)
    assert result.sentences[0].is_title and result.article.title == "A Title"
    assert result.sourcing is not None


def test_from_dict_reads_schema_1_and_refuses_a_newer_major(result: Result):
    old = json.loads(result.to_json())
    old["schema_version"] = "1.0"
    old["article"]["source"] = old["article"].pop("outlet") or "Harbour Gazette"
    assert Result.from_dict(old).article.outlet == old["article"]["source"]  # 1.x called the outlet `source`
    newer = json.loads(result.to_json())
    newer["schema_version"] = "3.0"
    with pytest.raises(SchemaError, match="newer"):
        Result.from_dict(newer)
