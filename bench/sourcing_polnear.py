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
- anonymous sources. PolNeAR marks no anonymity, so the reference is every gold source "without a proper name":
  the distinct gold source spans that (1) are not only pronouns or relatives ("he", "who", "they": they stand
  for someone named elsewhere); (2) do not open with a definite determiner or a possessive, nor hold a
  possessive before their head ("the president", "his aides", "Clinton's aides", "Donald Trump's campaign":
  descriptions pointing back to someone named); (3) have a head word that is not a proper name. The head is
  the last word before a preposition, a comma or a relative pronoun ("officials" in "U.S. officials in
  Ankara"); a proper name is a capitalised word other than "I", "The", "Mr." and the like, where the first
  word of a source that opens a sentence counts only when the split's texts write that word capitalised more
  often than not ("Officials said" is unnamed, "Clinton said" is not; "Friends of the Harbour", a
  sentence-initial capital joined by "of"/"for" to a capitalised word, is a name); and (4) do not name the
  speaker right after the head, in apposition or as author ("Another critic, Viktor K. Lind", "a study by
  the Vale Institute", "critics like Senator Brandl"; also later in the phrase: "a lawyer for the harbour
  board, Tomas Brandl"). Capitalised words before a common head do not name anyone, so "U.S. officials",
  "Clinton aides" and "a Harbour Times poll" are in the reference; so are "police", "polls", "voters" and
  "a friend". A source that is only a reporting verb ("said", with the speaker annotated as the
  cue) is an annotator's swap: source and cue are swapped back when the file is read.
  `anonymous_sources` P / R: a predicted span is right when it overlaps a reference source span; a
  reference source is found when a predicted span overlaps it. The `anonymous` flag P / R: over matched
  pairs, a flagged prediction (quote or attribution) is right when its gold source is in the reference, and
  a reference attribution is found when its matched prediction is flagged (unmatched flagged predictions
  count as wrong, unmatched reference attributions as missed).
  The reference is also split by class of head word (unspin's lexicon): unnamed people (officials, sources,
  experts), institutions and their spokespeople (police, a court), documents (polls, emails, reports) and
  other groups or people (voters, protesters, a friend); the per-class recall, and P / R with institutions
  and documents left out (unspin treats them as sources on the record), show how far the issue's reference
  and unspin's notion of an anonymous source differ.
Targets (issue 15, dev): right-source F1 >= 0.75, content overlap F1 >= 0.83, source overlap F1 >= 0.85,
anonymous P >= 0.85 and R >= 0.70 (both `anonymous_sources` and the flag). The time target (sourcing adds at
most 15% to `unspin analyze` on a 1,000-word article) is measured by bench/sourcing_speed.py.

Usage: python bench/sourcing_polnear.py [--split dev|train|test] [--test] [--data DIR] [--errors N] [--json OUT]
(the test split is not in ../shared/data/polnear: it is kept apart; --test reads DIR/test when given one.)
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

import numpy as np

from unspin.load.text import article_from_text
from unspin.sourcing import find_sourcing
from unspin.sourcing.lexicon import ANONYMOUS_NOUNS, DOCUMENT_NOUNS, INSTITUTION_NOUNS, SPOKESPERSON_NOUNS

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
    kind: str = ""  # the reference's class (CLASSES) when anonymous


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


_SPEECH_ONLY = re.compile(r"(?i)said|says|say|told|added|according(?: to)?")
_HEAD_STOPS = {"of", "in", "at", "for", "with", "from", "on", "by", "who", "which", "that", "whose", "familiar",
               "close", "to", "about", "and", "or", "like", "including", "such"}
_NAMING = {"by", "like", "including", "such"}  # 'a study by the Vale Institute', 'critics like Senator Brandl'
_ORG_LINKS = {"of", "for"}  # 'Friends of the Harbour', 'Friends of the Earth'


def _proper_word(text: str, m: re.Match[str], first: bool = False) -> bool:
    """A capitalised word other than 'I' and a function word ('The', 'Mr.'); the first word of a phrase that
    opens a sentence counts only when the split's texts write it capitalised more often than not."""
    w = m.group()
    if not w[0].isupper() or w == "I" or w in FUNCTION_WORDS:
        return False
    return not (first and _sentence_initial(text, m.start())) or VOCAB.proper(w)


def source_head(text: str, span: Spans) -> tuple[re.Match[str] | None, list[re.Match[str]], list[re.Match[str]]]:
    """The source phrase's head word (the last word before a preposition, a comma or a relative pronoun), the
    words up to it and the words after it."""
    a, b = span[0][0], span[-1][1]
    words = list(_WORD.finditer(text, a, b))
    if not words:
        return None, [], []
    n = 0
    for k in range(1, len(words)):
        m = words[k]
        if m.group().lower() in _HEAD_STOPS or "," in text[words[n].end() : m.start()]:
            break
        n = k
    return words[n], words[: n + 1], words[n + 1 :]


def is_anonymous_reference(text: str, span: Spans) -> bool:
    """Issue 15's reference for sources without a proper name ('officials', 'U.S. officials', 'a source',
    'people familiar with the talks', 'police', 'polls'); see the module's docstring for the rule."""
    head, pre, post = source_head(text, span)
    if head is None or all(m.group().lower() in PRONOUNS for m in pre + post):
        return False
    first = pre[0].group()
    if first.lower() in DEFINITE or any(re.search(r"['’]s$", m.group()) for m in pre):
        return False  # 'the president', 'his aides', "Clinton's aides", "Donald Trump's campaign": point back
    if _proper_word(text, head, first=head is pre[0]):
        return False  # headed by a name: 'Clinton', 'Citizens United', 'the Times'
    if head.group()[0].isupper() and post and post[0].group().lower() in _ORG_LINKS and len(post) > 1 and \
            _proper_word(text, post[1]):
        return False  # a sentence-initial capital heading a name: 'Friends of the Harbour'
    prev = head
    for k, m in enumerate(post):  # named in apposition or as author: 'Another critic, Viktor K. Lind'
        low = m.group().lower()
        if low in _NAMING or "," in text[prev.end() : m.start()]:
            rest = [x for x in post[k + (low in _NAMING) :] if x.group().lower() not in {"as", "the", "a", "an"}]
            if rest and _proper_word(text, rest[0]):
                return False  # 'a study by the Vale Institute', 'a lawyer for the harbour board, Tomas Brandl'
        prev = m
    return True


CLASSES = {
    "people": "unnamed people: officials, sources, aides, experts, analysts (unspin's ANONYMOUS_NOUNS)",
    "institution": "an institution or its spokesperson: police, a court, a spokesman for the ministry",
    "document": "a document or publication: a poll, emails, a report, a study",
    "other": "any other group or person: voters, protesters, a friend, a New York judge",
}


def reference_class(text: str, span: Spans) -> str:
    """The class of a reference source, by its head word and unspin's lexicon (main's rule: an institution,
    its spokesperson or a document answers for the words on the record)."""
    head, pre, post = source_head(text, span)
    if head is None:
        return "other"
    low = head.group().lower().rstrip(".")
    words = {m.group().lower().rstrip(".") for m in pre + post}
    if low in INSTITUTION_NOUNS or (low in SPOKESPERSON_NOUNS and words & INSTITUTION_NOUNS):
        return "institution"
    if low in DOCUMENT_NOUNS or low in {"poll", "polls", "video", "ad", "ads", "tweet", "tweets"}:
        return "document"
    return "people" if low in ANONYMOUS_NOUNS else "other"


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
        if source and cue and _SPEECH_ONLY.fullmatch(stext):  # swapped by the annotator: source 'said', cue 'Ann Vale'
            source, cue = trim_spans(text, list(cue)), source
            stext = " ".join(text[a:b] for a, b in source)
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
        if g.anonymous:
            g.kind = reference_class(text, g.source)
    return out


STATES: dict[str, object] = {"mode": "run"}  # main() sets: "run" (the detector), "none" or a cache folder


def token_states(name: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The detector's word-piece states and offsets for `text`, as `unspin analyze` hands them to sourcing:
    computed (mode "run", the shipped detector), read from a cache folder, or none ("none")."""
    mode = STATES["mode"]
    if mode == "none":
        return None
    if mode == "run":
        det = STATES.get("detector")
        if det is None:
            from unspin.detect.runtime import Detector
            det = STATES["detector"] = Detector(threads=2)
        view = det.token_view(text)  # type: ignore[attr-defined]
        return view.states, view.enc.offsets
    with np.load(Path(str(mode)) / f"{name.rsplit('_', 1)[0]}.npz") as z:
        return z["states"].astype(np.float32), z["offsets"].astype(np.int64)


def predictions(text: str, name: str = "") -> tuple[list[Pred], list[tuple[int, int]]]:
    s = find_sourcing(article_from_text(text), states=token_states(name, text))
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
    pred, anon = predictions(text, name)
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
    for y in {g.source: g.kind for g in gold if g.source and g.anonymous}.items():
        found = any(overlap(x, y[0]) for x in pa)
        _by_class.setdefault(y[1], [0, 0])[0] += found
        _by_class[y[1]][1] += 1
    on_record = {g.source for g in gold if g.source and g.anonymous and g.kind in ("institution", "document")}
    gm = [y for y in ga if y not in on_record]
    _anon_main[0] += sum(any(overlap(x, y) for y in gm) for x in pa)
    _anon_main[1] += len(pa)
    _anon_main[2] += sum(any(overlap(x, y) for x in pa) for y in gm)
    _anon_main[3] += len(gm)
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
_anon_main = [0, 0, 0, 0]
_by_class: dict[str, list[int]] = {}


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
    ap.add_argument("--split", default="dev", choices=["dev", "train", "test"])
    ap.add_argument("--test", action="store_true", help="score the test split (same as --split test; the split "
                    "is kept apart from ../shared/data/polnear: point --data at a folder that has test/)")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--errors", type=int, default=0, help="print N random errors (misses, wrong sources, spurious)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="score only the first N annotation files")
    ap.add_argument("--every", type=int, default=0,
                    help="score only every K-th file (train: the files bench/train_sourcing_tagger.py --holdout K "
                         "keeps out)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--states", default="run",
                    help="the detector's token states the tagger reads: 'run' (the shipped detector, as `unspin "
                    "analyze` does), 'none' (find_sourcing alone: the tagger's sparse models) or a folder of cached "
                    "states (bench/polnear_states.py)")
    args = ap.parse_args()
    STATES["mode"] = args.states
    split = "test" if args.test else args.split
    if not (args.data / split / "attributions").is_dir():
        raise SystemExit(f"no {split} split under {args.data} (PolNeAR's test split is kept apart for independent "
                         "evaluation; pass --data with a folder holding test/text and test/attributions)")
    t = Totals()
    errors: list[str] = []
    n_docs = n_gold = 0
    t0 = time.perf_counter()
    for n, (name, text, gold) in enumerate(documents(split, args.data)):
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
    mp, mr, mf = prf(_anon_main[0], _anon_main[1], _anon_main[2], _anon_main[3])
    fp_, fr = t.anonymous_flag.p(), t.anonymous_flag.r()
    so = t.source_overlap.f()
    print(f"PolNeAR {split}: {n_docs} annotation files, {n_gold} gold attributions, scored in {secs:.1f} s")
    targets = [
        ("attribution F1 with the right source", ">= 0.75", f"{t.right_source.f():.3f}", t.right_source.f() >= 0.75),
        ("content overlap F1", ">= 0.83", f"{cf:.3f}", cf >= 0.83),
        ("source overlap F1", ">= 0.85", f"{so:.3f}", so >= 0.85),
        ("anonymous_sources P / R", ">= 0.85 / >= 0.70", f"{ap_:.3f} / {ar:.3f}", ap_ >= 0.85 and ar >= 0.70),
        ("attribution `anonymous` flag P / R", ">= 0.85 / >= 0.70", f"{fp_:.3f} / {fr:.3f}",
         fp_ >= 0.85 and fr >= 0.70),
    ]
    print("\nissue 15's targets")
    for label, want, got, ok in targets:
        print(f"  {label:<38} {want:<18} {got:<16} {'met' if ok else 'not met'}")
    print("  time added to `unspin analyze`       <= 15%              bench/sourcing_speed.py")
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
        "  the same, institutions and documents left out of the reference": f"{mp:.3f} / {mr:.3f} / {mf:.3f}   "
        f"({_anon_main[0]}/{_anon_main[1]} predicted, {_anon_main[2]}/{_anon_main[3]} reference)",
        "attribution `anonymous` flag, P / R / F1": t.anonymous_flag.row(),
    }
    print("\nall figures")
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        print(f"{k:<{width}}  {v}")
    print("\nanonymous reference by class (distinct gold source spans): found by anonymous_sources / in the reference")
    for k, desc in CLASSES.items():
        f, n = _by_class.get(k, [0, 0])
        print(f"  {k:<12} {f:>4} / {n:<4} {desc}")
    if args.errors:
        random.Random(args.seed).shuffle(errors)
        for e in errors[: args.errors]:
            print(e)
    if args.json:
        fig = {"split": split, "files": n_docs, "gold": n_gold,
               "attributions_f1": t.attributions.f(), "right_source_f1": t.right_source.f(),
               "content_overlap": [cp, cr, cf], "content_exact_f1": t.content_exact.f(),
               "source_overlap_f1": so,
               "matched_source_overlap_f1": t.source_of_pairs.f(), "anonymous_sources": [ap_, ar, af],
               "anonymous_sources_without_institutions_documents": [mp, mr, mf],
               "anonymous_reference_by_class": _by_class,
               "anonymous_flag": [t.anonymous_flag.p(), t.anonymous_flag.r(), t.anonymous_flag.f()]}
        args.json.write_text(json.dumps(fig, indent=2))


if __name__ == "__main__":
    main()
