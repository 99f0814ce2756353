"""Analyses kept by content key, so a pasted or fetched article has a permalink that survives restarts.

The key of an analysis is the first 16 hex digits of the SHA-256 of its article text (the same as
`Article.id` of a text without an id of its own), so the same text always gets the same link.
Results are kept whole (every span the detector emitted; a view applies its display threshold):

- in the `--db` results store when the server has one (`Store.write_many`, the store's own identity
  rules), unless a writer (`unspin batch`) holds it: then, or when the write fails, in the folder;
- otherwise in a folder of JSON files, `<key>--<model version>.json`, written atomically (a temporary
  file, then a rename), so several server processes can share it.

A lookup tries the store (by text hash, the current model version first; through `store_access.StoreReader`, so it
follows the rules for reading a store a batch run is writing), then the folder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path

import duckdb

from unspin.article import Result, content_hash
from unspin.errors import UnspinError

KEY_LENGTH = 16
KEY = re.compile(r"^[0-9a-f]{16}$")
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
# DuckDB refuses a read-write and a read-only connection to one file in one process at the same time
_STORE_LOCK = threading.Lock()


def content_key(text: str) -> str:
    return content_hash(text)[:KEY_LENGTH]


def default_folder() -> Path:
    """`$XDG_DATA_HOME/unspin/saved` (or the platform's user data folder)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("unspin")) / "saved"


class SavedUnavailable(UnspinError):
    """The analysis is not in the folder, and the store that may hold it cannot be opened now."""

    status_code = 503


class SavedResults:
    def __init__(self, folder: Path, db: Path | None = None, model_version: str = "") -> None:
        self.folder = folder
        self.db = db
        self.model_version = model_version

    # -- writing -------------------------------------------------------------------------
    def save(self, result: Result) -> str:
        """Keep the result; returns its key. Raises UnspinError when it cannot be kept anywhere."""
        key = content_key(result.article.text)
        if self.db is not None and self._save_in_store(result):
            return key
        self._save_in_folder(key, result)
        return key

    def _save_in_store(self, result: Result) -> bool:
        from unspin.corpus.store import Store
        from unspin.corpus.store_access import current_writer

        assert self.db is not None
        if current_writer(self.db) is not None:  # a batch run writes it: never compete with it for the lock
            return False
        try:
            with _STORE_LOCK, Store(self.db) as store:
                store.write_many([result])
            return True
        except (UnspinError, duckdb.Error, OSError):  # it cannot be written now: keep the result in the folder
            return False

    def _path(self, key: str, version: str) -> Path:
        return self.folder / f"{key}--{_SAFE.sub('_', version)}.json"

    def _save_in_folder(self, key: str, result: Result) -> None:
        path = self._path(key, result.model.version)
        if path.exists():
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}-", suffix=".tmp", dir=self.folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(result.to_json(indent=None))
            os.replace(tmp, path)
        except OSError as e:
            raise UnspinError(f"cannot keep the analysis in {self.folder} ({e.strerror})") from None

    # -- reading -------------------------------------------------------------------------
    def load(self, key: str) -> Result | None:
        """The analysis with this key, or None. Raises UnspinError for a key that is not 16 hex digits."""
        if not KEY.match(key):
            raise UnspinError(f"{key!r} is not an analysis key (16 hex digits)")
        store_error: UnspinError | None = None
        found = None
        if self.db is not None:
            try:
                found = self._load_from_store(key)
            except UnspinError as e:  # held by a writer, or its results file is missing
                store_error = e
        if found is None:
            found = self._load_from_folder(key)
        if found is None and store_error is not None:
            raise SavedUnavailable(f"the article store is unavailable: {store_error}")
        return found

    def _load_from_store(self, key: str) -> Result | None:
        from unspin.corpus.store_access import StoreReader

        if self.db is None or not self.db.exists():
            return None
        with _STORE_LOCK:
            return StoreReader(self.db).result_by_key(key, self.model_version)

    def _load_from_folder(self, key: str) -> Result | None:
        if not self.folder.is_dir():
            return None
        paths = sorted(self.folder.glob(f"{key}--*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        if not paths:
            return None
        current = self._path(key, self.model_version)
        path = current if current in paths else paths[0]
        try:
            return Result.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise UnspinError(f"the saved analysis {key} cannot be read ({e.__class__.__name__})") from None
