"""`sourcing.merge`: the range index (`Reach`) that keeps statement matching linear, and its rules on tagged cues."""

from __future__ import annotations

import random

from unspin.sourcing.merge import Reach, bounds


def brute(ranges: list[tuple[int, int]], a: int, b: int) -> list[int]:
    return [i for i, (x, y) in enumerate(ranges) if y > a and x < b]


def test_touching_lists_exactly_the_overlapping_items_in_item_order() -> None:
    rng = random.Random(7)
    for _ in range(200):
        ranges = []
        for _ in range(rng.randint(0, 40)):
            x = rng.randint(0, 500)
            ranges.append((x, x + rng.choice([0, 1, 3, 20, 300])))  # empty, short and long (nested) ranges
        index = Reach(ranges)
        for _ in range(30):
            a = rng.randint(-10, 520)
            b = a + rng.randint(0, 60)
            assert index.touching(a, b) == brute(ranges, a, b), (ranges, a, b)


def test_ranges_of_pieces_run_from_the_first_start_to_the_last_end() -> None:
    assert bounds([(30, 40), (5, 9), (12, 50)]) == (5, 50)
    assert bounds([]) == (0, 0)
    index = Reach.of([[(0, 5), (40, 45)], [(10, 20)], []])
    assert index.touching(20, 30) == [0]  # between the first item's pieces, inside its range
    assert index.touching(15, 16) == [0, 1]


def test_a_report_named_by_an_indefinite_article_is_not_credited_to_the_subject_before_it() -> None:
    from unspin.load.text import article_from_text
    from unspin.sourcing import find_sourcing

    text = ("Talks go on\n\nHarbour Minister Ann Vale has significantly intensified contacts with the unions on "
            "fares, the ministry confirmed, substantiating a report that Vale wants to seal a deal before the "
            "election in May.\n")
    found = [(a.source, a.verb) for a in find_sourcing(article_from_text(text)).attributions]
    assert ("the ministry", "confirmed") in found
    assert not any(verb.startswith("a report") for _, verb in found), found


def test_a_content_after_its_cue_runs_to_its_sentences_end_when_the_tagger_stops_short() -> None:
    from unspin.load.text import article_from_text
    from unspin.sourcing import find_sourcing

    def claims(body: str) -> list[str]:
        return [a.claim for a in find_sourcing(article_from_text("Ferry talks\n\n" + body + "\n")).attributions]

    assert claims("Harbour aide Tove Brandl confirmed that Vale has lately intensified contacts with his Danish "
                  "counterpart Jens Lund on fares.") == [
        "that Vale has lately intensified contacts with his Danish counterpart Jens Lund on fares"]
    assert claims("The report says Vale brought in other towns like Lund, Malmo, Aarhus and at times Oslo in a bid "
                  "to seal the deal.") == [
        "Vale brought in other towns like Lund, Malmo, Aarhus and at times Oslo in a bid to seal the deal"]
    # a participle that credits no one ('the truce negotiated by ...') does not stop the run
    assert claims("For once, Oslo insists that Danish failure to separate ferries from freighters, which was a key "
                  "point of the truce negotiated by Lund and Malmo in September, was the reason that timetable "
                  "collapsed.") == [
        "that Danish failure to separate ferries from freighters, which was a key point of the truce negotiated by "
        "Lund and Malmo in September, was the reason that timetable collapsed"]
