"""News outlets named in the text: known names, newspaper-like names, and short forms.

"Washington Post", "Reuters" and "RT" are known; "Harbour Times" or "Baltic
Courier" look like newspapers (a capitalised name ending in Times, Courier,
...); "state broadcaster Rossiya 24" is named by the word before it. A later
"the Post" or "the Times piece" resolves to the outlet named earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unspin.sourcing.layout import Token, tokens
from unspin.sourcing.lexicon import ROLE_MODIFIERS, TITLES
from unspin.sourcing.names import capital_runs

# canonical name -> how it is written (case-sensitive, longest first is handled by the regex)
KNOWN_OUTLETS: dict[str, tuple[str, ...]] = {
    "Reuters": ("Reuters",), "Associated Press": ("Associated Press", "AP"), "AFP": ("AFP", "Agence France-Presse"),
    "EPA": ("EPA",), "TASS": ("TASS", "Tass"), "Interfax": ("Interfax",), "RIA Novosti": ("RIA Novosti", "RIA"),
    "Sputnik": ("Sputnik",), "RT": ("RT", "Russia Today"), "BBC": ("BBC",), "CNN": ("CNN",), "Fox News": ("Fox News",),
    "Al Jazeera": ("Al Jazeera",), "Bloomberg": ("Bloomberg",), "Washington Post": ("Washington Post",),
    "New York Times": ("New York Times",), "Wall Street Journal": ("Wall Street Journal",),
    "Financial Times": ("Financial Times",), "Guardian": ("Guardian",), "Telegraph": ("Telegraph",),
    "Daily Mail": ("Daily Mail",), "Economist": ("Economist",), "Politico": ("Politico",), "Axios": ("Axios",),
    "NBC News": ("NBC News", "NBC"), "ABC News": ("ABC News",), "CBS News": ("CBS News", "CBS"), "NPR": ("NPR",),
    "Xinhua": ("Xinhua",), "Kyodo": ("Kyodo",), "Yonhap": ("Yonhap",), "Anadolu": ("Anadolu",), "DPA": ("DPA", "dpa"),
    "ANSA": ("ANSA",), "Getty Images": ("Getty Images", "Getty"), "Der Spiegel": ("Der Spiegel", "Spiegel"),
    "Le Monde": ("Le Monde",), "Le Figaro": ("Le Figaro",), "Izvestia": ("Izvestia",), "Kommersant": ("Kommersant",),
    "Vedomosti": ("Vedomosti",), "Rossiya 24": ("Rossiya 24",), "Channel One": ("Channel One",),
    "Deutsche Welle": ("Deutsche Welle", "DW"), "Euronews": ("Euronews",), "Haaretz": ("Haaretz",),
    "Newsweek": ("Newsweek",), "USA Today": ("USA Today",), "Los Angeles Times": ("Los Angeles Times",),
    "Sky News": ("Sky News",), "Al Arabiya": ("Al Arabiya",), "SANA": ("SANA",), "Press TV": ("Press TV",),
    "Global Times": ("Global Times",), "CCTV": ("CCTV",), "Meduza": ("Meduza",), "Novaya Gazeta": ("Novaya Gazeta",),
    "Moscow Times": ("Moscow Times",), "Kyiv Independent": ("Kyiv Independent",), "Breitbart": ("Breitbart",),
    "ProPublica": ("ProPublica",), "HuffPost": ("HuffPost",), "BuzzFeed News": ("BuzzFeed News",),
}
_FORMS = sorted(((form, name) for name, forms in KNOWN_OUTLETS.items() for form in forms), key=lambda f: -len(f[0]))
_KNOWN_RE = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(f) for f, _ in _FORMS) + r")(?![\w-])")
_CANONICAL = dict(_FORMS)
NEWSPAPER_HEADS = frozenset(
    """Post Times Journal Herald Courier Gazette Tribune Chronicle Ledger Telegraph Observer Independent Guardian
    Mirror Express Standard Examiner Inquirer Dispatch Register Bulletin Monitor Weekly Daily Sentinel Globe
    Mail Pravda Gazeta Izvestia Review Record""".split()
)
_OUTLET_NOUNS = {"newspaper", "daily", "broadcaster", "agency", "channel", "tabloid", "magazine", "outlet", "website",
                 "weekly", "portal", "TV", "television", "radio", "station"}
_SHORT_FORM = re.compile(r"\b[Tt]he\s+(" + "|".join(sorted(NEWSPAPER_HEADS)) + r")\b(?!\s+[A-Z])")


@dataclass(frozen=True)
class OutletMention:
    start: int
    end: int
    name: str


def canonical(name: str) -> str:
    name = re.sub(r"^(?:[Tt]he)\s+", "", name.strip()).rstrip(".")
    return _CANONICAL.get(name, name)


def known_mentions(text: str, start: int, end: int) -> list[OutletMention]:
    return [OutletMention(m.start(), m.end(), _CANONICAL[m.group()]) for m in _KNOWN_RE.finditer(text, start, end)]


def _run_name(toks: list[Token], i: int, j: int) -> tuple[int, int]:
    while i < j and toks[i].low == "the":
        i += 1
    # a run may continue with a number ("Rossiya 24")
    return i, j


def newspaper_like(text: str, start: int, end: int, toks: list[Token] | None = None) -> list[OutletMention]:
    """'Harbour Times', 'Daily Ledger', and names next to an outlet noun ('broadcaster Rossiya 24').

    `toks`: tokens(text, start, end) when the caller has them already."""
    toks = tokens(text, start, end) if toks is None else toks
    out: list[OutletMention] = []
    for i, j in capital_runs(text, toks):
        i, j = _run_name(toks, i, j)
        if j - i < 1:
            continue
        words = [t.bare for t in toks[i:j]]
        after = toks[j] if j < len(toks) else None
        before = toks[i - 1] if i > 0 else None
        if after is not None and after.text.isdigit():
            j += 1
        looks_like_paper = len(words) >= 2 and (words[-1] in NEWSPAPER_HEADS or words[0] == "Daily")
        named_by_noun = (after is not None and after.text in _OUTLET_NOUNS and after.text != "TV" or
                         before is not None and before.low in _OUTLET_NOUNS)
        if named_by_noun and j - i == 1 and words[0].lower() in ROLE_MODIFIERS | TITLES:  # "State broadcaster"
            named_by_noun = False
        if looks_like_paper or named_by_noun:
            a, b = toks[i].start, toks[j - 1].end
            if text[b - 2 : b] in ("'s", "’s"):
                b -= 2
            out.append(OutletMention(a, b, canonical(text[a:b])))
    return out


def short_forms(text: str, start: int, end: int, earlier: list[OutletMention]) -> list[OutletMention]:
    """'the Post' -> the outlet named earlier whose name ends (or starts) with Post."""
    out: list[OutletMention] = []
    for m in _SHORT_FORM.finditer(text, start, end):
        word = m.group(1)
        full = [o.name for o in earlier if o.start < m.start() and word in o.name.split() and o.name != word]
        name = full[-1] if full else (canonical(word) if word in _CANONICAL else None)
        if name:
            out.append(OutletMention(m.start(1), m.end(1), name))
    return out


def find_outlets(
    text: str, start: int = 0, end: int | None = None, toks: list[Token] | None = None
) -> list[OutletMention]:
    """Every outlet mention in text[start:end], longest first where they overlap (`toks`: its tokens, if known)."""
    end = len(text) if end is None else end
    found = known_mentions(text, start, end) + newspaper_like(text, start, end, toks)
    found = _dedupe(found)
    found = _dedupe(found + short_forms(text, start, end, found))
    return found


def _dedupe(found: list[OutletMention]) -> list[OutletMention]:
    out: list[OutletMention] = []
    for m in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out
