"""Reading and writing the PTC layout on files the tests write: exact offsets, folder forms, label-file errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.article import Article, ModelInfo, Result, Span
from unspin.errors import InputError
from unspin.ptc.files import (
    GoldSpan,
    articles_dir,
    find_label_file,
    list_articles,
    read_tc_labels,
    read_text_exact,
    render_ptc,
)


def test_ptc_text_is_read_without_newline_translation(tmp_path: Path) -> None:
    p = tmp_path / "article1.txt"
    p.write_bytes("Caf\u00e9\r\nline\rtwo\n".encode())
    assert read_text_exact(p) == "Caf\u00e9\r\nline\rtwo\n"


def test_ptc_split_or_articles_folder(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    assert articles_dir(tmp_path) == tmp_path / "articles"
    assert articles_dir(tmp_path / "articles") == tmp_path / "articles"


def test_ptc_list_articles_in_id_order(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("article20.txt", "article1.txt", "article3.txt", "notes.txt", "article5.txt.bak", "article.txt"):
        (folder / name).write_text("x")
    assert list_articles(tmp_path) == {"1": folder / "article1.txt", "20": folder / "article20.txt",
                                       "3": folder / "article3.txt"}


def test_ptc_list_articles_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing: not a directory"):
        list_articles(tmp_path / "missing")
    (tmp_path / "other.txt").write_text("x")
    with pytest.raises(InputError, match="no article<ID>.txt files"):
        list_articles(tmp_path)


def test_ptc_find_label_file(tmp_path: Path) -> None:
    assert find_label_file(tmp_path) is None
    (tmp_path / "dev-task-si.labels").write_text("")
    (tmp_path / "b-task-flc-tc.labels").write_text("")
    (tmp_path / "a-task-flc-tc.labels").write_text("")
    assert find_label_file(tmp_path) == tmp_path / "a-task-flc-tc.labels"
    assert find_label_file(tmp_path, "si") == tmp_path / "dev-task-si.labels"


def test_ptc_read_tc_labels(tmp_path: Path) -> None:
    p = tmp_path / "l.labels"
    p.write_text("1\tDoubt\t3\t9\n\n  \n2\t?\t0\t4\n")
    assert read_tc_labels(p) == [GoldSpan("1", "Doubt", 3, 9), GoldSpan("2", "?", 0, 4)]


@pytest.mark.parametrize(("line", "message"), [
    ("1\tDoubt\t3", "l.labels:2: expected 4 tab-separated columns"),
    ("1 Doubt 3 9", "l.labels:2: expected 4 tab-separated columns"),  # spaces do not separate columns
    ("1\tDoubt\t3\t9\t1", "l.labels:2: expected 4 tab-separated columns"),
    ("1\tDoubting\t3\t9", "l.labels:2: unknown technique 'Doubting'"),
    ("1\tDoubt\t3\tnine", "l.labels:2: offsets must be integers"),
    ("1\tDoubt\tx\t9", "l.labels:2: offsets must be integers"),
])
def test_ptc_read_tc_labels_rejects(tmp_path: Path, line: str, message: str) -> None:
    p = tmp_path / "l.labels"
    p.write_text(f"1\tDoubt\t0\t1\n{line}\n")
    with pytest.raises(InputError, match=message):
        read_tc_labels(p)


def test_ptc_render_lines() -> None:
    r = Result(article=Article(text="A reckless, reckless plan.", id="77"), model=ModelInfo("m", "v"),
               spans=[Span(2, 10, "Loaded_Language", 0.9), Span(2, 19, "Repetition", 0.4)])
    assert render_ptc(r) == "77\tLoaded_Language\t2\t10\n77\tRepetition\t2\t19\n"
    assert render_ptc(Result(article=Article(text="x", id="1"), model=ModelInfo("m", "v"))) == ""
