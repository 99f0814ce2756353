"""Terminal views at 80 columns: nothing wider, nothing cut, no outlet name broken mid-word."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from story_texts import BRIDGE, RATES

LONG_OUTLETS = ["Christian Science Monitor", "Brookings Institution Editorial", "Wall Street Journal - Editorial"]


@pytest.fixture(scope="module")
def store(analyzer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text

    path = tmp_path_factory.mktemp("wide") / "store.duckdb"
    results = []
    for k, text in enumerate([*BRIDGE.values(), *RATES.values()]):
        art = article_from_text(text, id=f"w{k}", outlet=LONG_OUTLETS[k % 3])
        art.published = f"2024-0{1 + k % 2}-1{k % 3}"
        results.append(analyzer.analyze(art))
    with Store(path) as s:
        s.write_many(results)
    return path


def run80(*args: str) -> list[str]:
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-m", "unspin", *args], capture_output=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode().splitlines()


def test_stats_fit_80_columns_without_breaking_words(store: Path) -> None:
    lines = run80("stats", "--db", str(store), "--stories", "--top", "3")
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= 80
    for outlet in LONG_OUTLETS:
        for word in outlet.split():
            assert re.search(rf"(?<!\S){re.escape(word)}(?!\S)", text), f"{word!r} of {outlet!r} is cut"
    assert "…" not in text  # no cell cut short
    header = next(line for line in lines if line.startswith("outlet "))
    assert header.split() == ["outlet", "articles", "undated", "words", "spans", "words", "sents", "density"]
