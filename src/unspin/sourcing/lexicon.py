"""Word lists the sourcing rules match against.

Kept in one place so a reader can see (and extend) what the rules know: which
verbs report speech, which nouns name a source, which words are titles rather
than names. Everything here is lower case unless the comment says otherwise.
"""

from __future__ import annotations


def _forms(*groups: str) -> frozenset[str]:
    """Each group is 'base third past participle ing' separated by spaces."""
    return frozenset(w for g in groups for w in g.split())


# Verbs that report what a source said, wrote or claimed (all inflections).
SPEECH_VERBS = _forms(
    "say says said saying", "tell tells told telling", "add adds added adding",
    "write writes wrote written writing", "confirm confirms confirmed confirming",
    "acknowledge acknowledges acknowledged acknowledging", "insist insists insisted insisting",
    "claim claims claimed claiming", "state states stated", "declare declares declared declaring",
    "announce announces announced announcing", "warn warns warned warning", "argue argues argued arguing",
    "explain explains explained explaining", "note notes noted noting", "stress stresses stressed stressing",
    "admit admits admitted admitting", "deny denies denied denying", "allege alleges alleged alleging",
    "report reports reported reporting", "maintain maintains maintained", "assert asserts asserted asserting",
    "reply replies replied replying", "respond responds responded responding", "recall recalls recalled recalling",
    "tweet tweets tweeted tweeting", "posted", "comment comments commented commenting",
    "remark remarks remarked", "observe observes observed", "predict predicts predicted predicting",
    "concede concedes conceded conceding", "complain complains complained complaining",
    "suggest suggests suggested", "reveal reveals revealed revealing", "disclose discloses disclosed",
    "contend contends contended", "estimate estimates estimated", "continue continues continued",
    "ask asks asked", "urge urges urged", "emphasise emphasises emphasised emphasize emphasizes emphasized",
)
# Verbs that set off direct speech ('“Out!” the crowd chanted', '“Never,” she retorted'), read by the rules'
# events only: the learned tagger's features were fitted without them (see SPEECH_VERBS for its word class).
QUOTING_VERBS = _forms(
    "answer answers answered", "shout shouts shouted shouting", "yell yells yelled yelling",
    "chant chants chanted chanting", "joke jokes joked", "quip quips quipped", "exclaim exclaims exclaimed",
    "retort retorts retorted", "bark barks barked", "interject interjects interjected", "boom booms boomed",
    "testify testifies testified", "confess confesses confessed", "assure assures assured", "echo echoes echoed",
    "scream screams screamed", "whisper whispers whispered", "mutter mutters muttered", "cry cries cried",
    "thunder thunders thundered", "snap snaps snapped", "gush gushes gushed", "muse muses mused",
    "marvel marvels marvelled marveled", "recount recounts recounted", "lament laments lamented",
    "boast boasts boasted", "brag brags bragged",
)
# Verbs of thought, stance and evidence that attribute a view or a finding ("believes", "opposed", "the poll
# shows"): not speech, but attribution in the sense of PARC / PolNeAR. A hint for the tagger, not a rule.
ATTITUDE_VERBS = _forms(
    "think thinks thought thinking", "believe believes believed believing", "feel feels felt feeling",
    "know knows knew known knowing", "hope hopes hoped hoping", "want wants wanted wanting",
    "expect expects expected expecting", "fear fears feared fearing", "doubt doubts doubted doubting",
    "wonder wonders wondered wondering", "worry worries worried worrying", "agree agrees agreed agreeing",
    "disagree disagrees disagreed", "support supports supported supporting", "oppose opposes opposed opposing",
    "endorse endorses endorsed endorsing", "praise praises praised praising", "criticize criticizes criticized "
    "criticizing criticise criticises criticised", "accuse accuses accused accusing", "blame blames blamed blaming",
    "defend defends defended defending", "condemn condemns condemned condemning", "reject rejects rejected",
    "dismiss dismisses dismissed dismissing", "question questions questioned questioning",
    "show shows showed shown showing", "find finds found finding", "indicate indicates indicated indicating",
    "suggest suggesting", "conclude concludes concluded concluding", "mention mentions mentioned mentioning",
    "promise promises promised promising", "vow vows vowed vowing", "pledge pledges pledged pledging",
    "propose proposes proposed proposing", "plan plans planned planning", "refuse refuses refused refusing",
    "decline declines declined declining", "demand demands demanded demanding", "seek seeks sought seeking",
    "recommend recommends recommended", "attack attacks attacked attacking", "slam slams slammed slamming",
    "mock mocks mocked mocking", "describe describes described", "portray portrays portrayed",
    "consider considers considered", "see sees saw seen", "view views viewed", "regard regards regarded",
    "appear appears appeared", "seem seems seemed", "learn learns learned learnt", "acknowledging",
    "point pointed pointing", "signal signals signaled signalled", "wrote", "read reads",
)
# Verbs whose object (not subject) is the source: "citing four officials".
CITING_VERBS = _forms("cite cites cited citing", "quote quotes quoted quoting")
# Verbs that introduce a partial quote from their subject: 'called them "agents"'.
QUOTE_FRAMING_VERBS = _forms("call calls called calling", "describe describes described describing",
                             "dub dubs dubbed", "label labels labelled labeled", "brand brands branded")

# Words between a subject and its verb that do not end the subject.
VERB_PRELUDE = frozenset(
    "has have had also further later again previously earlier recently publicly privately reportedly then "
    "repeatedly once already separately".split()
)
# A speech verb right after one of these is not a report by its subject.
VERB_BLOCKERS = frozenset("to not n't never was were been being be is are am cannot won't".split())

