from unspin.article import Article
from unspin.load.text import article_from_text
from unspin.segment import lines, segment, split_line, title_end


def test_ptc_layout_title_is_its_own_segment():
    text = "A Title Here\n\nFirst sentence. Second one!\nThird line here?\n"
    art = article_from_text(text)
    assert art.title == "A Title Here" and art.title_end == 12
    sents = segment(art)
    assert sents[0].is_title and text[sents[0].start : sents[0].end] == "A Title Here"
    assert [text[s.start : s.end] for s in sents[1:]] == ["First sentence.", "Second one!", "Third line here?"]


def test_no_title_without_blank_second_line():
    assert title_end("Just one paragraph.\nAnd another line.") == 0
    art = Article(text="Just one paragraph. Another sentence.")
    assert not any(s.is_title for s in segment(art))


def test_abbreviations_do_not_split():
    text = "Mr. Smith met Dr. Jones in the U.S. capital. They talked."
    parts = [text[a:b] for a, b in split_line(text, 0, len(text))]
    assert parts == ["Mr. Smith met Dr. Jones in the U.S. capital.", "They talked."]


def test_quotes_close_sentences():
    text = "“It is over,” he said. “We won.” Then silence."
    parts = [text[a:b] for a, b in split_line(text, 0, len(text))]
    assert parts == ["“It is over,” he said.", "“We won.”", "Then silence."]


def test_segments_never_empty_and_inside_text():
    text = "T\n\n  \n a b.  \n\n\nc d. e f.\n"
    art = article_from_text(text)
    for s in segment(art):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end].strip() == text[s.start : s.end]
    assert [text[a:b] for a, b in lines(text)] == ["T", "a b.", "c d. e f."]
