"""The reader's numbers: spin density's place in the reference, confidence bands, the why of a span,
and analyses kept by content key (in a folder, or in a real DuckDB store, also while a writer holds it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from unspin.article import Span
from unspin.confidence import Bands, choose_bands, load_bands, times_in_ten
from unspin.detect.runtime import DEFAULT_MODEL_DIR
from unspin.explain import occurrences, why
from unspin.reference import Reference, build_reference, load_reference
from unspin.saved_results import SavedResults, content_key


def test_share_below_and_above_count_ties_apart() -> None:
    # a corpus where a fifth of the articles have no spin at all
    ref = build_reference([0.0] * 20 + list(np.linspace(0.5, 10, 80)), outlets=3, corpus="test", model_name="m",
                          model_version="1")
    assert ref.share_below(0.0) == 0.0 and ref.share_above(0.0) == pytest.approx(0.8, abs=0.01)
    assert ref.share_below(100) == 1.0 and ref.share_above(100) == 0.0
    mid = ref.share_below(5.0)
    assert 0.55 < mid < 0.65 and ref.share_above(5.0) == pytest.approx(1 - mid, abs=0.01)
    assert ref.label == "100 news articles from 3 outlets"
    again = Reference.from_dict(json.loads(json.dumps(ref.to_dict())))
    assert again == ref


def test_the_shipped_reference_is_for_the_shipped_model(tmp_path: Path) -> None:
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    ref = load_reference(DEFAULT_MODEL_DIR, meta["version"])
    assert ref is not None and ref.articles >= 400 and ref.outlets > 10 and len(ref.quantiles) == 1001
    assert list(ref.quantiles) == sorted(ref.quantiles)
    assert load_reference(DEFAULT_MODEL_DIR, "another version") is None  # never placed against another model's


def test_bands_are_chosen_from_measured_precision() -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(0, 0.7, 4000)
    right = (rng.uniform(size=conf.size) < conf).astype(float)  # calibrated: right with probability conf
    bands = choose_bands(conf, right, right, threshold=0.1, measured_on="synthetic")
    names = [b.name for b in bands.bands]
    assert names == ["likely", "possible", "weak", "faint"]
    likely, possible, weak, faint = bands.bands
    assert likely.precision >= 0.5 and possible.precision >= 0.3 and weak.low == 0.1 and faint.low == 0.0
    for b in bands.bands:  # each band's precision is what its spans measured
        upper = min((x.low for x in bands.bands if x.low > b.low), default=1.0)
        m = (conf >= b.low) & (conf < upper)
        assert b.spans == int(m.sum()) and b.precision == pytest.approx(right[m].mean(), abs=1e-4)
    assert bands.band(0.65).name == "likely" and bands.band(0.05).name == "faint"
    assert Bands.from_dict(bands.to_dict()) == bands


def test_the_shipped_bands() -> None:
    bands = load_bands(DEFAULT_MODEL_DIR)
    assert 0 < bands.display_threshold < 0.5 and bands.spans > 1000
    assert [b.name for b in bands.bands][0] == "likely" and bands.bands[-1].low == 0.0
    assert bands.bands[0].precision > bands.bands[-1].precision
    assert times_in_ten(0.62) == "about 6 times in 10" and times_in_ten(0.14) == "about 1 time in 7"


def _span(text: str, phrase: str, technique: str, cue: str | None = None) -> Span:
    a = text.index(phrase)
    c = text.index(cue, a) if cue else None
    return Span(a, a + len(phrase), technique, 0.3, phrase, "", c, c + len(cue) if cue else None)


def test_why_names_what_to_check(analyzer) -> None:
    from unspin.load.text import article_from_text

    text = ("Bridge vote\n\n"
            "\"Every engineer agrees this bridge is safe,\" said Dr Ana Ruiz, the county's chief engineer. "
            "Either we build it now or the town dies. The plan is a betrayal, a betrayal of every family. "
            "Officials who asked not to be named said experts back the plan.\n")
    sourcing = analyzer.analyze(article_from_text(text)).sourcing
    authority = why(_span(text, "Every engineer agrees", "Appeal_to_Authority"), text, sourcing)
    assert "Ana Ruiz" in authority and "expert" in authority
    unnamed = why(_span(text, "experts back the plan", "Appeal_to_Authority"), text, sourcing)
    assert "not named" in unnamed
    options = why(_span(text, "Either we build it now or the town dies", "Black-and-White_Fallacy"), text, sourcing)
    assert "“we build it now”" in options and "“the town dies”" in options and "other outcomes" in options
    assert "occurs 2 times" in why(_span(text, "a betrayal", "Repetition"), text, sourcing)
    loaded = why(_span(text, "The plan is a betrayal", "Loaded_Language", cue="betrayal"), text, sourcing)
    assert loaded.startswith("“betrayal” carries it") and "neutral words" in loaded
    quoted = why(_span(text, "this bridge is safe", "Loaded_Language", cue="safe"), text, sourcing)
    assert "inside a quote from Ana Ruiz" in quoted or "inside a quote from Dr Ana Ruiz" in quoted
    assert occurrences("A betrayal. A BETRAYAL, betrayals.", "a betrayal") == 2


def test_folder_keeps_results_by_content_key(analyzer, tmp_path: Path) -> None:
    from unspin.load.text import article_from_text

    result = analyzer.analyze(article_from_text("A title\n\nThe reckless council betrayed us all.\n"))
    saved = SavedResults(tmp_path / "saved", model_version=result.model.version)
    key = saved.save(result)
    assert key == content_key(result.article.text) == result.article.id
    assert saved.save(result) == key and len(list((tmp_path / "saved").iterdir())) == 1  # written once
    again = SavedResults(tmp_path / "saved", model_version=result.model.version).load(key)
    assert again is not None and again.to_dict() == result.to_dict()
    assert saved.load("0" * 16) is None
    with pytest.raises(Exception, match="not an analysis key"):
        saved.load("../etc/passwd")


def test_the_db_store_keeps_them_and_a_busy_store_falls_back_to_the_folder(analyzer, tmp_path: Path) -> None:
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text

    db = tmp_path / "corpus.duckdb"
    with Store(db):
        pass
    first = analyzer.analyze(article_from_text("One\n\nThe shameless mayor lied again.\n"))
    saved = SavedResults(tmp_path / "saved", db, first.model.version)
    key = saved.save(first)
    assert not (tmp_path / "saved").exists()
    with Store(db, read_only=True) as s:
        assert s.count() == 1
    second = analyzer.analyze(article_from_text("Two\n\nThe disastrous plan will ruin us.\n"))
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys; from unspin.corpus.store import Store; s = Store(sys.argv[1]); "
         "print('ready', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        key2 = saved.save(second)  # the batch writer holds the store: kept in the folder instead
        assert (tmp_path / "saved").is_dir()
        assert saved.load(key2) is not None
        with pytest.raises(Exception, match="store is unavailable"):
            saved.load(key)  # only in the store, which cannot be opened now: a clear 503, not a 404
    finally:
        writer.communicate("", timeout=30)
    assert saved.load(key) is not None and saved.load(key2) is not None


def test_the_reference_script_agrees_from_a_store_and_directly(analyzer, tmp_path: Path) -> None:
    """bench/reference_distribution.py gives the same reference from a batch store as from the corpus itself."""
    from story_texts import BRIDGE

    corpus = tmp_path / "feed.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"r{k}", "title": t.split("\n\n")[0], "text": t.split("\n\n", 1)[1],
                                          "outlet": o}) + "\n" for k, (o, t) in enumerate(BRIDGE.items())))
    db = tmp_path / "feed.duckdb"
    env = {**__import__("os").environ, "NO_COLOR": "1"}
    batch = subprocess.run([sys.executable, "-m", "unspin", "batch", str(corpus), "--db", str(db), "--workers", "1",
                            "-q"], capture_output=True, env=env, timeout=300)
    assert batch.returncode == 0, batch.stderr.decode()
    script = Path(__file__).resolve().parent.parent / "bench" / "reference_distribution.py"
    refs = []
    for source in (["--db", str(db)], ["--jsonl", str(corpus)]):
        out = tmp_path / f"ref{len(refs)}.json"
        proc = subprocess.run([sys.executable, str(script), *source, "--out", str(out)], capture_output=True, env=env,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr.decode()
        refs.append(json.loads(out.read_text()))
    assert refs[0]["articles"] == refs[1]["articles"] == len(BRIDGE) and refs[0]["outlets"] == len(BRIDGE)
    assert refs[0]["quantiles"] == refs[1]["quantiles"]
    assert refs[0]["model"] == {"name": analyzer.model.name, "version": analyzer.model.version}
    # and what it holds is the spin density of those articles, from every span (no display threshold)
    from unspin.corpus.store import Store

    with Store(db, read_only=True) as s:
        densities = sorted(s.get_result(f"r{k}").score for k in range(len(BRIDGE)))
    assert refs[0]["quantiles"][0] == pytest.approx(densities[0], abs=1e-3)
    assert refs[0]["quantiles"][-1] == pytest.approx(densities[-1], abs=1e-3)
