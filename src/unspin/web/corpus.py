"""Routes over a results store (`--db`): stored articles, statistics, the corpus view.

Every read goes through `unspin.corpus.store_access.StoreReader`: with no writer at work it
opens the DuckDB file read-only for one query (under a deadline) and closes it
straight after; while `unspin batch` writes the file, it asks the batch's own
read service instead, so the pages keep working during a run and the batch is
never held up. A store that cannot be read just now is answered 503 with
`Retry-After` and the reason, never a hang or a traceback. Queries run in a
worker thread, off the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from unspin.article import Result
from unspin.errors import UnspinError
from unspin.techniques import BY_ID, TECHNIQUE_IDS
from unspin.web.errors import NotFound, StoreUnavailable
from unspin.web.pages import render, render_result

if TYPE_CHECKING:
    from unspin.corpus.stats import StatsFilter

router = APIRouter()
pages = APIRouter(include_in_schema=False)
ARTICLE_LIST_LIMIT = 500
MAX_OUTLET_ROWS = 50  # rows of the corpus matrix before "show all"
BUSY_RETRY_SECONDS = 2


def _db(request: Request) -> Path:
    db = request.app.state.settings.db
    if db is None:
        raise NotFound("this server has no article store; start it with `unspin serve --db FILE`")
    return db


@contextmanager
def store_errors() -> Iterator[None]:
    """The store's failures as the web's errors: busy (503 with Retry-After) or unavailable (503)."""
    from unspin.corpus.store import StoreError
    from unspin.corpus.store_access import StoreBusy

    try:
        yield
    except StoreBusy as e:
        raise StoreUnavailable(f"the article store is busy: {e}", retry_after=BUSY_RETRY_SECONDS) from None
    except StoreError as e:  # missing, not a store, or its results file is missing or damaged
        raise StoreUnavailable(f"the article store is unavailable: {e}") from None


def load_result(path: Path, article_id: str) -> Result:
    from unspin.corpus.store_access import StoreReader

    with store_errors():
        result = StoreReader(path).result(article_id)
    if result is None:
        raise NotFound(f"no article with id {article_id!r} in the store")
    return result


def load_stats(path: Path, flt: StatsFilter, top: int) -> dict[str, Any]:
    from unspin.corpus.selection import check_period
    from unspin.corpus.store_access import StoreReader

    check_period(flt)  # checked here too: a writer's answer would say the same
    with store_errors():
        return StoreReader(path).stats(flt, top)


def list_articles(path: Path, flt: StatsFilter, technique: str | None, limit: int) -> list[dict[str, Any]]:
    """Stored articles (the same deduplicated selection the statistics count), highest score first."""
    from unspin.corpus.store_access import StoreReader

    with store_errors():
        return StoreReader(path).articles(flt, technique, limit)


def _filter(outlet: list[str] | None, since: date | None, until: date | None, model_version: str | None) -> StatsFilter:
    from unspin.corpus.stats import StatsFilter

    return StatsFilter(outlets=tuple(o for o in outlet or () if o.strip()), since=since, until=until,
                       model_version=model_version or None)


@router.get("/api/articles/{article_id:path}", summary="A stored analysis, as `unspin analyze --format json` prints it")
async def get_article(article_id: str, request: Request) -> JSONResponse:
    result = await run_in_threadpool(load_result, _db(request), article_id)
    return JSONResponse(result.to_dict())


@router.get("/api/stats", summary="Corpus statistics, the object `unspin stats --json FILE` writes")
async def get_stats(
    request: Request,
    outlet: Annotated[list[str] | None, Query(description="Only these outlets (repeatable).")] = None,
    since: Annotated[date | None, Query(description="Published on or after this date.")] = None,
    until: Annotated[date | None, Query(description="Published on or before this date.")] = None,
    model_version: Annotated[str | None, Query()] = None,
    top: Annotated[int, Query(ge=1, le=100, description="Most frequent span texts per technique.")] = 10,
) -> JSONResponse:
    stats = await run_in_threadpool(load_stats, _db(request), _filter(outlet, since, until, model_version), top)
    return JSONResponse(stats)


@pages.get("/articles", include_in_schema=False)
async def article_list(request: Request) -> Response:
    """The list of the stored articles is the corpus page's: `/articles` and `/articles/` lead there (with the
    outlet and technique asked for), as `/articles/ID` is one of them."""
    _db(request)  # no store: the same 404 as the corpus page's, without a redirect first
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/corpus{query}#articles", status_code=307)


@pages.get("/articles/{article_id:path}", response_class=HTMLResponse)
async def article_page(article_id: str, request: Request) -> Response:
    if not article_id:  # `/articles/`: the list, not an article without an id
        return await article_list(request)
    result = await run_in_threadpool(load_result, _db(request), article_id)
    return HTMLResponse(render_result(request, result, stored=True))


def corpus_table(stats: dict[str, Any], max_outlets: int | None = MAX_OUTLET_ROWS) -> dict[str, Any]:
    """Outlets x techniques: spans per 1,000 words in each cell, shaded against the largest cell shown.

    With more than `max_outlets` outlets (None: no limit) only the `max_outlets` with the most articles are
    rows (in name order, as always), so a corpus of 500 outlets opens on the ones its figures rest on;
    `hidden_outlets` says how many were left out.
    """
    from unspin.corpus.selection import largest_outlets

    outlets, hidden = largest_outlets(stats["outlets"], max_outlets)
    shown = {o["outlet"] for o in outlets}
    cells = {(r["outlet"], r["technique"]): r for r in stats["techniques"]}
    present = {r["technique"] for r in stats["techniques"]}
    columns = [BY_ID[t] for t in TECHNIQUE_IDS if t in present]
    rows = outlets + ([stats["overall"]] if stats["overall"] else [])
    peak = max((r["spans_per_1k_words"] for r in stats["techniques"] if r["outlet"] in shown), default=0.0) or 1.0
    table = []
    for o in rows:
        row = []
        for t in columns:
            c = cells.get((o["outlet"], t.id))
            rate = c["spans_per_1k_words"] if c else 0.0
            row.append({"technique": t, "cell": c, "heat": min(rate / peak, 1.0)})
        table.append({"outlet": o, "cells": row})
    return {"columns": columns, "rows": table, "hidden_outlets": hidden, "all_outlets": len(stats["outlets"])}


@pages.get("/corpus", response_class=HTMLResponse)
async def corpus_page(
    request: Request,
    outlet: Annotated[str | None, Query()] = None,
    technique: Annotated[str | None, Query()] = None,
    outlets: Annotated[Literal["all"] | None, Query(description="`all`: every outlet a row, not the largest 50")] = None,
) -> HTMLResponse:
    from unspin.corpus.stats import ALL, StatsFilter

    db = _db(request)
    if technique and technique not in BY_ID:
        raise UnspinError(f"unknown technique {technique!r}")
    every = StatsFilter()
    stats = await run_in_threadpool(load_stats, db, every, 10)
    picked = StatsFilter(outlets=(outlet,)) if outlet and outlet != ALL else every
    articles = await run_in_threadpool(list_articles, db, picked, technique, ARTICLE_LIST_LIMIT)
    page = render(
        request, "corpus.html.j2", stats=stats, table=corpus_table(stats, None if outlets == "all" else MAX_OUTLET_ROWS),
        articles=articles, all_label=ALL,
        outlet=outlet, technique=BY_ID.get(technique or ""), limit=ARTICLE_LIST_LIMIT,
    )
    return HTMLResponse(page)
