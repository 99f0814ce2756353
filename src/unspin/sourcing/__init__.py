"""Sourcing: who says what in an article, and where its material comes from.

`find_sourcing(article)` finds direct quotes and their speakers, indirect
attributions, unnamed sources and the outlets the article relays or credits.
Rules, not a model: each rule is a small function in the module for its
element, documented in docs/sourcing.md together with the JSON form.
"""

from __future__ import annotations

import numpy as np

from unspin.article import Article
from unspin.segment import LineSentences
from unspin.sourcing.anonymous import find_anonymous
from unspin.sourcing.attributions import find_attributions
from unspin.sourcing.events import find_events
from unspin.sourcing.features import Doc
from unspin.sourcing.layout import Layout
from unspin.sourcing.merge import combine, to_chars, unnamed_sources
from unspin.sourcing.model import AnonymousSource, Attribution, ProvenanceItem, Quote, Sourcing, Summary
from unspin.sourcing.names import find_people
from unspin.sourcing.provenance import find_provenance
from unspin.sourcing.quotes import find_quotes
from unspin.sourcing.speakers import SpeakerResolver, assign_speakers
from unspin.sourcing.summary import summarise
from unspin.sourcing.tagger import tag, with_states

__all__ = ["find_sourcing", "Sourcing", "Quote", "Attribution", "AnonymousSource", "ProvenanceItem", "Summary"]


def find_sourcing(article: Article, split: LineSentences | None = None,
                  states: tuple[np.ndarray, np.ndarray] | None = None) -> Sourcing:
    """Quotes, attributions, unnamed sources and provenance of `article`, offsets into its text.

    `split` is `line_sentences(article.text)` when the caller has it already (the pipeline's segmentation).
    `states` is the detector's token states for the text, when the caller ran it: (pieces, 384) float states
    and their (pieces, 2) character offsets (`detect.runtime.TokenView`); the tagger then uses its models
    that read them, which find more attributions (docs/sourcing.md), and without them its sparse models.
    """
    text = article.text
    layout = Layout(text, split)
    spans = find_quotes(layout)
    ranges = [(q.start, q.end) for q in spans]
    people = find_people(text, layout.all_tokens, ranges + layout.headlines)
    events = find_events(layout)
    resolver = SpeakerResolver(layout, people, ranges, layout.outlets)
    quotes, cues = assign_speakers(layout, spans, events, resolver)
    anonymous = find_anonymous(layout, events, ranges)
    attributions = find_attributions(layout, events, cues, ranges, anonymous, resolver)
    doc = Doc(layout, ranges)
    if states is not None:
        with_states(doc, *states)
    found = to_chars(layout, doc, tag(doc))
    quotes, attributions = combine(layout, found, quotes, attributions, resolver, anonymous)
    anonymous = unnamed_sources(text, quotes, attributions, anonymous, ranges)
    provenance = find_provenance(layout)
    summary = summarise(text, quotes, attributions, anonymous, provenance)
    return Sourcing(quotes, attributions, anonymous, provenance, summary)
