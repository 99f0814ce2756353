"""Which language an article is written in, and what unspin says when it is not English.

The detector (py3langid, a naive Bayes model shipped inside the package, offline)
reads the first `SAMPLE_CHARS` characters. unspin's technique model was trained on
English news (PTC) and its sourcing rules follow English reporting verbs, so for any
other language the result carries `article.language` and `unspin analyze` prints
`language_notice` as one line on stderr: the analysis still runs, and says so.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MODEL_LANGUAGE = "en"
SAMPLE_CHARS = 5000
MIN_CONFIDENCE = 0.5  # below this probability the language is reported as unknown (None)
MIN_LETTERS = 12  # fewer letters than this say nothing reliable about a language

# Loading the model takes a second or more, so English (nearly every input) is recognised without it:
# these words make up 30-45% of English news and almost none of other languages' text.
ENGLISH_WORDS = frozenset(
    "the of and to is that was for with said he it his at from have has are were be this which who they "
    "their not but by its been would will had she her an or".split()
)
ENGLISH_SHARE = 0.2
_WORDS = re.compile(r"[^\W\d_]+")

NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian",
    "sr": "Serbian", "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
    "zh": "Chinese",
}


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def looks_english(sample: str) -> bool:
    """A fast test that skips the model for plain English: at least `ENGLISH_SHARE` of the words are
    English function words that other languages do not share (the, of, and, was, said...)."""
    words = _WORDS.findall(sample.lower())
    return len(words) >= 8 and sum(w in ENGLISH_WORDS for w in words) >= ENGLISH_SHARE * len(words)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language of `text` (e.g. "en", "zh"), or None when unsure or too short."""
    sample = text[:SAMPLE_CHARS]
    if sum(1 for c in sample if c.isalpha()) < MIN_LETTERS:
        return None
    if looks_english(sample):
        return MODEL_LANGUAGE
    code, prob = _identifier().classify(sample)
    return str(code) if prob >= MIN_CONFIDENCE else None


def language_name(code: str) -> str:
    """English name of a language code ("zh" -> "Chinese"); the code itself when not listed."""
    return NAMES.get(code, code)


def language_notice(code: str | None) -> str | None:
    """One line saying what unspin does with a non-English article; None for English or unknown."""
    if not code or code == MODEL_LANGUAGE:
        return None
    return (f"the article looks {language_name(code)} ({code}), not English: unspin's model and sourcing rules "
            "were made for English news, so the analysis runs but its spans, scores and quotes are not reliable")
