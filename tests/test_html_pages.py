"""HTML pages as news sites write them: the headline once, pages without <html>, unspaced scripts,
the language stated, the outlet and date from the page's own metadata."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest

from unspin.article import Article
from unspin.language import detect_language, language_notice
from unspin.load import load_source
from unspin.load.html import article_from_html, looks_like_html, outlet_from_html, word_count
from unspin.load.page_meta import iso_date, page_meta

HEAD = "Ferry Fares Double Overnight"
BODY = ("<p>The harbour authority doubled ferry fares on Monday without telling the island's residents first.</p>"
        "<p>\u201cIt is daylight robbery,\u201d said Ingrid Holm, who takes the ferry to work every day.</p>"
        "<p>The authority said the old fares no longer covered the cost of fuel and of the crews.</p>")


def page(head: str = "", body: str = BODY, h1: str = HEAD, extra: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{HEAD} | Island Post</title>{head}</head>"
            f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{h1}</h1>{body}</article>{extra}<footer>Island Post</footer></body></html>")


# -- the headline once -----------------------------------------------------------------------


def test_headline_repeated_in_body_appears_once() -> None:
    art = article_from_html(page())
    assert art.title == HEAD
    assert art.text.count(HEAD) == 1 and art.text.startswith(HEAD + "\n\n")
    assert "The harbour authority doubled" in art.text


def test_headline_with_other_case_and_spacing_is_still_dropped() -> None:
    art = article_from_html(page(h1="  ferry   fares double overnight. "))
    assert art.text.lower().count(HEAD.lower()) == 1


def test_a_body_line_that_only_starts_like_the_headline_is_kept() -> None:
    art = article_from_html(page(h1="Ferry Fares Double Overnight, and Islanders Are Furious"))
    assert "Ferry Fares Double Overnight, and Islanders Are Furious" in art.text


# -- HTML recognised without <html> ----------------------------------------------------------


def test_pages_without_html_head_body_are_html() -> None:
    bare = f"<!DOCTYPE html>\n<meta charset=utf-8>\n<title>{HEAD}</title>\n<article><h1>{HEAD}</h1>{BODY}</article>"
    assert looks_like_html(bare) and looks_like_html(bare.encode())
    assert looks_like_html(b"\n  <!-- saved page --><p>A paragraph.</p>")
    assert looks_like_html(("\ufeff<title>x</title>").encode("utf-16-le"))
    assert not looks_like_html("Ferry fares double\n\n<b>not</b> a page, a text that mentions a tag")
    assert not looks_like_html("<3 the ferry crews")


def test_bare_page_on_stdin_and_in_a_file_without_suffix(tmp_path: Path, cli) -> None:
    bare = f"<meta charset=utf-8><title>{HEAD}</title><article><h1>{HEAD}</h1>{BODY}</article>"
    proc = cli("analyze", "-", "--format", "json", input=bare.encode())
    assert proc.returncode == 0, proc.stderr.decode()
    art = json.loads(proc.stdout)["article"]
    assert art["title"] == HEAD and "<p>" not in art["text"] and "<title>" not in art["text"]
    saved = tmp_path / "saved-page"
    saved.write_text(bare, encoding="utf-8")
    assert load_source(str(saved)).title == HEAD


# -- scripts without spaces, and the language stated ----------------------------------------

ZH_TITLE = "\u6e2f\u53e3\u8f6e\u6e21\u7968\u4ef7\u4e00\u591c\u7ffb\u500d"
ZH_BODY = ("<p>\u6e2f\u53e3\u7ba1\u7406\u5c40\u5468\u4e00\u5728\u6ca1\u6709\u63d0\u524d\u901a\u77e5\u5c9b\u4e0a\u5c45\u6c11"
           "\u7684\u60c5\u51b5\u4e0b\u5c06\u8f6e\u6e21\u7968\u4ef7\u63d0\u9ad8\u4e86\u4e00\u500d\u3002</p>"
           "<p>\u4e00\u4f4d\u6bcf\u5929\u4e58\u8239\u4e0a\u73ed\u7684\u5c45\u6c11\u8bf4\uff1a\u201c\u8fd9\u662f"
           "\u5149\u5929\u5316\u65e5\u4e0b\u7684\u62a2\u52ab\u3002\u201d</p>"
           "<p>\u7ba1\u7406\u5c40\u8868\u793a\uff0c\u65e7\u7968\u4ef7\u5df2\u65e0\u6cd5\u8986\u76d6\u71c3\u6cb9"
           "\u548c\u8239\u5458\u7684\u6210\u672c\u3002</p>")


def test_unspaced_scripts_are_counted_by_length() -> None:
    assert word_count("\u6e2f\u53e3\u7ba1\u7406\u5c40\u5468\u4e00\u5728\u6ca1\u6709\u63d0\u524d") == 6
    assert word_count("\u9996\u9875 \u65b0\u95fb \u4f53\u80b2") < 5  # a menu stays a menu
    assert word_count("one two three") == 3


def test_chinese_page_is_an_article_and_its_language_is_stated(tmp_path: Path, cli) -> None:
    html = (f"<!doctype html><html lang=zh><head><meta charset=utf-8><title>{ZH_TITLE}</title></head>"
            f"<body><article><h1>{ZH_TITLE}</h1>{ZH_BODY}</article></body></html>")
    art = article_from_html(html)
    assert art.title == ZH_TITLE and art.text.count(ZH_TITLE) == 1
    f = tmp_path / "zh.html"
    f.write_text(html, encoding="utf-8")
    proc = cli("analyze", str(f), "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert doc["article"]["language"] == "zh" and len(doc["sentences"]) >= 3
    err = proc.stderr.decode()
    assert err.startswith("note: ") and "Chinese" in err and "English" in err and err.count("\n") == 1


def test_language_detection_and_notice() -> None:
    assert detect_language("The council voted on Tuesday to sell the harbour warehouses, the mayor said.") == "en"
    assert detect_language("Der Stadtrat hat am Dienstag beschlossen, die alten Lagerhallen am Hafen zu verkaufen.") == "de"
    assert detect_language("ok") is None
    assert language_notice("en") is None and language_notice(None) is None
    assert "German" in (language_notice("de") or "")


def test_english_article_has_no_notice(tmp_path: Path, cli) -> None:
    f = tmp_path / "en.html"
    f.write_text(page(), encoding="utf-8")
    proc = cli("analyze", str(f), "--format", "json")
    assert proc.returncode == 0 and proc.stderr == b""
    assert json.loads(proc.stdout)["article"]["language"] == "en"


# -- outlet: og:site_name, then JSON-LD publisher, then the host -----------------------------

OG = '<meta property="og:site_name" content="The Island Post">'
LD = ('<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
      '{"@type":"NewsArticle","headline":"x","datePublished":"2025-03-04T07:30:00+01:00",'
      '"publisher":{"@id":"https://islandpost.example/#org"}},'
      '{"@type":"NewsMediaOrganization","@id":"https://islandpost.example/#org","name":"Island Post Ltd"}]}</script>')
CANONICAL = '<link rel="canonical" href="https://www.islandpost.example/news/ferry">'


@pytest.mark.parametrize("head, url, outlet", [
    (OG + LD + CANONICAL, "https://mirror.example/x", "The Island Post"),
    (LD + CANONICAL, "https://mirror.example/x", "Island Post Ltd"),
    (CANONICAL, "https://www.mirror.example/x", "mirror.example"),
    (CANONICAL, None, "islandpost.example"),
    ("", None, None),
])
def test_outlet_order(head: str, url: str | None, outlet: str | None) -> None:
    html = page(head=head)
    assert outlet_from_html(html, url) == outlet
    assert article_from_html(html, url=url).outlet == outlet


def test_publisher_as_plain_object_and_in_a_list() -> None:
    ld = ('<script type="application/ld+json">[{"@type":"WebSite","name":"Not This"},'
          '{"@type":["NewsArticle"],"publisher":{"@type":"Organization","name":"Harbour Daily"}}]</script>')
    assert outlet_from_html(page(head=ld)) == "Harbour Daily"


class _Pages(http.server.BaseHTTPRequestHandler):
    routes: dict[str, str] = {}

    def do_GET(self) -> None:
        body = self.routes[self.path].encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    _Pages.routes = {"/og": page(head=OG), "/ld": page(head=LD), "/bare": page()}
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_outlet_of_urls_and_files(site: str, tmp_path: Path) -> None:
    assert load_source(site + "/og", allow_private_urls=True).outlet == "The Island Post"
    assert load_source(site + "/ld", allow_private_urls=True).outlet == "Island Post Ltd"
    assert load_source(site + "/bare", allow_private_urls=True).outlet == "127.0.0.1"
    f = tmp_path / "saved.html"
    f.write_text(page(head=LD), encoding="utf-8")
    assert load_source(str(f)).outlet == "Island Post Ltd"


# -- the date from the article's metadata, never from comments -------------------------------

COMMENTS = ('<section id="comments"><div class="comment"><time datetime="2026-01-09T10:00">9 Jan</time>'
            "<p>What a scandal, I said so in 2026!</p></div>"
            '<div itemscope itemtype="https://schema.org/Comment"><meta itemprop="datePublished" content="2026-01-10">'
            "<p>Agreed.</p></div></section>")


def test_date_from_metadata_not_comments() -> None:
    html = page(head=LD, extra=COMMENTS)
    assert page_meta(html).published == "2025-03-04"
    meta = '<meta property="article:published_time" content="2024-11-30T23:10:00Z">'
    assert article_from_html(page(head=meta, extra=COMMENTS)).published == "2024-11-30"
    in_article = page(body=BODY + '<p>Published <time datetime="2023-05-06">6 May</time></p>', extra=COMMENTS)
    assert page_meta(in_article).published == "2023-05-06"


def test_no_date_rather_than_a_comments_date() -> None:
    html = page(extra=COMMENTS)
    assert page_meta(html).published is None
    assert article_from_html(html).published is None


def test_iso_date_forms() -> None:
    assert iso_date("2024-02-12T08:00:00Z") == "2024-02-12"
    assert iso_date("Tue, 04 Mar 2025 07:30:00 +0000") == "2025-03-04"
    assert iso_date("March 4, 2025") == "2025-03-04"
    assert iso_date("yesterday") is None and iso_date("") is None


def test_article_json_round_trip_keeps_language() -> None:
    from unspin.article import ModelInfo, Result

    r = Result(article=Article(text="x", language="fr"), model=ModelInfo("m", "1"))
    assert Result.from_dict(r.to_dict()).article.language == "fr"
