"""Words as a reader sees them: what a span may start and end on, and which words carry content.

A *word* is a run of letters or digits, and a hyphen or apostrophe between two such runs joins
them into one word: "shake-up", "Bush-era", "O'Brien" and "Trump's" are one word each, so a span
never holds half of one. A *function word* is a closed-class English word (article, determiner, pronoun,
preposition, conjunction, auxiliary or modal verb, and a few discourse and time adverbs);
a span made only of function words, punctuation and digits tells a reader nothing, and no
propaganda technique lives in one. The list is ours, written for this rule.
"""

from __future__ import annotations

import re

JOINERS = "-\u2010\u2011'\u2019"  # hyphen, Unicode hyphen, non-breaking hyphen, apostrophe, right single quote
WORD_RE = re.compile(r"[^\W_]+(?:[" + JOINERS + r"][^\W_]+)*")

FUNCTION_WORDS = frozenset(
    """
    a an the this that these those such each either neither both any some another other others same own
    much many more most less least few fewer several
    i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves one ones who whom whose which what
    whatever whoever whichever whomever something anything someone anyone somebody anybody
    about above across after against along alongside amid among amongst around as at before behind below
    beneath beside besides between beyond by despite down during except for from in inside into like near
    of off on onto opposite out outside over past per since than through throughout till to toward towards
    under underneath unlike until up upon via with within without
    and but or nor so yet if then else because although though while whereas whether unless once when
    whenever where wherever how however therefore thus hence also too
    be am is are was were been being have has had having do does did doing
    will would shall should can could may might must ought
    not n't 's 're 've 'd 'll 'm s t re ve d ll m
    quite rather just only even still already again sometimes here there
    now today yesterday tomorrow soon later almost
    mr mrs ms dr
    """.split()
)
# Left out on purpose, though they are closed-class: absolutes and intensifiers ("never", "always", "all",
# "every", "no", "nothing", "everyone", "very", "enough") and "why". Annotators mark them alone as Loaded
# Language, Exaggeration or Doubt ("NO", "never ever", "Why?"): they carry the claim.


def is_word_char(c: str) -> bool:
    """A letter or digit (what words are made of)."""
    return c.isalnum()


def _joined(text: str, i: int) -> bool:
    """Whether text[i] is a joiner between two word characters (inside one word)."""
    return (
        0 < i < len(text) - 1
        and text[i] in JOINERS
        and is_word_char(text[i - 1])
        and is_word_char(text[i + 1])
    )


def _in_word(text: str, i: int) -> bool:
    return is_word_char(text[i]) or _joined(text, i)


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole words: a word touching either edge (joined compounds included) is
    taken in whole, also when the range only touches it ("!" right after "sense" gives "sense!")."""
    s, e = start, end
    while s > 0 and _in_word(text, s - 1):
        s -= 1
    while e < len(text) and _in_word(text, e):
        e += 1
    return s, e


def words(text: str) -> list[str]:
    """The words of a text, lowercased, joined compounds kept whole."""
    return [m.group(0).lower() for m in WORD_RE.finditer(text)]


def _base(word: str) -> str:
    """A word without a possessive ending: "trump's" -> "trump"."""
    for end in ("'s", "\u2019s"):
        if word.endswith(end):
            return word[: -len(end)]
    return word


def is_content_word(word: str) -> bool:
    """Whether a (lowercased) word carries content: not a function word, not only digits."""
    w = _base(word.replace("\u2019", "'"))
    return bool(w) and w not in FUNCTION_WORDS and not w.replace("-", "").replace("'", "").isdigit()


def content_word_positions(text: str) -> list[tuple[int, str]]:
    """(character offset, word) of each content word of a text: lowercased, possessive endings dropped."""
    out: list[tuple[int, str]] = []
    for m in WORD_RE.finditer(text):
        w = m.group(0).lower()
        if is_content_word(w):
            out.append((m.start(), _base(w.replace("\u2019", "'"))))
    return out


def content_words(text: str) -> list[str]:
    """The content words of a text, lowercased, possessive endings dropped, in order."""
    return [w for _, w in content_word_positions(text)]


def has_content(text: str) -> bool:
    """Whether the text holds at least one content word (not only function words, punctuation, digits)."""
    return any(is_content_word(w) for w in words(text))


def cuts_a_word(text: str, start: int, end: int) -> bool:
    """Whether [start, end) starts or ends inside a word or right against one (a joined compound included)."""
    if start >= end:
        return False
    return snap_to_words(text, start, end) != (start, end)
