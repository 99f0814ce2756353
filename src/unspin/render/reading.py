"""The words every view uses to say what a number is: spin density, its place, bands, sentence scores.

One place for these texts, so the terminal, the HTML report, the web pages and the compare view
explain a number the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from unspin.article import Result
from unspin.confidence import Band, Bands, bands_for, times_in_ten  # noqa: F401 - the templates use times_in_ten
from unspin.techniques import BY_ID

UNIT = "expected propaganda phrases per 1,000 words, outside quotes"
DENSITY_HELP = (
    "Spin density: how many propaganda phrases the model expects in every 1,000 words the article writes in "
    "its own voice; direct quotes are counted apart. It adds up the confidence of every phrase the model "
    "weighed, each the chance that the phrase is right, hidden ones included, so the confidence filter does "
    "not change it."
)
SENTENCE_HELP = "The number beside each sentence is the highest confidence of any phrase the model weighed in it."
CONFIDENCE_HELP = ("A confidence is the chance that a phrase really uses the technique named, measured on "
                   "articles labelled by annotators.")


# What the shipped model (0.2.0) misses, from docs/model-card.md (PTC dev): rewrite with the model.
LIMITS_HELP = (
    "A low density is not a clean bill: the model finds about a quarter of the phrases annotators mark "
    "(on PTC dev it expects 3.5 right phrases an article where they marked 14.2), and almost never Appeal to "
    "Authority, Black-and-White Fallacy, Thought-terminating Cliché, Whataboutism / Straw Man / Red Herring or "
    "Bandwagon / Reductio ad Hitlerum. Read the figure against other articles, and read the article."
)
SHORT_WORDS = 150  # fewer words outside quotes than this, and one phrase moves the density by more than 6


def notices(result: Result) -> list[str]:
    """Warnings a reader needs before the numbers: a language the model was not made for, a text too short
    for its density to mean much. Empty for an English article of ordinary length."""
    from unspin.language import language_notice

    out = []
    if notice := language_notice(result.article.language):
        out.append(notice[0].upper() + notice[1:] + ".")
    d = result.score_detail
    words = d.words if d is not None else result.article.words
    if 0 < words < SHORT_WORDS:
        out.append(f"Only {words} words outside quotes: one phrase moves the density by {1000 / words:.0f}, "
                   "so its place among other articles means little.")
    return out


def conf_text(confidence: float) -> str:
    """A confidence with two decimals, rounded down, so 0.2956 reads 0.29 and stays inside its band (below 0.30)."""
    return f"{math.floor(confidence * 100 + 1e-9) / 100:.2f}"


def density_text(result: Result) -> str:
    return f"{result.score:.1f} {UNIT}"


def quoted_text(result: Result) -> str | None:
    """ "In quotes: 5.4 per 1,000 quoted words (33 words)." """
    d = result.score_detail
    if d is None or not d.quoted_words:
        return None
    return (f"In quotes: {d.quoted_density:.1f} per 1,000 quoted words "
            f"({d.quoted_expected_phrases:.1f} expected in {d.quoted_words:,} words).")


def placement(result: Result) -> str | None:
    """ "Higher than 93% of 33,015 news articles from 466 outlets." (or "Lower than ...") """
    d = result.score_detail
    if d is None or d.share_below is None or d.share_above is None or not d.reference:
        return None
    higher = d.share_below >= d.share_above
    share = d.share_below if higher else d.share_above
    word = "Higher" if higher else "Lower"
    if share >= 1.0:  # not "100%": every one of them
        return f"{word} than every one of the {d.reference}."
    return f"{word} than {math.floor(100 * share)}% of {d.reference}."


def no_reference_text(result: Result) -> str:
    return (f"No reference distribution ships with model {result.model.name} {result.model.version}, "
            "so this score cannot be placed among other news articles.")


@dataclass(frozen=True)
class BandView:
    band: Band
    low: float
    high: float | None  # None for the top band

    @property
    def css(self) -> str:
        return f"b-{self.band.name}"

    @property
    def range_text(self) -> str:
        return f"from {self.low:.2f}" if self.high is None else f"{self.low:.2f} to {self.high:.2f}"

    @property
    def measured(self) -> bool:
        return self.band.spans > 0 and not math.isnan(self.band.precision)


def band_views(bands: Bands) -> list[BandView]:
    out = []
    upper: float | None = None
    for b in bands.bands:
        out.append(BandView(b, b.low, upper))
        upper = b.low
    return out


def how_sure(bands: Bands, confidence: float) -> str:
    """ "likely: right about 5 times in 10 (confidence 0.42)" """
    b = bands.band(confidence)
    if b.spans == 0 or math.isnan(b.precision):
        return f"confidence {conf_text(confidence)}"
    return f"{b.phrase} (confidence {conf_text(confidence)})"


def result_bands(result: Result) -> Bands:
    return bands_for(result.model.name, result.model.version)


def sentence_title(bands: Bands, score: float, technique: str | None = None) -> str:
    what = f"{BY_ID[technique].name} phrase" if technique else "phrase"
    if score <= 0:
        return f"No {what} in this sentence"
    return f"Highest confidence of a {what} in this sentence: {how_sure(bands, score)}"


def shown_text(result: Result) -> str:
    """ "12 phrases highlighted (confidence 0.10 or more); 3 fainter ones not shown" """
    n = len(result.spans)
    msg = f"{n} phrase{'s' if n != 1 else ''} highlighted"
    if result.min_confidence > 0:
        msg += f" (confidence {result.min_confidence:.2f} or more)"
    if result.hidden_spans:
        msg += f"; {result.hidden_spans} fainter one{'s' if result.hidden_spans != 1 else ''} not shown"
    return msg
