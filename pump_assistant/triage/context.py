"""Clinical context of a mention: ConText, as a small rule file.

A red-flag sign found in a message is not yet an emergency: "no fever", "the
headache went away", "had a seizure years ago", "what are the signs of an
overdose?" and "my dog had a seizure" all mention one. ConText (Chapman,
Harkema et al.; the algorithm medspaCy's ``ConText`` implements) reads that
from modifier phrases and their scopes:

* each modifier (``context_rules.yml``) has a category and a direction: its
  scope runs forward, backward or both from the phrase, up to ``max_scope``
  tokens;
* a scope ends at a sentence end, a terminator ("but", "now", "right now") or,
  for a clause boundary, a comma or "and" that starts a new clause; a comma
  inside a list ("no fever, chills or stiff neck") does not end it;
* pseudo-modifiers ("not only", "no change in", "never felt this bad") look
  like modifiers but are not, and cancel any modifier they overlap;
* a sign inside a scope takes that modifier's category.

medspaCy itself cannot be used here: its package imports PyRuSH and
medspacy_quickumls (compiled extensions) on import, and negspaCy 1.1 needs
spaCy 3.8 while Rasa 3.6 pins 3.4. This module is the same algorithm, with
rules written for patients' and caregivers' messages rather than clinical notes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

RULES_FILE = Path(__file__).with_name("context_rules.yml")
_CACHE_KEY = "pump_assistant.context.modifiers"

NEGATED = "negated"
RESOLVED = "resolved"
HISTORICAL = "historical"
HYPOTHETICAL = "hypothetical"
OTHER = "other"
FICTION = "fiction"
UNCERTAIN = "uncertain"
PSEUDO = "pseudo"
TERMINATE = "terminate"
# Who may be said to have been fine since, across "but" or "and": "..., but I've been fine since".
RECOVERED_SUBJECTS = frozenset({"i", "he", "she", "we", "i've", "ive", "he's", "she's", "we've"})
# "..., but the surgeon re-stitched it and it's been dry for weeks": the care that ended it, told after "but".
# ... never after a sign told as going on now ("it's bleeding heavily right now but the doctor said it was fine").
STILL_GOING_ON = frozenset("is are am 'm 's now still keeps keep currently today tonight".split())
CLINICIANS = frozenset(
    "surgeon surgeons doctor doctors doc dr nurse nurses er hospital team physician anesthesiologist".split()
)
# A sign in one of these scopes is not happening to someone now.
DISMISSING = frozenset({NEGATED, RESOLVED, HISTORICAL, HYPOTHETICAL, OTHER, FICTION})

# Context states of a sign.
AFFIRMED = "affirmed"
DISMISSED = "dismissed"
UNSURE = "uncertain"

FORWARD, BACKWARD, BOTH = "forward", "backward", "both"
HARD_BREAKS = frozenset({".", "!", "?", ";", "…", "...", "\n"})
NOVELTY_PAIRS = frozenset({("like", "this"), ("like", "that"), ("this", "bad"), ("so", "bad"), ("this", "much")})
# "the worst flu ever", "best day ever": "ever" after a superlative compares, it supposes nothing.
SUPERLATIVES = frozenset("worst best biggest highest longest hardest scariest weirdest strangest most".split())
# "can't stay upright without a horrible headache": the headache comes every time; "without" denies nothing.
CANNOT = frozenset({"can't", "cant", "cannot", "couldn't", "couldnt"})
CAN = frozenset({"ca", "can", "could"})  # before a separate "n't" or "not"
# "systolic in the 70s", "sats in the 80s": a range of readings, not a decade.
READING_WORDS = frozenset(
    (
        "systolic diastolic bp pressure pressures pulse hr sats sat o2 oxygen saturation spo2 temp temps "
        "temperature fever rr resp sugar sugars glucose readings reading numbers"
    ).split()
)
DECADE = re.compile(r"^(?:in )?the \d0s$")
# "this last month", "over the past week": a span that runs up to now, not a time gone by.
SPAN_TO_NOW = frozenset("this the past over for during in within".split())
LIST_ANSWER_CUES = frozenset({"no", "none", "nope", "nah", "negative"})
# What "nothing is ..." denies: something coming out of a wound.
NOTHING_DENIES = frozenset("leaking draining oozing dripping seeping bleeding weeping coming wet".split())
# A pronoun just before a comma ends what a denial denied: no list of signs follows it.
LIST_ENDS_NOTHING = frozenset(
    "mine yours his hers ours theirs it that this me him her them myself himself herself".split()
)
YEAR = re.compile(r"^(19[5-9]\d|20[0-4]\d)$")
# A year dates the words near it ("s/p implant 2019"), not a whole note; a year that opens its
# sentence ("back in 2019 the pump ran dry and I ended up in the ICU") dates the whole clause.
YEAR_SCOPE = 8
YEAR_OPENS_WITHIN = 3
# A decade dates the same way ("back in the 60s", "in the 1980s", "the seventies"); after a
# possessive it is an age, which dates nothing ("he's in his 70s and can't breathe").
DECADE_WORD = re.compile(
    r"^(?:(?:19|20)?[0-9]0s|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)$"
)
AGE_OWNERS = frozenset("my his her their your our mid early late".split())

# A question that opens with a modal and asks what something may cause ("can bupivacaine in the
# pump make my legs weak?", "does morphine give people seizures?"): a general question, whatever
# its subject; never a request ("can you make ...") or a cause asked of what is happening ("could
# the pump be making me ...", see MODAL_QUESTIONS).
CAUSE_QUESTION_OPENERS = frozenset("can could does do will would might may".split())
CAUSE_VERBS = frozenset("cause causes make makes give gives trigger triggers lead leads bring brings produce".split())
NOT_A_CAUSE_SUBJECT = frozenset("you u i we be is are being really".split())
CAUSE_VERB_WITHIN = 6
# Negation and doubt are about one clause; a past story, a hypothesis or a
# mention of someone absent colours the whole sentence.
CLAUSE_SCOPED = frozenset({NEGATED, UNCERTAIN})
# A modal question about the pump or a medicine: what it could do, not what is happening.
MODAL_QUESTIONS = frozenset(
    f"{modal} {subject}"
    for modal in ("could", "can", "would", "might", "will")
    for subject in ("it", "that", "this", "they", "the")
)
# A denial that names a list, as clinical notes write it without "and" or "or".
LIST_DENIALS = frozenset(
    {"denies", "deny", "denied", "negative for", "neg for", "free of", "no signs of", "no evidence of"}
)
LIST_DENIAL_SCOPE = 14
# An explanation of a past event is part of it: "last year I was admitted because I couldn't pee".
CAUSAL = frozenset({"because", "cuz", "bc", "cos", "coz"})
# A sentence that asks in general ("can the pump cause seizures?", "what is
# baclofen withdrawal") and says nothing of a person's present state.
QUESTION_OPENERS = frozenset(
    (
        "what what's whats why how how's when which who "
        "can could does do is are will would should might may "
        "any anything if"
    ).split()
)
PRESENT_PERSON = frozenset(
    (
        "i i'm im me my myself we we're us our "
        "he he's hes him his she she's shes her hers "
        "mom dad mother father husband wife son daughter grandma grandpa brother sister "
        "patient pt baby child kid partner"
    ).split()
)
# A negation a sign may open with ("not breathing", "can't wake"): a cue ending on it is the sign's own.
SIGN_OWN_NEGATIONS = frozenset(["not", "n't", "nt", "no", "never", "cannot", "can't", "cant", "won't", "wont"])
# "my pump", "her refill": a possessive before the care itself is not a person's state.
CARE_NOUNS = frozenset(
    (
        "pump pumps refill refills trial implant surgery procedure appointment catheter battery device "
        "doctor doc surgeon nurse team clinic psych evaluation insurance "
        "wife husband family kids question questions"
    ).split()
)
ASKER_VERBS = frozenset("know watch look ask expect learn understand read recognize recognise".split())
# A question about what causes a sign: the sign is possible, not reported.
CAUSE_WORDS = frozenset({"cause", "causes", "causing", "caused", "side", "related", "linked", "trigger", "triggers"})
# "could clonidine make me faint?" asks about a cause; "make the pump give me everything" does not.
MAKE_VERBS = frozenset({"make", "makes"})
MADE_TO_FEEL = frozenset({"me", "him", "her", "you", "someone", "people", "us", "them"})
# "will I", "can I", "should I": a question about the future, not a report ("am I" is a report).
# ("do I", "how do I stop the bleeding" is a report too.)
INVERTED_AUX = frozenset({"will", "can", "could", "should", "would", "might", "may"})


@dataclass(frozen=True)
class Modifier:
    category: str
    direction: str
    start: int
    end: int
    max_scope: int | None = None


@dataclass(frozen=True)
class Boundaries:
    terminators: set[int]  # end every scope ("but", "now")
    present: set[int]  # end a past story, a hypothesis or an absent person's mention ("new", "still")
    # the writer or their family speaks of itself ("I", "me", "my husband"): ends "someone else"
    writer: frozenset[int] | set[int] = frozenset()


@dataclass(frozen=True)
class Assessment:
    state: str  # AFFIRMED, DISMISSED or UNSURE
    categories: frozenset[str] = frozenset()


# Cues that, inside a sign's own words, belong to the sign ("can't walk", "a headache whenever I sit
# up"); a softener inside it ("legs a bit numb") still makes it uncertain.
PART_OF_A_SIGN = frozenset({NEGATED, HYPOTHETICAL})
WRITER_WORDS = frozenset({"i", "i'm", "im", "me", "myself", "we", "us"})
FAMILY = frozenset(
    (
        "husband wife partner boyfriend girlfriend fiance fiancee "
        "son daughter child kid baby brother sister "
        "mom mum dad mother father grandma grandpa grandmother grandfather"
    ).split()
)


# Someone else who is a person, not a pet or a thing: seen having the sign right now, it is an emergency
# the writer is witnessing ("my friend who has the pump is convulsing on the couch right now").
OTHER_PEOPLE = frozenset(
    (
        "friend friends coworker coworkers co-worker colleague colleagues neighbor neighbour neighbors neighbours "
        "boss classmate classmates teammate roommate flatmate guy lady someone"
    ).split()
)
# Cues that name where someone is, not who: "the lady next door".
PLACE_OF_A_PERSON = frozenset({"next door"})
HAPPENING_NOW = (
    ("right", "now"),
    ("rn",),
    ("as", "we", "speak"),
    ("at", "the", "moment"),
    ("this", "minute"),
    ("in", "front", "of", "me"),
    ("next", "to", "me"),
    ("on", "the", "floor"),
    ("just", "collapsed"),
    # a person in the middle of it: "the neighbour's having a seizure on her porch"
    ("'s", "having"),
    ("is", "having"),
    ("are", "having"),
)


def _happening_now(doc: Doc, clause: tuple[int, int]) -> bool:
    words = [t.lower_ for t in doc[clause[0] : clause[1]]]
    return any(tuple(words[i : i + len(cue)]) == cue for cue in HAPPENING_NOW for i in range(len(words)))


def _part_of_the_sign(doc: Doc | None, modifier: Modifier, start: int, end: int) -> bool:
    """A cue inside the sign's words, or one whose last word is the sign's own first ("do|n't expect to
    be around"); not one that only shares a word with it before the sign begins: "no problems" denies
    "problems breathing"."""
    if not (modifier.start < end and start < modifier.end):
        return False
    if modifier.start >= start or doc is None:
        return True
    return doc[start].lower_ in SIGN_OWN_NEGATIONS


def _a_joke(modifier: Modifier) -> bool:
    """ "my legs are dead lol": the other-person rules' backward cues are the joke markers
    (context_rules.yml), and the writer's own words stay a joke."""
    return modifier.category == OTHER and modifier.direction == BACKWARD


def _takes_back_ones_own(modifier: Modifier) -> bool:
    """A joke, or a figure of speech said after one's own words ("my chest is heavy with grief",
    "I'm dying here, figuratively"): it takes back what the writer says of themselves."""
    return _a_joke(modifier) or (modifier.category == FICTION and modifier.direction == BACKWARD)


def _a_person_present(doc: Doc, modifier: Modifier) -> bool:
    """The other-person cue names a person (not "my neighbour's dog", not a pet or a thing)."""
    last = doc[modifier.end - 1]
    possessive = modifier.end < len(doc) and doc[modifier.end].lower_ in ("'s", "’s")
    if possessive and modifier.end + 1 < len(doc):
        # "my neighbour's having a seizure", "her friend's been shaking": "'s" is "is" or "has", not a possessive
        following = doc[modifier.end + 1].lower_
        possessive = not (following.endswith("ing") or following in ("been", "not", "just", "still", "now"))
    if possessive:
        return False
    if doc[modifier.start : modifier.end].text in PLACE_OF_A_PERSON:
        # "the lady next door": the person comes just before the place
        return any(t.lower_ in OTHER_PEOPLE for t in doc[max(0, modifier.start - 2) : modifier.start])
    return last.lower_ in OTHER_PEOPLE


# Before a backward denial ("breathing normal", "lips pink"), words that make it a question or a doubt.
NOT_A_FINDING = frozenset({"it", "that", "this", "if", "whether", "not", "n't", "nt", "never", "seem", "seems"})


def _asks_or_doubts(doc: Doc, modifier: Modifier) -> bool:
    after = doc[modifier.end : modifier.end + 2]
    before = doc[max(0, modifier.start - 3) : modifier.start]
    return any(t.text == "?" for t in after) or any(t.lower_ in NOT_A_FINDING for t in before)


def _writer_tokens(doc: Doc) -> set[int]:
    """Positions where the writer, or their own family, is the one spoken of."""
    found = {t.i for t in doc if t.lower_ in WRITER_WORDS}
    found |= {t.i for t in doc[:-1] if t.lower_ in ("my", "our") and doc[t.i + 1].lower_ in FAMILY}
    return found


# The writer named inside a sign's own words ("gave my dog to the neighbour", "I can't breathe"):
# a pet, a neighbour or a show beside it does not make it someone else's.
FIRST_PERSON = frozenset({"i", "i'm", "im", "myself", "my"})

# "every time I stand up I black out", "if I sit up my head is unbearable": a condition
# that keeps coming true for the writer (or the one they care for) is a present
# problem, not a supposition. A question, a modal or a future ("what do I do if",
# "would I", "will it") keeps the cue hypothetical.
HABITUAL_CUES = frozenset({"if", "every time", "every time i", "whenever", "each time", "anytime", "any time"})
# "my legs are getting weaker every day": a frequency inside a report is part of the report.
FREQUENCY_CUES = frozenset({"every day", "every night", "every morning", "every evening", "every week"})
NOT_HABITUAL = frozenset(
    (
        "will would could might should may 'll 'd wo gonna "
        "what how whether ever someday future wondering curious plan planning case"
    ).split()
)

# Words that make a clause a supposition or a question rather than a report.
NOT_A_REPORT = NOT_HABITUAL | frozenset(
    {"if", "when", "whether", "can", "ca", "unless", "suppose", "imagine", "worried", "afraid", "scared"}
)

# A modal followed by a negation is an inability, said of now ("can't feel my legs", "won't wake up"):
# the modal does not make that clause a supposition.
NEGATIONS = frozenset({"not", "n't", "nt"})
# A clause whose subject is a part of the body reports on the writer ("both legs have gone weak").
BODY_PARTS = frozenset(
    (
        "leg legs foot feet arm arms hand hands face lips lip tongue throat neck head chest heart back "
        "skin eyes eye pupils speech breathing breath bladder bowels groin bottom wound incision scar site"
    ).split()
)
# Words that make the next word a body part someone has ("my back", "her lower back").
OWNERS = frozenset("my his her your their our its the lower upper mid middle".split())
SUBJECT_DETERMINERS = frozenset("both the left right whole entire lower upper".split())
BODY_VERBS = frozenset(
    (
        "is are has have 's 're 've was were feel feels felt went gone go goes keep keeps kept look looks seem seems "
        "wo ca wo n't just suddenly started starting start getting got get turned turning gave give giving "
        "wont cant hurt hurts ache aches"
    ).split()
)
# A clause told in the past ("my legs went weak", "I was drowsy") is not protected from a past
# story told in another clause; a present or present-perfect one is ("I've had the pump for
# years, both legs have gone weak").
PAST_VERBS = frozenset(
    (
        "was were had did went got came became felt gave took fell saw said told thought seemed began "
        "woke slept ran lost found kept left made passed could couldnt"
    ).split()
)
PERFECT_OR_PASSIVE = frozenset(
    (
        "have has 've 's having be been being is are am 'm 're get gets getting feel feels seem seems look looks "
        "sound sounds stay stays keep keeps very really so too more super extremely"
    ).split()
)
# A clause about learning or watching is not a report of what it learns about.
LESSON_VERBS = frozenset(
    (
        "watch watching watched read reading study studying studied learn learning learned learnt teach taught "
        "train training trained "
        "practice practiced practise practised practicing practising simulate simulated simulating"
    ).split()
)
# Someone watching, reading or learning ("the show I'm watching", "they taught us"): the writer
# named in a story or a lesson does not bring the story back to the present.
SPECTATOR_VERBS = LESSON_VERBS | frozenset(
    (
        "see saw seen teaching show showed showing tell told hear heard listen listening write writing wrote "
        "play playing run running do doing take taking"
    ).split()
)

# Words of onset that, inside a supposition's clause, are supposed too ("if it suddenly happens").
SUPPOSED_ONSET = frozenset({"suddenly", "again"})

# "I wanted to know if", "not sure if": an "if" that means "whether" asks, it does not report.
WHETHER_BEFORE = frozenset(
    "know ask asking asked wonder wondered sure unsure idea check checking confirm see tell find out learn".split()
)


# "won't", "can't", "doesn't" deny the verb after them; only verbs of having or noticing pass the
# denial on to a list ("doesn't have fever, chills or a stiff neck").
VERB_AUXILIARIES = frozenset("wo ca could would do does did should will can might must".split())
DENIAL_PASSES_THROUGH = frozenset(
    (
        "have has had having get gets got getting feel feels felt feeling notice noticed see seen show shows "
        "report reported experience experienced complain complained develop developed seem seems look looks "
        "appear appears any a an the much really yet ever been think believe"
    ).split()
)


def _cause_questions(doc: Doc) -> list[Modifier]:
    """A modal question about what something may cause, as a hypothesis over its whole sentence."""
    found = []
    for sentence in doc.sents:
        words = [t for t in sentence if not t.is_space]
        if len(words) < 3 or words[-1].text != "?" or words[0].lower_ not in CAUSE_QUESTION_OPENERS:
            continue
        if words[1].lower_ in NOT_A_CAUSE_SUBJECT:
            continue
        for token in words[2 : 2 + CAUSE_VERB_WITHIN]:
            if token.lower_ in NOT_A_CAUSE_SUBJECT:
                break  # "could the pump be causing this": a cause asked of what is happening
            if token.lower_ in CAUSE_VERBS:
                found.append(Modifier(HYPOTHETICAL, FORWARD, words[0].i, words[0].i + 1, None))
                break
    return found


def _negates_a_verb(doc: Doc, modifier: Modifier) -> bool:
    if modifier.category != NEGATED or doc[modifier.start].lower_ not in ("n't", "nt", "not"):
        return False
    if modifier.start == 0 or doc[modifier.start - 1].lower_ not in VERB_AUXILIARIES:
        return False
    following = doc[modifier.end] if modifier.end < len(doc) else None
    return following is not None and following.is_alpha and following.lower_ not in DENIAL_PASSES_THROUGH


# "the dye they used to check", "the needle was used to": a tool used, not a habit of the past.
NOT_A_HABIT_BEFORE_USED_TO = frozenset("they it that which was were is are be been being get got".split())


def _cannot_before(doc: Doc, i: int) -> bool:
    """ "can't sit up without", "can't lift her head off the pillow without": an inability earlier in
    the clause (within nine words, no punctuation between)."""
    start = i
    while start > 0 and i - start < 9 and not doc[start - 1].is_punct:
        start -= 1
    window = [t.lower_ for t in doc[start:i]]
    return any(
        w in CANNOT or (w in CAN and k + 1 < len(window) and window[k + 1] in ("n't", "not", "nt"))
        for k, w in enumerate(window)
    )


def _habitual_present(doc: Doc, modifier: Modifier) -> bool:
    if doc[modifier.start : modifier.end].text.lower() not in HABITUAL_CUES:
        return False
    if modifier.start > 0 and doc[modifier.start - 1].lower_ in WHETHER_BEFORE:
        return False
    sentence = doc[modifier.start].sent
    words = {t.lower_ for t in sentence}
    return "?" not in words and not (words & NOT_HABITUAL) and bool(words & PRESENT_PERSON)


def _inability(doc: Doc, token) -> bool:
    """A modal that a negation follows: "can't", "won't", "couldn't"."""
    return token.lower_ in NOT_A_REPORT and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in NEGATIONS


def _body_is_subject(words: list) -> bool:
    """The clause opens with a part of the body and a verb: "both legs have gone weak", "left arm is numb".

    ("heart attack or stroke during surgery" names no one: a part of the body followed by a noun.)
    """
    for k, word in enumerate(words[:3]):
        if word.lower_ in BODY_PARTS:
            return k + 1 < len(words) and words[k + 1].lower_ in BODY_VERBS
        if word.lower_ not in SUBJECT_DETERMINERS:
            return False
    return False


def _told_in_the_past(doc: Doc, clause: tuple[int, int]) -> bool:
    """A verb in the past tense, not a perfect or a passive ("have gone", "is swollen")."""
    for token in doc[clause[0] : clause[1]]:
        word = token.lower_
        if word in PAST_VERBS or (len(word) > 4 and word.endswith("ed") and token.is_alpha):
            before = {t.lower_ for t in doc[max(clause[0], token.i - 2) : token.i]}
            if not before & PERFECT_OR_PASSIVE:
                return True
    return False


# Words that end a name looking back: "a seizure first-aid class" is one name, "seizure in class" is not.
NOT_IN_A_NAME = frozenset(
    "a an the my his her our their your this that these those on in at of for about with to from by and or "
    "i we he she they you it me us him them is are was were be been had has have during after before while".split()
)


def _in_a_name(token) -> bool:
    return (token.is_alpha and token.lower_ not in NOT_IN_A_NAME) or token.text in ("-", "/")


def _one_of(token, words: frozenset[str]) -> bool:
    """The word as typed or its lemma is one of ``words``."""
    return token.lower_ in words or token.lemma_.lower() in words


def _spectating(doc: Doc, i: int) -> bool:
    """The writer at ``i`` watches, reads or is taught ("the novel I'm reading", "they taught us")."""
    return any(_one_of(t, SPECTATOR_VERBS) for t in doc[max(0, i - 1) : i + 4])


def _first_person(doc: Doc, span: tuple[int, int]) -> bool:
    """The writer is named in the sign's words, or owns the body part it starts with ("my face is swelling")."""
    owned = span[0] > 0 and doc[span[0] - 1].lower_ == "my"
    return owned or any(token.lower_ in FIRST_PERSON for token in doc[span[0] : span[1]])


# Words after which a person is the one told, not the one it happens to ("texted his friend that he ...").
TELLING_VERBS = frozenset(
    "text texted texting tell told telling message messaged messaging email emailed write wrote call called "
    "ask asked confide confided dm dmed".split()
)
# Nouns of a story or a lesson that are verbs too: "the oximeter shows 41", "it reports", "kids play".
VERB_TOO = frozenset("show shows play report reports".split())
# ... a noun only after one of these ("a show", "my class", "the training").
NOUN_MARKERS = frozenset(
    "a an the this that my his her our their your tv favourite favorite new cooking crime hospital medical "
    "netflix nursing cpr first-aid safety school".split()
)


class ConText:
    def __init__(self, nlp: Language, rules_path: Path = RULES_FILE, today: dt.date | None = None):
        rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._keys: dict[str, tuple[str, str, int | None]] = {}
        for category, spec in rules["modifiers"].items():
            if category in (PSEUDO, TERMINATE):
                self._add(nlp, category, category, None, spec["phrases"])
                continue
            for direction, blocks in spec.items():
                # A direction may hold several blocks, each with its own max_scope.
                for block in blocks if isinstance(blocks, list) else [blocks]:
                    self._add(nlp, category, direction, block.get("max_scope"), block["phrases"])
        # What the pump or a medicine could do, asked ("could it overdose me", "would the drugs hide ...").
        self._add(nlp, HYPOTHETICAL, FORWARD, None, sorted(MODAL_QUESTIONS))
        self._clause_subjects = frozenset(str(w).lower() for w in rules.get("clause_subjects") or ())
        self._present = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._present.add("present", [nlp.make_doc(str(p).lower()) for p in rules.get("present") or ()])
        # The writer takes a joke back ("kidding. mostly.", "joke but not really"): its joke markers mark no joke.
        self._serious = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._serious.add("serious", [nlp.make_doc(str(p).lower()) for p in rules.get("serious") or ()])
        self._this_year = (today or dt.date.today()).year
        # Two ConText instances on the same rules read a message alike: they share its modifiers.
        self._signature = (str(rules_path), self._this_year)

    def _add(self, nlp: Language, category: str, direction: str, max_scope: int | None, phrases: Iterable) -> None:
        key = f"{category}|{direction}|{max_scope}"
        self._keys[key] = (category, direction, max_scope)
        self._matcher.add(key, [nlp.make_doc(str(p).lower()) for p in phrases])

    # -- modifiers ---------------------------------------------------------
    def modifiers(self, doc: Doc) -> tuple[list[Modifier], Boundaries]:
        """The modifiers in force, and the token positions that end scopes.

        Kept on the doc: the classifier's context tags and the triage read the same message.
        """
        cached = doc.user_data.get(_CACHE_KEY)
        if cached is not None and cached[0] == self._signature:
            return cached[1]
        result = self._modifiers(doc)
        doc.user_data[_CACHE_KEY] = (self._signature, result)
        return result

    def _modifiers(self, doc: Doc) -> tuple[list[Modifier], Boundaries]:
        found = []
        for match_id, start, end in self._matcher(doc):
            category, direction, max_scope = self._keys[doc.vocab.strings[match_id]]
            modifier = Modifier(category, direction, start, end, max_scope)
            if self._fits(doc, modifier):
                found.append(modifier)
        for token in doc:
            if (YEAR.match(token.text) and int(token.text) < self._this_year) or self._a_past_decade(doc, token):
                opens = token.i - token.sent.start < YEAR_OPENS_WITHIN
                found.append(Modifier(HISTORICAL, BOTH, token.i, token.i + 1, None if opens else YEAR_SCOPE))
        found.extend(_cause_questions(doc))
        # The longest phrase wins where phrases overlap ("not sure if" over "not").
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        kept: list[Modifier] = []
        for candidate in found:
            if any(candidate.start < other.end and other.start < candidate.end for other in kept):
                continue
            kept.append(candidate)
        terminators = {i for m in kept if m.category == TERMINATE for i in range(m.start, m.end)}
        active = [m for m in kept if m.category not in (PSEUDO, TERMINATE)]
        if self._serious(doc):
            active = [m for m in active if not _a_joke(m)]
        # "it started an hour ago" brings a story back to now; "clonidine was started three years
        # ago" does not: a present word dated by a past time just after it is part of the story.
        dated = [m.start for m in active if m.category == HISTORICAL]
        present = {
            i for _, s, e in self._present(doc) if not any(e <= start <= e + 4 for start in dated) for i in range(s, e)
        }
        return active, Boundaries(terminators, present, _writer_tokens(doc))

    @staticmethod
    def _a_past_decade(doc: Doc, token) -> bool:
        if not DECADE_WORD.match(token.lower_):
            return False
        before = [t.lower_ for t in doc[max(token.sent.start, token.i - 3) : token.i] if t.is_alpha]
        if before and before[-1] in AGE_OWNERS:
            return False  # "in my 60s", "in his late 70s": an age
        if any(t.lower_ in READING_WORDS for t in doc[max(token.sent.start, token.i - 8) : token.i + 3]):
            return False  # "systolic in the 70s", "sats in the 80s": a reading's range
        return token.lower_[:2] != "20" or token.lower_[:4] < "2020"

    @staticmethod
    def _fits(doc: Doc, modifier: Modifier) -> bool:
        """A bare "no"/"none" looks back only as a list answer ("fever - no", "stiff neck: none").

        Followed by punctuation or the end it is an answer, and a leading "no,"
        (the reply to "are you OK?") negates nothing after it; followed by a
        word ("no fever") it looks forward.
        """
        if modifier.start > 0 and doc[modifier.start].lower_ in BODY_PARTS and doc[modifier.start - 1].lower_ in OWNERS:
            return False  # "clear drips from my back when I move": the body part, not "back when I was young"
        if modifier.category == OTHER and any(
            t.lower_ in TELLING_VERBS for t in doc[max(0, modifier.start - 2) : modifier.start]
        ):
            return False  # "texted his friend that he wants to ...": the friend was told, it is not the friend's
        if (
            modifier.category == FICTION
            and modifier.end - modifier.start == 1
            and doc[modifier.start].lower_ in VERB_TOO
            and (modifier.start == 0 or doc[modifier.start - 1].lower_ not in NOUN_MARKERS)
        ):
            return False  # "the oximeter shows 41": a verb, not a show
        if modifier.category == HISTORICAL and doc[modifier.start : modifier.end].text == "back when":
            # "back when I was twenty" tells the past; "his eyes roll back when I try to wake him" does not
            told = doc[modifier.end : modifier.end + 5]
            return any(t.lower_ in PAST_VERBS or (t.lower_.endswith("ed") and len(t) > 3) for t in told)
        if modifier.category == HISTORICAL and doc[modifier.start : modifier.end].text == "used to":
            return modifier.start == 0 or doc[modifier.start - 1].lower_ not in NOT_A_HABIT_BEFORE_USED_TO
        if modifier.category == HYPOTHETICAL:
            phrase = doc[modifier.start : modifier.end].text
            if phrase in MODAL_QUESTIONS:
                # Only a question's opening ("could it overdose me", not "when can the dressing come off"),
                # and not "could it be an overdose?", "could the new dose be causing this?": a cause asked
                # of what is happening (uncertain).
                previous = doc[modifier.start - 1] if modifier.start > 0 else None
                opens = previous is None or previous.is_punct or previous.lower_ in ("and", "so", "but", "or", "also")
                asks_a_cause = any(t.lower_ in ("be", "is", "really") for t in doc[modifier.end : modifier.end + 4])
                return opens and not asks_a_cause
            if phrase == "ever":
                before = {t.lower_ for t in doc[max(0, modifier.start - 4) : modifier.start]}
                if before & SUPERLATIVES or any(
                    t.lower_.endswith("est") and len(t) > 4 for t in doc[max(0, modifier.start - 3) : modifier.start]
                ):
                    return False
            return not _habitual_present(doc, modifier)
        if modifier.category == HISTORICAL and DECADE.match(doc[modifier.start : modifier.end].text):
            before = {t.lower_ for t in doc[max(0, modifier.start - 6) : modifier.start]}
            if before & READING_WORDS:
                return False
        if (
            modifier.category == NEGATED
            and doc[modifier.start].lower_ == "without"
            and _cannot_before(doc, modifier.start)
        ):
            return False
        if (
            modifier.category == HISTORICAL
            and doc[modifier.start].lower_ == "last"
            and modifier.start > 0
            and doc[modifier.start - 1].lower_ in SPAN_TO_NOW
        ):
            return False
        if modifier.category == NEGATED and doc[modifier.start].lower_ in ("nothing", "nothing's"):
            # "nothing is leaking from my back" denies a leak; "nothing is working and I've run out
            # of reasons" denies nothing
            denied = doc[modifier.end] if modifier.end < len(doc) else None
            return denied is not None and denied.lower_ in NOTHING_DENIES
        if modifier.category == RESOLVED and any(
            t.lower_ in NEGATIONS for t in doc[max(0, modifier.start - 2) : modifier.start]
        ):
            return False  # "he's not back to himself between them", "not normal for him": nothing resolved
        if (
            modifier.category == NEGATED
            and modifier.direction == BACKWARD
            and doc[modifier.start].lower_ == "i"
            and modifier.end < len(doc)
            and not doc[modifier.end].is_punct
        ):
            return False  # "..., I don't." answers; "I don't know what to do" does not
        if modifier.category == NEGATED and modifier.direction == BACKWARD and _asks_or_doubts(doc, modifier):
            return False  # "is that normal?", "breathing doesn't seem normal": not a finding stated as normal
        if modifier.category != NEGATED or modifier.end - modifier.start != 1:
            return True
        if doc[modifier.start].lower_ == "never":
            # "never had pain like this", "never felt this bad before": something new, not a denial.
            following = [t.lower_ for t in doc[modifier.end : modifier.end + 8]]
            pairs = set(zip(following, following[1:], strict=False))
            return not (pairs & NOVELTY_PAIRS or "before" in following)
        if doc[modifier.start].lower_ not in LIST_ANSWER_CUES:
            return True
        next_token = doc[modifier.end] if modifier.end < len(doc) else None
        answer = next_token is None or next_token.is_punct or next_token.is_space or next_token.lower_ in ("and", "or")
        return modifier.direction == (BACKWARD if answer else FORWARD)

    # -- scopes ------------------------------------------------------------
    def _is_break(self, doc: Doc, i: int, bounds: Boundaries, going_forward: bool, clause_level: bool = True) -> bool:
        token = doc[i]
        terminators = bounds.terminators
        if i in terminators or token.text in HARD_BREAKS or (token.is_space and "\n" in token.text):
            return True
        if token.is_sent_start and going_forward and i > 0:
            return True
        if not clause_level:
            if i in bounds.present:
                return True
            # A story told in the past or a question asked in general runs on
            # across commas and "and"; only a sentence end or a terminator
            # ("but now", "today") brings it back to the present.
            return False
        if token.lower_ == "without":
            return True  # "can't sit up without a headache": the headache is not denied
        if token.text == "-" and not token.whitespace_ and i > 0 and not doc[i - 1].whitespace_:
            return False  # a hyphen inside a word ("first-aid"), not a dash between clauses
        if token.text in (",", ":", "-", "—", "–", "(", ")"):
            return not self._list_continues(doc, i, terminators)
        if token.lower_ in ("and", "or", "so") and i + 1 < len(doc):
            return doc[i + 1].lower_ in self._clause_subjects
        return False

    def _list_continues(self, doc: Doc, i: int, terminators: set[int]) -> bool:
        """After a comma: is this a list of things ("no fever, chills or stiff neck")?"""
        if doc[i].text != ",":
            return False
        if i > 0 and doc[i - 1].lower_ in LIST_ENDS_NOTHING:
            return False  # "half my body isn't mine, left side numb and weak": the denial ended with its object
        for j in range(i + 1, min(len(doc), i + 8)):
            token = doc[j]
            if j in terminators or token.text in HARD_BREAKS or token.text == ",":
                return token.text == ","
            if token.lower_ in self._clause_subjects:
                return False
            if token.lower_ in ("or", "nor"):
                return True
            if token.lower_ == "and":
                return j + 1 < len(doc) and doc[j + 1].lower_ not in self._clause_subjects
        return False

    def scope(self, doc: Doc, modifier: Modifier, bounds: Boundaries) -> tuple[int, int]:
        """Token range [start, end) the modifier governs (either side of it may be empty)."""
        start = end = None
        limit = modifier.max_scope or len(doc)
        clause_level = modifier.category in CLAUSE_SCOPED
        # Someone else's story ends where the writer speaks of themselves or their own family again
        # ("my friend is here with me, I can't breathe").
        writer = bounds.writer if modifier.category == OTHER else frozenset()
        if modifier.category == FICTION:
            # A story, a lesson or a figure of speech runs on past its watcher ("the show I'm
            # watching has ..."), and ends where the writer's own life comes in.
            writer = {i for i in bounds.writer if not _spectating(doc, i)}
        if modifier.direction in (FORWARD, BOTH):
            end = modifier.end
            first_clause = True
            lone_verb = _negates_a_verb(doc, modifier)
            denies_a_list = modifier.category == NEGATED and doc[modifier.start : modifier.end].text in LIST_DENIALS
            reach = max(limit, LIST_DENIAL_SCOPE) if denies_a_list else limit
            while end < len(doc) and end - modifier.end < reach and end not in writer:
                if lone_verb and doc[end].text == ",":
                    break  # "legs won't settle, sweating, goosebumps": the list is not denied
                if denies_a_list and doc[end].text == "," and end not in bounds.terminators:
                    end += 1  # "pt denies SOB, CP, syncope": a clinical list, no "and" or "or" needed
                    continue
                if self._is_break(doc, end, bounds, True, clause_level) and not self._carries_on(
                    doc, modifier, end, bounds, first_clause
                ):
                    break
                if first_clause and modifier.category == HYPOTHETICAL:
                    first_clause = not self._is_break(doc, end, bounds, True)
                end += 1
        if modifier.category == FICTION and modifier.direction == BOTH:
            # Back only over the words that make one name with it: "a suicide prevention workshop",
            # "the seizure first-aid training".
            start = modifier.start
            while start > 0 and modifier.start - start < 5 and _in_a_name(doc[start - 1]):
                start -= 1
        elif modifier.direction in (BACKWARD, BOTH):
            start = modifier.start
            # A list answer's own separator is not a boundary: "fever: none", "stiff neck - no".
            # ... and "Blue lips? Nah" answers the question just asked.
            while (
                start > 0 and doc[start - 1].text in (":", "-", "=", "?", "—", "–", ",") and modifier.start - start < 3
            ):
                start -= 1
                if doc[start].is_sent_start and doc[start].text != "?":
                    break
            story_before = False  # "That was three weeks ago.": the whole sentence before
            while start > 0 and (story_before or modifier.start - start < limit):
                if start - 1 in writer:
                    break
                if doc[start].is_sent_start:
                    # A sentence opening with "that" or "this" dates or resolves the whole story told just
                    # before it ("It bled a lot, but the doctor stopped it. That was three weeks ago."):
                    # one sentence back, no further.
                    if story_before or not self._tells_of_the_story_before(doc, start, modifier):
                        break
                    story_before = True
                elif (
                    not story_before
                    and self._is_break(doc, start - 1, bounds, False, clause_level)
                    and not self._refers_back(doc, start, modifier)
                ):
                    break
                start -= 1
        return (start if start is not None else modifier.start, end if end is not None else modifier.end)

    @staticmethod
    def _carries_on(doc: Doc, modifier: Modifier, i: int, bounds: Boundaries, first_clause: bool) -> bool:
        """A word that ends other scopes but not this one.

        Inside the clause of a supposition, "suddenly" and a present word ("started") are part
        of what is supposed: "if my legs suddenly got weak", "if my lips started swelling".
        Right after a show or a lesson, a time word dates it: "the sermon today was about ...".
        """
        if modifier.category == HYPOTHETICAL and modifier.direction == FORWARD and first_clause:
            return i in bounds.present or doc[i].lower_ in SUPPOSED_ONSET
        if modifier.category == HISTORICAL and doc[i].lower_ in CAUSAL:
            return True
        # Right after a show or a lesson, a time word dates it ("the sermon today"), and a present
        # word is what its character does ("the character keeps overdosing").
        return modifier.category == FICTION and i == modifier.end and (i in bounds.terminators or i in bounds.present)

    @staticmethod
    def _tells_of_the_story_before(doc: Doc, start: int, modifier: Modifier) -> bool:
        return (
            modifier.category in (RESOLVED, HISTORICAL)
            and start > 0
            and doc[start].lower_ in ("that", "this", "all")
            and not any(t.text == "?" for t in doc[start : modifier.start])
        )

    @staticmethod
    def _refers_back(doc: Doc, start: int, modifier: Modifier) -> bool:
        """ "...but it wore off", "..., and that cleared up": the resolution is about what came before.

        So is a person's lasting recovery told of them: "my legs went numb after the trial, but I've
        been fine since" (never "I was fine yesterday": a state until now, with "been" or "since").
        """
        if not (modifier.category in (RESOLVED, HISTORICAL) and start < len(doc)):
            return False
        if doc[start].lower_ in ("it", "that", "they", "this", "which", "all"):
            return True
        if (
            modifier.category == RESOLVED
            and doc[start].lower_ in ("the", "my", "our", "his", "her")
            and start + 1 < modifier.start
            and doc[start + 1].lower_ in CLINICIANS
            and not any(t.lower_ in STILL_GOING_ON for t in doc[doc[start].sent.start : start])
        ):
            return True
        lasting = {t.lower_ for t in doc[modifier.start : modifier.end]} & {"been", "since"}
        return modifier.category == RESOLVED and bool(lasting) and doc[start].lower_ in RECOVERED_SUBJECTS

    # -- assessment --------------------------------------------------------
    def assess_all(self, doc: Doc, spans: Iterable[tuple[int, int]]) -> list[Assessment]:
        modifiers, bounds = self.modifiers(doc)
        scopes = [(m, self.scope(doc, m, bounds)) for m in modifiers]
        scopes += [(Modifier(HYPOTHETICAL, BOTH, s, s), (s, e)) for s, e in self.general_questions(doc)]
        scopes += [(Modifier(UNCERTAIN, BOTH, s, s), (s, e)) for s, e in self.cause_questions(doc)]
        frequencies = frozenset(
            m.start for m in modifiers if m.category == HYPOTHETICAL and doc[m.start : m.end].text in FREQUENCY_CUES
        )
        spans = list(spans)
        # A cue inside one sign's own words, after its first word ("my neck won't bend"), is that sign's; it does not
        # deny the next one ("... won't bend and bright light hurts").
        # A sign found inside that same span keeps the cue, though: in "pump if i pass out" (a pattern with
        # gaps) "if" still supposes "pass out".
        holders = {
            id(m): [(s, e) for s, e in spans if s < m.start and m.end <= e]
            for m in modifiers
            if m.category in PART_OF_A_SIGN
        }
        inside = {key for key, held_by in holders.items() if held_by}
        assessments = []
        for span in spans:
            span_scopes = [
                (m, scope)
                for m, scope in scopes
                if id(m) not in inside
                or (m.start < span[1] and span[0] < m.end)
                or any(s <= span[0] and span[1] <= e and m.end <= span[0] for s, e in holders[id(m)])
            ]
            asserted = self.asserted_clause(doc, span, bounds)
            present = asserted is not None and not _told_in_the_past(doc, asserted)
            # Only the writer or their own family brings a story back to real life: "she" may be its character.
            own = asserted is not None and any(asserted[0] <= i < asserted[1] for i in bounds.writer)
            witnessed = _happening_now(doc, self.clause_of(doc, span, bounds))
            assessments.append(
                self._assess(
                    span, span_scopes, _first_person(doc, span), asserted, frequencies, present, own, witnessed, doc
                )
            )
        return assessments

    def clause_of(self, doc: Doc, span: tuple[int, int], bounds: Boundaries) -> tuple[int, int]:
        """The clause around a span: up to a comma that ends no list, "and I", a terminator or a sentence end."""
        start, end = span
        while start > 0 and not doc[start].is_sent_start and not self._is_break(doc, start - 1, bounds, False):
            start -= 1
        while end < len(doc) and not self._is_break(doc, end, bounds, True):
            end += 1
        return start, end

    def asserted_clause(self, doc: Doc, span: tuple[int, int], bounds: Boundaries) -> tuple[int, int] | None:
        """The sign's clause when it reports a person's present state; None when it asks, supposes or doubts.

        "just wondering, I've had chest pressure for an hour, is that the pump?": the
        wondering and the question are about the cause; the middle clause is a report.
        A report names the writer or someone present ("I", "my", "he"), has no
        modal, condition or future, does not open a question and is not one.
        """
        start, end = self.clause_of(doc, span, bounds)
        words = [t for t in doc[start:end] if not (t.is_punct or t.is_space)]
        if not words or words[0].lower_ in QUESTION_OPENERS:
            return None
        lowered = {t.lower_ for t in words if not _inability(doc, t)}
        if not (lowered & PRESENT_PERSON or _body_is_subject(words)) or lowered & NOT_A_REPORT:
            return None
        if any(_one_of(t, LESSON_VERBS) for t in words):
            return None  # "we're learning stroke signs", "I'm reading about overdoses": a lesson, not a report
        if start > 1 and doc[start - 1].lower_ in ("and", "or"):
            # "if I got the pump and my blood pressure dropped": joined to a supposition, still supposed
            before = [t for t in doc[slice(*self.clause_of(doc, (start - 2, start - 1), bounds))] if t.is_alpha]
            if before and (before[0].lower_ in QUESTION_OPENERS or {t.lower_ for t in before} & NOT_A_REPORT):
                return None
        if end < len(doc) and doc[end].text == "?":
            return None
        return start, end

    def cause_questions(self, doc: Doc) -> list[tuple[int, int]]:
        """Questions of a person asking what causes a sign ("can bupivacaine cause numbness in my legs?").

        Not general (someone has or fears the sign), not a report either: a
        possible emergency, answered with the 911 line and an urgent ticket.
        """
        found = []
        for sentence in doc.sents:
            words = [t.lower_ for t in sentence if not (t.is_punct or t.is_space)]
            made = any(w in MAKE_VERBS and nxt in MADE_TO_FEEL for w, nxt in zip(words, words[1:], strict=False))
            if words and words[0] in QUESTION_OPENERS and (CAUSE_WORDS & set(words) or made):
                found.append((sentence.start, sentence.end))
        return found

    def kept_text(self, doc: Doc, categories: frozenset[str] = DISMISSING) -> str:
        """The message without what it denies, dates, supposes or asks in general, cues included.

        "no headache, no leaking, when can the dressing come off?" keeps "when can
        the dressing come off?": what the meaning detector compares with red flags.
        ``categories``: which modifiers' scopes to leave out (general questions go
        with the hypothetical).
        """
        modifiers, bounds = self.modifiers(doc)
        dropped: set[int] = set()
        for modifier in modifiers:
            if modifier.category in categories:
                start, end = self.scope(doc, modifier, bounds)
                dropped.update(range(min(start, modifier.start), max(end, modifier.end)))
        if HYPOTHETICAL in categories:
            for start, end in self.general_questions(doc):
                dropped.update(range(start, end))
        return "".join(t.text_with_ws for t in doc if t.i not in dropped).strip()

    def dismissed_words(self, doc: Doc) -> list[str]:
        """The words inside a denying, past, supposed, general or someone-else scope, tagged with it.

        For a bag-of-words classifier: "no chest pain, a parking question" gives
        ``negated_chest negated_pain``, features of their own, so the classifier
        can learn that a denied sign is not an emergency (negation marking as in
        sentiment classification). The words themselves stay in the text.
        """
        modifiers, bounds = self.modifiers(doc)
        scopes = [
            (m.category, self.scope(doc, m, bounds), (m.start, m.end)) for m in modifiers if m.category in DISMISSING
        ]
        scopes += [(HYPOTHETICAL, (s, e), (s, s)) for s, e in self.general_questions(doc)]
        tagged: dict[int, str] = {}
        for category, (start, end), (cue_start, cue_end) in scopes:
            for i in range(start, end):
                if i not in tagged and not (cue_start <= i < cue_end) and doc[i].is_alpha:
                    tagged[i] = f"{category}_{doc[i].lower_}"
        return [tagged[i] for i in sorted(tagged)]

    def message_context(self, doc: Doc) -> frozenset[str]:
        """Every modifier category present anywhere in the message ("a general question" counts as hypothetical)."""
        modifiers, _ = self.modifiers(doc)
        found = {m.category for m in modifiers}
        if self.general_questions(doc):
            found.add(HYPOTHETICAL)
        return frozenset(found)

    def general_questions(self, doc: Doc) -> list[tuple[int, int]]:
        """Sentences that ask in general and say nothing of a person present now.

        Not one that asks of "the wound" or "the back" while another sentence reports on
        a person ("is it normal that the wound leaks? it's running down my back"): the body
        part is the writer's, named with "the" as people do.
        """
        found = []
        sentences = [[t for t in sentence if not (t.is_punct or t.is_space)] for sentence in doc.sents]
        spans = [(sentence.start, sentence.end) for sentence in doc.sents]
        # a sentence, not a question, on someone's body ("it's running down my back"; BODY_PARTS, OWNERS below)
        reports = [
            bool(words)
            and words[0].lower_ not in QUESTION_OPENERS
            and any(a.lower_ in OWNERS and b.lower_ in BODY_PARTS for a, b in zip(words, words[1:], strict=False))
            for words in sentences
        ]
        for n, words in enumerate(sentences):
            if not words or words[0].lower_ not in QUESTION_OPENERS:
                continue
            if any(self._speaks_of_a_person(words, k) for k in range(len(words))):
                continue
            names_a_body_part = any(
                a.lower_ == "the" and b.lower_ in BODY_PARTS for a, b in zip(words, words[1:], strict=False)
            )
            if names_a_body_part and any(r for m, r in enumerate(reports) if m != n):
                continue
            found.append(spans[n])
        return found

    @staticmethod
    def _speaks_of_a_person(words: list, k: int) -> bool:
        word = words[k].lower_
        if word not in PRESENT_PERSON:
            return False
        following = words[k + 1].lower_ if k + 1 < len(words) else ""
        if word in ("my", "his", "her", "our") and following in CARE_NOUNS:
            return False
        if word == "i" and k > 0 and words[k - 1].lower_ in INVERTED_AUX:
            return False
        # "the warning signs I should know", "what I need to watch for": the asker, not a patient's state.
        if word == "i" and {w.lower_ for w in words[k + 1 : k + 4]} & ASKER_VERBS:
            return False
        return True

    def assess(self, doc: Doc, start: int, end: int) -> Assessment:
        return self.assess_all(doc, [(start, end)])[0]

    @staticmethod
    def _assess(
        span: tuple[int, int],
        scopes: list[tuple[Modifier, tuple[int, int]]],
        first_person: bool = False,
        asserted: tuple[int, int] | None = None,
        frequencies: frozenset[int] = frozenset(),
        present: bool = False,
        own: bool = False,
        witnessed: bool = False,
        doc: Doc | None = None,
    ) -> Assessment:
        """``witnessed``: the sign's clause says it is happening now, where the writer is ("right now")."""
        start, end = span
        categories = set()
        for modifier, (scope_start, scope_end) in scopes:
            if modifier.category in PART_OF_A_SIGN and _part_of_the_sign(doc, modifier, start, end):
                continue  # the cue is part of the sign itself ("not breathing", "whenever i sit up")
            if modifier.category in (OTHER, FICTION) and first_person and not _takes_back_ones_own(modifier):
                continue  # the sign names its own subject, the writer ("my dog ... when I'm gone")
            if modifier.category == OTHER and witnessed and doc is not None and _a_person_present(doc, modifier):
                continue  # a friend convulsing on the couch right now: the writer is watching an emergency
            if asserted is not None:
                elsewhere = not (asserted[0] <= modifier.start < asserted[1])
                # "figuratively speaking", "not literally" take back the clause before them: they are not elsewhere.
                takes_back = modifier.category == FICTION and modifier.direction == BACKWARD
                if modifier.category == HYPOTHETICAL and (elsewhere or modifier.start in frequencies):
                    continue  # a question or a wondering in another clause, or "every day", does not unsay a report
                if modifier.category == FICTION and elsewhere and own and not takes_back:
                    continue  # nor does a show or a book beside the writer's own report
                if modifier.category == HISTORICAL and elsewhere and present:
                    continue  # "I've had the pump for years, both legs have gone weak": the past is another clause's
            if scope_start < end and start < scope_end:
                categories.add(modifier.category)
        if categories & DISMISSING:
            return Assessment(DISMISSED, frozenset(categories))
        if UNCERTAIN in categories:
            return Assessment(UNSURE, frozenset(categories))
        return Assessment(AFFIRMED, frozenset(categories))
