"""Which view a file name asks for: `-o report.html` writes HTML, `-o spans.json` JSON, and so on.

`choose_format` infers the format from the output file's extension when none is given, and refuses
(one line) a format that contradicts the extension, so `-o out.txt` never silently holds JSON.
"""

from __future__ import annotations

from pathlib import Path

from unspin.errors import UnspinError

FORMATS = ("text", "json", "html", "ptc")
# the formats each extension may hold; the first is the one inferred
EXTENSIONS: dict[str, tuple[str, ...]] = {
    ".txt": ("text", "ptc"),  # PTC label files are plain text too (SemEval predictions are .txt)
    ".text": ("text",),
    ".json": ("json",),
    ".html": ("html",),
    ".htm": ("html",),
    ".ptc": ("ptc",),
    ".labels": ("ptc",),
    ".tsv": ("ptc",),
}


def choose_format(fmt: str | None, output: Path | None) -> str:
    """The format to write: the one given, else the one the extension names, else text.

    Raises UnspinError when a given format does not match the extension, or when a file with an
    unknown extension is asked for without a format.
    """
    if output is None:
        return fmt or "text"
    ext = output.suffix.lower()
    allowed = EXTENSIONS.get(ext)
    if allowed is None:
        if fmt is None:
            raise UnspinError(f"cannot tell the format from the name {output.name!r}: add --format "
                              f"({', '.join(FORMATS)}) or use one of {', '.join(sorted(EXTENSIONS))}")
        return fmt
    if fmt is None:
        return allowed[0]
    if fmt not in allowed:
        raise UnspinError(f"--format {fmt} does not match {output.name!r} ({ext} holds {' or '.join(allowed)}): "
                          f"change the file name or the format")
    return fmt