PRONOUNS = frozenset({"he", "she"})
PLURAL_PRONOUNS = frozenset({"they", "it", "we", "i"})

# Nouns that can head the subject of a report ("the report says", "police said").
SOURCE_NOUNS = frozenset(
    """report reports piece article story column op-ed editorial statement statements study survey poll document
    documents memo letter email emails filing analysis investigation paper newspaper daily agency broadcaster channel
    television media outlet website magazine tabloid government ministry police company operator authority authorities
    office commission council committee court military army navy embassy department spokesman spokeswoman
    spokesperson minister president leader chief director manager secretary official officials officer officers
    source sources diplomat diplomats aide aides adviser advisers advisor advisors insider insiders expert experts
    analyst analysts critic critics observer observers lawmaker lawmakers lawyer lawyers prosecutor prosecutors
    witness witnesses resident residents doctor doctors scientist scientists researcher researchers activist
    activists group groups union organisers organizers people person persons envoy columnist reporter reporters
    correspondent editor governor mayor engineer head firm bank regulator watchdog opposition campaigners
    administration firm ombudsman staff employees workers""".split()
)
# Heads that make a subject an unnamed source when no name goes with them.
ANONYMOUS_NOUNS = frozenset(
    """official officials source sources diplomat diplomats insider insiders aide aides expert experts analyst
    analysts critic critics observer observers officer officers people person persons employee employees staffer
    staffers""".split()
)
# An institution speaks on the record through its office: 'police said', 'the water company said', 'a police
# spokesman said', 'a spokesman for the ministry said' name who answers for the words, so they are not anonymous.
INSTITUTION_NOUNS = frozenset(
    """police ministry government company firm agency department office embassy council court committee commission
    army military navy authority authorities administration parliament congress senate party union bank regulator
    watchdog university hospital school board cabinet kremlin pentagon presidency municipality utility corporation
    service subcommittee legislature tribunal""".split()
)
# A spokesperson is the voice of the body named next to them ('a police spokesman', 'a spokesman for the ministry').
SPOKESPERSON_NOUNS = frozenset("spokesman spokeswoman spokesperson spokespeople representative".split())
# Documents and publications are sources on the record, not unnamed people ('two internal emails said').
DOCUMENT_NOUNS = frozenset(
    """report reports email emails letter letters memo memos statement statements study studies document documents
    data survey poll polls filing filings record records article articles analysis review audit""".split()
)
ANONYMITY_ADJECTIVES = frozenset({"unnamed", "anonymous", "unidentified", "undisclosed"})
QUANTIFIERS = frozenset(
    "a an one two three four five six seven eight nine ten several some many few multiple other the two".split()
)
DETERMINERS = frozenset("the a an this that these those his her its their our".split())

# Lower-case words that may stand in a role before a name ("Russian presidential aide").
ROLE_NOUNS = frozenset(
    """minister secretary aide adviser advisor spokesman spokeswoman spokesperson columnist reporter correspondent
    editor leader chief director president chairman chairwoman chair governor mayor commander admiral general coach
    analyst official ambassador envoy senator lawmaker judge prosecutor lawyer head founder ceo manager engineer
    ombudsman diplomat negotiator professor researcher economist expert journalist writer author candidate activist
    volunteer officer deputy premier chancellor representative member counsel attorney strategist commentator
    blogger host anchor producer historian scientist""".split()
)
ROLE_MODIFIERS = frozenset(
    """presidential foreign deputy senior former chief top vice acting interim state national regional local
    opposition union central bank finance defence defense health energy justice interior trade economy economic
    education farm agriculture city council party government ministry navy army military police press fire court
    security intelligence campaign white house prime first general executive managing news political""".split()
)
# Capitalised words that are titles, not names ("Defence Minister Pavel Rusak").
TITLES = frozenset(
    """president secretary minister senator sen governor gov mayor general gen admiral colonel col captain capt
    commander chancellor ambassador prime deputy chief director coach judge justice pope king queen prince
    princess sheikh dr mr mrs ms miss professor prof rev father sir dame lord lady speaker spokesman spokeswoman
    state foreign defence defense interior energy health finance economy trade sergeant sgt lieutenant lt major
    premier vice acting interim foreign affairs home treasury fm head rep reps sens congressman congresswoman
    assemblyman assemblywoman councilman councilwoman commissioner chairman chairwoman superintendent attorney""".split()
)
HONORIFICS = frozenset("mr mrs ms miss dr sir".split())
# Capitalised words that never belong to a person's name.
NON_NAME_WORDS = frozenset(
    """the a an this that these those according in on at for but and or if when while after before as it he she
    they we i you his her their our its my your there here what who why how where which one two some many officials
    sources monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december house office ministry department council party court army police
    union bank university institute agency government committee commission foundation research news company
    group kremlin post times journal herald courier gazette tribune chronicle ledger telegraph observer independent
    guardian mirror express standard weekly daily review press television tv radio reuters source photo credit
    image picture copyright states kingdom republic arabia korea emirates africa america europe asia east west
    north south city street road river lake sea ocean front opposition white senate congress parliament does did do
    is are was were will would can could should has have had why yet so not no""".split()
)
NAME_PARTICLES = frozenset("al el bin ibn de da di du van von der den la le dos das del".split())

# Clause openers: a subject never reaches back past these.
CLAUSE_BREAKS = frozenset(
    "that which who whom whose and but while because as if when after before since although though whereas "
    "so or nor than".split()
)
LEADING_PREPOSITIONS = frozenset("with by in on at from for of to".split())
