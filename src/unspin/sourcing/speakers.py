"""Who speaks each quotation: the reporting event next to it, resolved to a full name.

A quote's speaker comes from the event right after it ('," Ushakov said'),
right before it ('told journalists: "'), or, for a partial quote inside
indirect speech, the nearest event earlier in its sentence. A pronoun resolves
to the first person named in the closest earlier sentence (the subject, as a
rule, rather than whoever was mentioned last); a short name or a role ('the
aide') resolves through the registry of people named earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from unspin.sourcing.events import SpeechEvent
from unspin.sourcing.layout import Layout, Ranges, Token
from unspin.sourcing.lexicon import (
    ANONYMOUS_NOUNS,
    DETERMINERS,
    DOCUMENT_NOUNS,
    INSTITUTION_NOUNS,
    LEADING_PREPOSITIONS,
    NON_NAME_WORDS,
    PLURAL_PRONOUNS,
    PRONOUNS,
    ROLE_NOUNS,
    SOURCE_NOUNS,
    SPEECH_VERBS,
    SPOKESPERSON_NOUNS,
)
from unspin.sourcing.model import Quote
from unspin.sourcing.names import (
    People,
    Person,
    capital_runs,
    is_full_name,
    name_text,
    split_title,
    strip_honorific,
)
from unspin.sourcing.outlets import KNOWN_OUTLETS, OutletMention
from unspin.sourcing.quotes import QuoteSpan

_AFTER_GAP = re.compile(r"[\s,—–-]*")
_BEFORE_GAP = re.compile(r"[\s,]*(?:that\s*)?|[^.!?\n\"“”]{0,60}[:,]\s*")
_PRONOUN_LOOKBACK = 6  # sentences


@dataclass(frozen=True)
class Speaker:
    """Who an event's source phrase names."""

    name: str | None
    role: str | None
    start: int
    end: int
    anonymous: bool = False
    how: str = ""

    @property
    def kind(self) -> str | None:
        """person, outlet or institution, for a named speaker; None otherwise."""
        if self.name is None:
            return None
        if self.how == "outlet" or self.name in KNOWN_OUTLETS:
            return "outlet"
        return "institution" if self.how == "body" else "person"


def _name_like(t: Token) -> bool:
    return t.is_cap and t.bare.lower() not in NON_NAME_WORDS and t.bare.lower() not in SOURCE_NOUNS


