"""The pipeline: load once, then language → segment → detect → score → sourcing for each article.

`Analyzer` holds the model (loaded once per process) and the list of stages.
Every stage takes the `Result` and adds to it; batch, web and CLI all call
`Analyzer.analyze`, so they all show the same analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from unspin.article import Article, ModelInfo, Result
from unspin.detect.features import PhraseCounts
from unspin.detect.runtime import Detector
from unspin.errors import InputError
from unspin.explain import explain
from unspin.language import detect_language
from unspin.score import score
from unspin.segment import segment
from unspin.sourcing import find_sourcing
from unspin.threads import pin_threads

Stage = Callable[[Result], None]
MAX_CHARS = 2_000_000


class Analyzer:
    """The whole analysis of one article, with the model loaded once (share it).

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
        self.stages: list[Stage] = [_language_stage, self._segment, self._detect, score]
        if sourcing:
            self.stages.append(_sourcing_stage)

    @property
    def model(self) -> ModelInfo:
        return self.detector.info

    def _segment(self, result: Result) -> None:
        result.sentences = segment(result.article)

    def _detect(self, result: Result) -> None:
        text = result.article.text
        spans = [s for s in self.detector.spans(text) if s.confidence >= self.min_confidence]
        counts = PhraseCounts(text.lower())  # one scan per distinct phrase keeps long articles linear
        result.spans = [replace(s, explanation=explain(s, text, counts)) for s in spans]

    def analyze(self, article: Article) -> Result:
        if not article.text.strip():
            raise InputError(f"article {article.id}: empty text")
        if len(article.text) > MAX_CHARS:
            raise InputError(f"article {article.id}: {len(article.text):,} characters is over the {MAX_CHARS:,} limit")
        result = Result(article=article, model=self.detector.info)
        for stage in self.stages:
            stage(result)
        return result


def _language_stage(result: Result) -> None:
    """Say which language the article is in (the model knows English only); see `unspin.language`."""
    if result.article.language is None:
        result.article.language = detect_language(result.article.text)


def _sourcing_stage(result: Result) -> None:
    result.sourcing = find_sourcing(result.article)


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
