"""The 14 propaganda techniques of the Propaganda Techniques Corpus, as data.

Ids are the PTC label names, so label files, model outputs and the JSON schema
share one vocabulary. Definitions and examples are written for unspin; the
examples are invented sentences, not corpus text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    definition: str
    example: str
    colour: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "definition": self.definition,
            "example": self.example,
            "colour": self.colour,
        }


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Loaded_Language",
        "Loaded Language",
        "Words picked for the feelings they stir rather than for what they say, "
        "so the reader reacts before thinking.",
        "The mayor's reckless scheme will gut our neighbourhoods.",
        "#e6194b",
    ),
    Technique(
        "Name_Calling,Labeling",
        "Name Calling / Labeling",
        "Pinning a label on a person or group so the audience judges the label "
        "instead of the argument.",
        "Only the usual crowd of radical activists opposes the bridge.",
        "#f58231",
    ),
    Technique(
        "Repetition",
        "Repetition",
        "Saying the same word or phrase again and again until it sticks and "
        "starts to feel true.",
        "A betrayal of workers. A betrayal of families. A betrayal, plain and simple.",
        "#911eb4",
    ),
    Technique(
        "Exaggeration,Minimisation",
        "Exaggeration / Minimisation",
        "Making something far bigger or far smaller than it is, to inflate a "
        "threat or wave a problem away.",
        "The new tax will wipe out every small business in the country.",
        "#3cb44b",
    ),
    Technique(
        "Doubt",
        "Doubt",
        "Casting suspicion on a person's or institution's credibility without "
        "showing why it is deserved.",
        "Can anyone really trust a minister who changes his story every week?",
        "#4363d8",
    ),
    Technique(
        "Appeal_to_fear-prejudice",
        "Appeal to Fear / Prejudice",
        "Pushing an idea by raising alarm about what will happen otherwise, or by "
        "playing on existing prejudice.",
        "If this bill passes, no family will be safe in their own home.",
        "#800000",
    ),
    Technique(
        "Flag-Waving",
        "Flag-Waving",
        "Leaning on national or group pride to justify a position, as if loyalty "
        "settles the question.",
        "Every true patriot knows this treaty must be torn up.",
        "#000075",
    ),
    Technique(
        "Causal_Oversimplification",
        "Causal Oversimplification",
        "Blaming a complex outcome on one single cause while ignoring everything "
        "else that played a part.",
        "Crime went up the day the new police chief arrived; he is the reason.",
        "#9a6324",
    ),
    Technique(
        "Slogans",
        "Slogans",
        "A short, punchy phrase that stands in for an argument, often with a "
        "label or stereotype packed in.",
        "Our town, our rules!",
        "#469990",
    ),
    Technique(
        "Appeal_to_Authority",
        "Appeal to Authority",
        "Treating a claim as true simply because an authority or expert said it, "
        "with no further support.",
        "A leading economist says the plan cannot fail, so the debate is over.",
        "#808000",
    ),
    Technique(
        "Black-and-White_Fallacy",
        "Black-and-White Fallacy",
        "Offering only two options as if no others existed, often with one of "
        "them plainly unacceptable.",
        "Either you back the governor's plan or you want the city to go bankrupt.",
        "#f032e6",
    ),
    Technique(
        "Thought-terminating_Cliches",
        "Thought-terminating Cliché",
        "A stock phrase that shuts down discussion and discourages asking any "
        "further questions.",
        "Rules are rules, and that is the end of it.",
        "#a9a9a9",
    ),
    Technique(
        "Whataboutism,Straw_Men,Red_Herring",
        "Whataboutism / Straw Man / Red Herring",
        "Dodging a criticism by pointing at someone else's failings, distorting "
        "the opposing view, or changing the subject.",
        "Why complain about our budget when the last government wasted far more?",
        "#42d4f4",
    ),
    Technique(
        "Bandwagon,Reductio_ad_hitlerum",
        "Bandwagon / Reductio ad Hitlerum",
        "Urging people to join in because everyone else already has, or rejecting "
        "an idea because a hated group supports it.",
        "Millions have already switched; don't be the last one left behind.",
        "#bfef45",
    ),
)

TECHNIQUE_IDS: tuple[str, ...] = tuple(t.id for t in TECHNIQUES)
BY_ID: dict[str, Technique] = {t.id: t for t in TECHNIQUES}


def get(technique_id: str) -> Technique:
    """Look a technique up by its PTC label; unknown labels are a user error."""
    from unspin.errors import UnspinError

    try:
        return BY_ID[technique_id]
    except KeyError:
        raise UnspinError(f"unknown technique {technique_id!r}") from None
