"""Rules from the speed work (issue 18): results do not depend on grouping, long articles cost
linear time, every native thread pool is held to what the process was given."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from unspin.detect.encoding import sentence_windows, token_starts, windows
from unspin.detect.features import PhraseCounts
from unspin.detect.runtime import OVERLAP

PARA = "The shameful and corrupt regime keeps lying to the people about the disastrous war, officials said. "


def _text_of_tokens(det, n_tokens: int) -> str:
    """A text of exactly n_tokens word pieces (words that are one token each)."""
    words = "the people said that a war was over and the council did not know".split()
    text = " ".join(words[i % len(words)] for i in range(n_tokens))
    assert len(det.token_view(text).enc) == n_tokens
    return text


def test_a_window_reads_the_same_whatever_else_the_article_holds(analyzer):
    """A window's token states depend on its own tokens only, not on the windows around it: batched windows
    with dynamic int8 changed states by up to 0.5 (per-tensor activation scales, padding)."""
    det = analyzer.detector
    alone = _text_of_tokens(det, det.window)
    longer = alone + "\n" + "\n".join([PARA] * 30)
    a, b = det.token_view(alone), det.token_view(longer)
    assert len(windows(len(b.enc), det.window, det.window - OVERLAP)) > 3
    shared = det.window - OVERLAP  # the first window's tokens that no other window reads
    assert np.array_equal(a.states[:shared], b.states[:shared])


def test_an_article_gives_the_same_spans_alone_and_in_a_batch(analyzer, tmp_path: Path, cli):
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text

    texts = ["A Long Title\n\n" + "\n".join([PARA * 3] * 12), "Short Title\n\n" + PARA * 2,
             "Third Title\n\nThe traitors want to destroy our great nation, the senator shouted.\n"]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    db = tmp_path / "s.duckdb"
    proc = cli("batch", str(corpus), "--db", str(db), "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    with Store(db, read_only=True) as store:
        for i, t in enumerate(texts):
            stored = store.get_result(f"a{i}")
            alone = analyzer.analyze(article_from_text(t))
            assert stored is not None and stored.spans, f"a{i}"
            assert [(s.start, s.end, s.technique, s.confidence) for s in stored.spans] == [
                (s.start, s.end, s.technique, s.confidence) for s in alone.spans
            ]


def test_phrase_counts_are_exactly_str_count():
    rng = random.Random(7)
    for _ in range(2000):
        alphabet = rng.choice(["ab ", "abc .", "a"])  # "a" and "ab a" make matches that overlap
        low = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        counts = PhraseCounts(low)
        for _ in range(5):
            p = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
            i = rng.randint(0, len(low))
            assert counts.before(p, i) == low[:i].count(p), (low, p, i)
            assert counts.after(p, i) == low[i:].count(p), (low, p, i)


def _best(fn, n: int = 3) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def test_explaining_a_long_article_costs_the_same_per_character():
    """Explanations counted earlier uses by lowering and slicing the whole text for every span: 402 ms for a
    30,000-word article, 49 ms for 10,000. With one PhraseCounts per article the cost grows with the length."""
    from unspin.article import Span
    from unspin.explain import explain

    words = [f"w{i % 5000}" for i in range(40000)]
    runs = []
    for text in (" ".join(words[:1500]), " ".join(words)):
        spans = [Span(i, i + 25, "Loaded_Language", 0.8) for i in range(0, len(text) - 30, 100)]

        def run(t: str = text, s: list[Span] = spans) -> None:
            counts = PhraseCounts(t.lower())
            for x in s:
                explain(x, t, counts)

        runs.append((run, len(text)))
    best = [float("inf"), float("inf")]
    for _ in range(5):  # alternate, so a busy moment on a shared machine does not fall on one side only
        for k, (run, n) in enumerate(runs):
            best[k] = min(best[k], _best(run, 1) / n)
    cost = best
    assert cost[1] < 10 * cost[0], cost  # the text is 29x longer; lowering and slicing per span: 25x dearer per character


def test_sentence_scores_are_not_quadratic():
    from unspin.article import Sentence, Span
    from unspin.score import sentence_scores

    sents = [Sentence(i * 10, i * 10 + 9) for i in range(40000)]
    spans = [Span(i * 20 + 2, i * 20 + 14, "Doubt", 0.5 + (i % 7) / 20) for i in range(20000)]
    t = _best(lambda: sentence_scores(sents, spans), 1)
    assert t < 2.0, t  # the old loop over every earlier span per sentence: about 10^8 steps
    assert sents[0].score == 0.5 and sents[1].score == 0.5 and sents[2].score == 0.55
    small = [Sentence(0, 5), Sentence(6, 20), Sentence(21, 30)]
    sentence_scores(small, [Span(4, 8, "Doubt", 0.3), Span(7, 9, "Doubt", 0.9), Span(25, 40, "Doubt", 0.2)])
    assert [s.score for s in small] == [0.3, 0.9, 0.2]


def test_sentence_windows_cover_the_text_and_end_at_sentences():
    breaks = list(range(0, 1000, 37))[1:]
    plan = sentence_windows(1000, breaks, 254, 32)
    assert plan[0][0] == 0 and plan[-1][1] == 1000
    for (a, b), (c, _) in zip(plan, plan[1:], strict=False):
        assert b - a <= 254 and b in breaks and c == b
    # a sentence longer than half a window is cut at the window size, with an overlap after the cut
    assert sentence_windows(600, [500], 254, 32)[:2] == [(0, 254), (222, 476)]
    assert token_starts(np.array([[0, 3], [4, 8], [9, 12]]), [0, 4, 5, 20]) == [1, 2]


def test_sourcing_takes_its_ranges_from_the_article_tokens():
    from unspin.sourcing.layout import Layout, tokens

    text = "Mr. O'Neill said: “U.S. aid – late.” Then the Harbour Times (a paper) wrote it.\n\nNew line here."
    layout = Layout(text)
    rng = random.Random(3)
    for _ in range(500):
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        assert layout.tokens_in(a, b) == tokens(text, a, b), (a, b)


def test_an_analyzer_holds_native_pools_to_its_threads():
    """numpy's BLAS started a thread per core for the heads, so a one-thread analysis used 1.4 cores."""
    code = (
        "import numpy, threadpoolctl, os\n"
        "from unspin.pipeline import Analyzer\n"
        "an = Analyzer(threads=1)\n"
        "blas = [p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
        "print(blas, os.environ['RAYON_NUM_THREADS'], an.detector.session.get_session_options().intra_op_num_threads)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "OPENBLAS_NUM_THREADS": "4", "RAYON_NUM_THREADS": "4"})
    blas, rayon, ort = out.stdout.rsplit(" ", 2)
    assert json.loads(blas) and set(json.loads(blas)) == {1}, out.stdout
    assert rayon == "1" and ort.strip() == "1"


def test_ranges_answer_as_the_scan_over_all_ranges_did():
    """Sourcing asked `any(a <= pos < b for a, b in ranges)` for every name and event: quotes x names grew with
    the square of a long article (sourcing 0.15 -> 0.24 ms a word from 1,000 to 30,000 words)."""
    from unspin.sourcing.layout import Ranges

    rng = random.Random(5)
    for _ in range(300):
        ranges = [(a, a + rng.randint(-2, 8)) for a in (rng.randint(0, 60) for _ in range(rng.randint(0, 8)))]
        inside = Ranges(ranges)
        for pos in range(-2, 72):
            assert (pos in inside) == any(a <= pos < b for a, b in ranges), (ranges, pos)
