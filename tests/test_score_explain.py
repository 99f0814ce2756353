"""Scores and explanations from constructed spans: rounding, empty articles, confidence words, evidence."""

from __future__ import annotations

import pytest

from unspin.article import Article, ModelInfo, Result, Sentence, Span
from unspin.explain import explain
from unspin.score import article_score, score
from unspin.techniques import BY_ID

LOADED = BY_ID["Loaded_Language"].definition


def test_score_sets_sentence_and_article_scores_rounded_to_4_places() -> None:
    text = "One bad thing. Two good things. Three."
    r = Result(article=Article(text=text), model=ModelInfo("m", "v"),
               spans=[Span(4, 7, "Loaded_Language", 0.123456), Span(19, 23, "Doubt", 0.654321)],
               sentences=[Sentence(0, 14), Sentence(15, 31), Sentence(32, 38)])
    score(r)
    assert [s.score for s in r.sentences] == [0.1235, 0.6543, 0.0]
    assert r.score == 0.2593  # (0.1235 + 0.6543 + 0) / 3 = 0.259266...


def test_article_without_sentences_scores_zero() -> None:
    assert article_score([]) == 0.0
    assert article_score([Sentence(0, 1, 1.0)]) == 1.0


@pytest.mark.parametrize(("confidence", "phrase"), [
    (0.7, "is likely Loaded Language (70% confidence)"), (0.95, "is likely Loaded Language (95% confidence)"),
    (0.6999, "is possibly Loaded Language (70% confidence)"), (0.4, "is possibly Loaded Language (40% confidence)"),
    (0.3999, "weakly suggests Loaded Language (40% confidence)"), (0.05, "weakly suggests Loaded Language (5% confidence)"),
])
def test_explain_words_the_confidence(confidence: float, phrase: str) -> None:
    text = "A reckless plan."
    assert explain(Span(2, 10, "Loaded_Language", confidence), text) == f"“reckless” {phrase}. {LOADED}"


def test_explain_collapses_whitespace_and_shortens_long_spans() -> None:
    words = " ".join(f"w{i:02d}" for i in range(30))  # 119 characters
    text = f"Start.\n{words.replace(' ', chr(10), 1)} end."
    got = explain(Span(7, 7 + len(words), "Loaded_Language", 0.5), text)
    assert got.startswith(f"“{words[:77]}...” is possibly")
    exact = " ".join(f"w{i:02d}" for i in range(20)) + "x"  # exactly 80 characters: kept whole
    assert explain(Span(0, len(exact), "Loaded_Language", 0.5), exact).startswith(f"“{exact}” is")
    over = exact + "y"  # 81: shortened
    assert explain(Span(0, len(over), "Loaded_Language", 0.5), over).startswith(f"“{over[:77]}...” is")


def test_explain_of_a_blank_span_claims_no_repetition() -> None:
    text = "Aa bb.   Cc dd."
    assert explain(Span(6, 9, "Repetition", 0.5), text) == (
        f"“” is possibly Repetition (50% confidence). {BY_ID['Repetition'].definition}")


def test_explain_counts_earlier_repetitions_case_blind() -> None:
    text = "Betrayal! BETRAYAL again. A betrayal, they said, betrayal."
    last = text.rindex("betrayal")
    assert explain(Span(last, last + 8, "Repetition", 0.5), text).endswith(
        " The same words appear 3 times earlier in the article.")
    third = text.index("betrayal,")
    assert explain(Span(third, third + 8, "Repetition", 0.5), text) == (
        f"“betrayal” is possibly Repetition (50% confidence). {BY_ID['Repetition'].definition}"
        " The same words appear 2 times earlier in the article.")
    second = text.index("BETRAYAL")
    assert explain(Span(second, second + 8, "Repetition", 0.5), text).endswith(
        " The same words appear 1 time earlier in the article.")
    assert "earlier" not in explain(Span(0, 8, "Repetition", 0.5), text)
