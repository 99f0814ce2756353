"""Reporting events: a speech verb and the noun phrase that names its source.

"Ushakov said", "said Tomas Brandl", "according to the Post piece", "citing four
unnamed officials": one finder produces them all, and the quote, attribution
and anonymous-source rules each read the events they care about.
"""

from __future__ import annotations

from dataclasses import dataclass

from unspin.sourcing.layout import Layout, Token
from unspin.sourcing.lexicon import (
    CITING_VERBS,
    CLAUSE_BREAKS,
    DETERMINERS,
    LEADING_PREPOSITIONS,
    PLURAL_PRONOUNS,
    PRONOUNS,
    QUANTIFIERS,
    QUOTE_FRAMING_VERBS,
    QUOTING_VERBS,
    ROLE_NOUNS,
    SOURCE_NOUNS,
    SPEECH_VERBS,
    VERB_BLOCKERS,
    VERB_PRELUDE,
)
from unspin.sourcing.names import initial_stop

_MAX_NP = 10
_PUNCT_STOP = set(",.;:!?()[]\"“”„«»—–")
_APPOSITIVE_OPENERS = {"who", "which", "whose", "by", "a", "an", "the"}
_INVERTING_VERBS = {"said", "says", "added", "adds", "wrote", "writes", "asked", "continued", "explained",
                    "insisted", "noted", "recalled", "replied", "warned", "argued", "stressed", "answered", "shouted",
                    "yelled", "chanted", "joked", "quipped", "exclaimed", "retorted", "barked", "interjected",
                    "boomed", "whispered", "muttered", "cried", "thundered", "snapped", "gushed", "mused",
                    "marvelled", "marveled", "lamented", "boasted", "bragged"}
# Verb forms that are as often plural nouns ("phone calls", "the claims"): their subject must be adjacent.
_NOUN_LIKE = {"calls", "claims", "reports", "states", "notes", "comments", "remarks", "estimates", "quotes",
              "warns", "report", "claim", "comment", "estimate", "quote", "note"}
_GERUND_BLOCKERS = {"from", "of", "without", "by", "about", "after", "before", "for"}


@dataclass(frozen=True)
class SpeechEvent:
    verb: str
    verb_start: int
    verb_end: int
    source_start: int
    source_end: int
    form: str  # subject ("X said"), inverted ("said X"), according_to, citing
    framing: bool = False  # 'called them "agents"': introduces a partial quote, not a claim

    @property
    def start(self) -> int:
        return min(self.verb_start, self.source_start)

    @property
    def end(self) -> int:
        return max(self.verb_end, self.source_end)


def _is_head(t: Token) -> bool:
    low = t.bare.lower()
    return low in SOURCE_NOUNS or low in PRONOUNS or low in PLURAL_PRONOUNS or (t.is_cap and t.is_word)


def plausible_source(np: list[Token]) -> bool:
    """A source phrase needs a head before any preposition: a source noun, a pronoun or a capitalised word."""
    words = [t for t in np if t.is_word]
    if not words:
        return False
    pre: list[Token] = []
    for n, t in enumerate(words):
        if n > 0 and t.low in LEADING_PREPOSITIONS:
            break
        pre.append(t)
    if len(pre) == 1 and pre[0].low in PLURAL_PRONOUNS - {"they"}:
        return False
    return any(_is_head(t) and t.low not in DETERMINERS for t in pre)


def subject_head_ok(np: list[Token], prep_ok: bool = True) -> bool:
    """The word next to the verb heads the subject, or heads it before a prepositional phrase
    ('officials in the capital said', 'sources familiar with the talks said')."""
    if not np:
        return False
    last = np[-1]
    if _is_head(last) and last.low not in DETERMINERS:
        return True
    if last.text.isdigit() and len(np) > 1 and np[-2].is_cap:  # "Rossiya 24 said"
        return True
    if not prep_ok:
        return False
    for n in range(1, len(np)):
        if np[n].low in LEADING_PREPOSITIONS:
            return any(_is_head(t) and t.low not in DETERMINERS for t in np[max(0, n - 2) : n])
    return False


