"""`unspin predict`, `classify` and `evaluate` on a tiny PTC-layout split."""

from __future__ import annotations

import json
from pathlib import Path

from ptc_fixture import ARTICLES, LABELS, write_split
from unspin.ptc.files import read_tc_labels
from unspin.techniques import BY_ID


def test_predict_writes_ptc_labels(tmp_path: Path, cli):
    split = write_split(tmp_path)
    out = tmp_path / "pred.txt"
    proc = cli("predict", str(split / "articles"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    rows = read_tc_labels(out)
    assert rows  # an empty file would pass the loop below
    for row in rows:
        assert row.article_id in ARTICLES and row.technique in BY_ID
        assert 0 <= row.start < row.end <= len(ARTICLES[row.article_id])


def test_classify_labels_every_template_line_in_order(tmp_path: Path, cli):
    split = write_split(tmp_path)
    out = tmp_path / "tc.txt"
    template = split / "tiny-task-tc-template.out"
    proc = cli("classify", str(split), str(template), "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    got = read_tc_labels(out)
    want = read_tc_labels(template)
    assert len(got) == len(LABELS)
    assert [(g.article_id, g.start, g.end) for g in got] == [(w.article_id, w.start, w.end) for w in want]
    assert all(g.technique in BY_ID for g in got)


def test_classify_rejects_unknown_article(tmp_path: Path, cli):
    split = write_split(tmp_path)
    bad = tmp_path / "bad.out"
    bad.write_text("999\t?\t0\t5\n")
    proc = cli("classify", str(split), str(bad), "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and b"999" in proc.stderr


def test_evaluate_prints_all_measures(tmp_path: Path, cli):
    split = write_split(tmp_path)
    out = tmp_path / "scores.json"
    proc = cli("evaluate", str(split), "--json", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    text = proc.stdout.decode()
    for label in ("SI", "FLC", "TC", "Sentence level", "Per technique"):
        assert label in text
    report = json.loads(out.read_text())
    assert report["tc"]["n"] == len(LABELS)
    assert report["sentence"]["n_sentences"] == sum(len(t.strip().splitlines()) - 1 for t in ARTICLES.values())


def test_evaluate_without_labels_is_a_user_error(tmp_path: Path, cli):
    split = write_split(tmp_path)
    (split / "tiny-task-flc-tc.labels").unlink()
    proc = cli("evaluate", str(split))
    assert proc.returncode == 2 and proc.stderr.decode().startswith("error:")
