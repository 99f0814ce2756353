"""The learned attribution tagger: its parts on toy inputs, and the shipped weights on passages written here."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.load.text import article_from_text
from unspin.sourcing import find_sourcing
from unspin.sourcing.features import Doc, _h, cue_features, mix, role_features_batch, role_window, word_states
from unspin.sourcing.layout import Layout
from unspin.sourcing.learn import LinearModel, fit, load, load_extra, save
from unspin.sourcing.quotes import find_quotes
from unspin.sourcing.tagger import MODEL_PATH, best_run, find_cues, models, states_model, tag, with_states


def doc_of(text: str) -> Doc:
    layout = Layout(text)
    return Doc(layout, [(q.start, q.end) for q in find_quotes(layout)])


# --- features: the weights file holds no vocabulary, so the hashes must never drift -------------

def test_feature_hashes_are_stable():
    assert _h("said") == 4013622486  # crc32
    assert int(mix(1, np.array([_h("said")], dtype=np.uint64))[0]) == 6742733300055015962


def test_features_have_one_row_per_token():
    d = doc_of("“We stay,” Ann Vale said. The council agreed.")
    x = cue_features(d)
    assert x.shape[0] == len(d.tokens) and x.dtype == np.uint64
    cs = d.forms.index("said")
    lo, hi = role_window(d, cs, cs + 1)
    assert lo <= cs < hi and role_features_batch(d, [(cs, cs + 1, lo, hi)]).shape[0] == hi - lo
    # the same word in the same context (two tokens either side) gives the same features, wherever it is
    again = doc_of("Intro line.\n\n“We stay,” Ann Vale said. The council agreed.")
    assert (cue_features(again)[-len(d.tokens) + 2 :] == x[2:]).all()
    assert not (cue_features(again)[-len(d.tokens) :][:2] == x[:2]).all()


# --- decoding ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "margin, run",
    [([], (0, 0)), ([-1.0, -2.0], (0, 0)), ([1.0, -5.0, 2.0], (2, 3)), ([1.0, -0.5, 2.0, -3.0], (0, 3))],
)
def test_best_run(margin, run):
    a, b, _ = best_run(np.array(margin, dtype=np.float32))
    assert (a, b) == run


def test_cue_runs_split_where_a_new_cue_begins():
    d = doc_of("Vale said yesterday.")
    k = len(d.tokens)
    # a model that calls 'said' B and 'yesterday' I, everything else O
    weights = np.zeros((1 << 10, 3), dtype=np.float32)
    model = LinearModel(weights, np.array([5.0, 0.0, 0.0], dtype=np.float32), ("O", "B", "I"))
    x = cue_features(d)
    said, later = d.forms.index("said"), d.forms.index("yesterday")
    weights[model.index(x[said])[1], 1] = 20.0  # template 1 is the word itself
    weights[model.index(x[later])[1], 2] = 20.0
    assert find_cues(d, model)[0][:2] == (said, later + 1)
    weights = weights.copy()
    weights[model.index(x[later])[1]] = [0.0, 20.0, 0.0]  # now 'yesterday' begins a cue of its own
    model = LinearModel(weights, model.bias, model.labels)
    assert [c[:2] for c in find_cues(doc_of("Vale said yesterday."), model)] == [(said, said + 1), (later, later + 1)]
    assert k == 4


# --- fitting -------------------------------------------------------------------------------------

def test_fit_learns_and_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 1 << 40, size=(600, 3), dtype=np.uint64)
    y = (x[:, 0] % 2).astype(np.int64)  # the label is carried by the first feature alone
    m = fit(x, y, ("no", "yes"), bits=14, epochs=5)
    assert (m.log_probs(x).argmax(axis=1) == y).mean() > 0.95
    path = tmp_path / "m.npz"
    save(str(path), {"toy": m}, {"note": "test"})
    back, meta = load(str(path))
    assert meta == {"note": "test"}
    assert np.allclose(back["toy"].scores(x), m.scores(x), atol=0.05)  # float16 storage


def test_fit_learns_dense_features_and_round_trips(tmp_path):
    """A model with dense features (the detector's token states) learns a label only they carry; saved, it
    keeps its dense weights and the arrays saved beside it; scored without dense features they add nothing."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 4, size=(800, 3), dtype=np.uint64)  # noise, too coarse to tell rows apart
    dense = rng.normal(size=(800, 8)).astype(np.float32)
    y = (dense[:, 3] > 0).astype(np.int64)
    m = fit(x, y, ("no", "yes"), bits=12, epochs=5, dense=dense, dense_rate=0.1)
    assert m.dense is not None and m.dense.shape == (8, 2)
    assert (m.log_probs(x, dense).argmax(axis=1) == y).mean() > 0.9
    assert (m.log_probs(x).argmax(axis=1) == y).mean() < 0.7  # without the dense features, no signal
    path = tmp_path / "m.npz"
    save(str(path), {"toy": m}, {}, {"proj": np.eye(3, dtype=np.float32)})
    back, _ = load(str(path))
    assert back["toy"].dense is not None and np.allclose(back["toy"].scores(x, dense), m.scores(x, dense), atol=0.05)
    assert set(load_extra(str(path))) == {"proj"} and set(back) == {"toy"}


def test_word_states_average_the_pieces_of_each_token():
    d = doc_of("Unbelievably good.")
    assert [t.text for t in d.tokens] == ["Unbelievably", "good", "."]
    pieces = np.array([[0, 2], [2, 12], [13, 17], [17, 18]])
    states = np.array([[1.0], [3.0], [5.0], [7.0]], dtype=np.float32)
    assert word_states(d, states, pieces)[:, 0].tolist() == [2.0, 5.0, 7.0]
    assert word_states(d, states[2:], pieces[2:])[:, 0].tolist() == [0.0, 5.0, 7.0]  # no piece: zeros


# --- the shipped weights -------------------------------------------------------------------------

def test_weights_are_shipped_and_small():
    assert MODEL_PATH.exists() and MODEL_PATH.stat().st_size < 6_500_000
    assert set(models() or {}) == {"cue", "role", "verify", "cue_s", "role_s", "verify_s"}
    assert {"states_mean", "states_proj"} <= set(load_extra(str(MODEL_PATH)))


def test_a_model_file_without_state_models_ignores_states(tmp_path):
    sparse = {n: m for n, m in (models() or {}).items() if not n.endswith("_s")}
    path = tmp_path / "sparse.npz"
    save(str(path), sparse, {})
    d = doc_of("The mayor believes that the bridge can be saved.")
    with_states(d, np.ones((3, 384), dtype=np.float32), np.array([[0, 3], [4, 9], [10, 18]]), path=path)
    assert d.states is None and tag(d, path=path) == tag(doc_of(d.layout.text), path=path)
    assert states_model(path) is None


def test_the_shipped_tagger_reads_the_shipped_detectors_states(analyzer):
    """The state-reading models name the detector whose states they were fitted to; the pipeline hands states
    over only to a tagger fitted to its own detector (a retrained detector needs a retrained tagger)."""
    assert states_model() == f"{analyzer.model.name} {analyzer.model.version}"


def test_no_weights_no_tagger(tmp_path):
    d = doc_of("The mayor believes that the bridge can be saved.")
    assert tag(d)
    assert tag(d, path=tmp_path / "missing.npz") == []


@pytest.mark.parametrize(
    "text, source, claim",
    [
        # thought and stance verbs outside the rules' list
        ("The mayor believes that the bridge can be saved.", "The mayor", "the bridge can be saved"),
        ("Union leaders fear the plant will close before winter.", "Union leaders", "the plant will close"),
        ("Most economists think the tariff will raise prices.", "Most economists", "the tariff will raise prices"),
    ],
)
def test_tagger_finds_what_the_verb_list_misses(text, source, claim):
    s = find_sourcing(article_from_text(text))
    tagged = [a for a in s.attributions if a.how == "tagger"]
    assert tagged and tagged[0].source == source and claim in tagged[0].claim


def test_an_analysis_feeds_the_detectors_states_to_the_tagger(analyzer, example_path):
    """The pipeline hands the detector's token states to sourcing, whose tagger then reads them: the
    analysis's sourcing is what `find_sourcing` gives with the states, and differs from what it gives without
    (on the bundled example the state-reading tagger finds "critics call ...", the other a council that
    "voted")."""
    text = example_path.read_text(encoding="utf-8")
    article = article_from_text(text)
    view = analyzer.detector.token_view(text)
    with_states_ = find_sourcing(article, states=(view.states, view.enc.offsets))
    assert analyzer.analyze(article).sourcing == with_states_
    assert find_sourcing(article) != with_states_
    assert ("critics", "call") in [(a.source, a.verb) for a in with_states_.attributions]


def test_a_tagged_source_never_ends_on_an_article():
    """'said a' (the role model's best run stopped at the article) runs on to 'a homeless man', over words the
    model does not rule out, and stops at the relative pronoun; a source ending on a noun stays as it is; a
    source right after its determiner takes it in ('his operatives')."""
    from unspin.sourcing.tagger import _whole_phrase

    d = doc_of("“No,” said a homeless man who sleeps here.")
    a = d.forms.index("a")
    margin = np.full(len(d), -1.0, dtype=np.float32)
    assert _whole_phrase(d, (a, a + 1), margin, 0, -3.0) == (a, a + 3)
    assert _whole_phrase(d, (a, a + 1), np.full(len(d), -5.0, dtype=np.float32), 0, -3.0) == (a, a + 1)
    assert _whole_phrase(d, (a, a + 3), margin, 0, -3.0) == (a, a + 3)
    d = doc_of("In Cleveland his operatives forced a change.")
    k = d.forms.index("operatives")
    assert _whole_phrase(d, (k, k + 1), margin[: len(d)], 0, -3.0) == (k - 1, k + 1)  # it opens with 'his'


def test_role_scores_without_features_match_the_features_fitted_on(analyzer, example_path):
    """At run time the role model's dense part is applied block by block (`role_dense_scores`); it must give what
    the features it was fitted on (`role_dense_batch`) give, or the shipped weights would be read wrongly."""
    from unspin.sourcing.features import role_dense_batch, role_dense_scores

    text = example_path.read_text(encoding="utf-8")
    view = analyzer.detector.token_view(text)
    d = with_states(doc_of(text), view.states, view.enc.offsets)
    cues = [(k, k + 1, *role_window(d, k, k + 1)) for k in range(3, len(d), 29)]
    w = (models() or {})["role_s"].dense
    assert w is not None and d.states is not None
    assert np.allclose(role_dense_batch(d, cues) @ w, role_dense_scores(d, cues, w), atol=1e-4)
