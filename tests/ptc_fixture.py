"""A tiny PTC-layout split written by the tests themselves (no corpus data)."""

from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "901": (
        "Traitors Sell Out The Nation\n\n"
        "The corrupt elites have betrayed every hard-working family once again.\n"
        "Only a fool would believe their lies about the economy.\n"
        "Patriots will never forget this betrayal, this shameful betrayal.\n"
    ),
    "902": (
        "Minister Under Fire\n\n"
        "Can anyone trust a minister who hides the facts from voters?\n"
        "Experts agree the scheme is a disaster, so the debate is over.\n"
        "Either we stop this now or the country will collapse.\n"
    ),
    "903": (
        "Quiet Day At The Harbour\n\n"
        "Boats returned to port on Sunday after a calm week at sea.\n"
        "The harbour master said the new pier will open in spring.\n"
    ),
}


def _span(text: str, phrase: str) -> tuple[int, int]:
    i = text.index(phrase)
    return i, i + len(phrase)


LABELS = [
    ("901", "Loaded_Language", "corrupt elites"),
    ("901", "Name_Calling,Labeling", "corrupt elites"),
    ("901", "Loaded_Language", "betrayed"),
    ("901", "Name_Calling,Labeling", "a fool"),
    ("901", "Flag-Waving", "Patriots will never forget this betrayal"),
    ("901", "Repetition", "shameful betrayal"),
    ("902", "Doubt", "Can anyone trust a minister who hides the facts from voters?"),
    ("902", "Appeal_to_Authority", "Experts agree the scheme is a disaster"),
    ("902", "Black-and-White_Fallacy", "Either we stop this now or the country will collapse"),
]


def write_split(root: Path, name: str = "tiny") -> Path:
    split = root / name
    (split / "articles").mkdir(parents=True)
    for aid, text in ARTICLES.items():
        (split / "articles" / f"article{aid}.txt").write_text(text, encoding="utf-8")
    rows = []
    for aid, tech, phrase in LABELS:
        s, e = _span(ARTICLES[aid], phrase)
        rows.append(f"{aid}\t{tech}\t{s}\t{e}\n")
    (split / f"{name}-task-flc-tc.labels").write_text("".join(rows), encoding="utf-8")
    (split / f"{name}-task-tc-template.out").write_text(
        "".join(r.split("\t")[0] + "\t?\t" + "\t".join(r.split("\t")[2:]) for r in rows), encoding="utf-8"
    )
    return split