def title_case(quote: str) -> bool:
    """A quoted title ('“Face the Nation”') rather than someone's words."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", quote) if len(w) > 3]
    return bool(words) and len(words) <= 5 and all(w[0].isupper() for w in words)


def within(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


class SpeakerResolver:
    def __init__(self, layout: Layout, people: People, quote_ranges: list[tuple[int, int]],
                 outlets: list[OutletMention] | None = None) -> None:
        self.layout = layout
        self.text = layout.text
        self.people = people
        self.quotes = quote_ranges
        self.quoted = Ranges(quote_ranges)
        self.outlets = outlets or []

    def _person_in_run(self, toks: list[Token], i: int, j: int, before: int) -> tuple[Person, Token, Token] | None:
        k, j = split_title(toks, i, j)
        name = strip_honorific(toks[k:j])
        if not name:
            return None
        if is_full_name(name):
            full = name_text(name)
            known = self.people.resolve(full)
            return (known or Person(full, None, name[0].start, name[-1].end)), name[0], name[-1]
        if len(name) == 1:
            known = self.people.resolve(name[0].bare, before)
            if known:
                return known, name[0], name[0]
            nxt = toks[j] if j < len(toks) else None
            if (nxt is not None and _name_like(name[0])
                    and (nxt.low in SPEECH_VERBS or nxt.low in ("has", "had"))):  # "Trump has said"
                return Person(name[0].bare, None, name[0].start, name[0].end), name[0], name[0]
        return None

    def first_person(self, start: int, end: int, before: int) -> tuple[Person, Token, Token] | None:
        """The first person named in [start, end), outside quotations."""
        toks = [t for t in self.layout.tokens_in(start, end) if t.start not in self.quoted]
        for i, j in capital_runs(self.text, toks):
            hit = self._person_in_run(toks, i, j, before)
            if hit:
                return hit
        return None

    def resolve_pronoun(self, pos: int) -> Person | None:
        """The subject of the closest earlier sentence that names a person."""
        k = self.layout.sentence_index(pos)
        sents = self.layout.sentences
        for n in range(k - 1, max(-1, k - 1 - _PRONOUN_LOOKBACK), -1):
            a, b = sents[n]
            hit = self.first_person(a, min(b, pos), pos)
            if hit:
                return hit[0]
        return None

    def speaker(self, e: SpeechEvent) -> Speaker:
        """Resolve an event's source phrase to a named person or body, or mark it anonymous."""
        toks = self.layout.tokens_in(e.source_start, e.source_end)
        words = [t for t in toks if t.is_word]
        if len(words) == 1 and words[0].low in _RELATIVE:  # "Cruz, who said ...": the noun phrase before
            hit = self._antecedent(words[0].start)
            if hit:
                return Speaker(hit[0].name, hit[0].role, words[0].start, words[0].end, how="relative")
            return Speaker(None, None, words[0].start, words[0].end, how="relative")
        if len(words) == 1 and words[0].low in PRONOUNS:
            pron = self.resolve_pronoun(e.source_start)
            if pron:
                return Speaker(pron.name, pron.role, words[0].start, words[0].end, how="pronoun")
            return Speaker(None, None, words[0].start, words[0].end, how="pronoun")
        h = self._head_index(toks)
        if h is None:
            return Speaker(None, None, e.source_start, e.source_end, how="unnamed")
        if self._some_of_them(toks):
            return Speaker(None, None, e.source_start, e.source_end, anonymous=True, how="anonymous")
        head = toks[h]
        if head.is_cap and not (h == self._first_word(toks) and self._common_initial(head)):
            named = self._named(toks[: h + 1], e.source_start, e.source_end)
            if named:
                return named
        else:
            rest = toks[h + 1 :]
            if rest and rest[0].text == ",":
                rest = rest[1:]
            if rest and (rest[0].low == "by" or rest[0].is_cap):  # "The report, by ... Marko Vist", "his aide, Ann Li"
                named = self._named(rest, e.source_start, e.source_end)
                if named:
                    return named
        pre = [t for t in toks[: h + 1] if t.is_word]
        if pre[0].low in ("a", "an", "the") or pre[0].low in ROLE_NOUNS:  # "Ann Li, an analyst at ...": her role
            hit = self._antecedent(e.source_start, appositive=True)
            if hit:
                return Speaker(hit[0].name, hit[0].role, hit[1].start, hit[2].end, how="name")
        possessive = any(t.text.endswith(("'s", "’s")) for t in pre[:-1])
        definite = pre[0].low in DETERMINERS - {"a", "an"} or possessive
        # "several former RT journalists": some of an outlet's people, unnamed; not the outlet speaking
        members = pre[0].bare.lower() in _INDEFINITE and head.low.endswith("s") and head.start > pre[0].end
        for o in self.outlets:  # "the Post piece"
            if e.source_start <= o.start < head.end and not (members and o.end <= head.start):
                return Speaker(o.name, None, o.start, o.end, how="outlet")
        if head.bare.lower() in ANONYMOUS_NOUNS and not possessive:
            return Speaker(None, None, e.source_start, e.source_end, anonymous=True, how="anonymous")
        if definite:
            modifiers = [t for t in pre[:-1] if t.is_cap and t.low not in DETERMINERS]
            if modifiers and not possessive:  # "the Clinton campaign"
                return Speaker(self.text[modifiers[0].start : head.end], None, modifiers[0].start, head.end,
                               how="body")
            if head.low in ROLE_NOUNS:
                by_role = self.people.by_role(head.low, e.source_start)
                if by_role:
                    return Speaker(by_role.name, by_role.role, e.source_start, e.source_end, how="role")
            return Speaker(None, None, e.source_start, e.source_end, how="unnamed")
        anonymous = self._unnamed(pre) and not self._on_record(toks, h) and not self._not_unnamed(toks, h)
        return Speaker(None, None, e.source_start, e.source_end, anonymous=anonymous, how="unnamed")

    def _some_of_them(self, toks: list[Token]) -> bool:
        """Whether the source is some unnamed members of a group: a quantifier, 'of' and a plural common noun
        ('one of Vale's aides', 'many of his supporters', 'two of the doctors'), not of a name ('one of the
        Dorns'), nor of an institution or its documents ('one of the ministry's reports'), nor one named in
        apposition ('one of the family's lawyers, Tove Brandl')."""
        f = self._first_word(toks)  # 'One of Vale's aides' opening a sentence reads like a name ('Secretary of State')
        if toks[f].low not in _PARTITIVES or f + 2 >= len(toks) or toks[f + 1].low != "of":
            return False
        rest = toks[f + 2 :]
        if any(t.text == "," and n + 1 < len(rest) and rest[n + 1].is_cap for n, t in enumerate(rest)):
            return False  # named in apposition: "one of the family's attorneys, Justin Bamberg"
        k = self._head_index(rest)
        if k is None:
            return False
        noun = rest[k]
        low = noun.bare.lower()
        if noun.is_cap or low in _NOT_HEADS or not noun.is_word or low in PRONOUNS | PLURAL_PRONOUNS:
            return False
        return (low.endswith("s") or low in ANONYMOUS_NOUNS) and not self._on_record(rest, k)

    def _not_unnamed(self, toks: list[Token], h: int) -> bool:
        """Whether a source phrase headed by a common noun still cannot stand for unnamed people: it is cut
        off mid-phrase ('reef sharks and', 'and newspapers', 'a group of'); it names a person other than
        as a modifier of its head ('Ann Vale backs free clinics', not 'Ann Vale supporters'), or its
        members ('groups, including the Dockers Guild'); or it is a bare singular noun, which no determiner makes a
        noun phrase ('harbour director', 'climate change')."""
        words = [n for n, t in enumerate(toks) if t.is_word]
        if toks[words[0]].low in _OPENING_CONJUNCTIONS or toks[words[-1]].low in _CUT_ENDS:
            return True
        for i, j in capital_runs(self.text, toks):
            before = next((t for t in reversed(toks[:i]) if t.low not in DETERMINERS), None)
            apposed = i > h and before is not None and (before.text == "," or before.low in _MEMBERS | {"by"})
            if ((i < h and j != h) or apposed) and self._person_in_run(toks, i, j, toks[0].start) is not None:
                return True  # 'Ann Vale backs free clinics', 'a lawyer for the harbour board, Tomas Brandl' (not 'a spokeswoman for Ann Vale')
        for n in words:
            if n > h and toks[n].low in _MEMBERS and any(t.is_cap and t.is_word for t in toks[n + 1 : n + 4]):
                return True
        pre = [toks[n] for n in words if n <= h]
        first, head = pre[0].bare.lower(), toks[h].low
        determined = (first in _INDEFINITE or first in DETERMINERS or first[0].isdigit() or first == "not"
                      or _NUMBER_WORD.fullmatch(first) is not None or head in _INDEFINITE
                      or pre[0].text.endswith(("'s", "’s")))
        plural = head.endswith("s") or head in _GROUP_NOUNS or head in ANONYMOUS_NOUNS
        return len(pre) > 1 and not determined and not plural

    @staticmethod
    def _on_record(toks: list[Token], h: int) -> bool:
        """Whether an unnamed source phrase still says who answers for the words: an institution ('police',
        'the regional water company'), the spokesperson of one ('a police spokesman', 'a spokesman for the
        foreign ministry') or a document ('two internal emails', 'a report in the Guardian')."""
        head = toks[h].bare.lower()
        if head in INSTITUTION_NOUNS or head in DOCUMENT_NOUNS:
            return True
        if head in SPOKESPERSON_NOUNS:  # 'a spokeswoman for Ann Vale' speaks for a person: still unnamed
            return any(t.bare.lower() in INSTITUTION_NOUNS for n, t in enumerate(toks) if t.is_word and n != h)
        return False

    def _named(self, toks: list[Token], start: int, end: int) -> Speaker | None:
        """A person, an outlet or a named body among `toks` (a name first, then an outlet, then capitals)."""
        for i, j in capital_runs(self.text, toks):
            hit = self._person_in_run(toks, i, j, start)
            if hit:
                person, first, last = hit
                return Speaker(person.name, person.role, first.start, last.end, how="name")
        lo, hi = (toks[0].start, toks[-1].end) if toks else (start, end)
        for o in self.outlets:
            if lo <= o.start < hi:
                return Speaker(o.name, None, o.start, o.end, how="outlet")
        words = [t for t in toks if t.is_word]
        proper = [t for t in words if t.is_cap and t.low not in DETERMINERS and t.low not in ANONYMOUS_NOUNS
                  and t.low not in LEADING_PREPOSITIONS and not (t is words[0] and self._common_initial(t))]
        if proper:
            first = proper[0]
            return Speaker(self.text[first.start : hi], None, first.start, hi, how="body")
        return None

    @staticmethod
    def _first_word(toks: list[Token]) -> int:
        return next((n for n, t in enumerate(toks) if t.is_word), 0)

    def _head_index(self, toks: list[Token]) -> int | None:
        """The source phrase's head word: the last word before a preposition (not 'by'), a comma or a
        relative pronoun ('officials in the capital', 'Ann Li, the city engineer', 'a man who ...')."""
        first = self._first_word(toks)
        head = None
        for n in range(first, len(toks)):
            t = toks[n]
            inside_name = (t.low == "of" and toks[n - 1].is_cap and n + 1 < len(toks) and toks[n + 1].is_cap)
            if n > first and (t.text == "," or t.low in _HEAD_STOPS) and not inside_name:  # "Secretary of State"
                break
            if t.is_word:
                head = n
        return head

    def _unnamed(self, words: list[Token]) -> bool:
        """An indefinite or bare noun phrase not headed by a name (`words` end at the head): 'a homeless man',
        'several experts', 'protesters', 'U.S. officials' (not a pronoun, and not a definite description that
        points back: 'the minister', 'his campaign')."""
        if not words or all(t.bare.lower() in _NOT_SOURCES for t in words):
            return False
        if words[-1].is_cap and not (len(words) == 1 and self._common_initial(words[-1])):
            return False  # headed by a name
        first, last = words[0].bare.lower(), words[-1].low
        if (last in _NOT_HEADS or not last.isalpha() or last.endswith(("ing", "ed", "ly")) or len(last) < 3
                or first in LEADING_PREPOSITIONS or first.endswith(("ed", "ly"))):
            return False  # not a noun phrase ('secretary of', 'curbing', '000', 'in her administration')
        if len(words) == 1 and not (last.endswith("s") or last in _GROUP_NOUNS):
            return False  # 'Public', 'secretary': a bare singular word is not a source
        if any(t.low in _VERBISH for t in words):
            return False  # 'Obama is overselling': a clause, not a noun phrase
        return first in _INDEFINITE or first[0].isdigit() or first not in DETERMINERS | _NOT_SOURCES

    def _common_initial(self, t: Token) -> bool:
        """A capital that only opens a sentence ('Protesters said'), not a name."""
        low = t.bare.lower()
        sa, _ = self.layout.sentence_at(t.start)
        opens = t.start == sa or not self.text[sa : t.start].strip(" \"“‘'(")
        if not opens or self.people.resolve(t.bare) is not None:
            return False
        return (low in _COMMON_STARTS or low in SOURCE_NOUNS or low in self.lower_words
                or (low.endswith(_GROUP_SUFFIXES) and len(low) >= 8))  # 'Protesters said' (not 'Rogers said')



    @cached_property
    def lower_words(self) -> frozenset[str]:
        """Every word the article writes in lower case (possessive endings dropped)."""
        return frozenset(w[:-2] if w.endswith(("'s", "’s")) else w for w in _LOWER_WORD.findall(self.text))

    def _antecedent(self, pos: int, appositive: bool = False) -> tuple[Person, Token, Token] | None:
        """The person named right before a relative pronoun at `pos` ('Cruz, who ...'), or, for an appositive,
        right before the comma that opens it ('Ann Li, an analyst ...')."""
        sa, _ = self.layout.sentence_at(pos)
        toks = [t for t in self.layout.tokens_in(sa, pos) if t.start not in self.quoted]
        if appositive and not (toks and toks[-1].text == ","):
            return None
        while toks and not toks[-1].is_word:
            toks.pop()
        runs = capital_runs(self.text, toks)
        if runs and runs[-1][1] == len(toks):
            return self._person_in_run(toks, *runs[-1], pos)
        return None

    @staticmethod
    def _head(words: list[Token]) -> Token | None:
        pre: list[Token] = []
        for n, t in enumerate(words):
            if n > 0 and t.low in LEADING_PREPOSITIONS:
                break
            pre.append(t)
        return pre[-1] if pre else None


