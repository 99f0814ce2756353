"""Reading and writing the PTC layout: `articles/article<ID>.txt` and label files.

The corpus counts offsets in code points of the file as read, so files are read
with `newline=""` to keep every character exactly where the labels expect it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from unspin.article import Result
from unspin.errors import InputError
from unspin.techniques import BY_ID

ARTICLE_NAME = re.compile(r"^article(?P<id>[^.]+)\.txt$")


@dataclass(frozen=True)
class GoldSpan:
    article_id: str
    technique: str
    start: int
    end: int


def read_text_exact(path: Path) -> str:
    """Read UTF-8 text without newline translation, so offsets match the file."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def articles_dir(data_dir: Path) -> Path:
    """Accept either a split folder (holding `articles/`) or the articles folder itself."""
    if (data_dir / "articles").is_dir():
        return data_dir / "articles"
    return data_dir


def list_articles(data_dir: Path) -> dict[str, Path]:
    """Map article id to file for every `article<ID>.txt`, in id order."""
    folder = articles_dir(data_dir)
    if not folder.is_dir():
        raise InputError(f"{data_dir}: not a directory")
    found: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        m = ARTICLE_NAME.match(p.name)
        if m:
            found[m.group("id")] = p
    if not found:
        raise InputError(f"{folder}: no article<ID>.txt files")
    return found


def find_label_file(data_dir: Path, kind: str = "flc-tc") -> Path | None:
    """The split's `*-task-<kind>.labels` file, if the folder has one."""
    hits = sorted(data_dir.glob(f"*task-{kind}.labels"))
    return hits[0] if hits else None


def read_tc_labels(path: Path) -> list[GoldSpan]:
    """Parse `ID<TAB>TECHNIQUE<TAB>START<TAB>END` lines; reject anything else loudly."""
    spans: list[GoldSpan] = []
    for n, line in enumerate(read_text_exact(path).splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise InputError(f"{path}:{n}: expected 4 tab-separated columns")
        aid, tech, s, e = parts
        if tech not in BY_ID and tech != "?":
            raise InputError(f"{path}:{n}: unknown technique {tech!r}")
        try:
            start, end = int(s), int(e)
        except ValueError:
            raise InputError(f"{path}:{n}: offsets must be integers") from None
        spans.append(GoldSpan(aid, tech, start, end))
    return spans


def format_tc_line(article_id: str, technique: str, start: int, end: int) -> str:
    return f"{article_id}\t{technique}\t{start}\t{end}"


def render_ptc(result: Result) -> str:
    """A result's spans as PTC technique-classification lines: `ID<TAB>TECHNIQUE<TAB>START<TAB>END`."""
    return "".join(format_tc_line(result.article.id, s.technique, s.start, s.end) + "\n" for s in result.spans)
