"""Story grouping: the same story from different outlets is grouped, other articles stay apart."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from story_texts import BRIDGE, BRIDGE_LATER, FOOTBALL, OFF_TOPIC, RATES
from unspin.corpus.stats import compute_stats, open_results
from unspin.corpus.store import Store
from unspin.corpus.stories import StoryDoc, StoryOptions, group, terms
from unspin.errors import UnspinError

DAY = {"bridge": date(2024, 3, 5), "rates": date(2024, 3, 6), "football": date(2024, 3, 7)}


def corpus() -> list[StoryDoc]:
    docs = []
    for name, story in (("bridge", BRIDGE), ("rates", RATES), ("football", FOOTBALL)):
        for i, (outlet, text) in enumerate(story.items()):
            docs.append(StoryDoc(f"{name}-{outlet}", outlet, DAY[name] + timedelta(days=i % 2), text))
    for i, (outlet, text) in enumerate(OFF_TOPIC):
        docs.append(StoryDoc(f"other-{i}", outlet, date(2024, 3, 6), text))
    docs.append(StoryDoc("bridge-later", BRIDGE_LATER[0], date(2024, 3, 15), BRIDGE_LATER[1]))
    return docs


def grouped(docs: list[StoryDoc], **opts) -> list[set[str]]:
    stories, ids = group(docs, StoryOptions(**opts))
    return [{ids[m] for m in s.members} for s in stories]


def test_same_story_grouped_across_outlets_and_unrelated_apart() -> None:
    got = grouped(corpus())
    assert sorted(got, key=sorted) == sorted([
        {f"bridge-{o}" for o in BRIDGE}, {f"rates-{o}" for o in RATES}, {f"football-{o}" for o in FOOTBALL},
    ], key=sorted)


def test_date_window_is_respected() -> None:
    # Ten days later the bridge story is a new story for a three-day window...
    assert not any("bridge-later" in g for g in grouped(corpus()))
    # ...and joins it once the window covers the gap (so the window, not the text, kept it out).
    wide = grouped(corpus(), window_days=12)
    assert {f"bridge-{o}" for o in BRIDGE} | {"bridge-later"} in wide


def test_every_story_stays_within_the_window() -> None:
    docs = corpus()
    stories, _ = group(docs, StoryOptions(window_days=1))
    for s in stories:
        assert s.first is not None and s.last is not None and (s.last - s.first).days <= 1


def test_undated_articles_group_only_with_undated() -> None:
    docs = [StoryDoc(f"u-{o}", o, None, t) for o, t in RATES.items()]
    docs += [StoryDoc(f"d-{o}", o, date(2024, 3, 6), t) for o, t in RATES.items()]
    got = grouped(docs)
    assert sorted(got, key=sorted) == sorted([{f"u-{o}" for o in RATES}, {f"d-{o}" for o in RATES}], key=sorted)


def test_min_outlets() -> None:
    docs = [StoryDoc(f"f{i}", "Metro Wire", date(2024, 3, 7), t) for i, t in enumerate(FOOTBALL.values())]
    assert grouped(docs) == []  # one outlet only: nothing to compare
    assert grouped(docs, min_outlets=1) == [{"f0", "f1"}]


def test_small_chunks_give_the_same_stories() -> None:
    assert sorted(map(sorted, grouped(corpus(), chunk_pairs=1))) == sorted(map(sorted, grouped(corpus())))


def test_planted_stories_recovered_in_a_larger_corpus() -> None:
    """200 stories told by 3 outlets each, among 600 one-off articles, over two months."""
    rng = random.Random(7)
    common = [f"word{i}" for i in range(3000)]
    docs: list[StoryDoc] = []
    truth: list[set[str]] = []
    for k in range(200):
        own = [f"story{k}x{j}" for j in range(10)]
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(60))
        members = set()
        for o in range(3):
            words = rng.sample(common, 80) + rng.sample(own, 8) * 2
            rng.shuffle(words)
            doc_id = f"s{k}o{o}"
            docs.append(StoryDoc(doc_id, f"outlet{o}", day + timedelta(days=rng.randrange(2)), " ".join(words)))
            members.add(doc_id)
        truth.append(members)
    for k in range(600):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(60))
        docs.append(StoryDoc(f"n{k}", f"outlet{k % 3}", day, " ".join(rng.sample(common, 90))))
    rng.shuffle(docs)
    got = grouped(docs)
    assert sorted(map(sorted, got)) == sorted(map(sorted, truth))


def test_terms_fold_case_plurals_and_stop_words() -> None:
    got = terms(["The Commuters and a commuter, on TUESDAY: 4.5 percent", "", "Zürich's Straße 2024"])
    assert got == [["commuter", "commuter", "percent"], [], ["2024", "straße", "zürich"]]


def test_bad_options() -> None:
    for bad in ({"threshold": 0}, {"threshold": 1.5}, {"window_days": -1}, {"min_outlets": 0}):
        with pytest.raises(UnspinError):
            StoryOptions(**bad)


# -- from a real store ---------------------------------------------------------


@pytest.fixture(scope="module")
def story_store(tmp_path_factory, analyzer) -> Path:
    from unspin.load.text import article_from_text

    results = []
    for doc in corpus():
        art = article_from_text(doc.text, id=doc.id, outlet=doc.outlet, published=doc.published.isoformat())
        results.append(analyzer.analyze(art))
    path = tmp_path_factory.mktemp("stories") / "stories.duckdb"
    with Store(path) as store:
        store.write_many(results)
    return path


def test_story_report_compares_outlets(story_store: Path) -> None:
    with open_results(story_store) as con:
        stats = compute_stats(con, stories=True)
        spans = dict(con.execute("SELECT article_id, count(*) FROM spans GROUP BY ALL").fetchall())
        scores = dict(con.execute("SELECT id, score FROM articles").fetchall())
    stories = stats["stories"]
    assert [s["articles"] for s in stories] == [3, 3, 2]
    by_label = {s["label"]: s for s in stories}
    bridge = by_label["Marlow bridge collapse leaves commuters stranded"]  # the most central article's title
    assert [o["outlet"] for o in bridge["outlets"]] == sorted(BRIDGE)
    assert (bridge["first"], bridge["last"]) == ("2024-03-05", "2024-03-06")
    assert "marlow" in bridge["keywords"] and "tessel" in bridge["keywords"]
    for s in stories:
        for o in s["outlets"]:
            for a in o["articles"]:
                assert a["spans"] == spans.get(a["id"], 0) == sum(a["techniques"].values())
                assert a["score"] == pytest.approx(scores[a["id"]], abs=1e-4)
            assert o["mean_score"] == pytest.approx(sum(a["score"] for a in o["articles"]) / len(o["articles"]),
                                                    abs=1e-4)
            assert o["spans"] == sum(o["techniques"].values())


def test_cli_stories(story_store: Path, cli) -> None:
    p = cli("stats", "--db", str(story_store), "--stories")
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    assert "Story 1" in out and "Story 3" in out and "Story 4" not in out
    assert "Okafor out" in out and "Marlow" in out
    narrow = cli("stats", "--db", str(story_store), "--stories", "--story-window", "0")
    assert "Story 1" in narrow.stdout.decode() and "Story 3" not in narrow.stdout.decode()
    one = cli("stats", "--db", str(story_store), "--stories", "--show-stories", "1").stdout.decode()
    assert "Story 1" in one and "Story 2" not in one and "2 more stories not shown" in one
    html_path = story_store.parent / "stories.html"
    assert cli("stats", "--db", str(story_store), "--stories", "--html", str(html_path), "-q").returncode == 0
    html = html_path.read_text(encoding="utf-8")
    assert html.count('<section class="story">') == 3 and "Okafor out at Harbour City" in html
    assert html.count('<div class="outlet">') == 8  # 3 + 3 + 2 outlets side by side
    strict = cli("stats", "--db", str(story_store), "--stories", "--story-threshold", "0.99")
    assert "No story is covered" in strict.stdout.decode()