_LOWER_WORD = re.compile(r"(?<![\w'’\-])[a-z][\w'’\-]*")
_RELATIVE = {"who", "which", "whom"}
_HEAD_STOPS = (LEADING_PREPOSITIONS - {"by"}) | {"who", "which", "whom", "whose", "that", "familiar", "close", "about",
                                                  "and", "or"}
_NOT_SOURCES = {"he", "she", "it", "they", "we", "i", "you", "me", "us", "them", "him", "her", "this", "that",
                "these", "those", "who", "which", "whom", "whose", "there", "here", "what", "all", "each", "both",
                "his", "its", "their", "our", "my", "your", "said", "says"}
_NOT_HEADS = LEADING_PREPOSITIONS | {"a", "an", "the", "and", "or", "but", "that", "which", "who", "than", "as", "more",
                                     "further", "earlier", "later", "last", "also", "not", "very", "many", "some"}
_OPENING_CONJUNCTIONS = {"and", "or", "nor", "but", "neither", "including"}
_CUT_ENDS = LEADING_PREPOSITIONS | {"a", "an", "the", "and", "or", "nor", "but", "about", "as", "than", "including",
                                    "like"}
_NUMBER_WORD = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty"
                          r"(?:-\w+)?|hundreds?|thousands?|millions?|dozens?)")
