"""People named in the article: full names, their roles, and later short mentions.

A name is a run of capitalised words that are not titles, places or common
words ("Defence Minister Pavel Rusak" -> "Pavel Rusak", role "Defence
Minister"). The registry remembers each full name with its role, so that a later
"Ushakov" or "Ms Finch" resolves to the person introduced earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

from unspin.sourcing.layout import Ranges, Token, tokens
from unspin.sourcing.lexicon import (
    HONORIFICS,
    NAME_PARTICLES,
    NON_NAME_WORDS,
    ROLE_MODIFIERS,
    ROLE_NOUNS,
    TITLES,
)


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    start: int  # the mention that introduced the name
    end: int


def _name_word(t: Token) -> bool:
    return t.is_word and t.is_cap and t.bare.lower() not in NON_NAME_WORDS and not t.text[0].isdigit()


def _particle(t: Token) -> bool:
    low = t.low
    return low in NAME_PARTICLES or any(low.startswith(p + "-") for p in ("al", "el", "bin", "ibn"))


def _same_line(text: str, a: Token, b: Token) -> bool:
    return "\n" not in text[a.end : b.start]


_RUNS: list[tuple[list[Token], list[tuple[int, int]]]] = []  # the last few long token lists and their runs


def capital_runs(text: str, toks: list[Token]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive capitalised tokens on one line (particles allowed inside).

    A whole article's token list is read by several rules; its runs are found once (kept by identity)."""
    if len(toks) > 200:
        for seen, runs in _RUNS:
            if seen is toks:
                return runs
        runs = _capital_runs(text, toks)
        _RUNS.insert(0, (toks, runs))
        del _RUNS[4:]
        return runs
    return _capital_runs(text, toks)


