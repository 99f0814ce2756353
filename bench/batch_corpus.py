"""Shared by the batch benchmarks: a synthetic corpus from the demo article, and peak memory of a process tree.

The corpus repeats examples/demo-article.txt with substitutions (town, people,
amounts), so every article has its own text and id; `short=True` keeps only
the title and the first two paragraphs (~50 words) for the large runs.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-article.txt"
PLACES = ["Harbour Town", "Millbrook", "Eastcliff", "Northgate", "Riverside", "Oakham", "Westmere", "Lindale",
          "Stonebridge", "Ashford", "Kingsport", "Fairhaven", "Redcliff"]
PEOPLE = ["Margaret Olsen", "Ruth Amadi", "Tomas Berg", "Ines Duarte", "Priya Nair", "Hugh Maddox", "Lena Vogel"]
MAYORS = ["Daniel Reyes", "Carla Moss", "Victor Hale", "Anna Kowal", "Samuel Ortiz"]


def variant(base: str, i: int) -> str:
    return (base.replace("Harbour Town", PLACES[i % len(PLACES)])
            .replace("Margaret Olsen", PEOPLE[(i // 3) % len(PEOPLE)])
            .replace("Daniel Reyes", MAYORS[(i // 5) % len(MAYORS)])
            .replace("Reyes", MAYORS[(i // 5) % len(MAYORS)].split()[1])
            .replace("40 million", f"{10 + i} million"))


def demo_text(short: bool) -> str:
    text = DEMO.read_text(encoding="utf-8")
    if short:
        text = "\n\n".join(text.split("\n\n")[:3]) + "\n"
    return text


def make_corpus(path: Path, n: int, short: bool = False) -> Path:
    """A JSONL corpus of n distinct articles, ids a0..a{n-1}, outlets and dates varied."""
    base = demo_text(short)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"a{i}", "text": variant(base, i), "outlet": f"Outlet {i % 9}",
                                "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"}) + "\n")
    return path


def make_warc(path: Path, n: int, short: bool = False) -> Path:
    """The same articles as HTML pages in a gzipped WARC, as a crawler would store them."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    base = demo_text(short)
    with path.open("wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(n):
            title, _, body = variant(base, i).partition("\n\n")
            paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n") if p.strip())
            page = (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> | <a href='/news'>"
                    f"News</a></nav><article><h1>{title}</h1>{paras}</article><footer>Contact us</footer></body></html>")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(f"https://news.example.org/a{i}", "response",
                                                payload=io.BytesIO(page.encode()), http_headers=headers))
    return path


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakMemory:
    """Samples the peak RSS (VmHWM) of every process under `pid` until stopped: the driver and each worker."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid = pid
        self.every = every
        self.peaks: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for p in _tree(self.pid):
                kb = _hwm_kb(p)
                if kb is not None:
                    self.peaks[p] = max(self.peaks.get(p, 0), kb)
            time.sleep(self.every)

    @property
    def driver_mb(self) -> float:
        return self.peaks.get(self.pid, 0) / 1024

    @property
    def worker_max_mb(self) -> float:
        others = [kb for p, kb in self.peaks.items() if p != self.pid]
        return max(others, default=0) / 1024