_MEMBERS = {"including", "like", "such"}  # 'groups, including the Dockers Guild', 'critics like Senator Brandl'
_GROUP_SUFFIXES = ("ers", "ists", "ants", "ents", "ors", "ians", "ees")
_GROUP_NOUNS = {"police", "staff", "media", "management", "press", "security", "leadership", "military", "public",
                "clergy", "personnel", "crew", "youth"} - {"public"}
_PARTITIVES = {"one", "two", "three", "four", "five", "some", "several", "many", "most", "few", "all", "each",
               "none", "dozens", "hundreds", "thousands", "half"}
_VERBISH = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should", "does", "did"}
_INDEFINITE = {"a", "an", "one", "some", "several", "many", "most", "few", "other", "others", "another", "two",
               "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozens", "hundreds", "thousands",
               "numerous", "various", "multiple", "certain", "no", "nobody", "someone", "somebody", "anyone",
               "everyone", "people", "more", "half"}
# Capitalised only because they open a sentence ("Police said").
_COMMON_STARTS = {"police", "prosecutors", "officials", "sources", "critics", "experts", "analysts", "diplomats",
                  "residents", "witnesses", "authorities", "investigators", "doctors", "researchers", "scientists"}


def _same_sentence(layout: Layout, a: int, b: int) -> bool:
    return layout.sentence_index(a) == layout.sentence_index(b) and "\n" not in layout.text[a:b]


