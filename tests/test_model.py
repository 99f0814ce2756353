"""The shipped model: it loads, runs offline without torch, and windows long text."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from invariants import check_result
from unspin.detect.encoding import WINDOW, windows
from unspin.detect.runtime import DEFAULT_MODEL_DIR, Detector
from unspin.errors import ModelError


def test_shipped_model_files_are_small_and_complete():
    for name in ("model.onnx", "heads.npz", "tokenizer.json", "meta.json"):
        assert (DEFAULT_MODEL_DIR / name).exists(), name
    assert (DEFAULT_MODEL_DIR / "model.onnx").stat().st_size <= 30 * 1024 * 1024
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    assert meta["name"] and meta["version"]


def test_analyze_never_imports_torch(example_path):
    code = (
        "import sys, unspin.pipeline as p, unspin.load as l;"
        f"r = p.analyze(l.load_source({str(example_path)!r}));"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported';"
        "print(len(r.sentences))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 5


def test_windows_cover_everything_with_overlap():
    assert windows(0) == []
    assert windows(10) == [(0, 10)]
    ws = windows(1000, WINDOW, WINDOW - 32)
    assert ws[0][0] == 0 and ws[-1][1] == 1000
    for (_, b), (c, d) in zip(ws, ws[1:], strict=False):
        assert c < b <= d and (b - c == 32 or d == 1000)
    first = windows(1000, WINDOW, first=100)
    assert first[0] == (0, 100) and first[1][0] == 100


def test_long_article_is_analysed_across_window_edges(analyzer):
    from unspin.load.text import article_from_text

    para = "The shameful and corrupt regime keeps lying to the people about the disastrous war. "
    text = "A Long Title\n\n" + "\n".join(para * 3 for _ in range(40)) + "\n"
    det = analyzer.detector
    view = det.token_view(text)
    assert len(view.enc) > 4 * WINDOW
    assert view.states.shape == (len(view.enc), 384)
    assert np.isfinite(view.states).all() and (np.abs(view.states).sum(1) > 0).all()
    result = analyzer.analyze(article_from_text(text))
    last_sentence = result.sentences[-1]
    assert last_sentence.end == len(text.rstrip())
    check_result(result.to_dict())


def test_tokens_map_back_to_text(analyzer):
    text = "Naïve “quotes” — and emoji 🙂 don’t shift offsets."
    enc = analyzer.detector.token_view(text).enc
    for a, b in enc.offsets:
        assert 0 <= a < b <= len(text) and text[a:b].strip()


def test_missing_model_dir_is_a_user_error(tmp_path):
    try:
        Detector(tmp_path)
    except ModelError as e:
        assert "model.onnx" in str(e)
    else:
        raise AssertionError("expected ModelError")


def test_repetition_rule_labels_repeated_phrases(analyzer):
    import numpy as np

    from unspin.detect.runtime import RawSpan
    from unspin.techniques import TECHNIQUE_IDS

    det = analyzer.detector
    text = "Take notice. They lie. Take notice, friends, and take notice again. Retake noticeboards."
    tech = np.zeros(14, dtype=np.float32)
    tech[TECHNIQUE_IDS.index("Appeal_to_Authority")] = 0.9  # deliberately not Repetition
    raw = [RawSpan(0, 11, 0.8, tech)]
    off = det.label_spans(text, raw, {"second_label": 1.01, "repetition_min_count": 0})
    assert [t for *_, t, _ in off] == ["Appeal_to_Authority"]
    on = det.label_spans(text, raw, {"second_label": 1.01, "repetition_min_count": 3, "repetition_spread": 1})
    reps = sorted((a, b) for a, b, t, _ in on if t == "Repetition")
    assert [text[a:b] for a, b in reps] == ["Take notice", "Take notice", "take notice"]
    assert det.label_spans(text, raw, {"second_label": 1.01, "repetition_min_count": 4}) == off