def _description(inner: list[Token]) -> bool:
    """An appositive with no article that still describes the person before it: an age ('Lind, 49,') or a
    short phrase ending in a role ("Sanders' campaign manager", 'Harbour Board chairman')."""
    if len(inner) == 1 and inner[0].text.isdigit():
        return True
    words = [t for t in inner if t.is_word]
    return 0 < len(words) <= 6 and inner[-1].low in ROLE_NOUNS and all(
        t.is_word or t.text in "'’" for t in inner)


def _appositive_start(toks: list[Token], comma: int, floor: int) -> int | None:
    """Index of the comma opening an appositive that ends at `comma` (', the village head,')."""
    for n in range(comma - 1, max(floor, comma - 13) - 1, -1):
        if toks[n].text == ",":
            inner = toks[n + 1 : comma]
            if inner and (inner[0].low in _APPOSITIVE_OPENERS or _description(inner)) and n > floor \
                    and toks[n - 1].is_word:
                return n
            return None
        if toks[n].text in _PUNCT_STOP:
            return None
    return None


def np_before(toks: list[Token], idx: int, floor: int) -> tuple[int, int, int] | None:
    """The subject ending right before toks[idx]: token range [a, b) and the index of its head word.

    An appositive right before the verb (', the village head,') belongs to the subject; the head is
    the word before it.
    """
    n = idx - 1
    while n >= floor and toks[n].low in VERB_PRELUDE:
        n -= 1
    end = n + 1
    if n >= floor and toks[n].text == ",":
        opener = _appositive_start(toks, n, floor)
        if opener is None:
            return None
        end = n  # the span runs to the end of the appositive, without its closing comma
        n = opener - 1
    head = n
    first = None
    while n >= floor and head - n < _MAX_NP:
        t = toks[n]
        if t.text == "." and n > floor and initial_stop(toks, n):  # 'Viktor K. Lind said'
            n -= 1
            continue
        if not t.is_word or t.low in CLAUSE_BREAKS or (t.low in SPEECH_VERBS and t.low not in _NOUN_LIKE):
            break
        first = n
        n -= 1
    if first is None:
        return None
    while first <= head and (toks[first].low in LEADING_PREPOSITIONS or toks[first].low in CLAUSE_BREAKS):
        first += 1
    return (first, end, head) if first <= head else None


def np_after(toks: list[Token], idx: int, ceil: int) -> tuple[int, int] | None:
    """Token range of the phrase starting at toks[idx], up to punctuation or a clause opener."""
    n = idx
    while n < ceil and n - idx < _MAX_NP:
        t = toks[n]
        if t.text == "." and n > idx and (initial_stop(toks, n) or _title_stop(toks, n)):  # 'said Oskar T. Brandl'
            n += 1
            continue
        if not t.is_word or t.low in CLAUSE_BREAKS - {"of"} or (n > idx and t.low in SPEECH_VERBS):
            break
        n += 1
    return (idx, n) if n > idx else None


_TITLE_ABBREVIATIONS = {"rep", "reps", "sen", "sens", "gov", "gen", "lt", "col", "capt", "sgt", "prof", "rev", "dr",
                        "mr", "mrs", "ms", "st", "cmdr", "adm"}


def _title_stop(toks: list[Token], j: int) -> bool:
    """Whether toks[j] is the full stop of an abbreviated title before a name ('said Rep. Joseph Crowley')."""
    prev = toks[j - 1]
    return (prev.low in _TITLE_ABBREVIATIONS and prev.end == toks[j].start and j + 1 < len(toks)
            and toks[j + 1].is_word and toks[j + 1].is_cap)


