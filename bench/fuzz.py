"""Fuzz bench (issue 17): over 1,000 generated bad inputs against `unspin analyze`, stdin, `batch` and the HTTP API.

Every input is generated here, from a fixed seed, into a scratch folder (nothing
is downloaded, nothing leaves 127.0.0.1: URL inputs name only IP literals,
`localhost` or a local origin server this script runs). Each CLI input runs as
its own `python -m unspin` process in its own process group; each API input is
one request to a real `unspin serve` started for the run. Per input the bench
records:

- a traceback: "Traceback (most recent call last)" on the CLI's stderr, or in
  the server's log while the request ran;
- an HTTP 500 (any 5xx but 503 and 504, which are answers, not failures);
- a hang: no exit (CLI) within `--hang` seconds (60), after which the process
  group is killed; no answer (API) 10 s after that (the server's own deadline,
  `--timeout`, is 60 s: its 503 or 504 then is an answer);
- peak RSS: for the CLI, the largest of the summed RSS of its process group and
  the peak (VmHWM) of any one of its processes, sampled every 0.1 s; for the
  API, the server's peak (VmHWM) after the request. A process group over
  `--kill-rss` (1.5 GB) is killed, so a blow-up cannot take the machine down;
- also, for the record, not counted as failures: exits that are not a clean
  one-line error (status other than 0/2), ANSI/C0 control characters written to
  the terminal output, good records a batch failed to store next to a bad one,
  API responses without the security headers.

    python bench/fuzz.py [--only analyze,stdin,batch,api] [--match TEXT] [--hang 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from fuzz_inputs import DEMO, SRC, Case, all_cases, origin_server

TRACEBACK = "Traceback (most recent call last)"
GRACE_S = 10.0  # API: how long past --hang an answer may come (a 504/503 at the server's own 60 s deadline is one)
RSS_TARGET_MB = 1024
PAGE = os.sysconf("SC_PAGE_SIZE")
ESCAPES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f\x9b]")  # C0 controls but \t \n, DEL, CSI; in the terminal output



# -- what an input is, and what became of it -------------------------------------------------


@dataclass
class Outcome:
    name: str
    surface: str
    family: str
    status: str  # ok | traceback | http500 | hang | rss | crash | server-died
    code: int | None  # exit status or HTTP status
    seconds: float
    peak_rss_mb: float
    detail: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status != "ok"


# -- running -----------------------------------------------------------------------------------


def group_rss_mb(pgid: int) -> tuple[float, float]:
    """A process group's memory now, from /proc: (summed RSS, the largest peak RSS of one member), in MB.

    The per-process peak is VmHWM, the high-water mark of the process's own address space since it started the
    program (the kernel's `wait4` figure is not used: it also counts the parent's memory at the fork).
    """
    total, peak = 0, 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rfind(b")") + 2:].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            total += int(fields[21]) * PAGE  # field 24: resident pages
            with open(f"/proc/{entry.name}/status", "rb") as f:
                m = re.search(rb"VmHWM:\s+(\d+) kB", f.read())
            peak = max(peak, int(m.group(1)) * 1024 if m else 0)
        except (OSError, ValueError, IndexError):
            continue
    return total / (1 << 20), peak / (1 << 20)


def limit_memory(gib: int = 8) -> None:
    """A hard ceiling on address space for this process and every process it starts (inherited), so a
    blow-up the sampling misses cannot take down a shared machine."""
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (gib << 30, gib << 30))


def run_cli(case: Case, hang_s: float, kill_rss_mb: float, scratch: Path) -> Outcome:
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="100", NO_COLOR="1", PYTHONUNBUFFERED="1")
    out_path, err_path = scratch / "stdout", scratch / "stderr"
    stdin: int | BinaryIO = subprocess.DEVNULL
    opened = None
    if case.stdin is not None:
        opened = open(case.stdin, "rb")
        stdin = opened
    t0 = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([*(case.program or [sys.executable, "-m", "unspin"]), *case.argv], stdin=stdin, stdout=out, stderr=err,
                                env=env, start_new_session=True, cwd=scratch)
    if opened is not None:
        opened.close()
    peak, status, code, killed = 0.0, "ok", None, ""
    next_sample = 0.0
    while True:
        pid, wstatus = os.waitpid(proc.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(wstatus)
            proc.returncode = code
            break
        now = time.monotonic()
        if now >= next_sample:
            peak = max(peak, *group_rss_mb(proc.pid))
            next_sample = now + 0.1
            if peak > kill_rss_mb:
                killed = f"killed at {peak:.0f} MB"
                _kill_group(proc.pid)
        if now - t0 > hang_s and not killed:
            killed = f"no exit after {hang_s:g} s"
            _kill_group(proc.pid)
        time.sleep(0.02)
    seconds = time.monotonic() - t0
    _kill_group(proc.pid)  # anything the run left behind in its group
    stderr = err_path.read_bytes()[-200_000:].decode("utf-8", "replace")
    stdout_head = out_path.read_bytes()[:1_000_000]
    notes: list[str] = []
    first_err = next((ln for ln in stderr.splitlines() if ln.strip()), "")
    if killed.startswith("no exit"):
        status = "hang"
    elif killed:
        status = "rss"
    elif TRACEBACK in stderr:
        status = "traceback"
        first_err = _last_exception_line(stderr)
    elif code is not None and code < 0:
        status = "crash"
        first_err = f"killed by signal {-code}"
    elif peak > RSS_TARGET_MB:
        status = "rss"
    if status == "ok" and code not in (0, 2):
        notes.append(f"exit {code}: {first_err[:100]}")
    if status == "ok" and code == 2 and not first_err.startswith("error:"):
        notes.append(f"exit 2 without a one-line error: {first_err[:100]}")
    if case.terminal and ESCAPES.search(stdout_head):
        notes.append("control characters in terminal output")
    if case.db is not None and case.expect_stored is not None and status == "ok":
        stored = _count_stored(case.db)
        if stored < case.expect_stored:
            notes.append(f"stored {stored} of {case.expect_stored} good records")
    return Outcome(case.name, case.surface, case.family, status, code, round(seconds, 2), round(peak, 1),
                   (killed or first_err)[:200], notes)


def _last_exception_line(text: str) -> str:
    """The exception line of the last traceback in `text` (the first unindented line after its frames)."""
    tail = text[text.rfind(TRACEBACK):].splitlines()[1:]
    return next((ln for ln in tail if ln and not ln.startswith(" ")), "traceback")


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _count_stored(db: Path) -> int:
    if not db.exists():
        return 0
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute("SELECT count(*) FROM articles WHERE id LIKE 'good-%' OR id LIKE 'g%'").fetchone()
            return int(row[0]) if row else 0
    except duckdb.Error:
        return 0


class Server:
    """`unspin serve` in its own process group, its log in a file, restarted if a request kills it."""

    def __init__(self, scratch: Path, name: str, extra: list[str], program: list[str] | None = None) -> None:
        self.scratch, self.name, self.extra = scratch, name, extra
        self.program = program or [sys.executable, "-m", "unspin", "serve"]
        self.log = scratch / f"server-{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.read_at = 0

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=str(SRC))
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([*self.program, "--port", str(self.port), *self.extra],
                                         stdout=log, stderr=log, env=env, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server {self.name} exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(20).startswith(b"HTTP/1.1 200"):
                        self.read_at = self.log.stat().st_size
                        return
            time.sleep(0.2)
        raise SystemExit(f"server {self.name} did not start")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def new_log(self) -> str:
        with open(self.log, "rb") as f:
            f.seek(self.read_at)
            data = f.read()
        self.read_at += len(data)
        return data.decode("utf-8", "replace")

    def peak_rss_mb(self) -> float:
        if self.proc is None:
            return 0.0
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0.0
        m = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(m.group(1)) / 1024 if m else 0.0

    def stop(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc.pid)
            self.proc.wait()


def send_raw(port: int, request: bytes, timeout: float, half_close: bool = False,
             ) -> tuple[int | None, dict[str, str], bytes, str]:
    """One request on a fresh connection; (status, headers, body head, problem). Reads until close or timeout.

    An HTTP/1.1 request gets `Connection: close` (and a Host) when it has none, so the server ends the exchange.
    """
    head, sep, rest = request.partition(b"\r\n")
    if sep and head.endswith(b"HTTP/1.1"):
        header_block = request[: request.find(b"\r\n\r\n") + 2].lower()
        added = b"" if b"\r\nhost:" in header_block else b"Host: 127.0.0.1\r\n"
        added += b"" if b"\r\nconnection:" in header_block else b"Connection: close\r\n"
        request = head + b"\r\n" + added + rest
    data = b""
    problem = ""
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            with contextlib.suppress(OSError):
                s.sendall(request)
            if half_close:
                time.sleep(1.0)
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_WR)
            while time.monotonic() < deadline:
                s.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    chunk = s.recv(65536)
                except TimeoutError:
                    problem = "timeout"
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
                if len(data) > 4 << 20:
                    break
            else:
                problem = "timeout"
    except OSError as e:
        problem = f"connect: {e}"
    while data.startswith(b"HTTP/1.1 100"):  # an interim 100 Continue: the answer follows it
        data = data.partition(b"\r\n\r\n")[2]
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    status = int(m.group(1)) if m else None
    headers: dict[str, str] = {}
    raw_head, _, body = data.partition(b"\r\n\r\n")
    for line in raw_head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return status, headers, body[:2000], problem if status is None else ""


def run_api(case: Case, servers: dict[str, Server], hang_s: float) -> Outcome:
    server = servers[case.server]
    if not server.alive():
        server.start()
    server.new_log()
    t0 = time.monotonic()
    assert case.request is not None
    # the server answers by its own deadline (--timeout, 60 s by default): no answer GRACE_S after `hang_s` is a hang
    status_code, headers, body, problem = send_raw(server.port, case.request, hang_s + GRACE_S, case.half_close)
    seconds = time.monotonic() - t0
    time.sleep(0.02)
    log = server.new_log()
    notes: list[str] = []
    status = "ok"
    detail = body[:160].decode("utf-8", "replace")
    if not server.alive():
        status, detail = "server-died", log[-300:]
    elif TRACEBACK in log:
        status, detail = "traceback", _last_exception_line(log)
    elif status_code is not None and status_code >= 500 and status_code not in (503, 504):
        status = "http500"
    elif problem == "timeout":
        status, detail = "hang", f"no answer within {hang_s + GRACE_S:g} s"
    if status == "ok" and status_code is not None:
        missing = [h for h in ("x-content-type-options", "content-security-policy") if h not in headers]
        if missing:
            notes.append(f"HTTP {status_code} without {', '.join(missing)}")
    peak = server.peak_rss_mb()
    if status == "ok" and peak > RSS_TARGET_MB:
        status = "rss"
    return Outcome(case.name, case.surface, case.family, status, status_code, round(seconds, 3), round(peak, 1),
                   detail.replace("\n", " ")[:200], notes)


def make_store(path: Path) -> Path:
    """A small store for the API's store endpoints, with ids holding `/` and other odd characters."""
    sys.path.insert(0, str(SRC))
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer

    analyzer = Analyzer()
    with Store(path) as store:
        store.write_many([analyzer.analyze(article_from_text(f"Vote {i}\n\n{DEMO}", id=aid, outlet="Gazette"))
                          for i, aid in enumerate(["odd/id", "plain", "q?x#y%z"])])
    return path


