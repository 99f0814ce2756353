"""`unspin serve --workers N`: every worker accepts on a listening socket of its own (web/workers.py).

Real `unspin serve` processes on 127.0.0.1; the sockets and their owners are read from /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from Linux's /proc")

LISTEN, ESTABLISHED = "0A", "01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def socket_owners() -> dict[str, int]:
    """Socket inode -> pid of every process this user may read."""
    owners: dict[str, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            for fd in (d / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    owners[target[8:-1]] = int(d.name)
        except OSError:
            continue
    return owners


def local_sockets(port: int, state: str) -> list[str]:
    """Inodes of the IPv4 sockets on local port `port` in `state` (/proc/net/tcp's hex codes)."""
    inodes = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            inodes.append(fields[9])
    return inodes


def listeners(port: int) -> dict[str, int]:
    """Listening socket inode -> the pid that holds it (the workers; the supervisor keeps its copies too)."""
    owners = socket_owners()
    out = {}
    for inode in local_sockets(port, LISTEN):
        holders = sorted({pid for node, pid in owners.items() if node == inode})
        out[inode] = holders[0] if holders else -1
    return out


def workers_of(proc: subprocess.Popen) -> set[int]:
    """Pids of the uvicorn workers: the children of `proc` that multiprocessing spawned."""
    out = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == proc.pid and b"spawn_main" in cmd:
            out.add(int(d.name))
    return out


def wait_started(proc: subprocess.Popen, log: Path, workers: int, seconds: float = 90) -> None:
    """Until `workers` uvicorn processes have said their start-up is complete."""
    deadline = time.monotonic() + seconds
    while log.read_text(errors="replace").count("Application startup complete") < workers:
        assert proc.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the workers did not start: " + log.read_text(errors="replace")
        time.sleep(0.2)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "unspin", "serve", "--port", str(port), "--workers", "2"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        wait_started(proc, log, 2)
        yield proc, port, log
    finally:
        with contextlib.suppress(ProcessLookupError):  # a test may have ended the whole group
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def held_by_workers(port: int, workers: set[int], state: str) -> dict[int, int]:
    """Worker pid -> how many of its sockets on `port` are in `state`."""
    owners = socket_owners()
    count = dict.fromkeys(workers, 0)
    inodes = set(local_sockets(port, state))
    for inode, pid in owners.items():
        if inode in inodes and pid in count:
            count[pid] += 1
    return count


def test_each_worker_listens_on_its_own_socket_and_connections_reach_both(two_workers) -> None:
    proc, port, _ = two_workers
    workers = workers_of(proc)
    assert len(workers) == 2
    # two listening sockets on the port (one shared socket would be one), one in each worker
    assert len(local_sockets(port, LISTEN)) == 2
    assert all(n == 1 for n in held_by_workers(port, workers, LISTEN).values())
    # a burst of 16 keep-alive connections: the kernel spreads them over both workers
    # (with one shared socket, the first worker to wake accepted them all)
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
    try:
        time.sleep(0.5)
        per_worker = held_by_workers(port, workers, ESTABLISHED)
        assert sum(per_worker.values()) == 16 and min(per_worker.values()) >= 1, per_worker
    finally:
        for c in conns:
            c.close()
    r = httpx.post(f"http://127.0.0.1:{port}/api/analyze", json={"text": DEMO}, timeout=60)
    assert r.status_code == 200 and r.json()["article"]["text"] == DEMO


def test_a_dead_worker_is_replaced_on_its_socket(two_workers) -> None:
    proc, port, log = two_workers
    victim = min(workers_of(proc))
    os.kill(victim, signal.SIGKILL)
    wait_started(proc, log, 3)  # a third start-up: the new worker's
    now = workers_of(proc)
    assert len(now) == 2 and victim not in now
    assert len(local_sockets(port, LISTEN)) == 2
    assert all(n == 1 for n in held_by_workers(port, now, LISTEN).values())
    r = httpx.post(f"http://127.0.0.1:{port}/api/analyze", json={"text": DEMO}, timeout=60)
    assert r.status_code == 200


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "reuse-port"])
def test_a_taken_port_is_a_one_line_error_even_when_its_holder_allows_sharing(reuse_port: bool, workers: str) -> None:
    # a holder with SO_REUSEPORT is what another `unspin serve --workers 2` looks like: it must not be joined
    holder = socket.socket()
    if reuse_port:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        out = subprocess.run([sys.executable, "-m", "unspin", "serve", "--port", str(port), "--workers", workers],
                             capture_output=True, timeout=60)
    finally:
        holder.close()
    assert out.returncode == 2, out.stderr.decode()
    assert out.stderr.decode().strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_a_model_folder_missing_a_file_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    (tmp_path / "model.onnx").write_bytes(b"\0")
    out = subprocess.run([sys.executable, "-m", "unspin", "serve", "--port", str(free_port()), "--workers", "2",
                          "--model", str(tmp_path)], capture_output=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.decode().strip() == (
        f"error: {tmp_path}: not a model directory (missing heads.npz, tokenizer.json, meta.json)")
    assert b"Traceback" not in out.stdout + out.stderr


def test_killing_the_supervisor_with_sigkill_ends_its_workers_and_frees_the_port(two_workers) -> None:
    proc, port, _ = two_workers
    workers = workers_of(proc)
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)  # the supervisor alone: it cannot stop its workers itself
    proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in workers) or local_sockets(port, LISTEN):
        assert time.monotonic() < deadline, "workers outlived their supervisor"
        time.sleep(0.2)
