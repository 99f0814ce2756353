"""Grouping articles about the same story across outlets, so their framing can be compared.

Different outlets rewrite a story in their own words, so near-duplicate detection
(shingles) misses most of them; what they share is the story's distinctive
vocabulary: names, places, figures. So each article becomes a TF-IDF vector of
its content words, truncated to its `max_terms` heaviest terms, and two articles
are linked when the cosine of those vectors reaches `threshold`, they share at
least `min_shared_terms` terms and their dates are at most `window_days` apart.
Linked articles are merged into stories (single linkage), as long as every two
articles of a story stay within `window_days` of each other.

Scaling: nothing compares all pairs, and no article text of a store passes
through Python. Tokenising, TF-IDF weighting and truncation run inside DuckDB
(vectorised, on all cores); Python receives `max_terms` weights per article.
Candidate pairs come from an inverted index (term -> articles) restricted to the
date window, scored with numpy in chunks of bounded size.
Articles without a date are compared only with other undated articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np

from unspin.corpus.selection import StatsFilter, selection
from unspin.corpus.store import read_texts
from unspin.errors import UnspinError

MIN_DF_CAP = 50  # `max_df` never drops a term that is in 50 articles or fewer
STOPWORDS = frozenset(
    """
    about above after again against all also although among and another any are around because been before
    being below between both but can cannot could did does doing down during each either even ever every
    few for from further had has have having her here hers herself him himself his how however into its
    itself just least less made make many may more most much must near neither nor not now off often once
    one only other others our ours ourselves out over own per perhaps quite rather really said same says
    say she should since some still such than that the their theirs them themselves then there these they
    this those though through thus too under until upon very was were what whatever when where whether which
    while who whom whose why will with within without would yet you your yours yourself told according
    new like get got just week weeks year years day days time times monday tuesday wednesday thursday
    friday saturday sunday mr mrs ms two three four five six seven eight nine ten first last next
    """.split()
)


# Content words: lowercased runs of 3+ letters or digits, stop words out, a plain
# plural `s` folded ("commuters" -> "commuter"). `{source}` has columns (idx, text).
TERMS_SQL = r"""
toks AS (SELECT idx, unnest(regexp_extract_all(lower(text), '[\pL\pN]{{3,}}')) AS w FROM {source}),
terms AS (
  SELECT idx, CASE WHEN length(w) > 4 AND suffix(w, 's') AND NOT suffix(w, 'ss') THEN left(w, length(w) - 1)
                   ELSE w END AS t
  FROM toks WHERE NOT list_contains($stop, w)
)"""

# Per article, its `$k` heaviest terms by (1 + ln tf) * (ln((1 + n) / (1 + df)) + 1), ties broken by the term
# itself so the result never depends on scan order. Terms in too many articles are dropped first.
VECTORS_SQL = """
WITH {terms},
tf AS (SELECT idx, t, count(*) AS c FROM terms GROUP BY ALL),
df AS (SELECT t, count(*) AS df, row_number() OVER (ORDER BY t) - 1 AS tid FROM tf GROUP BY t),
wt AS (
  SELECT tf.idx, tf.t, df.tid, df.df, (1 + ln(tf.c)) * (ln((1 + $n) / (1 + df.df)) + 1) AS w
  FROM tf JOIN df USING (t) WHERE df.df <= greatest($max_df * $n, $min_cap)
),
kept AS (SELECT * FROM wt QUALIFY row_number() OVER (PARTITION BY idx ORDER BY w DESC, t) <= $k)
SELECT idx, tid, t, df, w FROM kept"""


def terms(texts: list[str]) -> list[list[str]]:
    """The content words of each text (sorted, repeats kept), as story grouping sees them."""
    con = duckdb.connect()
    try:
        con.register("texts", {"idx": np.arange(len(texts)), "text": np.array(texts, dtype=object)})
        sql = "WITH " + TERMS_SQL.format(source="texts") + " SELECT idx, list(t ORDER BY t) FROM terms GROUP BY idx"
        found = dict(con.execute(sql, {"stop": sorted(STOPWORDS)}).fetchall())
    finally:
        con.close()
    return [found.get(i, []) for i in range(len(texts))]


@dataclass(frozen=True)
class StoryOptions:
    """Thresholds of story grouping (documented in docs/stats.md)."""

    threshold: float = 0.25  # cosine of the truncated TF-IDF vectors needed to link two articles
    window_days: int = 3  # the most days between any two articles of one story
    min_outlets: int = 2  # report only stories covered by at least this many outlets
    min_shared_terms: int = 3  # a link needs this many shared terms, so one rare name is not enough
    max_terms: int = 40  # heaviest terms kept per article
    max_df: float = 0.05  # terms in more than this share of articles (and over 50) are ignored: too common to tell stories apart
    chunk_pairs: int = 2_000_000  # candidate pairs scored at once; bounds memory, not the result

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise UnspinError(f"the story similarity threshold must be in (0, 1], not {self.threshold}")
        if self.window_days < 0:
            raise UnspinError(f"the story window must be 0 or more days, not {self.window_days}")
        if self.min_outlets < 1:
            raise UnspinError(f"a story needs at least 1 outlet, not {self.min_outlets}")
        if self.min_shared_terms < 1 or self.max_terms < 1:
            raise UnspinError("story term limits must be at least 1")
        if not 0.0 < self.max_df <= 1.0:
            raise UnspinError("max_df must be in (0, 1]")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoryDoc:
    id: str
    outlet: str
    published: date | None
    text: str
    title: str = ""


@dataclass
class Story:
    members: list[int]  # indexes into the documents, most central first
    keywords: list[str] = field(default_factory=list)
    first: date | None = None
    last: date | None = None


class _Vectors:
    """Truncated, L2-normalised TF-IDF vectors in flat arrays (one row per kept term)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str, n: int, opts: StoryOptions) -> None:
        self.n = n
        params = {"stop": sorted(STOPWORDS), "n": n, "max_df": opts.max_df, "min_cap": MIN_DF_CAP,
                  "k": opts.max_terms}
        got = con.execute(VECTORS_SQL.format(terms=TERMS_SQL.format(source=source)), params).fetchnumpy()
        doc = np.asarray(got["idx"], dtype=np.int64)
        weight = np.asarray(got["w"], dtype=np.float64)
        # Unit length over the kept terms. Terms only this article uses count in its norm (it is about
        # something of its own) but cannot link it to anything, so they are dropped after.
        norms = np.sqrt(np.bincount(doc, weights=weight * weight, minlength=n))
        linkable = np.asarray(got["df"]) >= 2
        self.doc = doc[linkable]
        self.weight = (weight / np.where(norms > 0, norms, 1.0)[doc])[linkable]
        tid = np.asarray(got["tid"], dtype=np.int64)[linkable]
        _, first, inverse = np.unique(tid, return_index=True, return_inverse=True)  # alphabetical, as tid is
        self.terms: list[str] = [str(t) for t in np.asarray(got["t"], dtype=object)[linkable][first]]
        self.term = np.asarray(inverse, dtype=np.int64).reshape(-1)


