"""The scorers on hand-made cases, with the expected values worked out by hand."""

import pytest

from unspin.ptc.evaluate import LabeledSpan as L
from unspin.ptc.evaluate import flc_scores, merge, sentence_scores, si_scores, tc_scores


def test_merge_overlapping_only():
    assert merge([(5, 10), (0, 3), (8, 12), (12, 14)]) == [(0, 3), (5, 12), (12, 14)]


def test_si_exact_match_is_perfect():
    gold = [L("1", 0, 10), L("1", 20, 30)]
    assert si_scores(gold, gold)["f1"] == pytest.approx(1.0)


def test_si_partial_overlap_credit():
    # pred [0,10) vs gold [5,25): intersection 5 -> P = 5/10, R = 5/20
    r = si_scores([L("1", 0, 10)], [L("1", 5, 25)])
    assert r["precision"] == pytest.approx(0.5)
    assert r["recall"] == pytest.approx(0.25)
    assert r["f1"] == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_si_merges_gold_of_different_techniques_and_separates_articles():
    gold = [L("1", 0, 10, "Doubt"), L("1", 5, 20, "Slogans"), L("2", 0, 10, "Doubt")]
    pred = [L("1", 0, 20, "Repetition")]
    r = si_scores(pred, gold)
    assert r["n_gold"] == 2  # [0,20) in article 1, [0,10) in article 2
    assert r["precision"] == pytest.approx(1.0)
    assert r["recall"] == pytest.approx(0.5)


def test_flc_needs_matching_technique():
    gold = [L("1", 0, 10, "Doubt")]
    assert flc_scores([L("1", 0, 10, "Slogans")], gold)["f1"] == 0.0
    r = flc_scores([L("1", 0, 10, "Doubt"), L("1", 0, 10, "Slogans")], gold)
    assert r["precision"] == pytest.approx(0.5) and r["recall"] == pytest.approx(1.0)
    assert r["per_technique"]["Doubt"]["f1"] == pytest.approx(1.0)
    assert r["per_technique"]["Slogans"]["f1"] == 0.0


def test_tc_micro_f1_is_accuracy():
    r = tc_scores(["Doubt", "Slogans", "Doubt"], ["Doubt", "Doubt", "Doubt"])
    assert r["micro_f1"] == pytest.approx(2 / 3)
    assert r["per_technique"]["Doubt"]["precision"] == pytest.approx(1.0)
    assert r["per_technique"]["Doubt"]["recall"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        tc_scores(["Doubt"], [])


def test_sentence_level():
    sents = [("1", 0, 10), ("1", 11, 20), ("1", 21, 30)]
    gold = [L("1", 2, 5), L("1", 12, 14)]
    pred = [L("1", 3, 4), L("1", 25, 28)]
    r = sentence_scores(sents, pred, gold)
    assert r["precision"] == pytest.approx(0.5) and r["recall"] == pytest.approx(0.5)


def test_empty_prediction_scores_zero():
    assert si_scores([], [L("1", 0, 3)])["f1"] == 0.0
