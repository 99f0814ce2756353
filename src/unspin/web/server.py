"""Starting uvicorn. Workers are separate processes (`web/workers.py`), each loading its own model once."""

from __future__ import annotations

import os
import threading
import time

from unspin.web.settings import ENV_VAR, Settings


def run(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM: one uvicorn process, or `settings.workers` on sockets of their own."""
    import uvicorn

    from unspin.web.protocol import HardenedH11Protocol
    from unspin.web.workers import can_share_port, check_port_free, run_workers

    if settings.workers > 1 and can_share_port():
        run_workers(settings)
        return
    check_port_free(settings.host, settings.port)  # one line, not uvicorn's start-up logs and exit 3
    os.environ[ENV_VAR] = settings.to_json()
    uvicorn.run(
        "unspin.web.app:app_from_env", factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, log_level="info", server_header=False, timeout_graceful_shutdown=5,
        http=HardenedH11Protocol,
    )


class BackgroundServer:
    """A real uvicorn server on 127.0.0.1 in a thread, for tests, benchmarks and embedding.

    The socket is bound before the thread starts (port 0 picks a free port), so
    there is no race between choosing a port and listening on it.
    """

    def __init__(self, app: object, host: str = "127.0.0.1", port: int = 0) -> None:
        import socket

        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.url = f"http://{host}:{self.sock.getsockname()[1]}"
        from unspin.web.protocol import HardenedH11Protocol

        config = uvicorn.Config(app, log_level="warning", lifespan="on", server_header=False,  # type: ignore[arg-type]
                                http=HardenedH11Protocol)
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    def __enter__(self) -> BackgroundServer:
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.sock.close()