@dataclass
class _Meta:
    """What grouping needs besides the vectors, by document index."""

    ids: list[str]
    outlets: list[str]
    dates: list[date | None]


def _day_numbers(dates: list[date | None], window: int) -> np.ndarray:
    """Day ordinals; undated articles share one day far from every dated one."""
    known = [d.toordinal() for d in dates if d is not None]
    base = min(known) if known else 0
    undated = (max(known) - base + window + 2) if known else 0
    return np.asarray([d.toordinal() - base if d is not None else undated for d in dates], dtype=np.int64)


def _edges(v: _Vectors, days: np.ndarray, opts: StoryOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linked pairs (left doc, right doc, cosine) among the pairs that share a kept term within the window.

    Postings are sorted by (term, day, doc), so of two articles the earlier one is always
    on the left; cutting the work by left article therefore completes each pair's sum
    inside one chunk, which bounds memory by `chunk_pairs` whatever the corpus size.
    """
    empty = np.zeros(0, dtype=np.int64)
    if v.doc.size == 0:
        return empty, empty, np.zeros(0)
    stride = int(days.max()) + opts.window_days + 2
    key = v.term * stride + days[v.doc]
    order = np.argsort(key, kind="stable")
    key, doc, weight = key[order], v.doc[order], v.weight[order]
    positions = np.arange(key.size)
    count = np.searchsorted(key, key + opts.window_days, side="right") - positions - 1
    per_doc = np.cumsum(np.bincount(doc, weights=count, minlength=v.n))
    lefts, rights, cosines = [], [], []
    lo_doc = 0
    while lo_doc < v.n:
        base = per_doc[lo_doc - 1] if lo_doc else 0.0
        hi_doc = max(lo_doc + 1, int(np.searchsorted(per_doc, base + opts.chunk_pairs, side="right")))
        sel = positions[(doc >= lo_doc) & (doc < hi_doc) & (count > 0)]
        lo_doc = hi_doc
        n = count[sel]
        total = int(n.sum())
        if total == 0:
            continue
        left = np.repeat(sel, n)
        right = left + 1 + (np.arange(total) - np.repeat(np.cumsum(n) - n, n))
        pair = doc[left] * v.n + doc[right]
        uniq, inverse = np.unique(pair, return_inverse=True)
        cosine = np.bincount(inverse, weights=weight[left] * weight[right])
        ok = (cosine >= opts.threshold) & (np.bincount(inverse) >= opts.min_shared_terms)
        lefts.append(uniq[ok] // v.n)
        rights.append(uniq[ok] % v.n)
        cosines.append(cosine[ok])
    if not lefts:
        return empty, empty, np.zeros(0)
    return np.concatenate(lefts), np.concatenate(rights), np.concatenate(cosines)


def cluster(v: _Vectors, meta: _Meta, opts: StoryOptions) -> list[Story]:
    """Single-linkage merging of linked pairs, strongest first, never past the date window."""
    days = _day_numbers(meta.dates, opts.window_days)
    left, right, cosine = _edges(v, days, opts)
    parent = list(range(v.n))
    lo_day = days.tolist()
    hi_day = days.tolist()

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    centrality = np.zeros(v.n)
    for i in np.argsort(-cosine, kind="stable"):
        a, b = int(left[i]), int(right[i])
        ra, rb = find(a), find(b)
        if ra == rb:
            centrality[a] += cosine[i]
            centrality[b] += cosine[i]
            continue
        lo, hi = min(lo_day[ra], lo_day[rb]), max(hi_day[ra], hi_day[rb])
        if hi - lo > opts.window_days:  # would stretch the story past the window
            continue
        parent[rb] = ra
        lo_day[ra], hi_day[ra] = lo, hi
        centrality[a] += cosine[i]
        centrality[b] += cosine[i]
    clusters: dict[int, list[int]] = {}
    for i in range(v.n):
        clusters.setdefault(find(i), []).append(i)
    groups = [m for m in clusters.values() if len(m) >= 2 and len({meta.outlets[i] for i in m}) >= opts.min_outlets]
    stories = []
    for members, keywords in zip(groups, _keywords(v, groups), strict=True):
        members.sort(key=lambda m: (-centrality[m], meta.ids[m]))
        dated = [d for m in members if (d := meta.dates[m]) is not None]
        stories.append(Story(members, keywords, min(dated) if dated else None, max(dated) if dated else None))
    stories.sort(key=lambda s: (-len({meta.outlets[m] for m in s.members}), -len(s.members), s.first or date.max,
                                meta.ids[s.members[0]]))
    return stories


def group(docs: Sequence[StoryDoc], opts: StoryOptions | None = None) -> tuple[list[Story], list[str]]:
    """Stories among in-memory documents. Returns the stories and the document ids by index."""
    opts = opts or StoryOptions()
    con = duckdb.connect()
    try:
        con.register("docs", {"idx": np.arange(len(docs)), "text": np.array([d.text for d in docs], dtype=object)})
        v = _Vectors(con, "docs", len(docs), opts)
    finally:
        con.close()
    meta = _Meta([d.id for d in docs], [d.outlet for d in docs], [d.published for d in docs])
    return cluster(v, meta, opts), meta.ids


def group_store(con: duckdb.DuckDBPyConnection, flt: StatsFilter, opts: StoryOptions) -> tuple[list[Story], list[str]]:
    """Stories among the articles of a store that `flt` selects; the texts come from the stored full results."""
    cte, params = selection(flt)
    cur = con.cursor()  # its own registered table, so concurrent callers do not collide
    try:
        got = cur.execute(f"WITH {cte} SELECT id, outlet, published FROM picked ORDER BY published NULLS LAST, id",
                          params).fetchall()
        meta = _Meta([r[0] for r in got], [r[1] for r in got], [r[2] for r in got])
        texts = read_texts(cur, meta.ids)
        cur.register("story_texts", {"idx": np.arange(len(texts)), "text": np.array(texts, dtype=object)})
        v = _Vectors(cur, "story_texts", len(meta.ids), opts)
        cur.unregister("story_texts")
    finally:
        cur.close()
    return cluster(v, meta, opts), meta.ids


def _keywords(v: _Vectors, groups: list[list[int]], k: int = 6) -> list[list[str]]:
    """Each group's heaviest terms among those at least two of its members share, all groups at once."""
    if not groups or v.doc.size == 0:
        return [[] for _ in groups]
    owner = np.full(v.n, -1, dtype=np.int64)
    for g, members in enumerate(groups):
        owner[members] = g
    sel = owner[v.doc] >= 0
    n_terms = len(v.terms)
    key = owner[v.doc[sel]] * n_terms + v.term[sel]
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse.reshape(-1), weights=v.weight[sel])
    ok = counts >= 2
    uniq, sums = uniq[ok], sums[ok]
    g_of, t_of = uniq // n_terms, uniq % n_terms
    order = np.lexsort((t_of, -sums, g_of))
    g_of, t_of = g_of[order], t_of[order]
    starts = np.searchsorted(g_of, np.arange(len(groups)), side="left")
    ends = np.searchsorted(g_of, np.arange(len(groups)), side="right")
    return [[v.terms[t] for t in t_of[a:min(b, a + k)]] for a, b in zip(starts, ends, strict=True)]


