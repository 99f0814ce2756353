"""Put the learned tagger's attributions together with the rule-found quotes and reporting events.

One statement is reported once:
- a quote keeps the speaker a rule gave it right next to it (after / before / context); otherwise a tagged
  attribution overlapping it gives it its speaker and cue. A tagged attribution that is a quote's own
  statement is not listed again as an attribution;
- "according to X" and "citing X" attributions of the rules stand; other rule attributions stay only where no
  tagged attribution covers their claim, and one cue gives one attribution (the tagger's, unless its claim is
  a stub of one or two words);
- a tagged attribution whose cue is no verb of saying flags an unnamed source only when the verifier gives it
  at least even odds;
- a tagged attribution is left out when its cue is negated or passive ("did not say", "declined to say", "was
  told"), when its cue is a capitalised name inside a sentence, or when its source is a weak guess that names
  nobody; its claim stops before another speaker's quote.
Unnamed speakers and sources join the anonymous sources; short scare-quoted terms are not quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from unspin.sourcing.events import SpeechEvent
from unspin.sourcing.features import Doc
from unspin.sourcing.layout import Layout, trim
from unspin.sourcing.lexicon import (
    ATTITUDE_VERBS,
    DETERMINERS,
    DOCUMENT_NOUNS,
    LEADING_PREPOSITIONS,
    QUOTE_FRAMING_VERBS,
    SPEECH_VERBS,
)
from unspin.sourcing.model import AnonymousSource, Attribution, Quote
from unspin.sourcing.speakers import SpeakerResolver, title_case
from unspin.sourcing.tagger import Tagged

_CLAIM_CHARS = " \t\r\n\u00a0,;:.—–-"
_RELATIVE = {"who", "which", "whose", "whom", "that"}
_TERM_WORDS = 4  # a quoted phrase this short, with no speaker and no cue next to it, is a term
_RULE_CUES = {"after", "before", "after+pronoun", "before+pronoun", "dash", "label"}
_SHORT_CLAIM = 2  # words: a tagged claim this short is a stub; the rule's reading of the same cue wins
_NEAR = 30  # characters between an unnamed speaker and the anonymity clause that goes with it
_PASSIVE = {"was", "were", "been", "being", "is", "are", "be", "get", "got"}
_NEGATIONS = {"not", "never", "declined", "refused", "declines", "refuses", "declining", "refusing"}
_RECENT = 8  # tagged attributions listed last, checked for a claim that holds the next cue (in cue order)
_ABSTAINING = {"refrained", "refrain", "refrains", "refraining", "abstained", "abstain", "abstains", "abstaining"}
_AGENT_AFTER = re.compile(r"(?:\s+[\w'’-]+){0,3}?\s+by\b")  # '... called up by', '... named by'
_FUNCTION_CUES = LEADING_PREPOSITIONS | DETERMINERS | frozenset(
    """about have has had did do does would will could should can may might also again just still even then their
    its it they he she we i you and or but as than so""".split()
)
# A tagged attribution whose cue is no verb of saying ('see', 'present', 'intensified') is listed only when the
# verifier finds it more likely right than wrong (a verb of saying is listed from the tagger's threshold, 0.4), so
# a doubtful one neither shows nor flags its source as unnamed ('Visitors can now see the maps'). Its cost on
# PolNeAR when introduced (tagger reading the detector's states; before, the same gate held the anonymity flag
# only): dev right source -0.002, content overlap -0.006; held-out train fifth -0.003 / -0.010.
OTHER_MIN_SCORE = 0.5
_RULE_FIRST_VERBS = {"according to", "citing", "cites", "cited", "cite", "quoting", "quoted", "quotes", ":"}  # ":" a headline's


@dataclass(frozen=True)
class Found:
    """A tagged attribution in character offsets."""

    cue: tuple[int, int]
    source: tuple[int, int] | None
    parts: tuple[tuple[int, int], ...]
    score: float
    strong_source: bool = True  # the source run scored above zero (a weak one is a best guess)

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    def event(self, text: str) -> SpeechEvent | None:
        if self.source is None:
            return None
        return SpeechEvent(text[self.cue[0] : self.cue[1]], self.cue[0], self.cue[1], self.source[0], self.source[1],
                           "tagged")


Pieces = list[tuple[int, int]] | tuple[tuple[int, int], ...]


def overlap(x: Pieces, y: Pieces) -> int:
    """Characters two sets of pieces share."""
    return sum(max(0, min(b, d) - max(a, c)) for a, b in x for c, d in y)


def size(x: Pieces) -> int:
    return sum(b - a for a, b in x)


def bounds(x: Pieces) -> tuple[int, int]:
    """From the first start to the last end of the pieces; (0, 0) for none."""
    return (min(a for a, _ in x), max(b for _, b in x)) if x else (0, 0)


class Reach:
    """Items by the character range each reaches: `touching(a, b)` lists, in item order, the items whose
    range overlaps [a, b), by binary search over their starts, so that matching statements against
    statements grows with the article's length, not with its square (issue 18: 30,000 words)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self._order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
        self._starts = [ranges[i][0] for i in self._order]
        self._ranges = ranges
        self._longest = max((b - a for a, b in ranges), default=0)

    @classmethod
    def of(cls, pieces: Sequence[Pieces]) -> Reach:
        """Each item's range runs from its pieces' first start to their last end."""
        return cls([bounds(p) for p in pieces])

    def touching(self, a: int, b: int) -> list[int]:
        lo = bisect_right(self._starts, a - self._longest)
        hi = bisect_left(self._starts, b)
        return sorted(i for i in self._order[lo:hi] if self._ranges[i][1] > a and self._ranges[i][0] < b)


