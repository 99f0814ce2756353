"""How long `compute_stats` and story grouping take on a large synthetic store (no model needed).

    .venv/bin/python bench/stats_scale.py --articles 20000

Articles, spans and sentences are generated inside DuckDB with SQL. 60% of the
articles belong to planted stories of four articles from four outlets within two
days; the rest are one-offs. The text is Zipf-like filler plus 60 draws from
its story's own 30 words (a real report repeats its names, places and figures), so the grouping has something to find and the run also reports how many
planted stories came back whole.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from unspin.corpus.stats import compute_stats
from unspin.corpus.store import Store
from unspin.corpus.stories import StoryOptions
from unspin.techniques import TECHNIQUE_IDS

OUTLETS = ["Daily Ledger", "The Beacon", "Metro Wire", "Harbour Post", "Northland Times", "Evening Star",
           "Valley Voice", "Capital Report"]


def build(path: Path, n: int, seed: float = 0.42) -> None:
    techs = "[" + ", ".join(f"'{t}'" for t in TECHNIQUE_IDS) + "]"
    outlets = "[" + ", ".join(f"'{o}'" for o in OUTLETS) + "]"
    with Store(path) as store:
        con = store.connection
        con.execute(f"SELECT setseed({seed})")
        con.execute(f"""
CREATE TEMP TABLE gen AS
SELECT i, CASE WHEN (i // 4) % 5 < 3 THEN i // 4 END AS story,
       {outlets}[i % 8 + 1] AS outlet,
       150 + CAST(floor(random() * 300) AS INTEGER) AS filler
FROM range({n}) t(i)""")
        con.execute("""
CREATE TEMP TABLE gen2 AS
SELECT *,
  CASE WHEN story IS NOT NULL THEN DATE '2024-01-01' + CAST(hash(story) % 365 AS INTEGER) + CAST(i % 2 AS INTEGER)
       WHEN i % 50 = 1 THEN NULL
       ELSE DATE '2024-01-01' + CAST(floor(random() * 366) AS INTEGER) END AS published,
  array_to_string(list_transform(range(filler),
      lambda x: 'w' || CAST(floor(pow(random(), 3.0) * 20000) AS INTEGER))
    || CASE WHEN story IS NULL THEN []::VARCHAR[] ELSE
         list_transform(range(60), lambda j: 'st' || story || 'k' || CAST(floor(random() * 30) AS INTEGER))
       END, ' ') AS body
FROM gen""")
        con.execute("""
INSERT INTO articles
SELECT 'a' || i, md5(CAST(i AS VARCHAR)), 'bench', outlet, NULL, 'Article ' || i, published,
       len(string_split(body, ' ')), random() * 0.5, CAST(floor(random() * 10) AS INTEGER),
       len(string_split(body, ' ')) // 20, 0, TIMESTAMP '2024-12-01 00:00:00',
       CAST(json_object('article', json_object('title', 'Article ' || i, 'text', 'Article ' || i || chr(10) || chr(10)
            || body)) AS VARCHAR)
FROM gen2""")
        con.execute(f"""
INSERT INTO spans
SELECT id, p, p + 12, {techs}[CAST(floor(random() * {len(TECHNIQUE_IDS)}) AS INTEGER) + 1], random(),
       ['evil plan', 'a total disaster', 'true patriots', 'who knows', 'never again', 'they want you to fail']
         [CAST(floor(random() * 6) AS INTEGER) + 1]
FROM (SELECT id, CAST(floor(random() * n_sentences * 100) AS INTEGER) AS p
      FROM (SELECT id, n_sentences, unnest(range(n_spans)) FROM articles))""")
        con.execute("""
INSERT INTO sentences
SELECT id, k, k * 100, k * 100 + 100, 0.0, k = 0 FROM (SELECT id, unnest(range(n_sentences)) AS k FROM articles)""")
        con.execute("""
UPDATE articles SET n_flagged_sentences = f.n, n_spans = coalesce(s.n, 0)
FROM (SELECT se.article_id, count(DISTINCT se.idx) AS n FROM sentences se JOIN spans sp
        ON sp.article_id = se.article_id AND sp.start < se."end" AND sp."end" > se.start GROUP BY ALL) f
LEFT JOIN (SELECT article_id, count(*) AS n FROM spans GROUP BY ALL) s ON s.article_id = f.article_id
WHERE articles.id = f.article_id""")


def planted(story_ids: list[str]) -> int | None:
    """The planted story of an article id (`a<i>`), as `build` assigns it."""
    stories = {int(a[1:]) // 4 if (int(a[1:]) // 4) % 5 < 3 else None for a in story_ids}
    return stories.pop() if len(stories) == 1 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--db", type=Path, help="Store to create (default: a temporary file)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "bench.duckdb"
    if path.exists():
        path.unlink()
    t0 = time.perf_counter()
    build(path, args.articles)
    t_build = time.perf_counter() - t0
    with Store(path, read_only=True) as store:
        n_spans = store.connection.execute("SELECT count(*) FROM spans").fetchone()[0]
        t0 = time.perf_counter()
        stats = compute_stats(store)
        t_stats = time.perf_counter() - t0
        t0 = time.perf_counter()
        with_stories = compute_stats(store, stories=True, story_options=StoryOptions())
        t_all = time.perf_counter() - t0
    found = with_stories["stories"]
    pure = [planted([a["id"] for o in s["outlets"] for a in o["articles"]]) for s in found]
    whole = Counter(p for p, s in zip(pure, found, strict=True) if p is not None and s["articles"] == 4)
    n_planted = len({i // 4 for i in range(args.articles) if (i // 4) % 5 < 3})
    print(f"store: {stats['articles']:,} articles, {n_spans:,} spans, {len(stats['outlets'])} outlets, "
          f"{len(stats['months'])} months (built in {t_build:.1f} s)")
    print(f"compute_stats: {t_stats:.2f} s")
    print(f"compute_stats --stories: {t_all:.2f} s (grouping about {t_all - t_stats:.2f} s)")
    print(f"stories: {len(found):,} found, {sum(p is not None for p in pure):,} of them pure, "
          f"{len(whole):,} of {n_planted:,} planted stories recovered whole")


if __name__ == "__main__":
    main()
