"""The sourcing section of the terminal view: who is quoted, who is credited, who is unnamed, what is relayed.

It reads the plain dict form (`Sourcing.to_dict()`), so a `Result` loaded back
from JSON or DuckDB renders the same as a fresh one.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from unspin.article import Result

_WIDTH = 90


def _short(s: str, width: int = _WIDTH) -> str:
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def sourcing_dict(result: Result) -> dict[str, Any] | None:
    """The result's sourcing in its JSON form (what the templates and this view read), None without one."""
    return result.sourcing.to_dict() if result.sourcing is not None else None


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def named_sources_text(m: dict[str, Any]) -> str:
    """'2 people (Josh Rogin, Yury Ushakov), 1 outlet (Washington Post), 2 institutions (Russia, Kremlin)'."""
    by_kind = m.get("named_by_kind")
    if not by_kind:  # a result stored before the summary told kinds apart
        return _count(m["distinct_named_sources"], "named source", "named sources")
    parts = []
    for key, one, many in (("people", "person", "people"), ("outlets", "outlet", "outlets"),
                           ("institutions", "institution", "institutions")):
        names = by_kind.get(key) or []
        if names:
            parts.append(f"{_count(len(names), one, many)} ({', '.join(names)})")
    return "named sources: " + ("; ".join(parts) if parts else "none")


def provenance_text(m: dict[str, Any]) -> str:
    """'published by RT · relays Washington Post · photo credits Reuters' (older results: 'relies on ...')."""
    if "publisher" not in m:
        return "relies on: " + ", ".join(m["outlets"]) if m["outlets"] else ""
    parts = []
    for key, label in (("publisher", "published by"), ("relayed", "relays"), ("credits", "photo credits")):
        if m.get(key):
            parts.append(f"{label} {', '.join(m[key])}")
    return " · ".join(parts)


def summary_line(s: dict[str, Any]) -> Text:
    m = s["summary"]
    line = Text("Sourcing  ", style="bold")
    line.append(f"{m['quoted_share']:.0%} of the text quoted · {m['quotes']} quotes "
                f"({m['quotes_with_speaker']} with a named speaker) · statements credited (quotes and "
                f"attributions): {m['named_attributions']} to named sources, {m['anonymous_attributions']} to "
                f"unnamed ones · {named_sources_text(m)}")
    prov = provenance_text(m)
    if prov:
        line.append(" · " + prov, style="bold yellow")
    return line


def quotes_table(s: dict[str, Any]) -> Table:
    t = Table(title="Quotes", show_lines=False, expand=True)
    t.add_column("speaker", ratio=2)
    t.add_column("quote", ratio=5)
    for q in s["quotes"]:
        who = q["speaker"] or ("(unnamed source)" if q["anonymous"] else "(no speaker)")
        if q["role"]:
            who += f"\n{q['role']}"
        t.add_row(Text(who, style="" if q["speaker"] else "dim"), Text(_short(q["text"])))
    return t


def attributions_table(s: dict[str, Any]) -> Table:
    t = Table(title="Attributions (indirect speech)", expand=True)
    t.add_column("source", ratio=2)
    t.add_column("verb")
    t.add_column("claim", ratio=4)
    for a in s["attributions"]:
        src = a["source"] + (f" → {a['resolved']}" if a["resolved"] else "")
        style = "red" if a["anonymous"] else "" if a["named"] else "dim"
        t.add_row(Text(_short(src, 50), style=style), Text(a["verb"]), Text(_short(a["claim"], 80)))
    return t


def render_sourcing_terminal(result: Result, console: Console) -> None:
    s = sourcing_dict(result)
    if s is None:
        return
    console.print(summary_line(s))
    if s["quotes"]:
        console.print(quotes_table(s))
    if s["attributions"]:
        console.print(attributions_table(s))
    if s["anonymous_sources"]:
        console.print(Text("Unnamed sources", style="bold"))
        for a in s["anonymous_sources"]:
            where = " (inside a quote)" if a["in_quote"] else ""
            console.print(Text(f"  • {a['kind'].replace('_', ' ')}: {_short(a['text'], 80)}{where}"), highlight=False)
    if s["provenance"]:
        t = Table(title="Provenance", expand=True)
        t.add_column("outlet")
        t.add_column("kind")
        t.add_column("text", ratio=3)
        for p in s["provenance"]:
            t.add_row(Text(p["outlet"]), Text(p["kind"].replace("_", " ")), Text(_short(p["text"], 70)))
        console.print(t)
