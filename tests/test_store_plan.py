"""The store's identity rules as `plan_write` decides them, on constructed data (no DuckDB file)."""

from __future__ import annotations

from datetime import datetime

import pytest

from unspin.article import Article, ModelInfo, Result, Sentence, Span
from unspin.corpus.store import StoreError, clash_id, plan_write

NOW = datetime(2026, 12, 3, 4, 0)
TEXT = "Council Betrays Town\n\nThe reckless council betrayed everyone.\n"
EDITED = TEXT.replace("everyone", "the whole town")


def result(text: str = TEXT, article_id: str = "a1", version: str = "v1") -> Result:
    art = Article(text=text, title="Council Betrays Town", title_end=20, id=article_id, outlet="Gazette")
    s = text.index("The reckless")
    return Result(article=art, model=ModelInfo("m", version), spans=[Span(s + 4, s + 12, "Loaded_Language", 0.9,
                                                                           text[s + 4:s + 12])],
                  sentences=[Sentence(0, 20, 0.1, True), Sentence(s, len(text) - 1, 0.8)], score=0.5)


def test_a_new_result_gets_its_rows_under_its_own_id() -> None:
    r = result()
    plan = plan_write([r], set(), {}, NOW)
    assert [row[:3] for row in plan.articles] == [("a1", r.article.hash, "v1")]
    assert plan.articles[0][-1] == NOW and plan.kept == [r] and plan.replaced == []
    assert [sp[:4] for sp in plan.spans] == [("a1", r.spans[0].start, r.spans[0].end, "Loaded_Language")]
    assert [se[:2] for se in plan.sentences] == [("a1", 0), ("a1", 1)]


def test_the_same_text_under_the_same_model_version_is_skipped() -> None:
    r = result()
    assert plan_write([r], {(r.article.hash, "v1")}, {"a1": (r.article.hash, "v1")}, NOW).articles == []
    # and within one write: the second copy, under another id, is not stored again
    plan = plan_write([r, result(article_id="a2")], set(), {}, NOW)
    assert [row[0] for row in plan.articles] == ["a1"]


def test_the_same_id_with_a_different_text_is_kept_under_a_clash_id() -> None:
    old, edited = result(), result(EDITED)
    plan = plan_write([edited], {(old.article.hash, "v1")}, {"a1": (old.article.hash, "v1")}, NOW)
    cid = clash_id("a1", edited.article.hash)
    assert [row[0] for row in plan.articles] == [cid] and plan.replaced == []
    assert plan.kept[0].article.id == cid and {sp[0] for sp in plan.spans} == {cid}
    # the same within one write: the first keeps the id
    plan = plan_write([old, edited], set(), {}, NOW)
    assert [row[0] for row in plan.articles] == ["a1", cid]


def test_the_same_id_and_text_under_a_new_model_version_replaces_the_old_analysis() -> None:
    old, new = result(), result(version="v2")
    plan = plan_write([new], {(old.article.hash, "v1")}, {"a1": (old.article.hash, "v1")}, NOW)
    assert [row[:3] for row in plan.articles] == [("a1", new.article.hash, "v2")] and plan.replaced == ["a1"]


def test_one_id_analysed_by_two_model_versions_in_one_write_is_refused() -> None:
    with pytest.raises(StoreError, match="two model versions"):
        plan_write([result(), result(version="v2")], set(), {}, NOW)


def test_the_inputs_are_not_changed() -> None:
    texts: set[tuple[str, str]] = set()
    ids: dict[str, tuple[str, str]] = {}
    plan_write([result()], texts, ids, NOW)
    assert texts == set() and ids == {}
