"""The HTTP API against a real uvicorn server on 127.0.0.1 (no test client, no mocks)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from invariants import check_result
from unspin.errors import FetchError
from unspin.load.url import fetch, pinned_request
from unspin.techniques import TECHNIQUE_IDS
from unspin.web import Settings, create_app
from unspin.web.server import BackgroundServer

ROOT = Path(__file__).resolve().parent.parent
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
LIMITS = Settings(max_body_bytes=256 * 1024, max_text_chars=50_000)

PAGE = """<!doctype html><html><head><title>Harbour council approves bridge</title></head><body>
<nav>Home | World | Sport</nav>
<article><h1>Harbour council approves bridge</h1>
<p>The council voted on Tuesday to spend 40 million on a new toll bridge, a decision critics call a shameless giveaway.</p>
<p>Every true local knows the council has sold us out, said the chair of the residents' association.</p>
<p>The mayor said the bridge will cut commuting times in half and bring jobs to the east side of town.</p>
<p>Two council staff members, who asked not to be named, said the estimate was drawn up in one afternoon.</p>
</article><footer>Copyright the Harbour Gazette</footer></body></html>"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with BackgroundServer(create_app(LIMITS)) as s:
        yield s.url


class _Pages(BaseHTTPRequestHandler):
    """A tiny origin server: an article page, a redirect to it, and a record of Host headers."""

    seen_hosts: list[str] = []

    def do_GET(self) -> None:
        _Pages.seen_hosts.append(self.headers.get("Host", ""))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def post(base: str, payload: object, **kw: object) -> httpx.Response:
    return httpx.post(f"{base}/api/analyze", json=payload, timeout=60, **kw)  # type: ignore[arg-type]


# -- the API answers what the CLI prints ------------------------------------------


def test_analyze_text_equals_cli_json(server: str, cli, tmp_path: Path) -> None:
    r = post(server, {"text": DEMO})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    api = r.json()
    f = tmp_path / "demo.txt"
    f.write_text(DEMO, encoding="utf-8")
    out = cli("analyze", str(f), "--format", "json")
    assert out.returncode == 0, out.stderr.decode()
    assert api == json.loads(out.stdout)
    check_result(api)
    assert api["article"]["title"] == DEMO.splitlines()[0]


