"""The pipeline: load once, then language → segment → detect → sourcing → score → explain for each article.

`Analyzer` holds the model (loaded once per process), its confidence bands and reference
distribution, and the list of stages. Every stage takes the `Result` and adds to it, reading what
several stages need (the segmentation, the phrase index) from the analysis's `Shared`; batch, web
and CLI all call `Analyzer.analyze`, so they all show the same analysis. Scores are computed from
every span the detector emitted; `min_confidence` then only decides which spans are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np

from unspin.article import Article, ModelInfo, Result
from unspin.confidence import Bands, load_bands, register
from unspin.detect.cues import with_cues
from unspin.detect.features import PhraseCounts
from unspin.detect.runtime import Detector
from unspin.errors import InputError
from unspin.explain import explain_spans
from unspin.language import detect_language
from unspin.reference import Reference, load_reference
from unspin.score import score, shown
from unspin.segment import LineSentences, line_sentences, segment
from unspin.sourcing import find_sourcing
from unspin.sourcing.tagger import states_model
from unspin.threads import pin_threads

MAX_CHARS = 2_000_000


class Shared:
    """What several stages of one analysis read, each computed once, when a stage first asks for it.

    `lines`: the text's lines with their sentences (`segment.line_sentences`), for segmentation and sourcing;
    `phrase_counts`: the phrase index of the lowered text (`PhraseCounts`), for detection and explanations;
    `states`: the detector's word-piece states and their character offsets, set by detection, for the
    sourcing tagger (None until detection ran).
    One per analysis (never shared between articles or threads); the text must not change while it is used.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.states: tuple[np.ndarray, np.ndarray] | None = None

    @cached_property
    def lines(self) -> LineSentences:
        return line_sentences(self.text)

    @cached_property
    def phrase_counts(self) -> PhraseCounts:
        return PhraseCounts(self.text.lower())


Stage = Callable[[Result, Shared], None]


class Analyzer:
    """The whole analysis of one article, with the model loaded once (share it).

    `min_confidence` (0 to 1) hides spans below it from `Result.spans` after scoring (0: list them all); a call
    to `analyze` may ask for another.
    `threads` is what one analysis may use: the encoder's onnxruntime threads, and
    the process's BLAS and tokenizer pools are held to the same number
    (`unspin.threads.pin_threads`; this limit is process-wide). To use more cores,
    share one Analyzer between threads or run processes, as `serve` and `batch` do.
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        min_confidence: float = 0.0,
        threads: int = 1,
        sourcing: bool = True,
    ) -> None:
        self.threads = pin_threads(threads)
        self.detector = Detector(model_dir, threads=self.threads)
        self.min_confidence = min_confidence
        self.bands: Bands = load_bands(self.detector.model_dir)
        register(self.detector.info.name, self.detector.info.version, self.bands)
        self.reference: Reference | None = load_reference(self.detector.model_dir, self.detector.info.version)
        # the sourcing tagger reads the detector's token states only when it was fitted to this detector's states
        info = self.detector.info
        self._tagger_reads_states = states_model() == f"{info.name} {info.version}"
        self.stages: list[Stage] = [_language_stage, self._segment, self._detect]
        if sourcing:
            self.stages.append(_sourcing_stage)  # before scoring: spin density counts quotes apart
        self.stages += [self._score, _explain_stage]

    @property
    def model(self) -> ModelInfo:
        return self.detector.info

    @property
    def display_threshold(self) -> float:
        """The default `min_confidence` of the views, chosen from the calibration data (bands.json)."""
        return self.bands.display_threshold

    def _segment(self, result: Result, shared: Shared) -> None:
        result.sentences = segment(result.article, shared.lines)

    def _detect(self, result: Result, shared: Shared) -> None:
        text = result.article.text
        try:
            view = self.detector.token_view(text)
        except InputError as e:
            raise InputError(f"article {result.article.id}: {e}") from None
        if self._tagger_reads_states:
            shared.states = (view.states, view.enc.offsets)
        result.spans = with_cues(view, text, self.detector.spans(text, view, shared.phrase_counts))

    def _score(self, result: Result, shared: Shared) -> None:
        score(result, self.reference)

    def analyze(self, article: Article, min_confidence: float | None = None) -> Result:
        """The analysis of `article`, listing the spans at or above `min_confidence` (0 to 1; None: the one
        this Analyzer was made with, 0: every span). The threshold changes which spans are listed, never
        a score: `Result.shown` tells the threshold used and how many spans it hid.

        Raises `InputError` for an empty text, one over `MAX_CHARS` characters or `runtime.MAX_TOKENS` tokens,
        or a threshold outside 0 to 1.
        """
        threshold = self.min_confidence if min_confidence is None else min_confidence
        if not 0.0 <= threshold <= 1.0:
            raise InputError(f"min_confidence must be between 0 and 1 (got {threshold})")
        if not article.text.strip():
            raise InputError(f"article {article.id}: empty text")
        if len(article.text) > MAX_CHARS:
            raise InputError(f"article {article.id}: {len(article.text):,} characters is over the {MAX_CHARS:,} limit")
        result = Result(article=article, model=self.detector.info)
        shared = Shared(article.text)
        for stage in self.stages:
            stage(result, shared)
        return shown(result, threshold) if threshold > 0 else result


def _language_stage(result: Result, shared: Shared) -> None:
    """Say which language the article is in (the model knows English only); see `unspin.language`."""
    if result.article.language is None:
        result.article.language = detect_language(result.article.text)


def _sourcing_stage(result: Result, shared: Shared) -> None:
    result.sourcing = find_sourcing(result.article, shared.lines, shared.states)


def _explain_stage(result: Result, shared: Shared) -> None:
    explain_spans(result, shared.phrase_counts)


_default: Analyzer | None = None


def analyze(article: Article | str) -> Result:
    """Analyse one article with the shipped model (loaded on first use)."""
    global _default
    if _default is None:
        _default = Analyzer()
    if isinstance(article, str):
        from unspin.load.text import article_from_text

        article = article_from_text(article)
    return _default.analyze(article)
