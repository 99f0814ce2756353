import re

import pytest

from unspin import techniques
from unspin.errors import UnspinError

PTC_LABELS = {
    "Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum", "Black-and-White_Fallacy",
    "Causal_Oversimplification", "Doubt", "Exaggeration,Minimisation", "Flag-Waving", "Loaded_Language",
    "Name_Calling,Labeling", "Repetition", "Slogans", "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
}


def test_the_fourteen_ptc_labels():
    assert set(techniques.TECHNIQUE_IDS) == PTC_LABELS and len(techniques.TECHNIQUES) == 14


def test_each_technique_is_complete_and_distinct():
    colours = {t.colour for t in techniques.TECHNIQUES}
    assert len(colours) == 14
    for t in techniques.TECHNIQUES:
        assert t.name and len(t.definition) > 40 and len(t.example) > 10
        assert re.fullmatch(r"#[0-9a-f]{6}", t.colour)


def test_unknown_technique_is_a_user_error():
    with pytest.raises(UnspinError):
        techniques.get("Nope")
