"""The API reference at `/docs`, rendered on the server from `app.openapi()`.

FastAPI's Swagger UI and ReDoc pages load their scripts and styles from a CDN,
so on a machine without internet access they are blank. This page is built from
the same OpenAPI document at request time, so it cannot drift from the routes,
and it is plain HTML with inline CSS: no script, nothing from another host.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from unspin.render.html import TEMPLATES as REPORT_TEMPLATES
from unspin.web.pages import render

STATIC = Path(__file__).parent / "static"
METHODS = ("get", "post", "put", "patch", "delete")
# Request bodies for the curl examples, keyed by (method, path). The tests post each one
# to a real server, so an example that the API would refuse fails the suite.
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/analyze"): {"text": "Bridge vote\n\nThe reckless council betrayed us all.", "min_confidence": 0.15},
}

router = APIRouter(include_in_schema=False)


@dataclass
class Field_:
    """A parameter or a body field, as one line of the reference."""

    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Reply:
    status: str
    description: str
    media: list[str]
    type: str = ""
    example: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    params: list[Field_]
    body_media: str
    body_type: str
    body_required: bool
    body_fields: list[Field_]
    body_closed: bool
    replies: list[Reply]
    curl: str = ""


def _ref(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (only `#/...` pointers exist in FastAPI's output)."""
    seen = 0
    while "$ref" in schema and seen < 20:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema, seen = node if isinstance(node, dict) else {}, seen + 1
    return schema


def type_label(schema: dict[str, Any]) -> str:
    """A short human name for a JSON schema: `string`, `array of string`, `integer or null`, `AnalyzeRequest`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(dict.fromkeys(type_label(s) for s in schema[key]))
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {type_label(schema.get('items', {}))}" if schema.get("items") else "array"
    if kind is None:
        return "any JSON"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _notes(schema: dict[str, Any]) -> list[str]:
    """Limits and defaults, gathered from the schema and any `anyOf` branch."""
    parts = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "over", "exclusiveMaximum": "under",
             "minLength": "min length", "maxLength": "max length", "minItems": "min items", "maxItems": "max items",
             "pattern": "matches"}
    notes = [f"{word} {part[key]}" for part in parts for key, word in words.items() if key in part]
    if "default" in schema and schema["default"] is not None:
        notes.append(f"default {json.dumps(schema['default'])}")
    return notes


def _fields(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[list[Field_], bool]:
    obj = _ref(spec, schema)
    required = set(obj.get("required", []))
    fields = [
        Field_(name, type_label(prop), name in required, prop.get("description", ""), notes=_notes(prop))
        for name, prop in obj.get("properties", {}).items()
    ]
    return fields, obj.get("additionalProperties") is False


def _replies(responses: dict[str, Any]) -> list[Reply]:
    out = []
    for status, reply in sorted(responses.items()):
        content = reply.get("content", {})
        rep = Reply(status, reply.get("description", ""), list(content))
        # Error bodies are always {"error": ...} (see unspin.web.errors), whatever schema FastAPI lists.
        if status.isdigit() and int(status) < 400:
            for media in content.values():
                if media.get("schema"):
                    rep.type = type_label(media["schema"])
                if "example" in media:
                    rep.example = json.dumps(media["example"], ensure_ascii=False)
        out.append(rep)
    return out


def curl(base: str, method: str, path: str, body: dict[str, Any]) -> str:
    """A copyable shell command; the JSON goes in single quotes, with any single quote closed and reopened."""
    data = json.dumps(body, ensure_ascii=False).replace("'", "'\\''")
    flag = "" if method == "post" else f" -X {method.upper()}"
    return f"curl -s{flag} {base}{path} -H 'content-type: application/json' \\\n     -d '{data}'"


def operations(spec: dict[str, Any], base: str) -> list[Operation]:
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [
                Field_(p["name"], type_label(p.get("schema", {})), bool(p.get("required")),
                       p.get("description") or p.get("schema", {}).get("description", ""), p.get("in", ""),
                       _notes(p.get("schema", {})))
                for p in [*item.get("parameters", []), *op.get("parameters", [])]
            ]
            body = op.get("requestBody", {})
            content: dict[str, Any] = body.get("content", {})
            media, schema = next(iter(content.items()), ("", dict[str, Any]()))
            body_fields, closed = _fields(spec, schema.get("schema", {})) if media else ([], False)
            ops.append(Operation(
                method=method, path=path, anchor=op.get("operationId") or f"{method}-{path}",
                summary=op.get("summary", ""), description=op.get("description", ""), params=params,
                body_media=media, body_type=type_label(schema.get("schema", {})) if media else "",
                body_required=bool(body.get("required")), body_fields=body_fields, body_closed=closed,
                replies=_replies(op.get("responses", {})),
                curl=curl(base, method, path, EXAMPLES[(method, path)]) if (method, path) in EXAMPLES else "",
            ))
    return ops


_CODE = re.compile(r"`([^`\n]+)`")


def prose(text: str, inline: bool = False) -> Markup:
    """Escaped text with `code` spans and blank-line paragraphs; the only markup OpenAPI text gets here."""
    paras = [_CODE.sub(r"<code>\1</code>", str(escape(" ".join(p.split()))))
             for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    html = " ".join(paras) if inline else "".join(f"<p>{p}</p>" for p in paras)
    return Markup(html)  # safe: every piece of text was escaped above


@cache
def site_css() -> Markup:
    """The report and web-app styles, inlined so the page needs no other request."""
    css = "\n".join(p.read_text(encoding="utf-8") for p in (REPORT_TEMPLATES / "report.css", STATIC / "web.css"))
    if "</" in css:
        raise ValueError("a stylesheet must not contain '</'")
    return Markup(css)  # safe: our own files, checked not to close the <style> element


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    base = str(request.base_url).rstrip("/")
    html = render(request, "apidocs.html.j2", info=spec.get("info", {}), ops=operations(spec, base),
                  openapi_version=spec.get("openapi", ""), css=site_css(), prose=prose)
    return HTMLResponse(html)


@router.get("/redoc")
async def redoc() -> RedirectResponse:
    """Old links to FastAPI's ReDoc page land on this reference instead of a CDN-loaded page."""
    return RedirectResponse("/docs", status_code=308)