def run_cases(cases: list[Case], work: Path, hang_s: float, kill_rss_mb: float, db: Path | None,
              progress: Callable[[int, Outcome], None] | None = None) -> list[Outcome]:
    """Run the inputs one after another; servers (for API inputs) are started when first needed."""
    scratch = work / "scratch"
    scratch.mkdir(exist_ok=True)
    servers: dict[str, Server] = {}
    extra = ["--db", str(db)] if db is not None else []
    servers["main"] = Server(work, "main", ["--threads", "1", *extra])
    servers["private"] = Server(work, "private", ["--threads", "1", "--allow-private-urls"])
    outcomes: list[Outcome] = []
    try:
        for i, case in enumerate(cases):
            if case.prepare is not None:
                case.prepare()
            o = run_api(case, servers, hang_s) if case.surface == "api" else run_cli(case, hang_s, kill_rss_mb, scratch)
            outcomes.append(o)
            if progress is not None:
                progress(i, o)
    finally:
        for s in servers.values():
            s.stop()
    return outcomes


def summarize(outcomes: list[Outcome]) -> dict[str, object]:
    by_surface: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        by_surface[o.surface][o.status] += 1
        by_surface[o.surface]["inputs"] += 1
    statuses = Counter(o.status for o in outcomes)
    peak = max(outcomes, key=lambda o: o.peak_rss_mb) if outcomes else None
    return {
        "inputs": len(outcomes), "tracebacks": statuses["traceback"], "http500": statuses["http500"],
        "hangs": statuses["hang"], "over_rss": statuses["rss"], "crashes": statuses["crash"] + statuses["server-died"],
        "peak_rss_mb": peak.peak_rss_mb if peak else 0.0, "peak_rss_input": peak.name if peak else "",
        "by_surface": {k: dict(v) for k, v in sorted(by_surface.items())},
        "notes": Counter(n.split(":")[0] for o in outcomes for n in o.notes),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="analyze,stdin,batch,api", help="surfaces to run, comma-separated")
    ap.add_argument("--match", default="", help="only inputs whose name contains this")
    ap.add_argument("--hang", type=float, default=60.0, help="seconds before an input counts as a hang")
    ap.add_argument("--kill-rss", type=float, default=1536.0, help="MB at which a run's process group is killed")
    ap.add_argument("--list", action="store_true", help="list the inputs and stop")
    ap.add_argument("--json", type=Path, help="write every outcome here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()
    limit_memory()
    surfaces = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="unspin-fuzz-"))
    try:
        with origin_server() as origin:
            cases = [c for c in all_cases(work, origin) if c.surface in surfaces and args.match in c.name]
            names = [c.name for c in cases]
            assert len(names) == len(set(names)), [n for n, k in Counter(names).items() if k > 1]
            print(f"{len(cases)} inputs: {dict(Counter(c.surface for c in cases))}", file=sys.stderr)
            if args.list:
                print("\n".join(names))
                return
            db = make_store(work / "api-store.duckdb") if any(c.surface == "api" for c in cases) else None

            def progress(i: int, o: Outcome) -> None:
                flag = "" if o.status == "ok" else f"  <-- {o.status}: {o.detail[:100]}"
                note = f"  [{'; '.join(o.notes)}]" if o.notes else ""
                print(f"[{i + 1}/{len(cases)}] {o.name}: {o.code} {o.seconds:.1f}s {o.peak_rss_mb:.0f}MB{flag}{note}",
                      file=sys.stderr, flush=True)

            t0 = time.monotonic()
            outcomes = run_cases(cases, work, args.hang, args.kill_rss, db, progress)
        summary = summarize(outcomes)
        summary["seconds"] = round(time.monotonic() - t0)
        summary["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(json.dumps(summary, indent=2))
        failures = [o for o in outcomes if o.failed]
        for o in failures:
            print(f"FAIL {o.status:10} {o.name}: {o.detail}")
        if args.json:
            args.json.write_text(json.dumps({"summary": summary, "outcomes": [asdict(o) for o in outcomes]}, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