def _prev_word(toks: list[Token], idx: int, floor: int) -> Token | None:
    n = idx - 1
    while n >= floor and toks[n].low in VERB_PRELUDE - {"has", "have", "had"}:
        n -= 1
    return toks[n] if n >= floor else None


def _event(toks: list[Token], verb: tuple[int, int], src: tuple[int, int], form: str, framing: bool = False):
    a, b = verb
    sa, sb = src
    return SpeechEvent(" ".join(t.text for t in toks[a:b]), toks[a].start, toks[b - 1].end,
                       toks[sa].start, toks[sb - 1].end, form, framing)


# Verbs that take an infinitive ('claim to serve', 'vowed to fight'): then they state an intention or a
# pretension, not what someone reported.
_INFINITIVE_VERBS = {"claim", "claims", "claimed", "claiming", "promise", "promises", "promised", "vow", "vows",
                     "vowed", "pledge", "pledges", "pledged", "threaten", "threatens", "threatened"}


def _infinitive_follows(toks: list[Token], i: int, ceil: int) -> bool:
    if i + 2 >= ceil or toks[i + 1].low != "to":
        return False
    return toks[i].low in _INFINITIVE_VERBS or toks[i + 2].low == "be"


def events_in(toks: list[Token], floor: int = 0, ceil: int | None = None) -> list[SpeechEvent]:
    """Reporting events among toks[floor:ceil] (one sentence)."""
    ceil = len(toks) if ceil is None else ceil
    out: list[SpeechEvent] = []
    for i in range(floor, ceil):
        t = toks[i]
        low = t.low
        if low == "according" and i + 1 < ceil and toks[i + 1].low == "to":
            src = np_after(toks, i + 2, ceil)
            if src and plausible_source(toks[src[0] : src[1]]):
                out.append(_event(toks, (i, i + 2), src, "according_to"))
            continue
        if low not in SPEECH_VERBS and low not in CITING_VERBS and low not in QUOTE_FRAMING_VERBS \
                and low not in QUOTING_VERBS:
            continue
        prev = _prev_word(toks, i, floor)
        if prev is not None and (prev.low in VERB_BLOCKERS or (low.endswith("ing") and prev.low in _GERUND_BLOCKERS)):
            continue
        if low in CITING_VERBS:
            src = np_after(toks, i + 1, ceil)
            if src and plausible_source(toks[src[0] : src[1]]):
                out.append(_event(toks, (i, i + 1), src, "citing"))
            continue
        if t.is_cap and i > floor:  # "Secretary of State", not a verb
            continue
        if prev is not None and (prev.low in DETERMINERS or prev.low in QUANTIFIERS):  # "a report", "the claims"
            continue
        if _infinitive_follows(toks, i, ceil):  # 'the people they claim to serve', 'is said to be'
            continue
        framing = low in QUOTE_FRAMING_VERBS
        subj = np_before(toks, i, floor)
        if subj and subject_head_ok(toks[subj[0] : subj[2] + 1], prep_ok=low not in _NOUN_LIKE):
            out.append(_event(toks, (i, i + 1), subj[:2], "subject", framing))
            continue
        if framing or low not in _INVERTING_VERBS:
            continue
        if prev is None or prev.text in ",\"”»":
            obj = np_after(toks, i + 1, ceil)
            if obj and toks[obj[0]].low not in LEADING_PREPOSITIONS and plausible_source(toks[obj[0] : obj[1]]):
                out.append(_event(toks, (i, i + 1), obj, "inverted"))  # not 'said in a statement
    return out


def find_events(layout: Layout) -> list[SpeechEvent]:
    """Every reporting event of the article, sentence by sentence."""
    toks = layout.all_tokens
    out: list[SpeechEvent] = []
    k = 0
    for a, b in layout.sentences:
        while k < len(toks) and toks[k].start < a:
            k += 1
        j = k
        while j < len(toks) and toks[j].start < b:
            j += 1
        out.extend(events_in(toks, k, j))
        k = j
    return out