def cue_after(layout: Layout, q: QuoteSpan, events: list[SpeechEvent]) -> SpeechEvent | None:
    for e in events:
        if (e.start >= q.end and _AFTER_GAP.fullmatch(layout.text, q.end, e.start)
                and _same_sentence(layout, q.end - 1, e.start)):
            return e
    return None


def cue_before(layout: Layout, q: QuoteSpan, events: list[SpeechEvent]) -> SpeechEvent | None:
    best = None
    for e in events:
        if e.end <= q.start and _same_sentence(layout, e.start, q.start):
            if _BEFORE_GAP.fullmatch(layout.text, e.end, q.start) and not e.framing:
                best = e
    return best


_ABOVE_GAP = re.compile(r"[^.!?\n\"“”]{0,60}:[ \t\u00a0]*\n\s*")


def cue_above(layout: Layout, q: QuoteSpan, by_sentence: dict[int, list[SpeechEvent]]) -> SpeechEvent | None:
    """A block quote: the quote opens its paragraph, and the paragraph before ends with a colon right after a
    reporting event ('Ann Vale continued:', 'In a 2019 speech, he declared:', 'Lind quotes the harbour master:')."""
    text = layout.text
    k = q.start - 1
    while k >= 0 and text[k] in " \t\u00a0":
        k -= 1
    if k < 0 or text[k] != "\n":
        return None
    while k >= 0 and text[k].isspace():
        k -= 1
    if k < 0 or text[k] != ":":
        return None
    best = None
    for e in by_sentence.get(layout.sentence_index(k), []):
        if e.end <= k and not e.framing and _ABOVE_GAP.fullmatch(text, e.end, q.start):
            best = e
    return best


