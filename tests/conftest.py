"""Shared fixtures: one Analyzer per session, and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "demo-article.txt"


@pytest.fixture(scope="session", autouse=True)
def _user_data_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory):
    """Servers keep pasted analyses in the user data folder by default: keep the tests' out of $HOME."""
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    yield
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old


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
