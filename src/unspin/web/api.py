"""The JSON API. `/api/analyze` answers exactly what `unspin analyze --format json` prints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from unspin.techniques import TECHNIQUES
from unspin.web.requests import AnalyzeRequest

router = APIRouter()

ERROR = {"content": {"application/json": {"example": {"error": "a one-line message"}}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "URL refused or not fetchable", **ERROR},
    413: {"description": "Body or text over the size limit", **ERROR},
    422: {"description": "Invalid request or unusable input", **ERROR},
    503: {"description": "The server is busy: the request was refused at once; retry after `Retry-After` seconds",
          **ERROR},
    504: {"description": "Analysis took longer than the server's limit", **ERROR},
}


@router.post("/api/analyze", responses=ERRORS, summary="Analyse one article",
             response_description="The Result JSON (schema_version, model, article, score, spans, sentences, sourcing).")
async def analyze(req: AnalyzeRequest, request: Request) -> Response:
    """Give exactly one of `text`, `html` or `url`. Offsets in the answer are Python string
    indices into `article.text`, end exclusive."""
    service = request.app.state.service
    body = await service.analyze_json(req)
    return Response(body, media_type="application/json")


@router.get("/api/techniques", summary="The 14 techniques unspin detects")
async def techniques() -> list[dict[str, str]]:
    return [t.to_dict() for t in TECHNIQUES]


@router.get("/healthz", summary="Liveness, and which model is loaded")
async def healthz(request: Request) -> dict[str, Any]:
    info = request.app.state.service.analyzer.model
    settings = request.app.state.settings
    queue = request.app.state.service.queue.snapshot()
    return {"status": "ok", "model": {"name": info.name, "version": info.version}, "store": settings.db is not None,
            "queue": {"queued": queue["queued"], "wait_s": queue["wait_s"]}}
