"""Every output format is a view of one Result; offsets are the contract."""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from invariants import check_result
from unspin.article import SCHEMA_VERSION, Result, SchemaError, Sentence, Span
from unspin.errors import InputError
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
    assert doc["schema_version"] == SCHEMA_VERSION == "3.1"
    assert set(doc["model"]) == {"name", "version"}
    assert {"id", "title", "outlet", "url", "text"} <= set(doc["article"])
    assert isinstance(doc["score"], float) and doc["score"] >= 0.0
    detail = doc["score_detail"]
    assert detail["density"] == doc["score"] and detail["unit"].startswith("expected propaganda phrases per 1,000 words")
    assert detail["words"] + detail["quoted_words"] == len(doc["article"]["text"].split())
    assert doc["shown"] == {"min_confidence": 0.0, "hidden_spans": 0}
    check_result(doc)
    for s in doc["spans"]:
        assert set(s) == {"technique", "start", "end", "text", "confidence", "explanation", "cue_start", "cue_end"}
        assert s["technique"] in BY_ID and 0.0 <= s["confidence"] <= 1.0
        assert doc["article"]["text"][s["start"] : s["end"]] == s["text"]
        assert s["start"] <= s["cue_start"] < s["cue_end"] <= s["end"]
    for s in doc["sentences"]:
        assert {"start", "end", "score", "techniques"} <= set(s)


def test_json_round_trip(result: Result):
    again = Result.from_dict(json.loads(result.to_json()))
    assert again.spans == result.spans and again.sentences == result.sentences
    assert again.article.text == result.article.text


def test_each_call_chooses_its_threshold_and_the_scores_stay(analyzer, example_path: Path):
    from unspin.pipeline import Analyzer

    article = load_text_file(example_path)
    confidences = sorted(s.confidence for s in analyzer.analyze(article).spans)
    middle = confidences[len(confidences) // 2]
    assert confidences[0] < middle
    one = Analyzer(min_confidence=middle)
    surer, every = one.analyze(article), one.analyze(article, min_confidence=0.0)
    assert 0 < len(surer.spans) < len(every.spans) and min(s.confidence for s in surer.spans) >= middle
    assert surer.min_confidence == middle and surer.hidden_spans == len(every.spans) - len(surer.spans)
    assert every.min_confidence == 0.0 and every.hidden_spans == 0
    assert surer.score == every.score and surer.score_detail == every.score_detail
    assert surer.sentences == every.sentences
    with pytest.raises(InputError, match="between 0 and 1"):
        one.analyze(article, min_confidence=1.5)


def test_sentence_scores_follow_spans(result: Result):
    for sent in result.sentences:
        inside = [s for s in result.spans if s.start < sent.end and s.end > sent.start]
        assert sent.score == pytest.approx(max((s.confidence for s in inside), default=0.0), abs=1e-4)
        for tech in {s.technique for s in inside}:
            best = max(s.confidence for s in inside if s.technique == tech)
            assert sent.techniques[tech] == pytest.approx(best, abs=1e-4)
        assert set(sent.techniques) == {s.technique for s in inside}
    check_result(result.to_dict())


def test_article_score_is_spin_density_outside_quotes(result: Result):
    """Expected propaganda phrases (sum of confidences) per 1,000 words, quotes counted apart."""
    quotes = [(q.start, q.end) for q in result.sourcing.quotes]
    assert quotes, "the demo article quotes people"
    text = result.article.text
    inq = [s for s in result.spans if any(a <= s.start and s.end <= b for a, b in quotes)]
    own = [s for s in result.spans if s not in inq]
    quoted_words = sum(len(text[a:b].split()) for a, b in quotes)
    own_words = len(text.split()) - quoted_words
    assert result.score == pytest.approx(1000 * sum(s.confidence for s in own) / own_words, abs=1e-3)
    d = result.score_detail
    assert d is not None and d.words == own_words and d.quoted_words == quoted_words
    assert d.quoted_density == pytest.approx(1000 * sum(s.confidence for s in inq) / quoted_words, abs=1e-3)


def test_min_confidence_filters_what_is_shown_not_the_score(example_path: Path, cli):
    runs = {}
    for t in ("0", "0.25", "0.5"):
        proc = cli("analyze", str(example_path), "--format", "json", "--min-confidence", t)
        assert proc.returncode == 0, proc.stderr
        runs[t] = json.loads(proc.stdout)
    everything = runs["0"]
    for t, doc in runs.items():
        check_result(doc)
        assert all(s["confidence"] >= float(t) for s in doc["spans"])
        assert doc["score"] == everything["score"] and doc["score_detail"] == everything["score_detail"]
        assert doc["sentences"] == everything["sentences"]
        assert doc["shown"] == {"min_confidence": float(t), "hidden_spans": len(everything["spans"]) - len(doc["spans"])}
    assert len(runs["0.25"]["spans"]) < len(everything["spans"])
    assert cli("analyze", str(example_path), "--min-confidence", "1.5").returncode == 2


def test_the_default_threshold_is_the_models_display_threshold(analyzer, example_path: Path, cli):
    doc = json.loads(cli("analyze", str(example_path), "--format", "json").stdout)
    assert 0 < analyzer.display_threshold < 1
    assert doc["shown"]["min_confidence"] == analyzer.display_threshold
    assert all(s["confidence"] >= analyzer.display_threshold for s in doc["spans"])


def test_ptc_lines(result: Result):
    lines = render_ptc(result).splitlines()
    assert len(lines) == len(result.spans)
    for line, span in zip(lines, result.spans, strict=True):
        aid, tech, start, end = line.split("\t")
        assert (aid, tech, int(start), int(end)) == (result.article.id, span.technique, span.start, span.end)


def test_ptc_of_an_article_without_spans_is_nothing_at_all(tmp_path: Path, cli):
    calm = tmp_path / "calm.txt"
    calm.write_text("The meeting is on Tuesday at noon in the town hall.\n", encoding="utf-8")
    shown = json.loads(cli("analyze", str(calm), "--format", "json", "--min-confidence", "1").stdout)
    assert shown["spans"] == []
    proc = cli("analyze", str(calm), "--format", "ptc", "--min-confidence", "1")
    assert proc.returncode == 0 and proc.stdout == b"", proc.stdout  # not a blank line
    out = tmp_path / "x.ptc"
    proc = cli("analyze", str(calm), "-o", str(out), "--min-confidence", "1")
    assert proc.returncode == 0 and proc.stdout == b"" and out.read_bytes() == b""


def test_html_is_self_contained_and_marks_every_span(result: Result):
    page = render_html(result)
    assert '<meta name="viewport"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "no external assets"
    assert "<script" not in page.lower()
    marks = re.findall(r'<mark class="span[^"]*"[^>]*>(.*?)<span class="tip"', page, flags=re.S)
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
    assert "Spin density" in out and "expected propaganda phrases per 1,000 words" in out and "Reckless Council" in out
    assert "How sure: likely" in out and "right about" in out
    if "Techniques highlighted" not in out:
        assert "No phrase reaches" in out


def test_terminal_views_fit_80_columns(example_path: Path):
    """Nothing is cut or wider than an 80-column terminal (rich wraps at spaces)."""
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "unspin", "analyze", str(example_path)], capture_output=True, env=env)
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0 and len(lines) > 20
    assert max(len(line) for line in lines) <= 80


