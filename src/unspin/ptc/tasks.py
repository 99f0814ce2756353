"""The two PTC file tasks: end-to-end predictions for a folder, and TC templates."""

from __future__ import annotations

from pathlib import Path

from rich.progress import track

from unspin.errors import InputError
from unspin.load.text import load_text_file
from unspin.ptc.files import format_tc_line, list_articles, read_tc_labels


def predict_dir(data_dir: Path, output: Path, model_dir: Path | None = None) -> int:
    from unspin.pipeline import Analyzer

    analyzer = Analyzer(model_dir, sourcing=False)
    lines: list[str] = []
    for aid, path in track(list(list_articles(data_dir).items()), description="predict", transient=True):
        result = analyzer.analyze(load_text_file(path, aid))
        lines.extend(format_tc_line(aid, s.technique, s.start, s.end) for s in result.spans)
    output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def classify_template(data_dir: Path, template: Path, output: Path, model_dir: Path | None = None) -> int:
    from unspin.detect.runtime import Detector

    if not template.is_file():
        raise InputError(f"{template}: no such file")
    rows = read_tc_labels(template)
    files = list_articles(data_dir)
    by_article: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r.article_id not in files:
            raise InputError(f"{template}: article {r.article_id} is not in {data_dir}")
        by_article.setdefault(r.article_id, []).append(i)
    detector = Detector(model_dir)
    labels: list[str] = [""] * len(rows)
    for aid, idx in track(list(by_article.items()), description="classify", transient=True):
        text = load_text_file(files[aid], aid).text
        for i, lab in zip(idx, detector.classify(text, [(rows[i].start, rows[i].end) for i in idx]), strict=True):
            labels[i] = lab
    output.write_text("".join(format_tc_line(r.article_id, lab, r.start, r.end) + "\n" for r, lab in zip(rows, labels, strict=True)), encoding="utf-8")
    return len(rows)