def context_event(layout: Layout, q: QuoteSpan, events: list[SpeechEvent]) -> SpeechEvent | None:
    best = None
    for e in events:
        if e.verb_end <= q.start and _same_sentence(layout, e.start, q.start):
            best = e
    return best


_LABEL = re.compile(r"[\"“'‘]?[ \t\u00a0]*([A-Z][A-Z'’.-]+(?:[ \u00a0][A-Z][A-Z'’.-]+)?):[ \t\u00a0]")
_NOT_LABELS = frozenset({"UPDATE", "UPDATED", "NOTE", "EDITOR'S NOTE", "WATCH", "READ", "BREAKING", "EXCLUSIVE",
                         "CORRECTION", "Q", "A", "VIDEO", "PHOTO", "SOURCE", "AP", "CNN", "NBC", "ABC", "CBS", "BBC"})


def transcript_turns(text: str, q: QuoteSpan) -> list[QuoteSpan]:
    """A quoted transcript running over several paragraphs, one turn per speaker label ('"LIND: ...',
    '"VALE: ...'): split where a paragraph opens with a label; any other quote as it is."""
    if len(q.parts) < 2 or _LABEL.match(text, q.parts[0][0]) is None:
        return [q]
    groups: list[list[tuple[int, int]]] = []
    for part in q.parts:
        if not groups or _LABEL.match(text, part[0]) is not None:
            groups.append([])
        groups[-1].append(part)
    return [QuoteSpan(g[0][0], g[-1][1], tuple(g)) for g in groups]


def transcript_label(text: str, q: QuoteSpan) -> tuple[int, int] | None:
    """The speaker label a quoted transcript turn opens with ('"LIND: Will the ferry run ...'): a capitalised
    name of one or two words in capitals and a colon, right after the opening mark; its span."""
    m = _LABEL.match(text, q.start)
    if m is None or m.group(1).replace("\u00a0", " ") in _NOT_LABELS:
        return None
    return m.span(1)


_DASH = re.compile(r"[ \t\u00a0]*[―—–]+[ \t\u00a0]*")
_CREDIT_REST = re.compile(r"[ \t\u00a0.]*(?:,[^\n\"“”]{0,60})?[ \t\u00a0]*(?:\n|$)")