OUT_FORMATS = [("view.txt", "Spin density"), ("result.json", '"schema_version"'), ("report.html", "<!doctype html>"),
               ("spans.labels", "\t")]


@pytest.mark.parametrize(("name", "marker"), OUT_FORMATS)
def test_output_file_extension_chooses_the_format(name: str, marker: str, example_path: Path, tmp_path: Path, cli):
    out = tmp_path / name
    proc = cli("analyze", str(example_path), "-o", str(out), "--min-confidence", "0")
    assert proc.returncode == 0, proc.stderr
    content = out.read_text(encoding="utf-8")
    assert marker in content
    if name.endswith(".txt"):
        assert not content.lstrip().startswith("{") and "\x1b[" not in content  # a plain text view, not JSON


def test_output_format_mismatch_is_refused_in_one_line(example_path: Path, tmp_path: Path, cli):
    proc = cli("analyze", str(example_path), "--format", "json", "-o", str(tmp_path / "out.html"))
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2 and "\n" not in err and err.startswith("error: --format json does not match")
    assert not (tmp_path / "out.html").exists()
    proc = cli("analyze", str(example_path), "-o", str(tmp_path / "out.dat"))
    assert proc.returncode == 2 and "add --format" in proc.stderr.decode()
    proc = cli("analyze", str(example_path), "--format", "ptc", "-o", str(tmp_path / "pred.txt"))
    assert proc.returncode == 0  # PTC label files are plain text too


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
    newer["schema_version"] = "4.0"
    with pytest.raises(SchemaError, match="newer"):
        Result.from_dict(newer)


def test_results_from_before_3_get_their_scores_recomputed(result: Result):
    """A 2.x result (a store written before spin density) reads with the scores a fresh analysis gives."""
    old = json.loads(result.to_json())
    old["schema_version"] = "2.0"
    old["score"] = 0.0805  # the old mean of sentence scores
    for key in ("score_detail", "shown"):
        old.pop(key)
    for s in old["sentences"]:
        s.pop("techniques")
    again = Result.from_dict(old)
    assert again.score == pytest.approx(result.score, abs=1e-3)
    assert again.sentences == result.sentences
    assert again.score_detail is not None and again.score_detail.density == pytest.approx(result.score, abs=1e-3)


def test_explanations_say_why_not_what(result: Result):
    """Each span's why names the word that carried it and what to check; it never just repeats the definition."""
    assert result.spans
    for s in result.spans:
        definition = BY_ID[s.technique].definition
        assert definition not in s.explanation and s.explanation.endswith(".")
        assert result.article.text[s.cue_start : s.cue_end] in s.explanation or s.technique in (
            "Appeal_to_Authority", "Black-and-White_Fallacy", "Repetition")
        assert "ask" in s.explanation or "check" in s.explanation or "look for" in s.explanation


def test_span_and_sentence_dicts_carry_every_field_and_read_back() -> None:
    span = Span(3, 9, "Loaded_Language", 0.42, "sample", "why", 4, 8)
    sent = Sentence(0, 20, 0.42, True, {"Loaded_Language": 0.42})
    assert set(span.to_dict()) == {f.name for f in fields(Span)}
    assert set(sent.to_dict()) == {f.name for f in fields(Sentence)}
    assert Span(**span.to_dict()) == span and Sentence(**sent.to_dict()) == sent
    assert sent.to_dict()["techniques"] is not sent.techniques  # a copy: editing the dict leaves the sentence alone