def unnamed_sources(text: str, quotes: list[Quote], attributions: list[Attribution],
                    anonymous: list[AnonymousSource], quote_ranges: list[tuple[int, int]]) -> list[AnonymousSource]:
    """`anonymous` plus the unnamed speakers and sources not already in it ('a homeless man', 'protesters'),
    kind `unnamed_source`, in text order."""
    spans = [(q.speaker_start, q.speaker_end) for q in quotes
             if q.anonymous and q.speaker_start is not None and q.speaker_end is not None]
    spans += [(a.source_start, a.source_end) for a in attributions if a.anonymous]
    out = list(anonymous)
    for a, b in sorted(set(spans)):
        if any(x.start < b and a < x.end for x in out):
            continue
        near = [n for n, x in enumerate(out) if x.kind == "anonymity_clause" and b <= x.start <= b + _NEAR
                and not any(c in text[b : x.start] for c in ".!?\n")]
        if near:  # 'A guard said, speaking on condition of anonymity': one unnamed source
            x = out[near[0]]
            out[near[0]] = AnonymousSource(a, x.end, text[a : x.end], x.kind, x.in_quote)
            continue
        out.append(AnonymousSource(a, b, text[a:b], "unnamed_source", any(qa <= a < qb for qa, qb in quote_ranges)))
    return sorted(out, key=lambda x: (x.start, x.end))


def is_term(text: str, q: Quote) -> bool:
    """A scare-quoted word, a nickname or a title ('goes by the name “Shorty.”', 'the “pre-agreement”'): a
    short quoted phrase that names no speaker and is not set off by a cue of its own ('“No,” he said'), or a
    quoted title ('told “Harbour Hour,”', '“Lady Fog”') even with a speaker near, unless a rule set it off
    as someone's words. It is not listed as a quote; an attribution around it keeps it in its claim."""
    if _set_off(text, q):
        return False
    if title_case(q.text) and q.how not in _RULE_CUES:  # 'told “Harbour Hour,”': a show's title, whoever spoke
        return True
    return q.speaker is None and q.how not in _RULE_CUES and len(q.text.split()) <= _TERM_WORDS


def _set_off(text: str, q: Quote) -> bool:
    """Whether the quote stands right next to its speaker and cue ('“No,” he said', 'a man told me: “No.”')."""
    if q.speaker_start is None or q.speaker_end is None:
        return False
    if q.speaker_start >= q.end:
        gap = text[q.end : q.speaker_start]
    elif q.speaker_end <= q.start:
        gap = text[q.speaker_end : q.start]
    else:
        return False
    if q.cue:
        gap = gap.replace(q.cue, " ", 1)
    return "\n" not in gap and not any(c.isalnum() for c in gap)


def _only_attribution(gap: str, q: Quote) -> bool:
    """Whether the text between two quoted pieces is nothing but the first one's speaker and cue."""
    rest = gap
    for phrase in (q.speaker_text or "", q.cue or ""):
        rest = rest.replace(phrase, " ", 1) if phrase else rest
    return "\n" not in gap and not any(c.isalnum() for c in rest)