def story_report(con: duckdb.DuckDBPyConnection, flt: StatsFilter, opts: StoryOptions) -> list[dict[str, Any]]:
    """Stories as dicts: per story, its outlets side by side with their articles, scores and techniques."""
    stories, ids = group_store(con, flt, opts)
    wanted = sorted({ids[m] for s in stories for m in s.members})
    if not wanted:
        return []
    meta_sql = """
SELECT a.id, coalesce(nullif(trim(a.outlet), ''), '(unknown)') AS outlet, a.title, a.url, a.published,
       coalesce(a.words, 0), coalesce(a.score, 0), coalesce(a.n_spans, 0), coalesce(a.n_sentences, 0),
       coalesce(a.n_flagged_sentences, 0)
FROM articles a WHERE a.id IN (SELECT unnest(CAST(? AS VARCHAR[])))"""
    meta = {r[0]: r for r in con.execute(meta_sql, [wanted]).fetchall()}
    tech_sql = """
SELECT article_id, technique, count(*) FROM spans
WHERE article_id IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY ALL"""
    techs: dict[str, dict[str, int]] = {}
    for aid, tech, n in con.execute(tech_sql, [wanted]).fetchall():
        techs.setdefault(aid, {})[tech] = int(n)
    out = []
    for no, s in enumerate(stories, 1):
        per_outlet: dict[str, list[dict[str, Any]]] = {}
        for m in s.members:
            r = meta[ids[m]]
            per_outlet.setdefault(r[1], []).append({
                "id": r[0], "title": r[2], "url": r[3], "published": r[4].isoformat() if r[4] else None,
                "words": int(r[5]), "score": round(float(r[6]), 4), "spans": int(r[7]), "sentences": int(r[8]),
                "flagged_sentences": int(r[9]), "techniques": dict(sorted(techs.get(r[0], {}).items())),
            })
        outlets = []
        for name, arts in sorted(per_outlet.items()):
            words = sum(a["words"] for a in arts)
            spans = sum(a["spans"] for a in arts)
            sents = sum(a["sentences"] for a in arts)
            mix: Counter[str] = Counter()
            for a in arts:
                mix.update(a["techniques"])
            outlets.append({
                "outlet": name,
                "articles": arts,
                "mean_score": round(sum(a["score"] for a in arts) / len(arts), 4),
                "spans": spans,
                "spans_per_1k_words": round(1000 * spans / words, 4) if words else 0.0,
                "flagged_share": round(sum(a["flagged_sentences"] for a in arts) / sents, 4) if sents else 0.0,
                "techniques": dict(sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))),
            })
        lead = meta[ids[s.members[0]]]
        out.append({
            "story": no,
            "label": lead[2] or ", ".join(s.keywords),
            "keywords": s.keywords,
            "first": s.first.isoformat() if s.first else None,
            "last": s.last.isoformat() if s.last else None,
            "articles": len(s.members),
            "outlets": outlets,
        })
    return out
