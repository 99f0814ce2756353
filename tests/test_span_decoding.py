"""Decoding a reader can trust: whole words, never only function words, Repetition only where repeated."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.detect.decode import repeated_elsewhere, run_to_span
from unspin.detect.encoding import encode
from unspin.detect.runtime import RawSpan, TokenView
from unspin.detect.words import content_words, cuts_a_word, has_content, snap_to_words, words
from unspin.techniques import TECHNIQUE_IDS

TEXT = "A shake-up of Bush-era black sites: Trump's aides won't say, O'Brien said in 2016."


def _at(text: str, piece: str) -> tuple[int, int]:
    i = text.index(piece)
    return i, i + len(piece)


@pytest.mark.parametrize(
    ("piece", "whole"),
    [("up", "shake-up"), ("shake", "shake-up"), ("era", "Bush-era"), ("Bu", "Bush-era"), ("won", "won't"),
     ("Brien", "O'Brien"), ("Trump", "Trump's"), ("black", "black"), ("sites", "sites")],
)
def test_a_span_never_holds_part_of_a_word(piece: str, whole: str):
    s, e = snap_to_words(TEXT, *_at(TEXT, piece))
    assert TEXT[s:e] == whole
    assert cuts_a_word(TEXT, *_at(TEXT, piece)) == (piece != whole)


def test_punctuation_between_words_is_not_a_joiner():
    text = "a 'quoted' word -- and a dash - here"
    assert TEXT[slice(*snap_to_words(TEXT, *_at(TEXT, "black sites")))] == "black sites"
    assert text[slice(*snap_to_words(text, *_at(text, "quoted")))] == "quoted"
    assert words(text) == ["a", "quoted", "word", "and", "a", "dash", "here"]


def test_function_words_digits_and_punctuation_carry_no_content():
    for empty in ("the", "in", "a", "of the", "2016", "—", "it is", "’s", "U.S"[0:0]):
        assert not has_content(empty), empty
    for full in ("corrupt", "the corrupt elites", "never", "NO", "Why?", "our nation", "2016 election"):
        assert has_content(full), full
    assert content_words("Trump's aides won't say") == ["trump", "aides", "won't", "say"]


def test_runs_become_whole_word_spans_with_content():
    assert TEXT[slice(*run_to_span(TEXT, *_at(TEXT, "up")))] == "shake-up"
    assert run_to_span(TEXT, *_at(TEXT, "of")) is None  # only a function word
    assert run_to_span(TEXT, *_at(TEXT, "2016")) is None  # only digits
    dash = "He said \u2014 and left."
    assert run_to_span(dash, *_at(dash, "\u2014")) is None  # only punctuation
    assert TEXT[slice(*run_to_span(TEXT, *_at(TEXT, ":")))] == "sites"  # punctuation against a word takes it


def test_repetition_needs_a_content_word_used_again():
    text = "The invasion was illegal. Critics say the invasion must end. In the end, the vote."
    assert repeated_elsewhere(text, *_at(text, "illegal. Critics say the invasion"))
    first = _at(text, "The invasion")
    assert repeated_elsewhere(text, *first)  # "invasion" again later
    assert not repeated_elsewhere(text, *_at(text, "illegal"))
    assert not repeated_elsewhere(text, *_at(text, "the vote"))  # "the" recurs, but it is no content


@pytest.fixture(scope="module")
def detector():
    from unspin.detect.runtime import Detector

    return Detector()


def _view(detector, text: str, on: list[str]) -> TokenView:
    """A view of the text whose tokens inside the given pieces are 0.9 'inside', the rest 0.1."""
    enc = encode(detector.tokenizer, text)
    si = np.full(len(enc), 0.1, dtype=np.float32)
    for piece in on:
        s, e = _at(text, piece)
        si[(enc.offsets[:, 0] < e) & (enc.offsets[:, 1] > s)] = 0.9
    states = np.random.default_rng(0).normal(size=(len(enc), detector.heads["token_w"].shape[0])).astype(np.float32)
    return TokenView(enc, states, si, np.zeros((len(enc), len(TECHNIQUE_IDS)), dtype=np.float32))


def test_the_detector_decodes_by_these_rules(detector):
    text = "Officials announced a shake-up on Monday.\n\nLater, Bush-era rules went.\n\nThe plan.\n\nIt is in the works."
    view = _view(detector, text, ["up", "era", "The", "in"])
    shown = [text[r.start : r.end] for r in detector.raw_spans(text, view, threshold=0.5)]
    assert shown == ["shake-up", "Bush-era"]  # whole compounds; "the" and "in" alone are dropped


def test_repetition_is_given_only_where_a_content_word_recurs(detector):
    text = "Radical agenda. The radical agenda is back, and the agenda is dangerous."
    rep = TECHNIQUE_IDS.index("Repetition")
    probs = np.full(len(TECHNIQUE_IDS), 0.01, dtype=np.float32)
    probs[rep], probs[TECHNIQUE_IDS.index("Loaded_Language")] = 0.6, 0.3
    once = RawSpan(*_at(text, "dangerous"), 0.8, probs)
    again = RawSpan(*_at(text, "Radical agenda"), 0.8, probs)
    got = {(text[a:b], t) for a, b, t, _ in detector.label_spans(text, [once, again], {"second_label": 1.01})}
    assert got == {("dangerous", "Loaded_Language"), ("Radical agenda", "Repetition")}
