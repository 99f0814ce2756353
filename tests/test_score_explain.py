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


# -- the why of Appeal to Authority and Black-and-White, from the article's own sourcing (constructed) --------

from unspin.explain import NEAR, enclosing_quote, explain_spans  # noqa: E402
from unspin.sourcing.model import AnonymousSource, Attribution, Quote, Sourcing, Summary  # noqa: E402


def _sourcing(quotes=(), attributions=(), unnamed=()) -> Sourcing:
    summary = Summary(0, 0, 0.0, 0, 0, 0, 0, 0, 0, [], 0, [])
    return Sourcing(list(quotes), list(attributions), list(unnamed), [], summary)


def _attribution(start: int, end: int, source: str, named: bool, anonymous: bool, resolved: str | None = None):
    return Attribution(start, end, source + " said", source, start, start + len(source), "said", end, end + 5,
                       "claim", named, anonymous, resolved)


TEXT = "x" * 2000
AUTH = Span(1000, 1010, "Appeal_to_Authority", 0.5)


def test_appeal_to_authority_names_whom_it_leans_on() -> None:
    inside = Quote(990, 1020, "q", speaker="Ann Vale", role="harbour chief")
    assert why(AUTH, TEXT, _sourcing(quotes=[inside])) == (
        "It leans on Ann Vale, harbour chief: ask whether they are an expert on this, and who else agrees.")
    assert why(AUTH, TEXT, _sourcing(quotes=[Quote(990, 1020, "q", speaker="Ann Vale")])) == (
        "It leans on Ann Vale: ask whether they are an expert on this, and who else agrees.")
    officials = _attribution(900, 920, "officials", named=False, anonymous=True)
    assert why(AUTH, TEXT, _sourcing(attributions=[officials])) == (
        "It leans on “officials”, who is not named: ask who this is and why they should be believed.")
    lind = _attribution(1050, 1060, "Lind", named=True, anonymous=False, resolved="Petra Lind")
    assert why(AUTH, TEXT, _sourcing(attributions=[lind])) == (
        "It leans on Petra Lind: ask whether they are an expert on this, and who else agrees.")
    council = _attribution(1050, 1070, "the council", named=True, anonymous=False)
    assert why(AUTH, TEXT, _sourcing(attributions=[council])).startswith("It leans on the council: ")
    # the nearest attribution speaks for the span
    assert why(AUTH, TEXT, _sourcing(attributions=[officials, lind])).startswith("It leans on Petra Lind: ")
    neither = _attribution(1020, 1030, "the claim", named=False, anonymous=False)
    talks = AnonymousSource(1100, 1140, "sources familiar with the talks", "familiar_with")
    assert why(AUTH, TEXT, _sourcing(attributions=[neither], unnamed=[talks])) == (
        "It leans on “sources familiar with the talks”, who is not named: ask who this is and why they should be believed.")
    assert why(AUTH, TEXT) == ("It leans on an authority the article does not name: ask who it is and whether "
                               "they are an expert on this.")


def test_a_source_counts_only_within_NEAR_characters() -> None:
    def leans_on(a: Attribution) -> bool:
        return "Lind" in why(AUTH, TEXT, _sourcing(attributions=[a]))

    assert not leans_on(_attribution(AUTH.start - NEAR - 10, AUTH.start - NEAR, "Lind", True, False))
    assert leans_on(_attribution(AUTH.start - NEAR - 10, AUTH.start - NEAR + 1, "Lind", True, False))
    assert leans_on(_attribution(AUTH.end + NEAR - 1, AUTH.end + NEAR + 9, "Lind", True, False))
    assert not leans_on(_attribution(AUTH.end + NEAR, AUTH.end + NEAR + 10, "Lind", True, False))
    far_before = _attribution(AUTH.start - NEAR - 390, AUTH.start - NEAR + 5, "Lind", True, False)  # long, ends near
    assert leans_on(far_before)


def test_black_and_white_names_its_two_options() -> None:
    text = "Either we build the bridge or the town dies. You are with us, or you are against us. It is war."
    a = Span(0, 43, "Black-and-White_Fallacy", 0.5)
    b = Span(45, 84, "Black-and-White_Fallacy", 0.5)
    c = Span(86, 95, "Black-and-White_Fallacy", 0.5)
    assert why(a, text) == ("It offers only two options, “we build the bridge” or “the town dies”: ask what other "
                            "outcomes are possible.")
    assert why(b, text) == ("It offers only two options, “You are with us” or “you are against us”: ask what other "
                            "outcomes are possible.")
    assert why(c, text) == "It presents two options as the only ones: ask what other outcomes are possible."


