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


SPLIT_TITLE = ("Crisis! Mayor Misled The Harbour Town\n\n"
               "“We will fix the bridge by winter,” Mayor Ana Ruiz said. Critics disagree.\n\n"
               "Two council staff, who asked not to be named, said the estimate was drawn up in an afternoon. "
               "The mayor denied it. Officials said the work would take years. Nobody knows.\n\n"
               "Source: RT\n")


def test_one_segmentation_serves_the_sentences_and_the_sourcing(analyzer):
    """The pipeline splits the text once (`line_sentences`) and the stages read it as they would have read
    their own: the sentences segment() gives (the title whole) and the sourcing find_sourcing() gives (the
    title split, as the sourcing rules read every line)."""
    from unspin.segment import line_sentences
    from unspin.sourcing import find_sourcing
    from unspin.sourcing.layout import Layout

    article = article_from_text(SPLIT_TITLE)
    split = line_sentences(SPLIT_TITLE)
    assert len(split[0][1]) == 2 and article.title_end == split[0][0][1]  # a title with two sentences
    result = analyzer.analyze(article)
    assert [(s.start, s.end, s.is_title) for s in result.sentences] == [
        (s.start, s.end, s.is_title) for s in segment(article)]
    assert result.sentences[0].is_title and segment(article, split) == segment(article)
    assert result.sourcing == find_sourcing(article) == find_sourcing(article, split)
    given, own = Layout(SPLIT_TITLE, split), Layout(SPLIT_TITLE)
    assert (given.paragraphs, given.sentences) == (own.paragraphs, own.sentences)
    assert own.sentences[:2] == split[0][1]