def join_interrupted(layout: Layout, quotes: list[Quote]) -> list[Quote]:
    """One quotation interrupted by its attribution inside a sentence ('"The plan," he said, "is dead."')
    becomes one quote whose `parts` are the quoted pieces; the second piece has no cue of its own."""
    out: list[Quote] = []
    for q in quotes:
        prev = out[-1] if out else None
        if (prev is not None and prev.speaker_start is not None and prev.cue
                and layout.sentence_index(prev.end - 1) == layout.sentence_index(q.start)
                and _only_attribution(layout.text[prev.end : q.start], prev)
                and (q.how in (None, "carried") or (q.speaker_start, q.cue) == (prev.speaker_start, prev.cue))):
            out[-1] = replace(prev, end=q.end, text=layout.text[prev.start : q.end],
                              parts=list(prev.parts or [(prev.start, prev.end)]) + list(q.parts or [(q.start, q.end)]))
            continue
        out.append(q)
    return out


def carry_speakers(layout: Layout, quotes: list[Quote]) -> list[Quote]:
    """A quote with no speaker of its own goes on the previous quote's statement when both are in one
    paragraph ('“Fares stay,” Ann Vale, the board's head, said in a statement. “We promised.”'), also when
    that speaker came from the tagger (the rules carry their own speakers already), how 'carried'."""
    out: list[Quote] = []
    for q in quotes:
        prev = out[-1] if out else None
        if (q.speaker is None and q.how is None and q.speaker_start is None and prev is not None
                and prev.speaker and prev.how and layout.paragraph_index(prev.start) == layout.paragraph_index(q.start)):
            q = replace(q, speaker=prev.speaker, role=prev.role, how="carried", anonymous=prev.anonymous,
                        source_kind=prev.source_kind)
        out.append(q)
    return out


def negated(text: str, cue: tuple[int, int]) -> bool:
    """'did not say', 'never said', 'declined to say', 'was told', 'reservists, called up by the mayor',
    'the truce negotiated by Moscow':
    nobody is credited with a claim (the rules' reading)."""
    before = re.findall(r"[\w’']+", text[max(0, cue[0] - 12) : cue[0]].lower())[-1:]
    inside = re.findall(r"[\w’']+", text[cue[0] : cue[1]].lower())
    words = inside + before
    if not inside or set(inside) <= _PASSIVE:  # 'He was [told to leave]': a bare 'was' reports nothing
        return True
    if inside[-1] in ("a", "an", "the"):  # 'substantiating a (report)': a cue cut mid-phrase, not a report verb
        return True
    if any(w in ("not", "never") or w.endswith(("n't", "n’t")) for w in words):
        return True
    if set(words) & _PASSIVE and inside[-1] in ("told", "asked"):
        return True
    if (len(inside) == 1 and inside[0].endswith("ed") and text[: cue[0]].rstrip().endswith(",")
            and _AGENT_AFTER.match(text, cue[1])):
        return True  # 'reservists, called up by the mayor': a passive participle clause
    if (len(inside) == 1 and inside[0].endswith("ed") and inside[0] not in SPEECH_VERBS | ATTITUDE_VERBS
            and re.match(r"\s+by\b", text[cue[1] :])):
        return True  # 'the truce negotiated by Moscow': a participle after its noun, and no verb of saying
    to_follows = "to" in inside or text[cue[1] : cue[1] + 4].lower().strip().startswith("to")
    if set(words) & _ABSTAINING and ("from" in inside or text[cue[1] : cue[1] + 6].lower().strip().startswith("from")):
        return True  # 'refrained from commenting on': nobody is credited with a claim
    return bool(set(words) & _NEGATIONS) and to_follows


def _nested_astray(f: Found, listed: list[Attribution]) -> bool:
    """Whether a tagged cue lies inside the claim of an attribution already listed while its source lies
    outside that claim ('Ushakov confirmed that Kerry has [lately intensified] contacts' read with 'Ushakov' as
    the source of 'intensified'): the words are the claim's, not a report of their own."""
    if f.source is None:
        return False
    for a in listed:
        parts = a.claim_parts or [(a.claim_start, a.claim_end)]
        if any(x <= f.cue[0] and f.cue[1] <= y for x, y in parts) and not any(
                x <= f.source[0] and f.source[1] <= y for x, y in parts):
            return True
    return False


