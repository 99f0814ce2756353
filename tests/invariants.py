"""The rules every result obeys, checked on its JSON form (`Result.to_dict()`, the CLI's and the API's output).

One checker for every test that produces a result, so a broken rule fails wherever results are made:
- each span, sentence, quote, attribution, anonymous source and provenance mention slices back to its text
  (offsets are str indices into `article.text`, end exclusive);
- span techniques are known PTC techniques, confidences are in [0, 1], spans are sorted by (start, end);
- sentences are in order and do not overlap; each scores the highest confidence of a span it overlaps, overall and
  per technique (spans below `shown.min_confidence` are not listed but still count: a sentence whose best span is
  hidden scores below that threshold);
- the article score is spin density: expected propaganda phrases (the sum of the span confidences) per 1,000 words
  outside direct quotes; with every span listed it is recomputed exactly, else the listed spans give a lower bound.
"""

from __future__ import annotations

from typing import Any

from unspin.density import spin_density
from unspin.techniques import TECHNIQUE_IDS


def _slices(text: str, start: int, end: int, expected: str, what: object) -> None:
    assert 0 <= start <= end <= len(text), (what, start, end, len(text))
    assert text[start:end] == expected, what


def check_sourcing(text: str, d: dict[str, Any]) -> None:
    """Sourcing elements (`Sourcing.to_dict()`) slice back into `text`."""
    for key in ("quotes", "attributions", "anonymous_sources", "provenance"):
        for el in d[key]:
            assert el["start"] < el["end"], (key, el)
            _slices(text, el["start"], el["end"], el["text"], (key, el))
    for q in d["quotes"]:
        if q["speaker_start"] is not None:
            _slices(text, q["speaker_start"], q["speaker_end"], q["speaker_text"], q)
        for a, b in q["parts"]:
            assert q["start"] <= a < b <= q["end"], q
    for a in d["attributions"]:
        _slices(text, a["source_start"], a["source_end"], a["source"], a)
        _slices(text, a["claim_start"], a["claim_end"], a["claim"], a)


def check_result(d: dict[str, Any]) -> None:
    """Assert every rule above on one result dict."""
    text = d["article"]["text"]
    spans, sentences = d["spans"], d["sentences"]
    for s in spans:
        assert s["start"] < s["end"], s
        _slices(text, s["start"], s["end"], s["text"], s)
        assert s["technique"] in TECHNIQUE_IDS, s
        assert 0.0 <= s["confidence"] <= 1.0, s
    assert [(s["start"], s["end"]) for s in spans] == sorted((s["start"], s["end"]) for s in spans)
    shown = d.get("shown", {"min_confidence": 0.0, "hidden_spans": 0})
    threshold, everything = shown["min_confidence"], shown["hidden_spans"] == 0
    for s in spans:
        if s.get("cue_start") is not None:
            assert s["start"] <= s["cue_start"] < s["cue_end"] <= s["end"], s
    for s in sentences:
        assert 0 <= s["start"] < s["end"] <= len(text), s
        inside = [sp for sp in spans if sp["start"] < s["end"] and sp["end"] > s["start"]]
        best = max((sp["confidence"] for sp in inside), default=0.0)
        if inside or everything:
            assert abs(s["score"] - best) < 1e-4, (s, best)
        else:
            assert s["score"] < threshold + 1e-9, (s, threshold)
        for t in {sp["technique"] for sp in inside}:
            assert abs(s["techniques"][t] - max(sp["confidence"] for sp in inside if sp["technique"] == t)) < 1e-4, s
        if everything:
            assert set(s["techniques"]) == {sp["technique"] for sp in inside}, s
    for a, b in zip(sentences, sentences[1:], strict=False):
        assert a["end"] <= b["start"], (a, b)
    quotes = [(q["start"], q["end"]) for q in (d.get("sourcing") or {}).get("quotes", [])]
    listed = spin_density(text, [(sp["start"], sp["end"], sp["confidence"]) for sp in spans], quotes)
    if everything:
        assert abs(d["score"] - listed.density) < 1e-3, (d["score"], listed)
    else:
        assert d["score"] >= listed.density - 1e-3, (d["score"], listed)
    detail = d["score_detail"]
    assert detail["density"] == d["score"] and detail["words"] + detail["quoted_words"] == len(text.split()), detail
    if d.get("sourcing") is not None:
        check_sourcing(text, d["sourcing"])
