"""The web pages in real headless Chromium (Debian's), against a real server on 127.0.0.1.

Most of it runs with JavaScript switched off, since the pages must work without it.
Set UNSPIN_SCREENSHOT_DIR to keep a phone-width screenshot for a human to look at.
"""

from __future__ import annotations

import os
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
CHROMIUM = os.environ.get("UNSPIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (`make chromium` installs Debian's)", allow_module_level=True)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with BackgroundServer(create_app(Settings())) as s:
        yield s.url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page with JavaScript off: everything here must work without it."""
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def analyse(page, server: str, text: str) -> None:
    page.goto(server + "/")
    page.fill("#text", text)
    with page.expect_navigation():
        page.click("button[type=submit]")


def painted(mark) -> bool:
    """Whether a mark is drawn highlighted (filtered-out marks lose background and underline)."""
    bg = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    return bg not in ("rgba(0, 0, 0, 0)", "transparent")


def test_paste_filter_and_tooltip_without_javascript(page, server: str) -> None:
    api = httpx.post(f"{server}/api/analyze", json={"text": DEMO}, timeout=60).json()
    assert api["spans"], "the demo article should give at least one span at confidence 0"

    analyse(page, server, DEMO)
    assert page.locator("h1").inner_text() == DEMO.splitlines()[0]
    marks = page.locator("mark.span")
    assert marks.count() >= 1
    # every sentence has a score in the gutter, the same scores the API gives
    gutters = page.locator(".sent .gutter").all_inner_texts()
    # two decimals, rounded down; a dash where no phrase was weighed
    assert gutters == [f"{int(s['score'] * 100 + 1e-9) / 100:.2f}" if s["score"] > 0 else "–" for s in api["sentences"]]
    # the legend lists each technique found, with its count
    counts: dict[str, int] = {}
    for s in api["spans"]:
        counts[s["technique"]] = counts.get(s["technique"], 0) + 1
    legend = page.locator(".legend label:not([for=f-all])")
    assert legend.count() == len(counts)
    shown = {legend.nth(i).locator("b").inner_text() for i in range(legend.count())}
    assert shown == {str(n) for n in counts.values()}
    # the sourcing section, when the pipeline found sourcing, as in the HTML report
    assert page.locator("section.sourcing-view").count() == (1 if api.get("sourcing") else 0)

    # tooltips: hidden, then shown on keyboard focus, and on hover
    first = marks.first
    tip = first.locator(".tip")
    assert not tip.is_visible()
    first.focus()
    assert tip.is_visible()
    assert "confidence" in tip.inner_text()
    page.mouse.move(0, 0)
    page.locator("h1").click()  # moves focus away
    assert not tip.is_visible()
    marks.last.hover()
    assert marks.last.locator(".tip").is_visible()

    # the CSS-only filter: pick one technique; only its marks stay highlighted
    label = legend.first
    radio_id = label.get_attribute("for")
    assert radio_id and radio_id.startswith("f-")
    token = "t" + radio_id.removeprefix("f-")
    label.click()
    assert page.locator(f"#{radio_id}").is_checked()
    for i in range(marks.count()):
        m = marks.nth(i)
        assert painted(m) == (token in (m.get_attribute("data-tech") or "").split())
    page.locator("label[for=f-all]").click()
    assert all(painted(marks.nth(i)) for i in range(marks.count()))


def test_filter_and_form_work_from_the_keyboard(page, server: str) -> None:
    page.goto(server + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#text")
    page.keyboard.type("A headline\n\nThe reckless, shameless council betrayed every family in town again.")
    page.focus("button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "A headline"
    page.focus("#f-all")
    if page.locator(".legend input").count() > 1:
        page.keyboard.press("ArrowRight")
        assert not page.locator("#f-all").is_checked()
    # every mark can be reached with Tab
    assert all(page.locator("mark.span").nth(i).get_attribute("tabindex") == "0"
               for i in range(page.locator("mark.span").count()))


def test_hostile_text_is_shown_not_run(browser, server: str) -> None:
    ctx = browser.new_context(java_script_enabled=True)
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    evil = "<script>window.__pwned = 1; alert('x')</script> The <img src=x onerror=\"window.__pwned=2\"> mayor lied."
    pg.goto(server + "/")
    pg.fill("#text", evil)
    pg.fill("#url", "")
    pg.click("summary")
    pg.fill("#title", "<img src=y onerror=\"window.__pwned=3\">Title")
    with pg.expect_navigation():
        pg.click("button[type=submit]")
    pg.wait_for_timeout(200)
    assert pg.evaluate("window.__pwned") is None
    assert dialogs == []
    assert pg.locator("img").count() == 0 and pg.locator("main script").count() == 0
    assert "<script>window.__pwned = 1;" in pg.locator("#article").inner_text()
    assert pg.locator("h1").inner_text() == "<img src=y onerror=\"window.__pwned=3\">Title"
    ctx.close()


def test_errors_show_on_the_form(page, server: str) -> None:
    page.goto(server + "/")
    page.fill("#url", "http://127.0.0.1:9/private")
    with page.expect_navigation():
        page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "refusing" in alert.inner_text()
    assert page.locator("#url").input_value() == "http://127.0.0.1:9/private"


def test_phone_width_reads_well(browser, server: str) -> None:
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                              device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = ctx.new_page()
    analyse(pg, server, DEMO)
    # nothing wider than the screen: no sideways scrolling of the page
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    size = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('.stext')).fontSize)")
    assert size >= 14
    first = pg.locator("mark.span").first
    first.focus()
    box = first.locator(".tip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    out = os.environ.get("UNSPIN_SCREENSHOT_DIR")
    if out:
        pg.screenshot(path=str(Path(out) / "phone.png"))
    pg.goto(server + "/")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    if out:
        pg.screenshot(path=str(Path(out) / "phone-home.png"), full_page=False)
    ctx.close()
