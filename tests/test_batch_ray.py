"""`unspin batch --engine ray` on a real Ray cluster on 127.0.0.1 (started once for this module)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_batch import UNSPIN, assert_consistent, html_page, query, story, write_jsonl
from unspin.corpus.store import Store

# Ray reads these when it is imported; with them a one-machine cluster binds to 127.0.0.1 only.
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
os.environ.update(RAY_ENV)
ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A 2-CPU Ray cluster bound to loopback; yields its address for `--ray-address`."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024 * 1024,
             _node_ip_address="127.0.0.1", logging_level="WARNING", log_to_driver=False)
    try:
        assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def run(*args: str | Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNSPIN, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **RAY_ENV, "COLUMNS": "120"})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("ray-corpus")
    write_jsonl(d / "news.jsonl", 12)
    (d / "folder").mkdir()
    for i in range(12, 15):
        t, b = story(i)
        (d / "folder" / f"s{i}.txt").write_text(f"{t}\n\n{b}\n", encoding="utf-8")
    (d / "folder" / "blank.txt").write_text("   \n", encoding="utf-8")
    (d / "folder" / "page.html").write_text(html_page(*story(15)), encoding="utf-8")  # extracted on the actors
    return [d / "news.jsonl", d / "folder"]


def results(db: Path) -> dict[str, dict]:
    with Store(db, read_only=True) as store:
        return {i: store.get_result(i).to_dict() for (i,) in query(db, "SELECT id FROM articles")}  # type: ignore[union-attr]


def test_ray_cluster_run_matches_local_run_and_resumes(tmp_path: Path, cluster: str, corpus: list[Path]) -> None:
    on_ray = tmp_path / "ray.duckdb"
    r = run("batch", *corpus, "--db", on_ray, "--engine", "ray", "--ray-address", cluster, "--workers", "2",
            "--limit", "9")
    assert r.returncode == 0, r.stderr
    assert "9 read, 9 stored" in r.stderr and "Ray: 2 actors on 1 node (127.0.0.1)" in r.stderr
    # a second run on the cluster resumes: the first 9 are skipped before analysis, the rest are added
    r = run("batch", *corpus, "--db", on_ray, "--engine", "ray", "--ray-address", cluster, "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert "17 read, 7 stored, 9 already stored, 1 errors" in r.stderr
    assert_consistent(on_ray)
    assert query(on_ray, "SELECT id FROM errors") == [("blank",)]

    local = tmp_path / "local.duckdb"
    r = run("batch", *corpus, "--db", local, "--engine", "local", "--workers", "1")
    assert r.returncode == 0, r.stderr
    a, b = results(on_ray), results(local)
    assert sorted(a) == sorted(b) and len(a) == 16 and a["page"]["article"]["title"] == story(15)[0]
    assert a == b  # the same analysis wherever the model runs


def test_ray_default_starts_a_private_loopback_cluster(tmp_path: Path, corpus: list[Path]) -> None:
    db = tmp_path / "own.duckdb"
    r = run("batch", corpus[1], "--db", db, "--engine", "ray", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert "5 read, 4 stored, 0 already stored, 1 errors" in r.stderr
    assert "Ray: 1 actors on 1 node (127.0.0.1)" in r.stderr
    assert_consistent(db)


def test_ray_errors_are_one_line(tmp_path: Path, cluster: str, corpus: list[Path]) -> None:
    db = tmp_path / "x.duckdb"
    r = run("batch", corpus[0], "--db", db, "--engine", "ray", "--ray-address", cluster, "--workers", "64")
    assert r.returncode == 2 and "more than the 2 CPUs" in r.stderr and "Traceback" not in r.stderr
    r = run("batch", corpus[0], "--db", db, "--ray-address", cluster)
    assert r.returncode == 2 and "--ray-address needs --engine ray" in r.stderr
    r = run("batch", corpus[0], "--db", db, "--engine", "ray", "--ray-address", "127.0.0.1:1", timeout=60)
    assert r.returncode == 2 and "cannot reach Ray at 127.0.0.1:1" in r.stderr and len(r.stderr.splitlines()) == 1
