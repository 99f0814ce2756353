"""Reading every analysed article of a corpus for the reader-score benchmarks: from a store or directly.

Each article comes back as a `Scored`: the confidences of every span the detector emitted (a store
written by `unspin batch` holds them all: batch never applies a display threshold), per sentence
the highest confidence in it (the old article score is the mean of those), and its spin density
(`unspin.density`: quotes counted apart, from the quotes the sourcing stage found). Three sources:

- a store's DuckDB file (`--db corpus.duckdb`): the articles it holds for the model version, read
  from its results file (the full results, quotes included; the tables hold no quotes);
- a store's results file (`--results corpus.duckdb.results.jsonl`): usable while a batch still holds
  the DuckDB file; the newest line per article id is kept;
- a JSONL corpus (`--jsonl articles.jsonl[.gz]`): analysed here with the shipped model.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from unspin.density import Density, spin_density


@dataclass(frozen=True)
class Scored:
    id: str
    outlet: str | None
    words: int
    confidences: tuple[float, ...]
    sentence_max: tuple[float, ...]
    spin: Density

    @property
    def density(self) -> float:
        """The article score: expected propaganda phrases per 1,000 words outside direct quotes."""
        return self.spin.density

    @property
    def all_words_density(self) -> float:
        """Expected propaganda phrases per 1,000 words of the whole text, quotes included."""
        return 1000 * sum(self.confidences) / self.words if self.words else 0.0

    @property
    def old_score(self) -> float:
        """The article score before issue 16: the mean over sentences of the highest span confidence."""
        return sum(self.sentence_max) / len(self.sentence_max) if self.sentence_max else 0.0


def scored(d: dict) -> Scored:
    """A Scored from a result's JSON form (any schema version)."""
    text = d["article"].get("text", "")
    spans = d.get("spans", [])
    best = [max((sp["confidence"] for sp in spans if sp["start"] < s["end"] and sp["end"] > s["start"]), default=0.0)
            for s in d.get("sentences", [])]
    quotes = [(q["start"], q["end"]) for q in (d.get("sourcing") or {}).get("quotes", [])]
    spin = spin_density(text, [(sp["start"], sp["end"], sp["confidence"]) for sp in spans], quotes)
    return Scored(d["article"]["id"], d["article"].get("outlet") or d["article"].get("source"), len(text.split()),
                  tuple(sp["confidence"] for sp in spans), tuple(best), spin)


def from_results(path: Path, model_version: str) -> Iterator[Scored]:
    newest: dict[str, dict] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                d = json.loads(line)
            except json.JSONDecodeError:  # a line still being written by a running batch
                continue
            if d.get("model", {}).get("version") == model_version:
                newest[d["article"]["id"]] = d
    for d in newest.values():
        yield scored(d)


def from_db(path: Path, model_version: str) -> Iterator[Scored]:
    import duckdb

    from unspin.corpus.results_file import results_path

    con = duckdb.connect(str(path), read_only=True)
    try:
        ids = {r[0] for r in con.execute("SELECT id FROM articles WHERE model_version = ?", [model_version]).fetchall()}
    finally:
        con.close()
    for a in from_results(results_path(path), model_version):
        if a.id in ids:
            yield a


def from_jsonl(path: Path, sample: int | None, seed: int, outlets: set[str] | None = None) -> Iterator[Scored]:
    from unspin.corpus.readers import Columns, article_from_record
    from unspin.pipeline import Analyzer

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        rows = [json.loads(line) for line in f if line.strip()]
    if outlets is not None:
        rows = [r for r in rows if r.get("outlet") in outlets]
    if sample is not None and sample < len(rows):
        rows = random.Random(seed).sample(rows, sample)
    analyzer = Analyzer()
    for r in rows:
        art, _ = article_from_record(r, Columns(), str(path))  # exactly as `unspin batch` reads the record
        if art.text.strip():
            yield scored(analyzer.analyze(art).to_dict())


def articles(db: Path | None, results: Path | None, jsonl: Path | None, model_version: str,
             sample: int | None = None, seed: int = 16) -> list[Scored]:
    if db is not None:
        return list(from_db(db, model_version))
    if results is not None:
        return list(from_results(results, model_version))
    if jsonl is not None:
        return list(from_jsonl(jsonl, sample, seed))
    raise SystemExit("give --db, --results or --jsonl")
