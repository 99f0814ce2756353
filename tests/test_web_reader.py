"""What a reader sees, in real headless Chromium against real servers on 127.0.0.1.

Permalinks that survive a restart, downloads, the compare view, the technique filter's sentence
scores, the corpus matrix's width, and the key and tooltips that say what every number is, at
1280 px and at 390 px. JavaScript is off throughout: the pages must work without it.
Set UNSPIN_SCREENSHOT_DIR to keep screenshots for a human to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from unspin.web import Settings, create_app
from unspin.web.server import BackgroundServer

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
OTHER = (
    "Council approves harbour bridge\n\n"
    "The town council approved a 40 million toll bridge on Tuesday by six votes to three. "
    "Officials who asked not to be named said the tender had drawn one bid. "
    "\"We looked at every option,\" said Daniel Reyes, the mayor. "
    "Construction is due to start in the spring and take two years.\n"
)
CHROMIUM = os.environ.get("UNSPIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SHOTS = os.environ.get("UNSPIN_SCREENSHOT_DIR")

if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (`make chromium` installs Debian's)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def saved_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("saved")


@pytest.fixture(scope="module")
def server(saved_dir: Path) -> Iterator[str]:
    with BackgroundServer(create_app(Settings(saved_dir=saved_dir))) as s:
        yield s.url


def new_page(browser, width: int = 1280):
    mobile = width < 600
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900 if not mobile else 844},
                              is_mobile=mobile, has_touch=mobile, device_scale_factor=2 if mobile else 1,
                              accept_downloads=True)
    return ctx, ctx.new_page()


def paste(page, server: str, text: str) -> str:
    page.goto(server + "/")
    page.fill("#text", text)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page.url


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_permalink_survives_a_restart(browser, saved_dir: Path) -> None:
    with BackgroundServer(create_app(Settings(saved_dir=saved_dir))) as first:
        ctx, page = new_page(browser)
        url = paste(page, first.url, DEMO)
        path = url.removeprefix(first.url)
        assert re.fullmatch(r"/a/[0-9a-f]{16}", path), url
        title = page.locator("h1").inner_text()
        score = page.locator("#article-score").inner_text()
        page.reload()  # a reload shows the same analysis: the form is not posted again
        assert page.url == url and page.locator("#article-score").inner_text() == score
        assert page.locator("#permalink").get_attribute("href") == path
        ctx.close()
    with BackgroundServer(create_app(Settings(saved_dir=saved_dir))) as second:
        assert second.url != first.url  # a new server, on another port
        ctx, page = new_page(browser)
        page.goto(second.url + path)
        assert page.locator("h1").inner_text() == title == DEMO.splitlines()[0]
        assert page.locator("#article-score").inner_text() == score
        # the same text pasted again gets the same link
        assert paste(page, second.url, DEMO) == second.url + path
        page.goto(second.url + "/analyze")  # the form's address, reloaded or bookmarked, goes home
        assert page.url == second.url + "/"
        ctx.close()
        assert httpx.get(f"{second.url}/a/0123456789abcdef").status_code == 404


def test_permalink_in_the_db_store_survives_a_restart(browser, analyzer, tmp_path: Path) -> None:
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text

    db = tmp_path / "corpus.duckdb"
    with Store(db) as s:  # a store with one corpus article
        s.write_many([analyzer.analyze(article_from_text(OTHER, id="corpus-1", outlet="Harbour Gazette"))])
    empty = tmp_path / "unused"
    with BackgroundServer(create_app(Settings(db=db, saved_dir=empty))) as first:
        ctx, page = new_page(browser)
        path = paste(page, first.url, DEMO).removeprefix(first.url)
        ctx.close()
    assert not empty.exists()  # it went into the store, not the folder
    with Store(db, read_only=True) as s:
        assert s.count() == 2
    with BackgroundServer(create_app(Settings(db=db, saved_dir=empty))) as second:
        ctx, page = new_page(browser)
        page.goto(second.url + path)
        assert page.locator("h1").inner_text() == DEMO.splitlines()[0]
        # a corpus article has a link too, from its page
        page.goto(second.url + "/articles/corpus-1")
        href = page.locator("#permalink").get_attribute("href")
        page.goto(second.url + href)
        assert page.locator("h1").inner_text() == OTHER.splitlines()[0]
        ctx.close()
        # the compare form takes a stored article by the link the corpus list gives it, as by its id
        for ref in (second.url + "/articles/corpus-1", "/articles/corpus-1", "corpus-1"):
            r = httpx.post(f"{second.url}/compare", data={"a_ref": ref, "b_text": DEMO}, timeout=60,
                           follow_redirects=True)
            assert r.status_code == 200 and OTHER.splitlines()[0] in r.text, (ref, r.status_code)


def test_an_old_layout_store_is_served_once_migrated(browser, analyzer, cli, tmp_path: Path) -> None:
    """A store from before 2026-11-29: the server says to migrate it (a 503 with the command, no traceback);
    after `unspin migrate`, its articles read as before, permalink included."""
    from old_layout import write_old_store
    from unspin.load.text import article_from_text

    db = tmp_path / "old.duckdb"
    write_old_store(db, [analyzer.analyze(article_from_text(OTHER, id="corpus-1", outlet="Harbour Gazette"))])
    with BackgroundServer(create_app(Settings(db=db, saved_dir=tmp_path / "saved"))) as old:
        r = httpx.get(f"{old.url}/api/articles/corpus-1")
        assert r.status_code == 503 and "unspin migrate" in r.text and "Traceback" not in r.text, r.text
    done = cli("migrate", str(db))
    assert done.returncode == 0, done.stderr
    with BackgroundServer(create_app(Settings(db=db, saved_dir=tmp_path / "saved"))) as new:
        ctx, page = new_page(browser)
        page.goto(new.url + "/articles/corpus-1")
        assert page.locator("h1").inner_text() == OTHER.splitlines()[0]
        page.goto(new.url + page.locator("#permalink").get_attribute("href"))
        assert page.locator("h1").inner_text() == OTHER.splitlines()[0]
        ctx.close()


def test_downloads(browser, server: str) -> None:
    ctx, page = new_page(browser)
    paste(page, server, DEMO)
    api = httpx.post(f"{server}/api/analyze", json={"text": DEMO}, timeout=60).json()
    got = {}
    for kind in ("json", "html", "ptc"):
        with page.expect_download() as info:
            page.click(f"#dl-{kind}")
        got[kind] = Path(info.value.path()).read_text(encoding="utf-8")
        assert info.value.suggested_filename.startswith("unspin-")
    doc = json.loads(got["json"])
    assert doc == api  # what the page shows, as the API gives it (the same default threshold)
    assert got["html"].startswith("<!doctype html>") and "<script" not in got["html"].lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", got["html"])
    assert doc["article"]["title"] in got["html"] and "How to read this page" in got["html"]
    lines = [line.split("\t") for line in got["ptc"].splitlines()]
    assert [(t, int(a), int(b)) for _, t, a, b in lines] == [(s["technique"], s["start"], s["end"]) for s in doc["spans"]]
    # another threshold: the downloads follow what is shown, the scores stay
    page.select_option("#threshold", "0")
    with page.expect_navigation():
        page.click("form.inline button")
    with page.expect_download() as info:
        page.click("#dl-json")
    everything = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert len(everything["spans"]) >= len(doc["spans"]) and everything["score"] == doc["score"]
    assert everything["shown"]["min_confidence"] == 0
    ctx.close()


def test_compare_view(browser, server: str) -> None:
    ctx, page = new_page(browser)
    first = paste(page, server, DEMO)
    page.goto(server + "/compare")
    page.fill("#a_ref", first)  # an analysis already here, by its link
    page.fill("#b_text", OTHER)  # and a pasted one
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert re.search(r"/compare\?a=[0-9a-f]{16}&b=[0-9a-f]{16}$", page.url), page.url
    a = httpx.post(f"{server}/api/analyze", json={"text": DEMO}, timeout=60).json()
    b = httpx.post(f"{server}/api/analyze", json={"text": OTHER}, timeout=60).json()
    cards = page.locator(".cmp-card")
    assert cards.count() == 2
    for i, doc in enumerate((a, b)):
        card = cards.nth(i).inner_text()
        assert doc["article"]["title"] in card and f"{doc['score']:.1f}" in card
        assert "expected propaganda phrases per 1,000 words" in card
    # techniques: one row per technique either article uses, counts per side
    rows = page.locator("table.cmp tbody tr")
    used = {s["technique"] for d in (a, b) for s in d["spans"]}
    assert rows.count() == len(used) + 2  # plus the spin density and all-phrases rows
    # sourcing: who each one quotes, named against unnamed
    src_a, src_b = page.locator("#cmp-src-A").inner_text(), page.locator("#cmp-src-B").inner_text()
    assert "Margaret Olsen" in src_a and "Daniel Reyes" in src_b and "Margaret Olsen" not in src_b
    assert "Officials who asked not to be named" in src_b or "unnamed" in src_b
    # both articles, side by side at 1280 px
    boxes = [page.locator(f"#article-{s}").bounding_box() for s in "AB"]
    assert boxes[0] and boxes[1] and boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]
    shot(page, "compare-1280")
    with page.expect_download() as info:
        page.click("#dl-json")
    both = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert both["a"]["article"]["text"] == DEMO and both["b"]["article"]["text"] == OTHER
    with page.expect_download() as info:
        page.click("#dl-html")
    assert "Two articles compared" in Path(info.value.path()).read_text(encoding="utf-8")
    ctx.close()
    # on a phone: stacked, nothing wider than the screen
    ctx, page = new_page(browser, 390)
    page.goto(server + f"/compare?a={a['article']['id']}&b={b['article']['id']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = [page.locator(f"#article-{s}").bounding_box() for s in "AB"]
    assert boxes[0] and boxes[1] and boxes[1]["y"] > boxes[0]["y"]
    shot(page, "compare-390")
    ctx.close()
    # a side that names nothing known is a clear error on the form
    r = httpx.post(f"{server}/compare", data={"a_ref": "nothing-here", "b_text": OTHER}, timeout=60)
    assert r.status_code == 404 and "not a link, key or stored article id" in r.text


def test_filter_updates_the_sentence_scores(browser, server: str) -> None:
    ctx, page = new_page(browser)
    paste(page, server, DEMO)
    api = httpx.post(f"{server}/api/analyze", json={"text": DEMO}, timeout=60).json()
    legend = page.locator(".legend label:not([for=f-all])")
    assert legend.count() >= 2
    for i in range(legend.count()):
        label = legend.nth(i)
        tech = page.locator(f"#{label.get_attribute('for')}").get_attribute("value")
        label.click()
        shown = page.locator(".sent .gutter").all_inner_texts()
        want = []
        for s in api["sentences"]:
            c = s["techniques"].get(tech)
            want.append("–" if c is None else f"{int(c * 100 + 1e-9) / 100:.2f}")
        assert shown == want, tech
    page.locator("label[for=f-all]").click()
    assert page.locator(".sent .gutter").all_inner_texts() == [
        f"{int(s['score'] * 100 + 1e-9) / 100:.2f}" if s["score"] > 0 else "–" for s in api["sentences"]]
    ctx.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_every_number_says_what_it_is(browser, server: str, width: int) -> None:
    ctx, page = new_page(browser, width)
    paste(page, server, DEMO)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the article score: its unit beside it, a title on hover, its place among other news
    assert "expected propaganda phrases per 1,000 words" in page.locator(".scorecard").inner_text()
    assert "Spin density" in page.locator("#article-score").get_attribute("title")
    place = page.locator("#article-place").inner_text()
    assert re.match(r"(Higher|Lower) than \d+% of [\d,]+ news articles from [\d,]+ outlets\.", place), place
    # the key, open, names each band with its measured precision and explains the sentence numbers
    key = page.locator("details.key")
    assert key.get_attribute("open") is not None and key.is_visible()
    text = key.inner_text()
    for band in ("likely", "possible", "weak", "faint"):
        assert band in text
    assert "right about" in text and "beside each sentence" in text
    # every sentence number has a title that says what it is
    for g in page.locator(".sent .gutter .gs.all").all():
        assert g.get_attribute("title").startswith(("Highest confidence", "No phrase"))
    # tooltips: band with its precision, the why, on focus; inside the screen on a phone
    mark = page.locator("mark.span").first
    tip = mark.locator(".tip")
    assert not tip.is_visible()
    mark.focus()
    assert tip.is_visible()
    words = tip.inner_text()
    assert re.search(r"(likely|possible|weak|faint): right about", words) and "confidence" in words
    assert "ask" in words or "look for" in words  # the why: what to check
    box = tip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.stext')).fontSize)")
    assert size >= 14
    shot(page, f"article-{width}")
    page.goto(server + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"home-{width}")
    ctx.close()


def test_corpus_matrix_uses_the_page_width(browser, analyzer, tmp_path: Path) -> None:
    from story_texts import BRIDGE, RATES
    from unspin.corpus.store import Store
    from unspin.load.text import article_from_text

    db = tmp_path / "corpus.duckdb"
    with Store(db) as s:
        s.write_many([analyzer.analyze(article_from_text(t, id=f"c{k}", outlet=o))
                      for k, (o, t) in enumerate([*BRIDGE.items(), *RATES.items()])])
    with BackgroundServer(create_app(Settings(db=db, saved_dir=tmp_path / "saved"))) as srv:
        ctx, page = new_page(browser, 1280)
        page.goto(srv.url + "/corpus")
        region = page.locator("#matrix ~ .scroll").first.bounding_box()
        assert region is not None and region["width"] > 1100, region  # not squeezed into an 800-px column
        assert "Mean spin density" in page.locator("table.corpus thead").inner_text()
        shot(page, "corpus-1280")
        ctx.close()
        ctx, page = new_page(browser, 390)
        page.goto(srv.url + "/corpus")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "corpus-390")
        ctx.close()