def _reporting(text: str, cue: tuple[int, int]) -> bool:
    """Whether a cue holds a verb of saying ('said', 'has told', 'called', 'according to')."""
    words = re.findall(r"[\w’']+", text[cue[0] : cue[1]].lower())
    return any(w in SPEECH_VERBS or w in QUOTE_FRAMING_VERBS or w == "according" for w in words)


def _junk(layout: Layout, f: Found, known: bool) -> bool:
    """A tagged attribution not worth showing: a weak source guess that names nobody ('refrained'), a cue
    that is a capitalised name inside a sentence ('on Kerry's terms'), or a cue of function words only ('to',
    'would also', 'their'): no reporting word, the tagger read some other clause as a report."""
    text = layout.text
    words = re.findall(r"[\w’']+", text[f.cue[0] : f.cue[1]].lower())
    if words and all(w in _FUNCTION_CUES for w in words):
        return True
    sa, sb = layout.sentence_at(f.cue[0])
    if text[f.cue[0]].isupper() and text[sa : f.cue[0]].strip(" \"“‘'(") != "" \
            and not _headline_verb(text[sa:sb], words):
        return True
    return not f.strong_source and not known


def _headline_verb(sentence: str, words: list[str]) -> bool:
    """Whether a capitalised cue is a reporting verb of a title-case headline ('Vale Says Fares Will Rise',
    'Brandl Slams Harbour Plan'), not a name inside a sentence: a speech verb, or a verb of stance in a line
    whose longer words are all capitalised ('Vale Calls On Board To Resign', 'Lind Just Announced ...')."""
    if not set(words) & (SPEECH_VERBS | ATTITUDE_VERBS | QUOTE_FRAMING_VERBS):
        return False
    if words[0] in SPEECH_VERBS:
        return True
    longer = [w for w in re.findall(r"[^\W\d_][\w'’-]*", sentence) if len(w) > 3]
    return bool(longer) and all(w[0].isupper() for w in longer)


def _clear_of(text: str, f: Found, quotes: list[Quote], reach: Reach) -> Found | None:
    """The attribution with its content cut before any quote that is someone else's statement (a content
    that ran on into the next sentence's quote); None when nothing is left. `reach` indexes the quotes'
    (start, end)."""
    parts = list(f.parts)
    for k in reach.touching(*bounds(parts)):
        q = quotes[k]
        if q.speaker_start is None or not any(a < q.end and q.start < b for a, b in parts):
            continue
        if f.source and q.speaker_start < f.source[1] and f.source[0] < (q.speaker_end or 0):
            continue  # the same speaker: the quote belongs to this statement
        cut = []
        for a, b in parts:
            if b <= q.start or a >= q.end:
                cut.append((a, b))
            elif a < q.start:
                x, y = trim(text, a, q.start, _CLAIM_CHARS)
                if y > x:
                    cut.append((x, y))
        parts = cut
    if not parts:
        return None
    return f if parts == list(f.parts) else replace(f, parts=tuple(parts))


def _same_statement(q: Quote, f: Found, shared: int) -> bool:
    """Whether a tagged attribution overlapping a quote is that quote's own statement: the quote took its
    speaker, or has the same speaker, or makes up at least half of its content."""
    if q.how and q.how.startswith("tagger"):
        return True
    if f.source and q.speaker_start is not None and q.speaker_end is not None \
            and q.speaker_start < f.source[1] and f.source[0] < q.speaker_end:
        return True
    return q.speaker_start is None or shared >= 0.5 * size(f.parts)