def dash_credit(layout: Layout, q: QuoteSpan, resolver: SpeakerResolver) -> tuple[Person, Token, Token] | None:
    """The person a quotation is credited to by a dash after it, the rest of its line a full name and at most a
    short description ('“The ferry should run all night.” ― Petra Lund', '… — Ann Vale, 34, a nurse')."""
    text = layout.text
    m = _DASH.match(text, q.end)
    if m is None:
        return None
    toks = layout.tokens_in(m.end(), m.end() + 80)
    runs = capital_runs(text, toks)
    if not runs or runs[0][0] != 0:
        return None
    i, j = runs[0]
    k, j = split_title(toks, i, j)
    name = [t for t in toks[k:j] if t.is_word]
    if not is_full_name(name) or not _CREDIT_REST.match(text, toks[j - 1].end):
        return None
    full = text[name[0].start : name[-1].end]
    return (resolver.people.resolve(full) or Person(full, None, name[0].start, name[-1].end)), name[0], name[-1]


def assign_speakers(
    layout: Layout, spans: list[QuoteSpan], events: list[SpeechEvent], resolver: SpeakerResolver
) -> tuple[list[Quote], set[SpeechEvent]]:
    """Quotes with speakers, and the events that serve as a quote's own cue (not separate attributions)."""
    quoted = Ranges([(q.start, q.end) for q in spans])
    outside = [e for e in events if e.verb_start not in quoted]
    # every cue rule wants an event in the quote's own sentence: look only there (in list order)
    by_sentence: dict[int, list[SpeechEvent]] = {}
    for e in outside:
        by_sentence.setdefault(layout.sentence_index(e.start), []).append(e)
    text = layout.text
    quotes: list[Quote] = []
    cues: set[SpeechEvent] = set()
    for q in (turn for span in spans for turn in transcript_turns(text, span)):
        label = transcript_label(text, q)
        if label is not None:
            a, b = label
            who = text[a:b].title()
            person = resolver.people.resolve(who.split()[-1], a)
            quotes.append(Quote(q.start, q.end, text[q.start : q.end], parts=list(q.parts),
                                speaker=person.name if person else who, role=person.role if person else None,
                                speaker_start=a, speaker_end=b, speaker_text=text[a:b], how="label",
                                source_kind="person"))
            continue
        how = None
        event = cue_after(layout, q, by_sentence.get(layout.sentence_index(q.end - 1), []))
        if event is not None:
            how = "after"
        else:
            event = cue_before(layout, q, by_sentence.get(layout.sentence_index(q.start), [])) or cue_above(
                layout, q, by_sentence)
            how = "before" if event is not None else None
        if event is not None:
            cues.add(event)
        else:
            event = None if title_case(text[q.start : q.end]) else context_event(
                layout, q, by_sentence.get(layout.sentence_index(q.start), []))
            how = "context" if event is not None else None
        base = Quote(q.start, q.end, text[q.start : q.end], parts=list(q.parts))
        if event is not None:
            sp = resolver.speaker(event)
            if how == "context" and sp.how not in ("name", "pronoun", "role"):
                # a partial quote inside a body's or outlet's report: too loose to name a speaker
                sp = Speaker(None, None, sp.start, sp.end, anonymous=sp.anonymous, how=sp.how)
            quotes.append(replace(base, speaker=sp.name, role=sp.role, speaker_start=sp.start, speaker_end=sp.end,
                                speaker_text=text[sp.start : sp.end], cue=event.verb,
                                how=how if sp.how != "pronoun" else f"{how}+pronoun", anonymous=sp.anonymous,
                                source_kind=sp.kind))
            continue
        credit = dash_credit(layout, q, resolver)
        if credit is not None:
            person, first, last = credit
            quotes.append(replace(base, speaker=person.name, role=person.role, speaker_start=first.start,
                                  speaker_end=last.end, speaker_text=text[first.start : last.end], how="dash",
                                  source_kind="person"))
            continue
        prev = quotes[-1] if quotes else None
        if prev is not None and prev.how and layout.paragraph_index(prev.start) == layout.paragraph_index(q.start):
            quotes.append(replace(base, speaker=prev.speaker, role=prev.role, how="carried",
                                  anonymous=prev.anonymous, source_kind=prev.source_kind))
            continue
        quotes.append(base)
    return quotes, cues
