"""`sourcing.merge.Reach`: the index that lets statements be matched in time linear in the article's length."""

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