def _same(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> bool:
    """Two claims overlap by at least half of the shorter one."""
    sx, sy = size(x), size(y)
    return bool(sx and sy) and overlap(x, y) >= 0.5 * min(sx, sy)


def _whole_names(doc: Doc, sa: int, sb: int) -> tuple[int, int]:
    """Grow a source span that cuts a capitalised name in two ('US Secretary of State John' -> '... Kerry')."""
    toks, text = doc.tokens, doc.layout.text
    n = 0
    while sb < len(toks) and n < 3 and toks[sb - 1].is_cap and toks[sb].is_cap and toks[sb].is_word \
            and text[toks[sb - 1].end : toks[sb].start] == " ":
        sb, n = sb + 1, n + 1
    n = 0
    while sa > 0 and n < 3 and toks[sa].is_cap and toks[sa - 1].is_cap and toks[sa - 1].is_word \
            and text[toks[sa - 1].end : toks[sa].start] == " " and doc.sentence[sa - 1] == doc.sentence[sa]:
        sa, n = sa - 1, n + 1
    return sa, sb


def to_chars(layout: Layout, doc: Doc, tagged: list[Tagged]) -> list[Found]:
    """Tagged attributions (token ranges) as character offsets: a source ends before its relative clause and
    never cuts a name in two; content pieces are trimmed of spaces and punctuation."""
    text = layout.text
    out: list[Found] = []
    # cues that stop a content's run to its sentence end: those that stand (not 'the truce negotiated by ...')
    cue_starts = {t.cue[0] for t in tagged
                  if not negated(text, (int(doc.starts[t.cue[0]]), int(doc.ends[t.cue[1] - 1])))}
    for t in tagged:
        cue = (int(doc.starts[t.cue[0]]), int(doc.ends[t.cue[1] - 1]))
        source = None
        # 'a report that ...' as a cue: a report named by an indefinite article credits no one before it ('Ann
        # Vale has stepped up her calls, the ministry confirmed, substantiating a report that Vale wants ...')
        unattributed_noun = t.source is not None and t.source[1] <= t.cue[0] and (
            doc.forms[t.cue[0]] in ("a", "an") or any(  # also 'substantiating a report' (not 'gave a speech')
                doc.forms[k] in ("a", "an") and doc.forms[k + 1] in DOCUMENT_NOUNS for k in range(t.cue[0], t.cue[1] - 1)))
        if t.source and not unattributed_noun:
            sa, sb = t.source
            for k in range(sa + 1, sb):  # 'a homeless man who goes by ...': the phrase ends before its clause
                if doc.forms[k] in _RELATIVE:
                    sb = k
                    break
            sa, sb = _whole_names(doc, sa, sb)
            a, b = trim(text, int(doc.starts[sa]), int(doc.ends[sb - 1]), _CLAIM_CHARS + "\"“”")
            source = (a, b) if b > a else None
        parts = []
        for n, (x, y) in enumerate(t.content):
            if n == len(t.content) - 1 and t.cue[1] <= x:
                y = _to_sentence_end(doc, y, cue_starts)
            y = _before_next_statement(doc, x, y)
            a, b = trim(text, int(doc.starts[x]), int(doc.ends[y - 1]), _CLAIM_CHARS)
            if b > a:
                parts.append((a, b))
        if parts:
            out.append(Found(cue, source, tuple(parts), t.score, t.source_score > 0))
    return out


def _before_next_statement(doc: Doc, x: int, y: int) -> int:
    """Where a content [x, y) ends when a second statement is joined to it (', and human rights groups warned
    that ...'): before a comma or semicolon and a conjunction followed within five words by a verb of saying."""
    forms = doc.forms
    for k in range(x + 1, y - 2):
        if forms[k] in (",", ";") and forms[k + 1] in ("and", "but", "while"):
            if any(forms[j] in SPEECH_VERBS for j in range(k + 2, min(k + 8, y))):
                return k
    return y


_QUOTE_MARKS = frozenset('"“”‘’«»')
_RUN_ON = 40  # most tokens a content after its cue is carried on to reach its sentence's end


def _to_sentence_end(doc: Doc, y: int, cue_starts: set[int]) -> int:
    """Where a content that follows its cue ends: the tagger's end, or its sentence's end when the tagger
    stopped short of it ('Ushakov confirmed that Kerry has intensified contacts with his' -> '... his Russian
    counterpart Sergey Lavrov on Syria') and nothing between is a quote mark or another cue."""
    n = len(doc.tokens)
    if y <= 0 or y >= n or doc.sentence[y] != doc.sentence[y - 1]:
        return y
    end = y
    while end < n and doc.sentence[end] == doc.sentence[y - 1]:
        if end in cue_starts or end - y > _RUN_ON or doc.forms[end] in _QUOTE_MARKS:
            return y
        end += 1
    return end


def combine(
    layout: Layout,
    found: list[Found],
    quotes: list[Quote],
    rule_attributions: list[Attribution],
    resolver: SpeakerResolver,
    anonymous: list[AnonymousSource],
) -> tuple[list[Quote], list[Attribution]]:
    """The article's quotes and attributions, each statement once (see the module doc)."""
    text = layout.text
    best: dict[int, tuple[int, int]] = {}  # quote index -> (overlap, found index): the first of the largest
    found_reach = Reach.of([f.parts for f in found])
    for k, q in enumerate(quotes):
        for n in found_reach.touching(*bounds(q.parts or [(q.start, q.end)])):
            ov = overlap(found[n].parts, q.parts or [(q.start, q.end)])
            if ov > best.get(k, (0, -1))[0]:
                best[k] = (ov, n)
    used: set[int] = set()
    out_quotes: list[Quote] = []
    for k, q in enumerate(quotes):
        f = found[best[k][1]] if k in best else None
        e = f.event(text) if f else None
        if f is not None and e is not None and not (q.speaker and q.how in _RULE_CUES | {"context"}):
            sp = resolver.speaker(e)
            anon = ((sp.anonymous and f.strong_source)
                    or any(a.start < e.source_end and e.source_start < a.end for a in anonymous))
            how = "tagger+pronoun" if sp.how == "pronoun" else "tagger"
            q = replace(q, speaker=sp.name, role=sp.role, speaker_start=sp.start, speaker_end=sp.end,
                        speaker_text=text[sp.start : sp.end], cue=e.verb, how=how, anonymous=anon,
                        source_kind=sp.kind)
        if is_term(text, q):
            continue
        if f is not None and _same_statement(q, f, best[k][0]):
            used.add(best[k][1])  # the attribution is this quote's: not listed again
        out_quotes.append(q)
    out_quotes = join_interrupted(layout, carry_speakers(layout, out_quotes))
    quoted = [q.parts or [(q.start, q.end)] for q in out_quotes]
    quoted_reach = Reach.of(quoted)
    quote_spans = Reach([(q.start, q.end) for q in out_quotes])
    out_attr = [a for a in rule_attributions if a.verb.lower() in _RULE_FIRST_VERBS
                and not any(_same([(a.claim_start, a.claim_end)], quoted[k])
                            for k in quoted_reach.touching(a.claim_start, a.claim_end))]
    taken = [[(a.claim_start, a.claim_end)] for a in out_attr]
    taken_reach = Reach.of(taken)
    cues = Reach([(a.start, a.end) for a in out_attr])
    anonymous_reach = Reach([(a.start, a.end) for a in anonymous])
    for n, f in enumerate(found):
        e = f.event(text)
        if n in used or e is None or any(_same(list(f.parts), taken[k]) for k in taken_reach.touching(*bounds(f.parts))):
            continue
        if cues.touching(*f.cue) or negated(text, f.cue):
            continue
        if f.score < OTHER_MIN_SCORE and not _reporting(text, f.cue):
            continue
        cleared = _clear_of(text, f, out_quotes, quote_spans)
        near = [out_attr[k] for k in taken_reach.touching(*f.cue)] + out_attr[len(taken) :][-_RECENT:]
        if cleared is None or _nested_astray(f, near):
            continue
        sp = resolver.speaker(e)
        is_anon = (sp.anonymous and cleared.strong_source) or bool(
            anonymous_reach.touching(e.source_start, e.source_end))
        named = not is_anon and sp.name is not None
        if _junk(layout, cleared, named or is_anon):
            continue
        source = text[e.source_start : e.source_end]
        resolved = sp.name if named and sp.name and sp.name.lower() not in source.lower() else None
        ca, cb = cleared.start, cleared.end
        out_attr.append(Attribution(
            start=e.start, end=e.end, text=text[e.start : e.end], source=source, source_start=e.source_start,
            source_end=e.source_end, verb=e.verb, claim_start=ca, claim_end=cb, claim=text[ca:cb], named=named,
            anonymous=is_anon, resolved=resolved, claim_parts=list(cleared.parts), how="tagger",
            name=sp.name if named else None, source_kind=sp.kind if named else None))
    covered = [list(f.parts) for f in found] + quoted
    covered_reach = Reach.of(covered)
    for a in rule_attributions:
        claim = [(a.claim_start, a.claim_end)]
        if a.verb.lower() in _RULE_FIRST_VERBS or any(overlap(claim, covered[k]) >= 0.5 * size(claim)
                                                      for k in covered_reach.touching(a.claim_start, a.claim_end)):
            continue
        clash = [t for t in out_attr if t.how == "tagger" and t.start < a.end and a.start < t.end and a.verb in t.verb]
        if clash and all(len(t.claim.split()) > _SHORT_CLAIM for t in clash):
            continue  # the tagger's reading of the same cue stands, unless its claim is a stub
        out_attr = [t for t in out_attr if t not in clash]
        out_attr.append(a)
    out_attr.sort(key=lambda a: (a.start, a.end))
    return out_quotes, out_attr
