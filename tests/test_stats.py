"""`unspin stats`: numbers checked by hand on a small store, the views, the exports, and bad input."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from unspin.corpus.stats import ALL, StatsFilter, compute_stats, open_results
from unspin.corpus.store import Store
from unspin.errors import UnspinError

XSS_OUTLET = '<script>alert("o")</script>'
XSS_SPAN = "<img src=x onerror=alert(1)>"

# id, hash, model_version, outlet, title, published, words, score, n_spans, n_sentences, n_flagged, analysed_at
ARTICLES = [
    ("L1", "h1", "v1", "Ledger", "T1", "2024-01-10", 1000, 0.5, 4, 10, 3, "2024-05-01 10:00:00"),
    ("L2", "h2", "v1", "Ledger", "T2", "2024-02-03", 500, 0.2, 1, 5, 1, "2024-05-01 10:00:00"),
    ("B1", "h3", "v1", "Beacon", "T3", None, 2000, 0.9, 5, 20, 10, "2024-05-01 10:00:00"),
    ("U1", "h4", "v1", None, "T4", "2024-01-20", 400, 0.1, 0, 4, 0, "2024-05-01 10:00:00"),
    # The same text as L1, analysed earlier by an older model: the newer analysis is the one counted.
    ("L1old", "h1", "v0", "Ledger", "T1", "2024-01-10", 1000, 0.99, 3, 10, 3, "2024-04-01 10:00:00"),
]
SPANS = [
    ("L1", 0, 5, "Loaded_Language", 0.9, "Evil  Plan"), ("L1", 6, 9, "Loaded_Language", 0.8, "evil plan"),
    ("L1", 20, 30, "Doubt", 0.7, "who knows"), ("L1", 40, 45, "Flag-Waving", 0.6, "patriots"),
    ("L2", 0, 4, "Doubt", 0.5, "Who\nKnows"),
    ("B1", 0, 5, "Loaded_Language", 0.9, "evil plan"), ("B1", 10, 15, "Slogans", 0.9, "go go"),
    ("B1", 100, 110, "Loaded_Language", 0.9, "dire"), ("B1", 200, 210, "Doubt", 0.9, "hmm"),
    ("B1", 300, 310, "Doubt", 0.9, "hmm"),
    ("L1old", 0, 5, "Doubt", 0.9, "old"), ("L1old", 6, 9, "Doubt", 0.9, "old"), ("L1old", 20, 30, "Doubt", 0.9, "old"),
]
SENTENCES = [
    ("L1", 0, 0, 10), ("L1", 1, 10, 35), ("L1", 2, 35, 50),
    ("L2", 0, 0, 10),
    ("B1", 0, 0, 50), ("B1", 1, 50, 150), ("B1", 2, 150, 400),
    ("L1old", 0, 0, 10), ("L1old", 1, 10, 35),
]


def make_known_store(path: Path, extra_outlet: str | None = None) -> Path:
    """A store with hand-chosen rows, so every figure below can be worked out on paper."""
    with Store(path) as store:
        con = store.connection
        for a in ARTICLES:
            con.execute("INSERT INTO articles (id, hash, model_version, outlet, url, title, published, words, score, n_spans, n_sentences, n_flagged_sentences, analysed_at, result_offset, result_bytes) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)", list(a))
        for s in SPANS:
            con.execute("INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?)", list(s))
        for s in SENTENCES:
            con.execute("INSERT INTO sentences VALUES (?, ?, ?, ?, 0.5, false)", list(s))
        if extra_outlet is not None:
            con.execute("INSERT INTO articles (id, hash, model_version, outlet, url, title, published, words, score, n_spans, n_sentences, n_flagged_sentences, analysed_at, result_offset, result_bytes) VALUES ('X1', 'h9', 'v1', ?, NULL, ?, '2024-02-10', 100, 0.3, 1, 2, 1,"
                        " '2024-05-01 10:00:00', NULL, NULL)", [extra_outlet, XSS_SPAN])
            con.execute("INSERT INTO spans VALUES ('X1', 0, 5, 'Doubt', 0.5, ?)", [XSS_SPAN])
            con.execute("INSERT INTO sentences VALUES ('X1', 0, 0, 10, 0.5, false)")
    return path


@pytest.fixture
def known(tmp_path: Path) -> Path:
    return make_known_store(tmp_path / "known.duckdb")


def stats_of(path: Path, **kw) -> dict:
    with open_results(path) as con:
        return compute_stats(con, **kw)


def row(rows: list[dict], **match) -> dict:
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_outlet_figures_match_hand_computed_values(known: Path) -> None:
    s = stats_of(known)
    o = s["overall"]
    assert s["articles"] == 4  # L1old is the same text as L1, analysed by an older model
    assert (o["outlet"], o["words"], o["spans"], o["sentences"], o["flagged_sentences"]) == (ALL, 3900, 10, 39, 14)
    assert o["spans_per_1k_words"] == pytest.approx(1000 * 10 / 3900, abs=1e-4)
    assert o["flagged_share"] == pytest.approx(14 / 39, abs=1e-4)
    assert o["mean_score"] == pytest.approx((0.5 + 0.2 + 0.9 + 0.1) / 4)
    assert (o["undated"], o["first_published"], o["last_published"]) == (1, "2024-01-10", "2024-02-03")
    assert [r["outlet"] for r in s["outlets"]] == ["(unknown)", "Beacon", "Ledger"]
    ledger = row(s["outlets"], outlet="Ledger")
    assert (ledger["articles"], ledger["words"], ledger["spans"], ledger["undated"]) == (2, 1500, 5, 0)
    assert ledger["spans_per_1k_words"] == pytest.approx(3.3333, abs=1e-4)
    assert ledger["flagged_share"] == pytest.approx(4 / 15, abs=1e-4)
    assert ledger["mean_score"] == pytest.approx(0.35)
    beacon = row(s["outlets"], outlet="Beacon")
    assert (beacon["undated"], beacon["first_published"]) == (1, None)
    assert row(s["outlets"], outlet="(unknown)")["spans"] == 0


def test_technique_figures_match_hand_computed_values(known: Path) -> None:
    t = stats_of(known)["techniques"]
    ll = row(t, outlet=ALL, technique="Loaded_Language")
    # spans: L1 x2, B1 x2; both L1 spans sit in L1's first sentence, B1's in two sentences.
    assert (ll["spans"], ll["articles"], ll["flagged_sentences"]) == (4, 2, 3)
    assert ll["spans_per_1k_words"] == pytest.approx(4000 / 3900, abs=1e-4)
    assert ll["flagged_share"] == pytest.approx(3 / 39, abs=1e-4)
    assert ll["share_of_spans"] == pytest.approx(0.4)
    assert ll["mean_score"] == pytest.approx((0.5 + 0.9) / 2)
    doubt = row(t, outlet="Ledger", technique="Doubt")
    assert (doubt["spans"], doubt["articles"], doubt["flagged_sentences"]) == (2, 2, 2)
    assert doubt["spans_per_1k_words"] == pytest.approx(2000 / 1500, abs=1e-4)
    assert doubt["flagged_share"] == pytest.approx(2 / 15, abs=1e-4)
    assert doubt["mean_score"] == pytest.approx(0.35)
    b_doubt = row(t, outlet="Beacon", technique="Doubt")
    assert (b_doubt["spans"], b_doubt["flagged_sentences"]) == (2, 1)  # two spans in one sentence
    assert not [r for r in t if r["outlet"] == "(unknown)"]
    for outlet in ("Ledger", "Beacon"):  # per outlet, techniques add up to the outlet's spans
        assert sum(r["spans"] for r in t if r["outlet"] == outlet) == row(stats_of(known)["outlets"],
                                                                          outlet=outlet)["spans"]


def test_trend_by_month_leaves_undated_apart(known: Path) -> None:
    s = stats_of(known)
    assert s["months"] == ["2024-01", "2024-02"]
    jan = row(s["trend"], month="2024-01", outlet=ALL)
    assert (jan["articles"], jan["words"], jan["spans"]) == (2, 1400, 4)  # L1 and U1; B1 has no date
    assert jan["spans_per_1k_words"] == pytest.approx(4000 / 1400, abs=1e-4)
    assert jan["mean_score"] == pytest.approx(0.3)
    assert row(s["trend"], month="2024-02", outlet="Ledger")["spans_per_1k_words"] == pytest.approx(2.0)
    assert sum(r["articles"] for r in s["trend"] if r["outlet"] == ALL) + s["overall"]["undated"] == s["articles"]
    jan_ll = row(s["trend_techniques"], month="2024-01", outlet=ALL, technique="Loaded_Language")
    assert jan_ll["spans"] == 2 and jan_ll["spans_per_1k_words"] == pytest.approx(2000 / 1400, abs=1e-4)


def test_top_span_texts_are_normalised_and_ranked(known: Path) -> None:
    top = stats_of(known)["top_spans"]
    evil = row(top, technique="Loaded_Language", text="evil plan")  # "Evil  Plan" folds into it
    assert (evil["count"], evil["articles"], evil["outlets"]) == (3, 2, 2)
    who = row(top, technique="Doubt", text="who knows")  # "Who\nKnows" too
    assert (who["count"], who["articles"], who["outlets"]) == (2, 2, 1)
    assert [r["text"] for r in top if r["technique"] == "Doubt"] == ["hmm", "who knows"]
    assert not [r for r in top if r["text"] == "old"]  # the superseded analysis is not counted
    top1 = stats_of(known, top=1)["top_spans"]
    assert [(r["technique"], r["text"]) for r in top1] == [
        ("Loaded_Language", "evil plan"), ("Doubt", "hmm"), ("Flag-Waving", "patriots"), ("Slogans", "go go"),
    ]


def test_filters(known: Path) -> None:
    ledger = stats_of(known, filter=StatsFilter(outlets=("LEDGER",)))
    assert ledger["articles"] == 2 and [o["outlet"] for o in ledger["outlets"]] == ["Ledger"]
    assert ledger["overall"]["spans"] == 5
    assert stats_of(known, filter=StatsFilter(outlets=("(unknown)",)))["articles"] == 1
    since = stats_of(known, filter=StatsFilter(since=date(2024, 2, 1)))
    assert since["articles"] == 1 and since["overall"]["undated"] == 0
    old = stats_of(known, filter=StatsFilter(model_version="v0"))
    assert old["articles"] == 1 and old["overall"]["mean_score"] == pytest.approx(0.99)
    assert row(old["techniques"], outlet=ALL, technique="Doubt")["spans"] == 3
    none = stats_of(known, filter=StatsFilter(outlets=("nobody",)))
    assert none["articles"] == 0 and none["overall"] is None and none["techniques"] == []
    with pytest.raises(UnspinError):
        stats_of(known, filter=StatsFilter(since=date(2024, 3, 1), until=date(2024, 1, 1)))
    with pytest.raises(UnspinError):
        stats_of(known, top=0)


def test_accepts_a_store_and_is_json_serialisable(known: Path) -> None:
    with Store(known, read_only=True) as store:
        s = compute_stats(store, stories=True)
    assert json.loads(json.dumps(s))["articles"] == 4
    assert s["stories"] == []  # the hand-made rows have no text, so no story can form


def test_end_to_end_analyzer_store_stats(tmp_path: Path, analyzer) -> None:
    from story_texts import BRIDGE
    from unspin.corpus.store import flagged_sentences
    from unspin.load.text import article_from_text

    results = []
    for i, (outlet, text) in enumerate(BRIDGE.items()):
        art = article_from_text(text, outlet=outlet, published=f"2024-03-0{5 + i}")
        results.append(analyzer.analyze(art))
    path = tmp_path / "e2e.duckdb"
    with Store(path) as store:
        assert store.write_many(results) == 3
    s = stats_of(path)
    o = s["overall"]
    assert s["articles"] == 3
    assert o["words"] == sum(r.article.words for r in results)
    assert o["spans"] == sum(len(r.spans) for r in results)
    assert o["sentences"] == sum(len(r.sentences) for r in results)
    assert o["flagged_sentences"] == sum(flagged_sentences(r) for r in results)
    assert o["mean_score"] == pytest.approx(sum(r.score for r in results) / 3, abs=1e-4)
    for r in results:
        outlet_rows = [t for t in s["techniques"] if t["outlet"] == r.article.outlet]
        assert {t["technique"]: t["spans"] for t in outlet_rows} == r.technique_counts()
        assert row(s["trend"], month="2024-03", outlet=r.article.outlet)["articles"] == 1
    assert sum(t["spans"] for t in s["techniques"] if t["outlet"] == ALL) == o["spans"]


# -- the command ---------------------------------------------------------------


def test_cli_tables(known: Path, cli) -> None:
    p = cli("stats", "--db", str(known))
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    for text in ("Outlets", "Ledger", "Beacon", "(unknown)", "3,900", "2.56", "35.9%", "Per month", "2024-01",
                 "evil plan", "Loaded Language"):
        assert text in out, text


def test_cli_tables_list_the_largest_outlets(known: Path, cli) -> None:
    p = cli("stats", "--db", str(known), "--max-outlets", "1")
    assert p.returncode == 0, p.stderr.decode()
    out = p.stdout.decode()
    outlets = " ".join(out[: out.index("Techniques per outlet")].split())
    techniques = " ".join(out[out.index("Techniques per outlet") : out.index("Per month")].split())
    for section in (outlets, techniques):
        assert "Ledger" in section and "Beacon" not in section and "(unknown)" not in section
        assert "2 smaller outlets not shown (--max-outlets 0 shows all" in section
    assert "3,900" in outlets  # the (all) row still counts the words of every outlet
    every = cli("stats", "--db", str(known), "--max-outlets", "0").stdout.decode()
    assert "Beacon" in every[: every.index("Techniques per outlet")] and "smaller outlets" not in every
    bad = cli("stats", "--db", str(known), "--max-outlets", "-1")
    assert bad.returncode == 2 and bad.stderr.decode().strip() == "error: --max-outlets must be 0 or more"


def test_cli_html_is_self_contained_and_escaped(tmp_path: Path, cli) -> None:
    db = make_known_store(tmp_path / "x.duckdb", extra_outlet=XSS_OUTLET)
    out = tmp_path / "report.html"
    p = cli("stats", "--db", str(db), "--html", str(out), "--stories", "-q")
    assert p.returncode == 0, p.stderr.decode()
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert html.count("<svg") >= 3  # technique mix, trend by outlet, trend by technique
    assert 'name="viewport"' in html
    assert "Ledger" in html and "evil plan" in html


def test_cli_csv_and_parquet(known: Path, tmp_path: Path, cli) -> None:
    p = cli("stats", "--db", str(known), "--csv", str(tmp_path / "c"), "--parquet", str(tmp_path / "p"), "-q")
    assert p.returncode == 0, p.stderr.decode()
    with open(tmp_path / "c" / "outlets.csv", newline="") as f:
        rows = {r["outlet"]: r for r in csv.DictReader(f)}
    assert rows[ALL]["words"] == "3900" and float(rows["Ledger"]["spans_per_1k_words"]) == pytest.approx(3.3333)
    assert rows["Beacon"]["first_published"] == ""
    names = {f.stem for f in (tmp_path / "p").iterdir()}
    assert {"outlets", "techniques", "trend", "trend_techniques", "top_spans"} <= names
    con = duckdb.connect()
    got = con.execute(
        f"SELECT spans, flagged_sentences FROM read_parquet('{tmp_path / 'p' / 'techniques.parquet'}') "
        "WHERE outlet = 'Ledger' AND technique = 'Doubt'"
    ).fetchall()
    assert got == [(2, 2)]
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{tmp_path / 'p' / 'outlets.parquet'}')")
    types = {r[0]: r[1] for r in described.fetchall()}
    assert types["first_published"] == "DATE" and types["mean_score"] == "DOUBLE"


def test_cli_json(known: Path, tmp_path: Path, cli) -> None:
    p = cli("stats", "--db", str(known), "--json", str(tmp_path / "s.json"), "-q")
    assert p.returncode == 0
    assert json.loads((tmp_path / "s.json").read_text())["overall"]["words"] == 3900


def test_cli_bad_input(tmp_path: Path, cli) -> None:
    not_db = tmp_path / "notes.duckdb"
    not_db.write_text("just some text\n")
    other = tmp_path / "other.duckdb"
    c = duckdb.connect(str(other))
    c.execute("CREATE TABLE t(a INTEGER)")
    c.close()
    cases = {
        str(tmp_path / "missing.duckdb"): "no such",
        str(not_db): "not a DuckDB",
        str(other): "not an unspin results store",
        str(tmp_path): "directory",
    }
    for db, message in cases.items():
        p = cli("stats", "--db", db)
        err = p.stderr.decode()
        assert p.returncode == 2, (db, err)
        assert message in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "missing.duckdb").exists()  # looking must not create a file


def test_cli_empty_store(tmp_path: Path, cli) -> None:
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    p = cli("stats", "--db", str(db), "--html", str(tmp_path / "e.html"), "--csv", str(tmp_path / "c"))
    assert p.returncode == 0
    assert "no articles" in p.stdout.decode()
    assert "No articles match" in (tmp_path / "e.html").read_text()
    assert (tmp_path / "c" / "outlets.csv").read_text().startswith("outlet,articles,")