def _capital_runs(text: str, toks: list[Token]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        if not (toks[i].is_word and toks[i].is_cap):
            i += 1
            continue
        j = i + 1
        while j < len(toks) and _same_line(text, toks[j - 1], toks[j]):
            if toks[j].is_word and (toks[j].is_cap or _particle(toks[j])):
                j += 1
            elif initial_stop(toks, j):  # 'Oskar T. Brandl': the initial's full stop goes on with the name
                j += 2
            else:
                break
        while j > i + 1 and not toks[j - 1].is_cap:  # a run never ends on a particle...
            if toks[j - 1].low.startswith(("al-", "el-")):  # ...unless it is "al-Assad"
                break
            j -= 1
        runs.append((i, j))
        i = j
    return runs


def initial_stop(toks: list[Token], j: int) -> bool:
    """Whether toks[j] is the full stop of a middle initial followed by a capitalised word ('N.' in 'Oskar T.
    Brandl')."""
    t, prev = toks[j], toks[j - 1]
    return (t.text == "." and len(prev.text) == 1 and prev.text.isupper() and prev.end == t.start
            and j + 1 < len(toks) and toks[j + 1].is_word and toks[j + 1].is_cap and toks[j + 1].start == t.end + 1)


def name_text(toks: list[Token]) -> str:
    """A name's words joined by spaces, an initial keeping its full stop ('Oskar T. Brandl')."""
    out: list[str] = []
    for t in toks:
        if t.text == ".":
            if out and len(out[-1]) == 1:
                out[-1] += "."
            continue
        out.append(t.text)
    return " ".join(out)


def split_title(toks: list[Token], i: int, j: int) -> tuple[int, int]:
    """Where the name starts in run [i, j): after the last title word, and past common words."""
    k = i
    for n in range(i, j):
        if toks[n].bare.lower().rstrip(".") in TITLES:
            k = n + 1
    while k < j and not _name_word(toks[k]) and not _particle(toks[k]):
        k += 1
    return k, j


def is_full_name(toks: list[Token]) -> bool:
    toks = [t for t in toks if t.text != "."]  # an initial's full stop
    words = [t for t in toks if not _particle(t)]
    return 2 <= len(toks) <= 4 and len(words) >= 1 and all(
        _name_word(t) or _particle(t) or (0 < n < len(toks) - 1 and len(t.text) == 1 and t.text.isupper())
        for n, t in enumerate(toks))


def role_before(text: str, all_toks: list[Token], k: int, run_start: int) -> tuple[int, int] | None:
    """The role words before token k ('Russian presidential aide'), as a (start, end) span."""
    n = k - 1
    first = None
    seen_noun = False
    while n >= 0:
        t = all_toks[n]
        low = t.bare.lower().rstrip(".")
        if not t.is_word:
            break
        if low in ROLE_NOUNS or low in TITLES:
            seen_noun = True
        elif t.low == "of" and first is not None:
            pass
        elif low in ROLE_MODIFIERS or (t.is_cap and low not in NON_NAME_WORDS - {"post", "times", "kremlin"}):
            pass
        elif t.is_cap and low in {"post", "times", "journal", "herald", "courier", "gazette", "ledger", "kremlin",
                                  "house", "ministry", "office", "department", "news", "daily", "weekly"}:
            pass
        else:
            break
        first = n
        n -= 1
    if first is None or not seen_noun:
        return None
    # never start a role with "of"
    while first < k and all_toks[first].low == "of":
        first += 1
    return (all_toks[first].start, all_toks[k - 1].end) if first < k else None


def role_after(text: str, end: int) -> tuple[int, int] | None:
    """An appositive role right after a name: ', the village head,' or ', an analyst at X.'"""
    i = end
    while i < len(text) and text[i] in " \u00a0":
        i += 1
    if i >= len(text) or text[i] != ",":
        return None
    toks = tokens(text, i + 1, min(len(text), i + 120))
    if not toks or toks[0].low not in ("a", "an", "the"):
        return None
    stop = len(toks)
    for n, t in enumerate(toks):
        if t.text in ",.;:!?\"“”" or t.low in ("said", "says", "told", "wrote", "added", "who", "which"):
            stop = n
            break
    if stop < 2 or stop > 9:
        return None
    body = toks[1:stop]
    if not any(t.bare.lower() in ROLE_NOUNS or t.low in ROLE_NOUNS for t in body) and stop > 4:
        return None
    return body[0].start, body[-1].end


class People:
    """Full names seen so far, with roles, and how to resolve a short mention to one of them."""

    def __init__(self) -> None:
        self.people: list[Person] = []

    def add(self, person: Person) -> Person:
        for n, p in enumerate(self.people):
            if p.name == person.name:
                if p.role is None and person.role:
                    self.people[n] = Person(p.name, person.role, p.start, p.end)
                return self.people[n]
        self.people.append(person)
        return person

    def resolve(self, short: str, before: int | None = None) -> Person | None:
        """The person whose name contains `short` as a word, preferring ones introduced before `before`."""
        words = short.strip().lower().split()
        hits = [p for p in self.people if _holds(p.name.lower().split(), words)]
        earlier = [p for p in hits if before is None or p.start < before]
        pick = earlier or hits
        return pick[-1] if pick else None

    def by_role(self, noun: str, before: int) -> Person | None:
        """The latest person whose role ends in `noun` ('the minister said')."""
        hits = [p for p in self.people if p.role and p.start < before and p.role.lower().split()[-1] == noun]
        return hits[-1] if hits else None


def _holds(name: list[str], words: list[str]) -> bool:
    """Whether `words` occur in `name` one after another ('De Blasio' in 'Bill de Blasio'; case aside)."""
    n = len(words)
    return n > 0 and any(name[k : k + n] == words for k in range(len(name) - n + 1))


def strip_honorific(toks: list[Token]) -> list[Token]:
    out = list(toks)
    while out and out[0].low.rstrip(".") in HONORIFICS:
        out = out[1:]
    while out and out[0].text == ".":
        out = out[1:]
    return [t for n, t in enumerate(out) if t.text != "." or initial_stop(out, n)]


def find_people(text: str, all_toks: list[Token], outside: list[tuple[int, int]]) -> People:
    """Register every full name outside quotations, in text order, with its role."""
    people = People()
    inside = Ranges(outside)
    for i, j in capital_runs(text, all_toks):
        k, j = split_title(all_toks, i, j)
        if k >= j:
            continue
        if all_toks[k].start in inside:
            continue
        name_toks = all_toks[k:j]
        if not is_full_name(name_toks):
            continue
        start, end = name_toks[0].start, name_toks[-1].end
        known = people.resolve(name_text(name_toks), start)
        if known is not None and len(known.name.split()) > len(name_toks):
            continue  # 'De Blasio' after 'Bill de Blasio': the same person, named again
        role = role_before(text, all_toks, k, i) or role_after(text, end)
        people.add(Person(name_text(name_toks), text[role[0]:role[1]] if role else None, start, end))
    return people
