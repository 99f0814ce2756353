"""What a reader is told before the numbers (render/reading.notices, LIMITS_HELP), in every view:
the terminal, the HTML report, the web page. A German text, a six-word text, and an ordinary English one."""

from __future__ import annotations

from pathlib import Path

import httpx

from unspin.web import Settings, create_app
from unspin.web.server import BackgroundServer

ROOT = Path(__file__).resolve().parent.parent
DEMO = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
GERMAN = ("Brückenstreit im Rat\n\nDer Stadtrat hat am Dienstag beschlossen, 40 Millionen für eine neue Mautbrücke über "
          "den Hafen auszugeben. Kritiker nannten die Entscheidung ein rücksichtsloses Geschenk an Bauträger. Der "
          "Bürgermeister sagte, die Brücke werde die Pendelzeiten halbieren und Hunderte Arbeitsplätze schaffen.\n")
SHORT = "Title\n\nThe reckless council betrayed us.\n"
LIMITS = "A low density is not a clean bill"


def views(tmp_path: Path, cli, text: str) -> tuple[str, str, str]:
    """(terminal text, HTML report, stderr of the terminal run) of `unspin analyze` on `text`."""
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    term = cli("analyze", str(src), "-o", str(tmp_path / "out.txt"))
    html = cli("analyze", str(src), "-o", str(tmp_path / "out.html"))
    assert term.returncode == 0 and html.returncode == 0, term.stderr.decode() + html.stderr.decode()
    return ((tmp_path / "out.txt").read_text(encoding="utf-8"), (tmp_path / "out.html").read_text(encoding="utf-8"),
            term.stderr.decode())


def test_a_german_article_says_so_in_the_terminal_and_the_report(tmp_path: Path, cli) -> None:
    term, html, err = views(tmp_path, cli, GERMAN)
    assert "The article looks German (de), not English" in " ".join(term.split())
    assert err == ""  # said once, in the view, not again on stderr
    assert '<p class="notice" role="note">The article looks German (de), not English' in html


def test_a_six_word_text_says_its_density_means_little(tmp_path: Path, cli) -> None:
    term, html, _ = views(tmp_path, cli, SHORT)
    assert "Only 6 words outside quotes: one phrase moves the density by 167" in " ".join(term.split())
    assert "Only 6 words outside quotes" in html


def test_an_ordinary_english_article_has_no_notice_but_every_view_says_what_the_model_misses(tmp_path: Path,
                                                                                             cli) -> None:
    term, html, err = views(tmp_path, cli, DEMO)
    assert "Only " not in term and "looks " not in term and err == ""
    assert 'class="notice"' not in html
    assert LIMITS in " ".join(term.split()) and LIMITS in html


def test_the_web_page_shows_the_notices_and_the_limits() -> None:
    with BackgroundServer(create_app(Settings())) as s:
        page = httpx.post(f"{s.url}/analyze", data={"text": GERMAN}, timeout=60, follow_redirects=True)
    assert page.status_code == 200
    assert '<p class="notice" role="note">The article looks German (de)' in page.text
    assert LIMITS in page.text
    with BackgroundServer(create_app(Settings())) as s:
        compare = httpx.post(f"{s.url}/compare", data={"a_text": GERMAN, "b_text": DEMO}, timeout=60,
                             follow_redirects=True)
    assert compare.status_code == 200 and LIMITS in compare.text
    assert '<p class="notice" role="note">The article looks German (de)' in compare.text


def test_the_sourcing_summary_says_its_counts_are_quotes_and_attributions_together(tmp_path: Path, cli) -> None:
    term, html, _ = views(tmp_path, cli, DEMO)
    flat = " ".join(term.split())
    assert "statements credited (quotes and attributions):" in flat and "anonymous attributions" not in flat
    assert "statements credited:" in html and "Quotes and attributions together" in html


def test_a_sentence_with_no_phrase_weighed_shows_a_dash_in_the_report_as_in_the_terminal(tmp_path: Path, cli) -> None:
    term, html, _ = views(tmp_path, cli, "Weather\n\nIt rained in the morning. The sun came out at noon.\n")
    assert "\n2   -  It rained" in term  # sentence 2: number, dash, text
    assert 'title="No phrase in this sentence">–</span>' in html and ">0.00<" not in html


def test_an_article_without_a_title_is_untitled_in_the_terminal_not_its_hash(tmp_path: Path, cli) -> None:
    term, html, _ = views(tmp_path, cli, "It rained in the morning, and the council met at noon to vote on the bridge.\n")
    first = term.splitlines()[1]
    assert "Untitled article" in first and "Untitled article" in html


def test_a_text_above_every_reference_article_says_so_not_100_percent() -> None:
    from dataclasses import replace

    from unspin.load.text import article_from_text
    from unspin.pipeline import Analyzer
    from unspin.render.reading import placement

    result = Analyzer().analyze(article_from_text(SHORT))
    assert result.score_detail is not None
    top = replace(result, score_detail=replace(result.score_detail, share_below=1.0, share_above=0.0))
    assert placement(top) == f"Higher than every one of the {result.score_detail.reference}."
    low = replace(result, score_detail=replace(result.score_detail, share_below=0.0, share_above=0.995))
    assert placement(low) == f"Lower than 99% of {result.score_detail.reference}."
