"""Score unspin's sourcing stage on PolNeAR (political news attribution relations), with issue 15's rules.

PolNeAR (Newell, Margolin, Ruths, LREC 2018) annotates every attribution of 2016 US election news with its
source, cue and content as brat standoff files (see ../shared/data/polnear/PROVENANCE.md). Each annotation
file is scored as one document (two dev articles were annotated by six people: each file counts).

Predictions: each quote is (content = its `parts`, source = `speaker_start..speaker_end`, name = `speaker`);
each attribution is (content = its claim, source = its source span, name = `resolved` or, when named, `source`).

Rules (issue 15):
- a prediction matches a gold attribution when their contents overlap by at least half of the shorter one,
  after trimming quote marks, spaces and `, . ; :` at both ends of every piece; pairs are one-to-one, the
  best overlap (relative to the longer content) first, whatever their sources;
- a matched pair has the right source when the source spans overlap, or when the predicted name shares a
  capitalised word with the gold source text (function words such as "The" do not count);
- a gold source that is a pronoun ("he") counts as right when the predicted name shares a capitalised word
  with the name it stands for; that name is taken from the gold itself: the closest earlier gold source
  of the same annotation file that is not a pronoun and has a capitalised word.
Figures:
- attributions (matched), P / R / F1; the same with the right source;
- content spans, overlap: a predicted content is right when it overlaps any gold content (any overlap), a
  gold content is found when any predicted content overlaps it (P over predictions, R over gold);
- content spans, exact: trimmed contents equal (one-to-one);
- source spans, overlap: distinct predicted source spans vs distinct gold source spans, one-to-one on any
  overlap (as Citron scores source spans on PARC); also, stricter, the matched attributions whose source
  spans overlap (P over predictions, R over gold attributions);
- anonymous sources. The reference is every gold source not headed by a name that is neither a pronoun nor
  a description pointing back ("the president", "his campaign", "Clinton's aides"): "officials", "U.S.
  officials", "a source", "people familiar with the matter", "experts" (the head is the last word before a
  preposition, a comma or a relative pronoun; a sentence-initial capital counts as a name when the split's
  texts write that word capitalised more often than not). `anonymous_sources` P / R: a predicted span is
  right when it overlaps a reference source span; a reference source is found when one overlaps it. The
  `anonymous` flag P / R: over matched pairs, a flagged prediction is right when its gold source is in the
  reference, and a reference attribution is found when its matched prediction is flagged.

Usage: python bench/sourcing_polnear.py [--split dev|train] [--errors N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from unspin.load.text import article_from_text
from unspin.sourcing import find_sourcing

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear"
TRIM = " \t\r\n\u00a0,.;:\"'“”‘’«»„"
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "his", "her", "their", "its",
            "our", "my", "me", "us", "them", "him", "whose", "your", "one", "this", "these", "those", "some",
            "all", "both", "others", "whom"}
FUNCTION_WORDS = {"The", "A", "An", "This", "That", "These", "Those", "His", "Her", "Its", "Their", "Our", "I",
                  "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr."}
DEFINITE = {"the", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my", "your"}
_WORD = re.compile(r"[A-Za-z][\w'’.-]*")

Spans = tuple[tuple[int, int], ...]


@dataclass
class Gold:
    content: Spans
    source: Spans | None
    source_text: str
    cue: Spans | None = None
    referent: str | None = None  # the name a pronoun source stands for
    anonymous: bool = False


@dataclass
class Pred:
    content: Spans
    source: Spans | None
    name: str | None
    anonymous: bool
    kind: str  # quote | attribution
    text: str = ""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def f(self) -> float:
        p, r = self.p(), self.r()
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> str:
        return f"{self.p():.3f} / {self.r():.3f} / {self.f():.3f}   (tp {self.tp}, fp {self.fp}, fn {self.fn})"


@dataclass
class Totals:
    attributions: Counts = field(default_factory=Counts)
    right_source: Counts = field(default_factory=Counts)
    content_exact: Counts = field(default_factory=Counts)
    source_overlap: Counts = field(default_factory=Counts)
    source_of_pairs: Counts = field(default_factory=Counts)
    anonymous_sources: Counts = field(default_factory=Counts)
    anonymous_flag: Counts = field(default_factory=Counts)


def trim_spans(text: str, spans: list[tuple[int, int]]) -> Spans:
    out = []
    for a, b in spans:
        while a < b and text[a] in TRIM:
            a += 1
        while b > a and text[b - 1] in TRIM:
            b -= 1
        if b > a:
            out.append((a, b))
    return tuple(sorted(out))


def length(s: Spans) -> int:
    return sum(b - a for a, b in s)


def overlap(x: Spans, y: Spans) -> int:
    return sum(max(0, min(b, d) - max(a, c)) for a, b in x for c, d in y)


def cap_words(s: str) -> set[str]:
    return {w.rstrip(".'’s") for w in _WORD.findall(s) if w[0].isupper() and w not in FUNCTION_WORDS} - {""}


def _sentence_initial(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\u00a0\"“‘'(":
        k -= 1
    return k < 0 or text[k] in ".!?\n:—"


class Vocabulary:
    """How often each word is written lower case, and capitalised inside a sentence, in the split's texts:
    a sentence-initial capital is a proper name when the word is never written lower case or is capitalised
    more often than not."""

    def __init__(self) -> None:
        self.lower: dict[str, int] = {}
        self.capital: dict[str, int] = {}

    def add(self, text: str) -> None:
        for m in _WORD.finditer(text):
            w = re.sub(r"['’]s$", "", m.group())
            if w[0].islower():
                self.lower[w] = self.lower.get(w, 0) + 1
            elif not _sentence_initial(text, m.start()):
                self.capital[w.lower()] = self.capital.get(w.lower(), 0) + 1

    def proper(self, word: str) -> bool:
        word = re.sub(r"['’]s$", "", word)
        low = self.lower.get(word.lower(), 0)
        return low == 0 or self.capital.get(word.lower(), 0) > low


VOCAB = Vocabulary()


def has_proper_name(text: str, a: int, b: int) -> bool:
    for m in _WORD.finditer(text, a, b):
        w = m.group()
        if not w[0].isupper() or w == "I":
            continue
        if not _sentence_initial(text, m.start()) or VOCAB.proper(w):
            return True
    return False


_HEAD_STOPS = {"of", "in", "at", "for", "with", "from", "on", "by", "who", "which", "that", "whose", "familiar",
               "close", "to", "about", "and", "or"}


def is_anonymous_reference(text: str, span: Spans) -> bool:
    """Issue 15's reference for unnamed sources: a source not headed by a name ('officials', 'U.S. officials',
    'a source', 'people familiar with the talks'), not a pronoun, not a description pointing back ('the
    president', 'his campaign', "Clinton's aides")."""
    a, b = span[0][0], span[-1][1]
    words = list(_WORD.finditer(text, a, b))
    if not words or all(m.group().lower() in PRONOUNS for m in words):
        return False
    first = words[0].group()
    if first.lower() in DEFINITE or re.search(r"['’]s$", first):
        return False
    head = words[0]
    for m in words:
        if m.start() > words[0].start() and (m.group().lower() in _HEAD_STOPS or "," in text[head.end() : m.start()]):
            break
        if m is not words[0] and re.search(r"['’]s$", head.group()):  # "Donald Trump's campaign" points back
            return False
        head = m
    w = head.group()
    if not w[0].isupper():
        return True
    return head.start() == a and _sentence_initial(text, a) and not VOCAB.proper(w)


def read_ann(path: Path, text: str) -> list[Gold]:
    spans: dict[str, tuple[str, Spans]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            kind, _, offs = parts[1].partition(" ")
            pieces = [[int(x) for x in p.split()] for p in offs.split(";")]
            spans[parts[0]] = (kind, tuple((a, b) for a, b in pieces))
        elif line.startswith("E") and len(parts) >= 2:
            roles = {}
            for item in parts[1].split():
                role, _, ref = item.partition(":")
                roles[re.sub(r"\d+$", "", role)] = ref
            events.append(roles)
    out: list[Gold] = []
    for ev in events:
        if "Content" not in ev or ev["Content"] not in spans:
            continue
        content = trim_spans(text, list(spans[ev["Content"]][1]))
        if not content:
            continue
        src = spans.get(ev.get("Source", ""), (None, None))[1]
        source = trim_spans(text, list(src)) if src else None
        stext = " ".join(text[a:b] for a, b in source) if source else ""
        cue = spans.get(ev.get("Cue", ""), (None, None))[1]
        out.append(Gold(content, source or None, stext, cue=cue))
    out.sort(key=lambda g: g.source[0][0] if g.source else g.content[0][0])
    last_name = None
    for g in out:
        if not g.source:
            continue
        words = [w.lower() for w in _WORD.findall(g.source_text)]
        if words and all(w in PRONOUNS for w in words):
            g.referent = last_name
        elif cap_words(g.source_text):
            last_name = g.source_text
        g.anonymous = is_anonymous_reference(text, g.source)
    return out


def predictions(text: str) -> tuple[list[Pred], list[tuple[int, int]]]:
    s = find_sourcing(article_from_text(text))
    out: list[Pred] = []
    for q in s.quotes:
        src = ((q.speaker_start, q.speaker_end),) if q.speaker_start is not None and q.speaker_end else None
        out.append(Pred(trim_spans(text, [tuple(p) for p in q.parts] or [(q.start, q.end)]),  # type: ignore[misc]
                        src, q.speaker, q.anonymous, "quote", q.text))
    for a in s.attributions:
        name = a.resolved or (a.source if a.named else None)
        parts = [tuple(p) for p in a.claim_parts] or [(a.claim_start, a.claim_end)]
        out.append(Pred(trim_spans(text, parts), ((a.source_start, a.source_end),),  # type: ignore[arg-type]
                        name, a.anonymous, "attribution", a.text))
    out = [p for p in out if p.content]
    return out, [(x.start, x.end) for x in s.anonymous_sources]


def right_source(g: Gold, p: Pred) -> bool:
    if g.source is None:
        return False
    if p.source is not None and overlap(g.source, p.source) > 0:
        return True
    if not p.name:
        return False
    names = cap_words(p.name)
    return bool(names & cap_words(g.source_text)) or bool(g.referent and names & cap_words(g.referent))


def pair_up(gold: list[Gold], pred: list[Pred]) -> list[tuple[int, int, bool]]:
    cands = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            ov = overlap(g.content, p.content)
            if ov and ov >= 0.5 * min(length(g.content), length(p.content)):
                cands.append((ov / max(length(g.content), length(p.content)), i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in cands:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j, right_source(gold[i], pred[j])))
    return pairs


def one_to_one(gold: list[Spans], pred: list[Spans], same) -> int:
    used: set[int] = set()
    n = 0
    for g in gold:
        for j, p in enumerate(pred):
            if j not in used and same(g, p):
                used.add(j)
                n += 1
                break
    return n


def score_doc(text: str, gold: list[Gold], t: Totals, errors: list[str], name: str) -> None:
    pred, anon = predictions(text)
    pairs = pair_up(gold, pred)
    n_rs = sum(rs for _, _, rs in pairs)
    t.attributions.add(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
    t.right_source.add(n_rs, len(pred) - n_rs, len(gold) - n_rs)
    # content, any overlap, many-to-many
    p_ok = sum(any(overlap(p.content, g.content) for g in gold) for p in pred)
    g_ok = sum(any(overlap(p.content, g.content) for p in pred) for g in gold)
    _cov[0] += p_ok
    _cov[1] += len(pred)
    _cov[2] += g_ok
    _cov[3] += len(gold)
    ex = one_to_one([g.content for g in gold], [p.content for p in pred], lambda a, b: a == b)
    t.content_exact.add(ex, len(pred) - ex, len(gold) - ex)
    gs = sorted({g.source for g in gold if g.source})
    ps = sorted({p.source for p in pred if p.source})
    so = one_to_one(gs, ps, lambda a, b: overlap(a, b) > 0)
    t.source_overlap.add(so, len(ps) - so, len(gs) - so)
    sp = sum(1 for i, j, _ in pairs if overlap(gold[i].source or (), pred[j].source or ()) > 0)
    t.source_of_pairs.add(sp, len(pred) - sp, len(gold) - sp)
    ga = sorted({g.source for g in gold if g.source and g.anonymous})
    pa = [((a, b),) for a, b in anon]
    p_right = sum(any(overlap(x, y) for y in ga) for x in pa)
    g_found = sum(any(overlap(x, y) for x in pa) for y in ga)
    _anon[0] += p_right
    _anon[1] += len(pa)
    _anon[2] += g_found
    _anon[3] += len(ga)
    matched = {j: i for i, j, _ in pairs}
    flagged = [j for j, p in enumerate(pred) if p.anonymous]
    f_right = sum(1 for j in flagged if j in matched and gold[matched[j]].anonymous)
    f_wrong = sum(1 for j in flagged if not (j in matched and gold[matched[j]].anonymous))
    ref = [i for i, g in enumerate(gold) if g.anonymous]
    by_gold = {i: j for i, j, _ in pairs}
    f_found = sum(1 for i in ref if i in by_gold and pred[by_gold[i]].anonymous)
    t.anonymous_flag.add(f_right, f_wrong, len(ref) - f_found)
    for i, g in enumerate(gold):
        if i not in by_gold:
            errors.append(f"{name} MISSED  [{g.source_text}] {snip(text, g.content)}")
        elif not next(rs for a, _, rs in pairs if a == i):
            p = pred[by_gold[i]]
            errors.append(f"{name} SOURCE  want [{g.source_text}] ({g.referent}) got "
                          f"[{' '.join(text[a:b] for a, b in p.source or ())}] ({p.name}) {snip(text, g.content)}")
    for j, p in enumerate(pred):
        if j not in matched:
            errors.append(f"{name} SPURIOUS {p.kind} [{p.text[:60]}] {snip(text, p.content)}")


def snip(text: str, spans: Spans, n: int = 110) -> str:
    s = " ".join(text[a:b] for a, b in spans).replace("\n", " ")
    return repr(s if len(s) <= n else s[: n - 3] + "...")


_cov = [0, 0, 0, 0]
_anon = [0, 0, 0, 0]


def documents(split: str, data: Path) -> Iterator[tuple[str, str, list[Gold]]]:
    texts = data / split / "text"
    for path in sorted(texts.glob("*.txt")):
        VOCAB.add(path.read_text(encoding="utf-8"))
    for ann in sorted((data / split / "attributions").glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]
        text = (texts / f"{article}.txt").read_text(encoding="utf-8")
        yield ann.stem, text, read_ann(ann, text)


def prf(tp: int, npred: int, found: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = found / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["dev", "train"])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--errors", type=int, default=0, help="print N random errors (misses, wrong sources, spurious)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="score only the first N annotation files")
    ap.add_argument("--every", type=int, default=0,
                    help="score only every K-th file (train: the files bench/train_sourcing_tagger.py --holdout K "
                         "keeps out)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    t = Totals()
    errors: list[str] = []
    n_docs = n_gold = 0
    t0 = time.perf_counter()
    for n, (name, text, gold) in enumerate(documents(args.split, args.data)):
        if args.limit and n >= args.limit:
            break
        if args.every and n % args.every:
            continue
        n_docs += 1
        n_gold += len(gold)
        score_doc(text, gold, t, errors, name)
    secs = time.perf_counter() - t0
    cp, cr, cf = prf(_cov[0], _cov[1], _cov[2], _cov[3])
    ap_, ar, af = prf(_anon[0], _anon[1], _anon[2], _anon[3])
    rows = {
        "attributions found and matched (content overlaps), P / R / F1": t.attributions.row(),
        "the same, with the right source, P / R / F1": t.right_source.row(),
        "content spans, overlap P / R / F1": f"{cp:.3f} / {cr:.3f} / {cf:.3f}   "
                                             f"({_cov[0]}/{_cov[1]} predicted, {_cov[2]}/{_cov[3]} gold)",
        "content spans, exact P / R / F1": t.content_exact.row(),
        "source spans, overlap P / R / F1": t.source_overlap.row(),
        "matched attributions whose source spans overlap, P / R / F1": t.source_of_pairs.row(),
        "anonymous_sources, P / R / F1": f"{ap_:.3f} / {ar:.3f} / {af:.3f}   "
                                         f"({_anon[0]}/{_anon[1]} predicted, {_anon[2]}/{_anon[3]} reference)",
        "attribution `anonymous` flag, P / R / F1": t.anonymous_flag.row(),
    }
    print(f"PolNeAR {args.split}: {n_docs} annotation files, {n_gold} gold attributions, scored in {secs:.1f} s")
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        print(f"{k:<{width}}  {v}")
    if args.errors:
        random.Random(args.seed).shuffle(errors)
        for e in errors[: args.errors]:
            print(e)
    if args.json:
        fig = {"split": args.split, "files": n_docs, "gold": n_gold,
               "attributions_f1": t.attributions.f(), "right_source_f1": t.right_source.f(),
               "content_overlap": [cp, cr, cf], "content_exact_f1": t.content_exact.f(),
               "source_overlap_f1": t.source_overlap.f(),
               "matched_source_overlap_f1": t.source_of_pairs.f(), "anonymous_sources": [ap_, ar, af],
               "anonymous_flag": [t.anonymous_flag.p(), t.anonymous_flag.r(), t.anonymous_flag.f()]}
        args.json.write_text(json.dumps(fig, indent=2))


if __name__ == "__main__":
    main()
