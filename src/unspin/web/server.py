"""Starting uvicorn. Workers are separate processes, each loading its own model once."""

from __future__ import annotations

import os

from unspin.web.settings import ENV_VAR, Settings


def run(settings: Settings) -> None:
    import uvicorn

    os.environ[ENV_VAR] = settings.to_json()
    uvicorn.run(
        "unspin.web.app:app_from_env", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, log_level="info", server_header=False, timeout_graceful_shutdown=5,
    )
