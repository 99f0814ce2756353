"""`unspin serve --workers N`: N uvicorn processes, each accepting on a listening socket of its own.

uvicorn's multi-process mode shares one listening socket among its workers, and a worker's
asyncio loop accepts every pending connection when it wakes: a burst of keep-alive clients
lands on one worker while the others idle (measured with 20 clients and 2 workers: one
process did all the work and shed the rest with 503s). Here each worker listens on its own
socket bound with SO_REUSEPORT (Linux), and the kernel spreads new connections over the
sockets by a hash of each connection's addresses.

The supervisor (this process) binds the sockets, starts the workers, starts a new one on
the same socket when a worker dies, and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType

from unspin.errors import UnspinError
from unspin.web.settings import ENV_VAR, Settings

log = logging.getLogger("unspin.serve")

BACKLOG = 2048  # uvicorn's default
STOP_GRACE_S = 10.0


def can_share_port() -> bool:
    """Whether this system lets several sockets listen on one port (SO_REUSEPORT)."""
    return hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_port_free(host: str, port: int) -> None:
    """UnspinError, in one line, when (host, port) cannot be bound: taken by any process, or not an
    address of this machine. A plain bind, so sockets that allow sharing (SO_REUSEPORT) count as taken."""
    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    except OSError as e:
        raise UnspinError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    finally:
        probe.close()


def listening_sockets(host: str, port: int, n: int) -> list[socket.socket]:
    """`n` sockets listening on (host, port), each with SO_REUSEPORT.

    Raises UnspinError, in one line, when the port is taken, by any process (`check_port_free`
    first: a port that other SO_REUSEPORT sockets of this user hold would otherwise be shared
    with them silently).
    """
    check_port_free(host, port)
    sockets: list[socket.socket] = []
    try:
        for _ in range(n):
            sock = socket.socket(_family(host), socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(BACKLOG)
    except OSError as e:
        for sock in sockets:
            sock.close()
        raise UnspinError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    return sockets


def serve_one(settings_json: str, sock: socket.socket, started: EventType, parent: int) -> None:
    """A worker process: the app from `settings_json` under uvicorn, accepting on `sock`.

    Sets `started` once uvicorn has started (the model is loaded and the app answers). Ends when the
    supervisor `parent` ends, even by kill -9 (it would keep the port otherwise).
    """
    from unspin.parent_watch import die_with_parent

    die_with_parent(parent)
    import uvicorn

    from unspin.web.protocol import HardenedH11Protocol

    os.environ[ENV_VAR] = settings_json
    config = uvicorn.Config(
        "unspin.web.app:app_from_env", factory=True, log_level="info", server_header=False,
        timeout_graceful_shutdown=5, http=HardenedH11Protocol,
    )
    server = uvicorn.Server(config)

    def tell_started() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            started.set()

    threading.Thread(target=tell_started, daemon=True).start()
    server.run(sockets=[sock])


class Workers:
    """The worker processes, one per socket; `run` blocks until SIGINT or SIGTERM."""

    def __init__(self, settings: Settings, sockets: list[socket.socket]) -> None:
        self.settings_json = settings.to_json()
        self.sockets = sockets
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[BaseProcess] = []
        self.started: list[EventType] = []
        self.stopping = threading.Event()

    def _start(self, i: int) -> tuple[BaseProcess, EventType]:
        started = self.context.Event()
        proc = self.context.Process(target=serve_one, args=(self.settings_json, self.sockets[i], started, os.getpid()),
                                    name=f"unspin-worker-{i}")
        proc.start()
        return proc, started

    def run(self) -> None:
        previous = {sig: signal.signal(sig, lambda *_: self.stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for i in range(len(self.sockets)):
                proc, started = self._start(i)
                self.processes.append(proc)
                self.started.append(started)
            while not self.stopping.wait(0.5):
                self._replace_dead()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _replace_dead(self) -> None:
        """Start a new worker on the socket of each that died; one that died before it started ends the serve."""
        for i, proc in enumerate(self.processes):
            if proc.is_alive() or self.stopping.is_set():
                continue
            if not self.started[i].is_set():  # it would fail the same way again
                raise UnspinError(f"worker {i} exited with code {proc.exitcode} before it started")
            log.warning("worker %d (pid %s) exited with code %s; starting another", i, proc.pid, proc.exitcode)
            self.processes[i], self.started[i] = self._start(i)

    def stop(self) -> None:
        """SIGTERM to every worker (uvicorn finishes what it is answering), then SIGKILL after a grace."""
        for proc in self.processes:
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in self.processes:
            proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        for sock in self.sockets:
            sock.close()


def run_workers(settings: Settings) -> None:
    """Serve with `settings.workers` processes; returns when stopped by SIGINT or SIGTERM."""
    sockets = listening_sockets(settings.host, settings.port, settings.workers)
    scheme_host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"unspin serve: {settings.workers} workers on http://{scheme_host}:{settings.port} (Press CTRL+C to quit)",
          flush=True)
    Workers(settings, sockets).run()
