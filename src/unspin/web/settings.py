"""Everything the server is told at start-up, in one frozen object.

Uvicorn worker processes are started from an import string, so the settings
travel to them as JSON in an environment variable.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

ENV_VAR = "UNSPIN_WEB_SETTINGS"


def default_threads(workers: int = 1) -> int:
    """Analysis threads per process: the cores shared out among the worker processes."""
    from unspin.threads import available_cores

    return max(1, available_cores() // max(1, workers))


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    db: Path | None = None
    workers: int = 1
    allow_private_urls: bool = False
    model_dir: Path | None = None
    threads: int = 0  # analysis threads per process; 0 means default_threads(workers)
    timeout_s: float = 60.0  # per request, queueing included
    queue_seconds: float = 5.0  # most estimated seconds of queued work a request may wait behind; beyond, 503
    queue_requests: int = 256  # most requests queued or running per process, whatever their estimated work
    fetch_threads: int = 8  # threads fetching URL inputs (network waits, not analysis)
    warm_up: bool = True  # analyse a built-in text at start-up (measures the machine's speed for the queue)
    max_body_bytes: int = 2 * 1024 * 1024
    max_text_chars: int = 200_000
    saved_dir: Path | None = None  # pasted/fetched analyses for permalinks; None: saved_results.default_folder()

    @property
    def analysis_threads(self) -> int:
        return self.threads if self.threads > 0 else default_threads(self.workers)

    def to_json(self) -> str:
        d = asdict(self)
        d["db"] = str(self.db) if self.db else None
        d["model_dir"] = str(self.model_dir) if self.model_dir else None
        d["saved_dir"] = str(self.saved_dir) if self.saved_dir else None
        return json.dumps(d)

    @classmethod
    def from_json(cls, raw: str) -> Settings:
        d = json.loads(raw)
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        for key in ("db", "model_dir", "saved_dir"):
            if d.get(key):
                d[key] = Path(d[key])
        return cls(**d)

    @classmethod
    def from_env(cls) -> Settings:
        raw = os.environ.get(ENV_VAR)
        return cls.from_json(raw) if raw else cls()