def test_min_confidence_equals_cli(server: str, cli, tmp_path: Path) -> None:
    full = post(server, {"text": DEMO}).json()
    confs = sorted({s["confidence"] for s in full["spans"]})
    threshold = confs[len(confs) // 2] if confs else 0.5
    r = post(server, {"text": DEMO, "min_confidence": threshold})
    assert r.status_code == 200
    f = tmp_path / "demo.txt"
    f.write_text(DEMO, encoding="utf-8")
    out = cli("analyze", str(f), "--format", "json", "--min-confidence", str(threshold))
    assert out.returncode == 0, out.stderr.decode()
    assert r.json() == json.loads(out.stdout)
    assert all(s["confidence"] >= threshold for s in r.json()["spans"])


def test_title_and_source_are_used(server: str) -> None:
    body = "The council voted on Tuesday. Critics call it a shameless giveaway."
    d = post(server, {"text": body, "title": "  Bridge   vote <b>today</b> ", "source": "Harbour Gazette"}).json()
    title = "Bridge vote <b>today</b>"
    assert d["article"]["title"] == title
    assert d["article"]["text"] == f"{title}\n\n{body}"
    assert d["article"]["title_end"] == len(title)
    assert d["article"]["outlet"] == "Harbour Gazette"
    assert d["sentences"][0]["is_title"] and d["sentences"][0]["end"] == len(title)
    check_result(d)
    # a text that has its own title line keeps it
    own = post(server, {"text": f"Own title\n\n{body}", "title": "Other"}).json()
    assert own["article"]["title"] == "Own title"


def test_analyze_html(server: str) -> None:
    d = post(server, {"html": PAGE}).json()
    text = d["article"]["text"]
    assert d["article"]["title"] == "Harbour council approves bridge"
    assert text.startswith("Harbour council approves bridge\n\n")
    assert "shameless giveaway" in text and "Copyright" not in text and "Sport" not in text
    check_result(d)


# -- URLs: refused inside unless allowed -----------------------------------------


def test_private_url_refused(server: str, origin: str) -> None:
    for url in (f"{origin}/article", "http://localhost:9/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/"):
        r = post(server, {"url": url})
        assert r.status_code == 400, url
        assert r.json()["error"].startswith(url.rstrip("/")) or "refusing" in r.json()["error"]
        assert "refusing" in r.json()["error"] or "resolve" in r.json()["error"]


def test_only_http_urls(server: str) -> None:
    for url in ("/etc/passwd", "file:///etc/passwd", "ftp://example.org/a"):
        r = post(server, {"url": url})
        assert r.status_code in (400, 422), url
        assert "http" in r.json()["error"]
        assert "root:" not in r.text


def test_private_url_allowed_with_flag(origin: str) -> None:
    with BackgroundServer(create_app(Settings(allow_private_urls=True))) as s:
        r = post(s.url, {"url": f"{origin}/moved"})
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["article"]["url"] == f"{origin}/article"  # the redirect was followed
        assert d["article"]["title"] == "Harbour council approves bridge"
        check_result(d)


def test_fetch_connects_to_the_checked_address(origin: str) -> None:
    """Each hop goes to the address the check resolved, asking for the URL's own host, so a
    second DNS answer (DNS rebinding) cannot redirect it. news.example does not resolve at all here."""
    port = urlsplit(origin).port
    target, headers, ext = pinned_request(urlsplit(f"http://news.example:{port}/article"), "127.0.0.1")
    assert (target, headers, ext) == (f"http://127.0.0.1:{port}/article", {"Host": f"news.example:{port}"},
                                      {"sni_hostname": "news.example"})
    checked: list[str] = []

    def resolve_to_loopback(url: str, allow_private: bool) -> str:
        checked.append(url)
        return "127.0.0.1"

    _Pages.seen_hosts.clear()
    final, ctype, body = fetch(f"http://news.example:{port}/moved", check=resolve_to_loopback)
    assert final == f"http://news.example:{port}/article" and ctype == "text/html" and "toll bridge" in body
    assert checked == [f"http://news.example:{port}/moved", f"http://news.example:{port}/article"]
    assert _Pages.seen_hosts == [f"news.example:{port}"] * 2
    with pytest.raises(FetchError, match="refusing"):
        fetch(f"http://news.localhost:{port}/article")


# -- limits, errors and no stack traces ---------------------------------------------


@pytest.mark.parametrize(
    "payload, needle",
    [
        ({"text": "a", "url": "http://example.org/"}, "exactly one"),
        ({}, "exactly one"),
        ({"title": "only a title"}, "exactly one"),
        ({"text": "Some text.", "min_confidence": 2}, "min_confidence"),
        ({"text": "Some text.", "colour": "red"}, "colour"),
        ({"text": "   \n "}, "empty"),
        ({"text": 5}, "text"),
    ],
)
def test_bad_requests_are_422_with_one_line(server: str, payload: dict, needle: str) -> None:
    r = post(server, payload)
    assert r.status_code == 422
    err = r.json()["error"]
    assert needle in err and "\n" not in err and list(r.json()) == ["error"]


def test_invalid_json_is_422(server: str) -> None:
    r = httpx.post(f"{server}/api/analyze", content=b'{"text": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json() == {"error": "request body is not valid JSON"}


def test_text_over_the_limit_is_413(server: str) -> None:
    r = post(server, {"text": "Spin. " * 10_000})  # 60,000 characters, under the body cap
    assert r.status_code == 413
    assert "50,000 character limit" in r.json()["error"]


def test_body_over_the_cap_is_413(server: str) -> None:
    r = httpx.post(f"{server}/api/analyze", content=b'{"text": "' + b"x" * 400_000 + b'"}',
                   headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 413
    assert r.json() == {"error": "request body is over the 0.25 MiB limit"}
    form = httpx.post(f"{server}/analyze", data={"text": "x" * 400_000}, timeout=30)
    assert form.status_code == 413 and "over the 0.25 MiB limit" in form.text
    assert httpx.get(f"{server}/healthz").status_code == 200  # the server is fine afterwards


def test_timeout_is_504() -> None:
    """An analysis that started at once but ran past the deadline: 504, blaming the analysis, not the queue."""
    with BackgroundServer(create_app(Settings(timeout_s=0.05, threads=1))) as s:
        r = post(s.url, {"text": DEMO * 8})
        assert r.status_code == 504
        assert r.json()["error"].startswith("the analysis did not finish within the server's 0.05 s limit")
        assert "in the queue" in r.json()["error"] and "shorter" not in r.json()["error"]


def test_unexpected_errors_leak_nothing(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(LIMITS)

    @app.get("/api/broken")
    async def broken() -> None:
        raise RuntimeError("secret internal detail /etc/shadow")

    @app.get("/broken-page")
    async def broken_page() -> None:
        raise KeyError("secret page detail")

    with BackgroundServer(app) as s:
        r = httpx.get(f"{s.url}/api/broken")
        assert r.status_code == 500
        assert r.json() == {"error": "internal server error; the details are in the server log"}
        page = httpx.get(f"{s.url}/broken-page")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        for resp in (r, page):
            assert "secret" not in resp.text and "Traceback" not in resp.text
    assert any("secret internal detail" in str(rec.exc_info) for rec in caplog.records if rec.exc_info)


def test_unknown_route_and_method(server: str) -> None:
    r = httpx.get(f"{server}/api/nope")
    assert r.status_code == 404 and r.json() == {"error": "Not Found"}
    r = httpx.get(f"{server}/api/analyze")
    assert r.status_code == 405 and "error" in r.json()


# -- the other endpoints ------------------------------------------------------------


def test_techniques_health_and_docs(server: str) -> None:
    techs = httpx.get(f"{server}/api/techniques").json()
    assert [t["id"] for t in techs] == list(TECHNIQUE_IDS)
    assert all(set(t) == {"id", "name", "definition", "example", "colour"} for t in techs)
    health = httpx.get(f"{server}/healthz").json()
    assert health["status"] == "ok" and health["model"]["name"] and health["store"] is False
    assert httpx.get(f"{server}/docs").status_code == 200
    spec = httpx.get(f"{server}/openapi.json").json()
    assert {"/api/analyze", "/api/techniques", "/healthz"} <= set(spec["paths"])
    assert "/analyze" not in spec["paths"]  # pages stay out of the API description


def test_store_endpoints_absent_without_db(server: str) -> None:
    for path in ("/api/stats", "/api/articles/abc"):
        r = httpx.get(f"{server}{path}")
        assert r.status_code == 404 and "--db" in r.json()["error"]


def test_concurrent_requests_share_one_model(server: str) -> None:
    texts = [f"Article {i}\n\nThe reckless council betrayed everyone again, said critic number {i}." for i in range(8)]
    results: list[httpx.Response] = []

    def one(t: str) -> None:
        results.append(post(server, {"text": t}))

    threads = [threading.Thread(target=one, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200] * 8
    assert sorted(r.json()["article"]["title"] for r in results) == sorted(f"Article {i}" for i in range(8))


# -- the pages escape article text --------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_pasted_markup_is_escaped(server: str) -> None:
    evil = "<script>alert(1)</script> The <img src=x onerror=alert(2)> council lied. It is a disaster, a betrayal."
    r = httpx.post(f"{server}/analyze", data={"text": evil, "title": "<script>alert(3)</script><u>T</u>"}, timeout=60,
                   follow_redirects=True)
    assert r.status_code == 200 and r.history and r.history[0].status_code == 303
    parser = _Tags()
    parser.feed(r.text)
    names = {t for t, _ in parser.tags}
    assert "script" not in names and "img" not in names and "u" not in names
    assert not [a for _, attrs in parser.tags for a, _ in attrs if a.startswith("on")]
    assert "<h1>&lt;script&gt;alert(3)&lt;/script&gt;&lt;u&gt;T&lt;/u&gt;</h1>" in r.text
    assert "script-src 'none'" in r.headers["content-security-policy"]
    # the same text through the API comes back verbatim, as data
    d = post(server, {"text": evil}).json()
    assert d["article"]["text"] == evil


def test_form_errors_rerender_the_form(server: str) -> None:
    r = httpx.post(f"{server}/analyze", data={"text": "", "url": ""})
    assert r.status_code == 400 or r.status_code == 422
    assert 'role="alert"' in r.text and "<form" in r.text
    r = httpx.post(f"{server}/analyze", data={"url": "http://127.0.0.1:1/x"})
    assert r.status_code == 400 and "refusing" in r.text and 'value="http://127.0.0.1:1/x"' in r.text


# -- `unspin serve` itself ----------------------------------------------------------


def test_serve_command_rejects_bad_options(cli, tmp_path: Path) -> None:
    out = cli("serve", "--db", str(tmp_path / "missing.duckdb"))
    assert out.returncode == 2 and out.stderr.decode().strip() == f"error: {tmp_path / 'missing.duckdb'}: no such database file"
    out = cli("serve", "--workers", "0")
    assert out.returncode == 2 and "--workers" in out.stderr.decode()


def test_serve_refuses_a_db_that_is_not_a_results_store_as_stats_does(cli, tmp_path: Path) -> None:
    import duckdb

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    text = tmp_path / "bin.txt"
    text.write_text("hello\n" * 100)
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    for path in (text, empty, other):
        stats = cli("stats", "--db", str(path), "-q")
        out = cli("serve", "--db", str(path), "--port", port, timeout=60)  # before the fix: a server that runs on
        assert out.returncode == 2 == stats.returncode, out.stderr
        lines = out.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and lines == stats.stderr.decode().strip().splitlines()


def test_the_serve_check_passes_a_store_also_while_a_writer_holds_it(stored: tuple[Path, dict]) -> None:
    from unspin.corpus.store import Store
    from unspin.corpus.store_access import check_store

    check_store(stored[0])
    with Store(stored[0]):
        check_store(stored[0])


# -- with a results store (--db) ------------------------------------------------------

STORED = [
    ("Harbour Gazette", "gz-1", DEMO),
    ("Harbour Gazette", "gz-2", "Bridge vote delayed\n\nThe council delayed the vote again. Critics call it a disgrace and a betrayal.\n"),
    ("Coast Courier", "cc-1", "Mayor defends plan\n\nThe mayor said the plan would bring jobs. Every true patriot supports it, he added.\n"),
]


@pytest.fixture(scope="module")
def stored(analyzer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text

    path = tmp_path_factory.mktemp("store") / "results.duckdb"
    results = {}
    for outlet, aid, text in STORED:
        art = article_from_text(text, id=aid, outlet=outlet)
        results[aid] = analyzer.analyze(art)
    with Store(path) as store:
        assert store.write_many(results.values()) == 3
    return path, results


@pytest.fixture(scope="module")
def db_server(stored: tuple[Path, dict]) -> Iterator[str]:
    with BackgroundServer(create_app(Settings(db=stored[0]))) as s:
        yield s.url


def test_stored_article_api(db_server: str, stored: tuple[Path, dict]) -> None:
    for aid, result in stored[1].items():
        r = httpx.get(f"{db_server}/api/articles/{aid}")
        assert r.status_code == 200
        assert r.json() == json.loads(result.to_json())
    r = httpx.get(f"{db_server}/api/articles/nope")
    assert r.status_code == 404 and r.json() == {"error": "no article with id 'nope' in the store"}
    assert httpx.get(f"{db_server}/healthz").json()["store"] is True


def test_stats_api_matches_the_library(db_server: str, stored: tuple[Path, dict]) -> None:
    from unspin.corpus.stats import StatsFilter, compute_stats
    from unspin.corpus.store import Store

    r = httpx.get(f"{db_server}/api/stats")
    assert r.status_code == 200
    with Store(stored[0], read_only=True) as store:
        assert r.json() == json.loads(json.dumps(compute_stats(store)))
        only = compute_stats(store, StatsFilter(outlets=("coast courier",)), top=3)
    assert r.json()["articles"] == 3
    assert {o["outlet"] for o in r.json()["outlets"]} == {"Harbour Gazette", "Coast Courier"}
    r = httpx.get(f"{db_server}/api/stats", params={"outlet": "coast courier", "top": 3})
    assert r.json() == json.loads(json.dumps(only)) and r.json()["articles"] == 1
    r = httpx.get(f"{db_server}/api/stats", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert r.status_code == 422 and "the period starts after it ends" in r.json()["error"]
    assert httpx.get(f"{db_server}/api/stats", params={"since": "yesterday"}).status_code == 422


def test_corpus_and_article_pages(db_server: str, stored: tuple[Path, dict]) -> None:
    results = stored[1]
    page = httpx.get(f"{db_server}/corpus")
    assert page.status_code == 200
    for aid in results:
        assert f'href="/articles/{aid}"' in page.text
    assert "Harbour Gazette" in page.text and "Coast Courier" in page.text
    only = httpx.get(f"{db_server}/corpus", params={"outlet": "Coast Courier"}).text
    assert 'href="/articles/cc-1"' in only and 'href="/articles/gz-1"' not in only
    used = {s.technique for r in results.values() for s in r.spans}
    for tech in used:
        listed = httpx.get(f"{db_server}/corpus", params={"technique": tech}).text
        articles = listed[listed.index('id="articles"'):]
        for aid, r in results.items():
            assert (f'href="/articles/{aid}"' in articles) == any(s.technique == tech for s in r.spans)
    assert httpx.get(f"{db_server}/corpus", params={"technique": "Nonsense"}).status_code == 422
    art = httpx.get(f"{db_server}/articles/gz-1")
    assert art.status_code == 200
    display = json.loads(httpx.get(f"{db_server}/a/{results['gz-1'].article.hash[:16]}?download=json").text)
    shown = [s for s in results["gz-1"].spans if s.confidence >= display["shown"]["min_confidence"]]
    assert art.text.count('<mark class="span ') >= len(shown) > 0
    assert 'href="/api/articles/gz-1"' in art.text
    assert httpx.get(f"{db_server}/articles/nope").status_code == 404


def test_the_article_list_urls_lead_to_the_corpus_list(db_server: str, server: str) -> None:
    for path in ("/articles", "/articles/"):
        r = httpx.get(f"{db_server}{path}", params={"outlet": "Coast Courier"})
        assert r.status_code == 307 and r.headers["location"] == "/corpus?outlet=Coast+Courier#articles", r.text
        page = httpx.get(f"{db_server}{path}", follow_redirects=True)
        assert page.status_code == 200 and page.url.path == "/corpus", page.text
        assert 'href="/articles/cc-1"' in page.text and 'href="/articles/gz-1"' in page.text
        r = httpx.get(f"{server}{path}")  # no store: the corpus page's 404 at once, not a redirect to it
        assert r.status_code == 404 and "no article store" in r.text


def test_a_permalink_to_nothing_is_404(db_server: str) -> None:
    for key in ("nonexistent", "0123456789abcdef", "0123456789ABCDEF", "0123456789abcdef0", "%20"):
        for q in ("", "?download=json"):
            r = httpx.get(f"{db_server}/a/{key}{q}")
            assert r.status_code == 404 and "no saved analysis" in r.text, (key, r.status_code, r.text[:300])


def test_store_held_by_a_writer_that_does_not_share_reads_is_503(db_server: str, stored: tuple[Path, dict]) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from unspin.corpus.store import Store; s = Store(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(stored[0])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        r = httpx.get(f"{db_server}/api/articles/gz-1")
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"].startswith("the article store is busy: ") and "in use" in r.json()["error"]
        assert httpx.get(f"{db_server}/api/stats").status_code == 503
        page = httpx.get(f"{db_server}/corpus")
        assert page.status_code == 503 and "in use" in page.text and "Traceback" not in page.text
    finally:
        writer.communicate("", timeout=30)
    assert httpx.get(f"{db_server}/api/articles/gz-1").status_code == 200


def test_a_store_without_its_results_file_is_503_not_a_traceback(db_server: str, stored: tuple[Path, dict]) -> None:
    from unspin.corpus.results_file import results_path

    kept = results_path(stored[0])
    aside = kept.with_name(kept.name + ".aside")
    kept.rename(aside)
    try:
        r = httpx.get(f"{db_server}/api/articles/gz-1")
        assert r.status_code == 503 and "missing" in r.json()["error"] and "\n" not in r.json()["error"]
        page = httpx.get(f"{db_server}/articles/gz-1")
        assert page.status_code == 503 and "Traceback" not in page.text
        assert httpx.get(f"{db_server}/api/stats").status_code == 200  # the tables alone still answer
    finally:
        aside.rename(kept)
    assert httpx.get(f"{db_server}/api/articles/gz-1").status_code == 200


def test_the_corpus_matrix_opens_on_the_largest_outlets() -> None:
    """Over MAX_OUTLET_ROWS outlets, the rows are the outlets with the most articles (in name order), the
    rest counted as hidden; shading is against the cells shown; no limit shows every outlet."""
    from unspin.web.corpus import MAX_OUTLET_ROWS, corpus_table

    n = MAX_OUTLET_ROWS + 10
    outlets = [{"outlet": f"Outlet {i:03d}", "articles": i + 1, "mean_score": 1.0} for i in range(n)]
    # the smallest outlet has the highest rate: it must not set the shading of the rows shown
    techniques = [{"outlet": o["outlet"], "technique": "Loaded_Language", "spans_per_1k_words": 2.0 if i else 40.0,
                   "spans": 1, "articles": 1} for i, o in enumerate(outlets)]
    stats = {"outlets": outlets, "techniques": techniques, "overall": None}
    table = corpus_table(stats)
    names = [r["outlet"]["outlet"] for r in table["rows"]]
    assert names == [f"Outlet {i:03d}" for i in range(10, n)]  # the 50 largest, in name order
    assert table["hidden_outlets"] == 10 and table["all_outlets"] == n
    assert all(r["cells"][0]["heat"] == 1.0 for r in table["rows"])
    everything = corpus_table(stats, None)
    assert len(everything["rows"]) == n and everything["hidden_outlets"] == 0
    assert corpus_table({**stats, "outlets": outlets[:5]})["hidden_outlets"] == 0


def test_the_corpus_page_takes_outlets_all(db_server: str) -> None:
    assert httpx.get(f"{db_server}/corpus", params={"outlets": "all"}).status_code == 200
    assert httpx.get(f"{db_server}/corpus", params={"outlets": "some"}).status_code == 422


def test_a_form_or_plain_text_sent_to_the_json_api_is_told_to_send_json(server: str) -> None:
    for r in (httpx.post(f"{server}/api/analyze", data={"text": "The council voted."}),
              httpx.post(f"{server}/api/analyze", content=b"text=hi", headers={"content-type": "text/plain"}),
              httpx.post(f"{server}/api/analyze", json=["The council voted."])):
        assert r.status_code == 422
        assert r.json()["error"].startswith("send a JSON object with Content-Type: application/json"), r.text
