"""The annotated passages stay above the quality floor (bench/sourcing_eval.py scores them)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sourcing_eval import DATA, evaluate  # noqa: E402


def test_quality_floor_on_every_split():
    totals, sizes, _ = evaluate(DATA)
    assert sizes["dev"] >= 20 and sizes["heldout"] >= 10
    for split in ("dev", "heldout"):
        for element in ("quotes (exact)", "speakers"):
            c = totals[split][element]
            assert c.p() >= 0.9 and c.r() >= 0.8, (split, element, c.p(), c.r())
        for element in ("attributions", "anonymous", "provenance"):
            c = totals[split][element]
            assert c.p() >= 0.7 and c.r() >= 0.6, (split, element, c.p(), c.r())


def test_scorer_penalises_wrong_output(tmp_path):
    """A gold set that disagrees with the rules must score below 1: the scorer can fail."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x1", "split": "dev", "text": "\\u201cWe won,\\u201d Ana Bell said.", '
        '"quotes": [{"text": "\\u201cWe won,\\u201d", "speaker": "Somebody Else"}], "attributions": [], '
        '"anonymous": [{"text": "Ana Bell"}], "provenance": []}\n',
        encoding="utf-8",
    )
    totals, _, errors = evaluate(bad)
    assert totals["dev"]["quotes (exact)"].p() == 1.0
    assert totals["dev"]["speakers"].p() == 0.0 and totals["dev"]["speakers"].r() == 0.0
    assert totals["dev"]["anonymous"].r() == 0.0
    assert any("speaker" in e for e in errors)