def test_a_span_inside_a_quote_says_whose_words_they_are() -> None:
    text = "He said “a reckless plan” today."
    span = Span(9, 17, "Loaded_Language", 0.5)
    named = Quote(8, 25, "“a reckless plan”", speaker="Ann Vale")
    assert why(span, text, _sourcing(quotes=[named])).endswith(
        "(inside a quote from Ann Vale: the wording is theirs, not the reporter's).")
    unnamed = Quote(8, 25, "“a reckless plan”", anonymous=True)
    assert why(span, text, _sourcing(quotes=[unnamed])).endswith("(inside a quote from an unnamed source).")
    nobody = Quote(8, 25, "“a reckless plan”")
    assert why(span, text, _sourcing(quotes=[nobody])).endswith(
        "(inside a quote whose speaker the article does not name).")
    assert enclosing_quote(_sourcing(quotes=[nobody]), Span(9, 25, "Doubt", 0.5)) is nobody  # ends where it ends
    assert enclosing_quote(_sourcing(quotes=[nobody]), Span(9, 26, "Doubt", 0.5)) is None  # runs past it
    assert enclosing_quote(_sourcing(quotes=[nobody]), Span(7, 12, "Doubt", 0.5)) is None  # starts before it
    assert enclosing_quote(None, span) is None


def test_explain_spans_fills_every_span_with_its_why() -> None:
    text = "He said “a reckless plan” today. Either we build it or we fail."
    spans = [Span(9, 17, "Loaded_Language", 0.5, cue_start=11, cue_end=19),
             Span(33, 62, "Black-and-White_Fallacy", 0.4)]
    result = Result(article=Article(text=text), model=ModelInfo("m", "1"), spans=spans,
                    sourcing=_sourcing(quotes=[Quote(8, 25, "q", speaker="Ann Vale")]))
    explain_spans(result)
    assert [s.explanation for s in result.spans] == [why(s, text, result.sourcing) for s in spans]
    assert result.spans[0].explanation.startswith("“reckless” carries it") and "Ann Vale" in result.spans[0].explanation
    assert "“we build it” or “we fail”" in result.spans[1].explanation


def test_place_puts_the_density_among_the_reference_articles() -> None:
    from unspin.article import ArticleScore
    from unspin.reference import Reference
    from unspin.score import article_score, place

    ref = Reference("m", "1", "news", 33015, 466, (0.0, 1.0, 2.0, 3.0, 4.0))
    detail = ArticleScore(density=1.23456, expected_phrases=1.0, words=800)
    assert place(detail, None) is detail  # no reference: nothing to place it in
    placed = place(detail, ref)
    assert (placed.share_below, placed.share_above, placed.reference) == (
        0.3086, 0.6914, "33,015 news articles from 466 outlets")  # interpolated, rounded to 4 places
    assert (placed.density, placed.words) == (1.23456, 800)
    text = "one two three four five six seven eight nine ten"
    result = Result(article=Article(text=text), model=ModelInfo("m", "1"), spans=[Span(0, 3, "Doubt", 0.5)])
    got = article_score(result, ref)
    assert got.density == 50.0 and got.expected_phrases == 0.5 and got.words == 10  # 1,000 x 0.5 / 10 words
    assert got.share_below == 1.0 and got.share_above == 0.0  # above every reference article


def test_every_technique_names_its_cue_then_what_to_check() -> None:
    from unspin.explain import CHECKS

    text = "They betrayed the whole nation again."
    for technique in CHECKS:
        msg = why(Span(5, 13, technique, 0.5, cue_start=5, cue_end=13), text)
        assert msg.startswith(("“betrayed” ", "It gives one cause (“betrayed”): ")), (technique, msg)
        assert msg.endswith(".") and msg.count("“betrayed”") == 1, (technique, msg)
        assert any(w in msg for w in (": ask ", ": look ", ": check ")), (technique, msg)
    assert why(Span(5, 13, "Something_Else", 0.5), text) == "“betrayed” carries it: ask what the plain claim is."
