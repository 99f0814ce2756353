"""Rules that one-line changes once broke unnoticed, each pinned on small constructed data.

The address guard of the URL fetcher, the max rule of sentence scores, `unspin predict` writing what it
finds, the inch-mark quote rule and the format of the id an article gets when its own id is taken.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ptc_fixture import ARTICLES, write_split
from unspin.article import Article, ModelInfo, Result, Sentence, Span
from unspin.corpus.store import Store, clash_id
from unspin.errors import FetchError
from unspin.load.text import article_from_text
from unspin.load.url import check_url
from unspin.ptc.files import read_tc_labels
from unspin.score import sentence_scores
from unspin.sourcing import find_sourcing

# -- the URL fetcher refuses private IPv4 addresses tunnelled in IPv6 ------------------------------------

TUNNELLED_PRIVATE = {
    "6to4 of 192.168.1.1": "2002:c0a8:101::1",
    "6to4 of 10.0.0.1": "2002:a00:1::1",
    "6to4 of 127.0.0.1": "2002:7f00:1::1",
    "6to4 of the metadata address 169.254.169.254": "2002:a9fe:a9fe::1",
    "NAT64 of 10.0.0.1": "64:ff9b::a00:1",
    "Teredo with client 192.168.1.1": "2001:0:4136:e378:8000:63bf:3f57:fefe",
    "IPv4-mapped 10.0.0.1": "::ffff:10.0.0.1",
    "IPv4-mapped 127.0.0.1": "::ffff:127.0.0.1",
}


@pytest.mark.parametrize("address", TUNNELLED_PRIVATE.values(), ids=TUNNELLED_PRIVATE.keys())
def test_ipv6_tunnel_to_a_private_ipv4_is_refused(address: str) -> None:
    with pytest.raises(FetchError, match="private or internal"):
        check_url(f"http://[{address}]/")


def test_6to4_of_a_public_ipv4_is_fetched() -> None:
    # the guard refuses what a tunnel leads to, not tunnels as such: 8.8.8.8 inside 6to4 passes
    assert check_url("http://[2002:808:808::1]/") == "2002:808:808::1"


# -- a sentence scores the highest confidence of a span that overlaps it -----------------------------------

def test_sentence_score_is_the_max_over_overlapping_spans() -> None:
    sentences = [Sentence(0, 20), Sentence(21, 40), Sentence(41, 60), Sentence(61, 80)]
    spans = [
        Span(2, 6, "Loaded_Language", 0.9),  # the highest comes first: a 'last span wins' rule gives 0.3
        Span(8, 12, "Doubt", 0.3),
        Span(15, 25, "Flag-Waving", 0.5),  # crosses into the second sentence
        Span(30, 35, "Repetition", 0.2),
        Span(40, 41, "Slogans", 0.7),  # between two sentences: it touches both and overlaps neither
        Span(79, 90, "Exaggeration,Minimisation", 0.6),  # starts in the last sentence's last character
    ]
    sentence_scores(sentences, list(reversed(spans)))  # the order spans come in does not matter
    assert [s.score for s in sentences] == [0.9, 0.5, 0.0, 0.6]
    assert sentences[0].techniques == {"Loaded_Language": 0.9, "Flag-Waving": 0.5, "Doubt": 0.3}  # best first
    assert sentences[2].techniques == {}


# -- `unspin predict` writes a line for every span the analyzer finds -----------------------------------

def test_predict_writes_every_span_it_finds(tmp_path: Path, cli, analyzer) -> None:
    split = write_split(tmp_path)
    out = tmp_path / "pred.txt"
    proc = cli("predict", str(split / "articles"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    got = sorted((r.article_id, r.technique, r.start, r.end) for r in read_tc_labels(out))
    want = sorted((aid, s.technique, s.start, s.end)
                  for aid, text in ARTICLES.items() for s in analyzer.detector.spans(text))
    assert want, "the fixture articles must hold spans, or this test pins nothing"
    assert got == want
    assert f"wrote {len(want)} spans" in proc.stderr.decode()


# -- a straight mark after a digit is an inch mark, not a closing quote ----------------------------------

def test_inch_mark_does_not_close_a_quote() -> None:
    text = 'The shop owner was blunt. "It has a 65" screen and nobody buys it," she said on Monday.'
    quotes = [q.text for q in find_sourcing(article_from_text(text)).quotes]
    assert quotes == ['"It has a 65" screen and nobody buys it,"']


def test_inch_mark_outside_a_quote_opens_nothing() -> None:
    text = 'He bought a 65" screen. "It was cheap," he said.'
    assert [q.text for q in find_sourcing(article_from_text(text)).quotes] == ['"It was cheap,"']


# -- an article whose id is taken by a different text gets id~<first 12 hex digits of its hash> -----------

def test_clash_id_format() -> None:
    assert clash_id("a1", "0123456789abcdef" * 4) == "a1~0123456789ab"


def test_store_gives_a_clashing_article_the_clash_id(tmp_path: Path) -> None:
    def result(text: str) -> Result:
        art = Article(text=text, id="a1")
        return Result(article=art, model=ModelInfo("test-model", "v1"), sentences=[Sentence(0, len(text))])

    first, edited = result("The council met on Monday."), result("The council met on Tuesday.")
    with Store(tmp_path / "r.duckdb") as s:
        assert s.write(first) and s.write(edited)
        ids = sorted(r[0] for r in s.connection.execute("SELECT id FROM articles").fetchall())
    assert ids == ["a1", "a1~" + edited.article.hash[:12]]
