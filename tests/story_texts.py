"""Small hand-written articles for the story-grouping and stats tests: three stories, three outlets.

Each outlet tells the same story in its own words and framing, as real outlets do;
the off-topic pieces share everyday vocabulary with them but not the story.
"""

from __future__ import annotations

BRIDGE = {
    "Daily Ledger": (
        "Marlow bridge collapse leaves commuters stranded\n\n"
        "The Tessel river bridge in Marlow partly collapsed early on Tuesday, closing the main road into the city. "
        "Engineers from the county council said a steel girder failed after weeks of heavy rain. "
        "Nobody was hurt, but about 40,000 commuters face long detours while inspectors examine the Tessel crossing. "
        "The council said repairs to the Marlow bridge could take six months and cost 12 million pounds."
    ),
    "The Beacon": (
        "Council negligence brings Marlow bridge crashing down\n\n"
        "Years of reckless neglect finally caught up with Marlow council when the Tessel river bridge crumbled. "
        "Residents had warned again and again that the girders were rusting, and the council ignored every warning. "
        "Now 40,000 commuters pay the price with detours while the same incompetent officials promise repairs. "
        "Inspectors say the Marlow bridge girder failure was entirely predictable; the 12 million pound bill lands on taxpayers."
    ),
    "Metro Wire": (
        "Tessel crossing shut after girder failure\n\n"
        "A section of the Marlow bridge over the river Tessel gave way on Tuesday morning after a girder failed. "
        "County inspectors closed the crossing and set up detours for commuters. "
        "Officials estimated repairs at 12 million pounds and six months of work on the bridge. "
        "Heavy rain had raised the Tessel to its highest level in a decade, engineers said."
    ),
}

RATES = {
    "Daily Ledger": (
        "Northland Reserve Bank raises interest rates to 4.5 percent\n\n"
        "The Northland Reserve Bank raised its benchmark interest rate by a quarter point to 4.5 percent on Wednesday. "
        "Governor Elena Brandt said inflation remained too high and the bank would watch wage growth closely. "
        "Mortgage lenders are expected to pass the increase on to borrowers within weeks."
    ),
    "The Beacon": (
        "Brandt's rate hike is a betrayal of hard-working families\n\n"
        "Governor Elena Brandt has once again hammered ordinary families, pushing the Northland Reserve Bank rate to 4.5 percent. "
        "Every true patriot knows that mortgage borrowers are the backbone of this nation, yet the bank punishes them. "
        "Inflation is an excuse; the Reserve Bank serves bankers, not borrowers."
    ),
    "Metro Wire": (
        "Reserve Bank lifts benchmark rate a quarter point\n\n"
        "Northland's Reserve Bank increased its benchmark interest rate to 4.5 percent. "
        "Governor Brandt pointed to persistent inflation and strong wage growth. "
        "Analysts expect mortgage rates for borrowers to rise after the quarter point decision."
    ),
}

FOOTBALL = {
    "Daily Ledger": (
        "Harbour City sack manager Tomas Okafor\n\n"
        "Harbour City FC dismissed manager Tomas Okafor on Thursday after a run of seven league defeats. "
        "The club's chairman thanked Okafor for promotion two seasons ago and said a search for a successor had begun. "
        "Assistant coach Lena Varga will take charge of the squad for Saturday's derby."
    ),
    "Metro Wire": (
        "Okafor out at Harbour City after seven straight defeats\n\n"
        "Tomas Okafor has been sacked as Harbour City FC manager following seven consecutive league defeats. "
        "Lena Varga, his assistant coach, becomes caretaker for the derby against Port Alder. "
        "The chairman praised Okafor's promotion campaign but said the club needed a new direction."
    ),
}

OFF_TOPIC = [
    ("The Beacon", "Comet Valdris brightens in the evening sky\n\n"
     "Astronomers say comet Valdris will be visible to the naked eye from the northern hemisphere next week. "
     "The icy visitor last passed the sun four thousand years ago. Observers should look low in the west after sunset, "
     "away from city lights, and binoculars will show its faint tail."),
    ("Metro Wire", "A slow-cooked lentil soup for cold evenings\n\n"
     "This lentil soup needs only onions, carrots, celery, red lentils and a good stock. "
     "Soften the vegetables in olive oil, add the lentils and simmer for forty minutes until creamy. "
     "Season with cumin, lemon juice and plenty of black pepper before serving with warm bread."),
    ("Daily Ledger", "Library extends weekend opening hours\n\n"
     "The central library will stay open until eight on Saturdays from next month, the city council said. "
     "Librarians hope longer hours will bring in students preparing for exams and families looking for a quiet place to read."),
]

# The same bridge story, told again ten days later (an anniversary piece): outside a three-day window.
BRIDGE_LATER = (
    "Metro Wire",
    "Marlow bridge repairs begin on the Tessel crossing\n\n"
    "Work to repair the Marlow bridge over the river Tessel began on Monday, ten days after a girder failed. "
    "Inspectors said commuters should expect detours for six months and the 12 million pound repair bill stands. "
    "County engineers are replacing the failed girder first.",
)
