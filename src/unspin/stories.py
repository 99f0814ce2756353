"""Grouping articles about the same story across outlets, so their framing can be compared.

Different outlets rewrite a story in their own words, so near-duplicate detection
(shingles) misses most of them; what they share is the story's distinctive
vocabulary: names, places, figures. So each article becomes a TF-IDF vector of
its content words, truncated to its `max_terms` heaviest terms, and two articles
are linked when the cosine of those vectors reaches `threshold`, they share at
least `min_shared_terms` terms and their dates are at most `window_days` apart.
Linked articles are merged into stories (single linkage), as long as every two
articles of a story stay within `window_days` of each other.

Scaling: nothing compares all pairs. Candidate pairs come from an inverted index
(term -> articles) restricted to the date window, built and scored with numpy in
one vectorised pass; the text is read twice as a stream (document frequencies,
then vectors), so memory holds `max_terms` numbers per article, not the corpus.
Articles without a date are compared only with other undated articles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np

from unspin.errors import UnspinError

MIN_DF_CAP = 50  # `max_df` never drops a term that is in 50 articles or fewer
_WORD = re.compile(r"[^\W_]{3,}")
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


def tokens(text: str) -> list[str]:
    """Content words: lowercased, 3+ letters or digits, stop words out, a plain plural `s` folded."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w in STOPWORDS:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


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
            raise UnspinError("--story-threshold must be in (0, 1]")
        if self.window_days < 0:
            raise UnspinError("--story-window must be 0 or more days")
        if self.min_outlets < 1:
            raise UnspinError("--story-min-outlets must be at least 1")
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

    def __init__(self, docs: Iterable[StoryDoc], opts: StoryOptions) -> None:
        df: Counter[str] = Counter()
        n = 0
        for d in docs:
            df.update(set(tokens(d.text)))
            n += 1
        self.n = n
        cap = max(opts.max_df * n, MIN_DF_CAP)  # in a small corpus a story's own words are in many articles
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(t for t, c in df.items() if 2 <= c <= cap)}
        self.terms = list(self.vocab)
        idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        doc_ids: list[int] = []
        term_ids: list[int] = []
        weights: list[float] = []
        self.ids: list[str] = []
        self.outlets: list[str] = []
        self.dates: list[date | None] = []
        self.titles: list[str] = []
        for i, d in enumerate(docs):
            self.ids.append(d.id)
            self.outlets.append(d.outlet)
            self.dates.append(d.published)
            self.titles.append(d.title)
            tf = Counter(tokens(d.text))
            w = {t: (1.0 + math.log(c)) * idf[t] for t, c in tf.items()}
            norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
            kept = sorted((t for t in w if t in self.vocab), key=lambda t: (-w[t], t))[: opts.max_terms]
            for t in kept:
                doc_ids.append(i)
                term_ids.append(self.vocab[t])
                weights.append(w[t] / norm)
        if len(self.ids) != n:
            raise UnspinError("the articles changed while stories were being grouped; run again")
        self.doc = np.asarray(doc_ids, dtype=np.int64)
        self.term = np.asarray(term_ids, dtype=np.int64)
        self.weight = np.asarray(weights, dtype=np.float64)


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


def group(docs: Iterable[StoryDoc], opts: StoryOptions | None = None) -> tuple[list[Story], list[str]]:
    """Stories among `docs` (iterated twice). Returns the stories and the document ids by index."""
    opts = opts or StoryOptions()
    v = _Vectors(docs, opts)
    days = _day_numbers(v.dates, opts.window_days)
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
    stories = []
    for members in clusters.values():
        if len(members) < 2 or len({v.outlets[m] for m in members}) < opts.min_outlets:
            continue
        members.sort(key=lambda m: (-centrality[m], v.ids[m]))
        dated = [v.dates[m] for m in members if v.dates[m] is not None]
        stories.append(Story(members, _keywords(v, members), min(dated) if dated else None,
                             max(dated) if dated else None))
    stories.sort(key=lambda s: (-len({v.outlets[m] for m in s.members}), -len(s.members), s.first or date.max,
                                v.ids[s.members[0]]))
    return stories, v.ids


def _keywords(v: _Vectors, members: list[int], k: int = 6) -> list[str]:
    mask = np.isin(v.doc, members)
    sums = np.bincount(v.term[mask], weights=v.weight[mask], minlength=len(v.terms))
    seen = np.bincount(v.term[mask], minlength=len(v.terms))
    sums = np.where(seen >= 2, sums, 0.0)  # only terms several members share
    best = np.argsort(-sums, kind="stable")[:k]
    return [v.terms[t] for t in best if sums[t] > 0]


class StoryDocs:
    """The selected articles of a store as `StoryDoc`s, streamed anew on each iteration."""

    def __init__(self, con: duckdb.DuckDBPyConnection, flt: Any, chunk: int = 2000) -> None:
        from unspin.stats import selection

        cte, self.params = selection(flt)
        self.sql = f"""
WITH {cte}
SELECT p.id, p.outlet, p.published, coalesce(p.title, ''),
       coalesce(json_extract_string(a.result_json, '$.article.text'), p.title, '')
FROM picked p JOIN articles a ON a.id = p.id
ORDER BY p.published NULLS LAST, p.id"""
        self.con = con
        self.chunk = chunk

    def __iter__(self) -> Iterator[StoryDoc]:
        cur = self.con.cursor()
        try:
            cur.execute(self.sql, self.params)
            while rows := cur.fetchmany(self.chunk):
                for r in rows:
                    yield StoryDoc(id=r[0], outlet=r[1], published=r[2], title=r[3], text=r[4])
        finally:
            cur.close()


def story_report(con: duckdb.DuckDBPyConnection, flt: Any, opts: StoryOptions) -> list[dict[str, Any]]:
    """Stories as dicts: per story, its outlets side by side with their articles, scores and techniques."""
    stories, ids = group(StoryDocs(con, flt), opts)
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
