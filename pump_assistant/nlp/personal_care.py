"""Rule-based cues that a message is about one person's own care.

The intent classifier learns "general pump question" versus "my own care" from
examples, and a new wording of a personal question can still look like an FAQ
to it ("is it safe to take my sleeping pill with the pump"). These cues,
written from the clinic's list of what only a clinician may answer
(``personal_care.yml``), catch such a message so it is handed to staff instead
of being answered from the pages. They never decide an emergency: that is the
triage decision's job (:mod:`pump_assistant.triage`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

CUES_FILE = Path(__file__).with_name("personal_care.yml")


@dataclass(frozen=True)
class Cue:
    id: str
    label: str
    window: int
    groups: tuple[tuple[str, ...], ...]
    # Intents the cue may act on; empty for any the router may replace. A cue as broad
    # as "my incision" acts only where the classifier could not place the message.
    only_when: frozenset[str] = frozenset()
    # A question a text message asks without naming anyone ("beer with pump? just one or two
    # on weekends") is about the writer: the cue counts in a sentence that names no person,
    # unless it is put in general ("can people with a pump drink beer?").
    unnamed_person: bool = False


@dataclass(frozen=True)
class CueRules:
    person: frozenset[str]
    general: frozenset[str]
    general_phrases: tuple[str, ...]
    cues: tuple[Cue, ...]
    asked_in_general: tuple[str, ...] = ()
    asked_for_someone: tuple[str, ...] = ()
    explicitly_general: tuple[str, ...] = ()
    pumps_in_general: tuple[str, ...] = ()


def load_rules(path: Path = CUES_FILE) -> CueRules:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return CueRules(
        person=frozenset(str(w) for w in raw["person"]),
        general=frozenset(str(w) for w in raw.get("general") or ()),
        general_phrases=tuple(str(p) for p in raw.get("general_phrases") or ()),
        cues=tuple(
            Cue(
                id=item["id"],
                label=item["label"],
                window=int(item.get("window", 8)),
                groups=tuple(tuple(str(term) for term in group) for group in item["groups"]),
                only_when=frozenset(str(i) for i in item.get("only_when") or ()),
                unnamed_person=bool(item.get("unnamed_person", False)),
            )
            for item in raw["cues"]
        ),
        asked_in_general=tuple(str(p) for p in raw.get("asked_in_general") or ()),
        asked_for_someone=tuple(str(p) for p in raw.get("asked_for_someone") or ()),
        explicitly_general=tuple(str(p) for p in raw.get("explicitly_general") or ()),
        pumps_in_general=tuple(str(p) for p in raw.get("pumps_in_general") or ()),
    )


def _lemma_phrases(nlp: Language, phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Phrases lemmatised like the messages, padded so they match whole words only."""
    return tuple(" " + " ".join(t.lemma_.lower() for t in doc) + " " for doc in nlp.pipe(phrases))


# Someone's words quoted, then asked about: "my doctor says I'm 'not a candidate for more surgery'.
# Is that one of the reasons people get pumps?" The quote opens after a space (never the
# apostrophe of "mom's") and closes before a non-letter (never "don't").
_QUOTED_WORDS = re.compile(
    r"\b(?:say|says|said|saying|call|calls|called|tell|tells|told|mention|mentions|mentioned|wrote|word|term|"
    r"describe|describes|described|put it)\b[^.?!]{0,40}?(?:^|(?<=\s))['\"\u2018\u201c][^'\"\u2018\u2019\u201c\u201d]{2,80}['\"\u2019\u201d](?![a-z])",
    re.IGNORECASE,
)

# Words by which a question points at what was just told: "is that normal in general?"
REFERS_BACK = frozenset({"that", "this", "it", "that's", "thats", "it's", "its", "those"})


def _word_text(doc: Doc | Span) -> str:
    """The words as typed, lower-cased and padded, punctuation left out, for whole-word phrase tests."""
    return " " + " ".join(t.lower_ for t in doc if not t.is_punct) + " "


def _last_sentence(doc: Doc) -> Span | None:
    """The message's last sentence that holds a word (not a trailing emoji or "??")."""
    sentences = [sentence for sentence in doc.sents if any(t.is_alpha for t in sentence)]
    return sentences[-1] if sentences else None


def _lemma_text(doc: Doc | Span) -> str:
    """The message's lemmas, lower-cased and padded, punctuation left out, for whole-word phrase tests."""
    return " " + " ".join(t.lemma_.lower() for t in doc if not t.is_punct) + " "


