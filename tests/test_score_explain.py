"""Scores and explanations from constructed spans: rounding, empty articles, quotes counted apart, the why."""

from __future__ import annotations

from unspin.article import Article, ModelInfo, Result, Sentence, Span
from unspin.density import spin_density
from unspin.explain import MAX_QUOTED, explain, occurrences, why
from unspin.score import score, shown
from unspin.techniques import BY_ID


def test_score_sets_sentence_and_article_scores_rounded_to_4_places() -> None:
    text = "One bad thing. Two good things. Three."
    r = Result(article=Article(text=text), model=ModelInfo("m", "v"),
               spans=[Span(4, 7, "Loaded_Language", 0.123456), Span(19, 23, "Doubt", 0.654321),
                      Span(4, 7, "Doubt", 0.05)],
               sentences=[Sentence(0, 14), Sentence(15, 31), Sentence(32, 38)])
    score(r)
    assert [s.score for s in r.sentences] == [0.1235, 0.6543, 0.0]
    assert [s.techniques for s in r.sentences] == [{"Loaded_Language": 0.1235, "Doubt": 0.05}, {"Doubt": 0.6543}, {}]
    # 0.827777 expected phrases in 7 words, per 1,000 words (no sourcing: no quotes)
    assert r.score == 118.2539 and r.score_detail is not None and r.score_detail.expected_phrases == 0.8278
    assert r.score_detail.share_below is None  # no reference given
    # listing fewer spans changes neither score
    fewer = shown(r, 0.5)
    assert [s.confidence for s in fewer.spans] == [0.654321] and fewer.hidden_spans == 2
    assert fewer.score == r.score and fewer.sentences == r.sentences


def test_quotes_are_counted_apart() -> None:
    text = 'He said "a total disaster for all" and left.'  # 9 words, 5 of them quoted
    q = (text.index('"'), text.rindex('"') + 1)
    d = spin_density(text, [(q[0] + 1, q[0] + 15, 0.4), (text.index("left"), text.index("left") + 4, 0.1)], [q])
    assert (d.words, d.quoted_words) == (4, 5)
    assert (d.density, d.quoted_density) == (25.0, 80.0)
    assert spin_density("", [], []).density == 0.0 and spin_density('"all quoted"', [], [(0, 12)]).density == 0.0


def test_why_names_the_word_that_carried_it_and_what_to_check() -> None:
    text = "A reckless, wasteful plan."
    got = why(Span(2, 19, "Loaded_Language", 0.3, cue_start=2, cue_end=10), text)
    assert got == "“reckless” carries it: ask what happened, told in neutral words."
    assert BY_ID["Loaded_Language"].definition not in got
    # without a cue word (results kept before 3.0), the whole phrase
    assert why(Span(2, 10, "Name_Calling,Labeling", 0.3), text).startswith("“reckless” labels someone")


def test_why_collapses_whitespace_and_shortens_long_spans() -> None:
    words = " ".join(f"w{i:02d}" for i in range(30))
    text = f"Start.\n{words.replace(' ', chr(10), 1)} end."
    got = explain(Span(7, 7 + len(words), "Slogans", 0.5), text)
    assert got.startswith(f"“{words[:MAX_QUOTED - 1].rstrip()}…” is a catchy phrase")
    exact = " ".join(f"w{i:02d}" for i in range(15))[:MAX_QUOTED]  # exactly the limit: kept whole
    assert explain(Span(0, len(exact), "Slogans", 0.5), exact).startswith(f"“{exact}” is")


def test_repetition_counts_every_use_case_blind() -> None:
    text = "Betrayal! BETRAYAL again. A betrayal, they said, betrayal."
    last = text.rindex("betrayal")
    assert explain(Span(last, last + 8, "Repetition", 0.5), text).startswith("“betrayal” occurs 4 times in the article")
    assert occurrences(text, "a  BETRAYAL") == 1
    once = "One claim, said once."
    assert "repeats a point" in explain(Span(4, 9, "Repetition", 0.5), once)
