"""Shared fixtures: one Analyzer per session, and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "demo-article.txt"


@pytest.fixture(scope="session")
def analyzer():
    from unspin.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


def run_cli(*args: str, input: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m unspin ARGS` as a user would, capturing bytes."""
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "unspin", *args], input=input, capture_output=True, timeout=timeout, env=env
    )


@pytest.fixture
def cli():
    return run_cli