class PersonalCareCues:
    """Finds, in a processed spaCy ``Doc``, the cues that it is about someone's own care."""

    def __init__(self, nlp: Language, rules: CueRules):
        self._rules = rules
        self._general_phrases = _lemma_phrases(nlp, rules.general_phrases)
        self._asked_in_general = _lemma_phrases(nlp, rules.asked_in_general)
        self._asked_for_someone = _lemma_phrases(nlp, rules.asked_for_someone)
        self._explicitly_general = _lemma_phrases(nlp, rules.explicitly_general)
        # Matched on the words as typed: "pumps" and "the pump" share a lemma, not a meaning here.
        self._pumps_in_general = tuple(_word_text(doc) for doc in nlp.pipe(rules.pumps_in_general))
        self._matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for cue in rules.cues:
            for index, group in enumerate(cue.groups):
                self._matcher.add(f"{cue.id}#{index}", list(nlp.pipe(group)))

    @classmethod
    def from_file(cls, nlp: Language, path: Path = CUES_FILE) -> PersonalCareCues:
        return cls(nlp, load_rules(path))

    def find(self, doc: Doc, intent: str | None = None) -> list[str]:
        """Ids of the cues found, in the order of ``personal_care.yml``.

        ``intent``: the classifier's intent; a cue with ``only_when`` counts only for those intents.
        """
        positions: dict[str, list[list[int]]] = {cue.id: [[] for _ in cue.groups] for cue in self._rules.cues}
        for match_id, start, _end in self._matcher(doc):
            cue_id, index = doc.vocab.strings[match_id].split("#")
            positions[cue_id][int(index)].append(start)
        found = []
        for cue in self._rules.cues:
            if cue.only_when and intent not in cue.only_when:
                continue
            starts = positions[cue.id]
            if all(starts) and self._close_enough(doc, starts, cue.window, cue.unnamed_person):
                found.append(cue.id)
        return found

    def asked_in_general(self, doc: Doc) -> bool:
        """The message asks about pumps in general, whoever it names ("my doctor mentioned a trial, what is that?").

        Someone's words quoted ("her pump would be 'programmable'. what does that mean?") are a
        word asked about: only the question's own sentence may put it to someone's case. A
        message that names no one at all and asks what a pump or pumps can do ("can a pump
        deliver a mix of medicines?") is general too.
        """
        text = _lemma_text(doc)
        if self._names_pumps_and_no_one(doc):
            return True
        if not any(p in text for p in self._asked_in_general):
            return False
        return not self._asked_for_someone_in(_lemma_text(self.question_scope(doc)))

    def asked_of_pumps_in_general(self, doc: Doc) -> bool:
        """Two signs of a general question at once: pumps named in general ("a pump", "pumps") and
        a general question's words ("is that right?", "in general"), for no one's own case."""
        text = _lemma_text(doc)
        return (
            self._names_pumps_in_general(doc)
            and any(p in text for p in self._asked_in_general)
            and not self._asked_for_someone_in(text)
        )

    def _names_pumps_and_no_one(self, doc: Doc) -> bool:
        """Pumps named in general ("a pump", "these pumps"), no person, no number (a dose is never general)."""
        if any(token.lemma_.lower() in self._rules.person or any(c.isdigit() for c in token.text) for token in doc):
            return False
        return self._names_pumps_in_general(doc)

    def _names_pumps_in_general(self, doc: Doc | Span) -> bool:
        words = _word_text(doc)
        return any(p in words for p in self._pumps_in_general)

    def question_scope(self, doc: Doc) -> Doc:
        """Where a general question may be put to someone's case: the whole message, or, when it
        quotes someone's words, only its last sentence (the words quoted are asked about)."""
        last = _last_sentence(doc)
        if last is not None and _QUOTED_WORDS.search(doc.text):
            return last.as_doc()
        return doc

    def asked_explicitly_in_general(self, doc: Doc) -> bool:
        """The writer's last sentence says outright that it asks in general ("can these pumps give
        more at night, in general?", or names pumps in general: "can pumps be set to give more at
        night?"), for no one's own case, about nothing said just before
        ("is that normal in general?" asks about the symptom just told), and holds no cue of its own.
        """
        last = _last_sentence(doc)
        if last is None:
            return False
        text = _lemma_text(last)
        said_outright = any(p in text for p in self._explicitly_general) or self._names_pumps_in_general(last)
        if not said_outright or self._asked_for_someone_in(_lemma_text(doc)):
            return False
        if any(token.lower_ in REFERS_BACK for token in last):
            return False
        return not self.find(last.as_doc())

    def _asked_for_someone_in(self, lemma_text: str) -> bool:
        return any(p in lemma_text for p in self._asked_for_someone)

    def _close_enough(self, doc: Doc, starts: list[list[int]], window: int, unnamed_person: bool = False) -> bool:
        # Anchored on each term of the first group: every other group needs a
        # term within the window, in a sentence that is about someone.
        # The person may be named in the sentence just before the question ("his demand doses wear
        # off in an hour. Can that be adjusted?"): any sentence holding one of the terms counts.
        for anchor in starts[0]:
            near = [[p for p in group if abs(p - anchor) <= window] for group in starts[1:]]
            if all(near):
                sentences = {doc[anchor].sent.start: doc[anchor].sent}
                sentences.update({doc[p].sent.start: doc[p].sent for group in near for p in group})
                if any(self._about_someone(sentence, unnamed_person) for sentence in sentences.values()):
                    return True
        return False

    def _about_someone(self, sentence: Span, unnamed_person: bool = False) -> bool:
        lemmas = [token.lemma_.lower() for token in sentence]
        if not unnamed_person and not any(lemma in self._rules.person for lemma in lemmas):
            return False
        # "my mom wants to know who usually qualifies" asks about people in general.
        if self._rules.general.intersection(lemmas):
            return False
        text = " " + " ".join(lemmas) + " "
        return not any(phrase in text for phrase in self._general_phrases)
