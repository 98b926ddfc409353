"""The emergency safety net: a rule-based check of every message.

It runs on the project's spaCy pipeline, independently of the trained intent
classifier, so a misclassified message cannot swallow an emergency. It is
negation-aware ("no fever", "I'm not having trouble breathing") and lets
general questions through ("is paralysis a risk?"), except for thoughts of
self-harm, where a false alarm costs far less than a miss.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

SIGNS_FILE = Path(__file__).with_name("emergency_signs.yml")

NEGATION_CUES = frozenset({"no", "not", "never", "without", "nor", "deny", "none", "neither", "nothing"})
NEGATION_WINDOW = 4
# A negation does not reach across these: "no fever but I can't breathe".
CLAUSE_BREAKS = frozenset({",", ".", ";", "!", "?", "but", "and", "or", "though", "although", "however", "yet", "except"})
# A sentence with one of these and no sign of a person's present state is a
# general question about the therapy, not a report.
GENERAL_CUES = frozenset(
    {"risk", "sign", "symptom", "cause", "side", "complication", "possible", "warning", "watch", "chance", "rare",
     "common", "related", "relate", "dangerous", "lead", "if", "people", "anyone", "someone", "why", "ago"}
)
PERSON_MARKERS = frozenset(
    {
        "my", "me", "he", "she", "his", "her", "him", "we", "our", "us", "they", "their", "them",
        "mom", "dad", "mother", "father", "husband", "wife", "son", "daughter", "partner",
        "grandma", "grandpa", "brother", "sister", "friend", "patient", "pt",
    }
)
# "I" reports a present state only with verbs like these ("I have", "I'm", "I can't").
FIRST_PERSON_STATE_VERBS = frozenset({"have", "be", "feel", "can", "get", "think", "start", "just", "am", "suddenly"})


@dataclass(frozen=True)
class Finding:
    sign: str
    label: str
    self_harm: bool
    text: str


@dataclass(frozen=True)
class Sign:
    id: str
    label: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[list, ...] = ()
    all_of: tuple[tuple[str, ...], ...] = ()
    unless_followed_by: frozenset[str] = frozenset()
    self_harm: bool = False


def load_signs(path: Path = SIGNS_FILE) -> list[Sign]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Sign(
            id=item["id"],
            label=item["label"],
            phrases=tuple(item.get("phrases") or ()),
            patterns=tuple(item.get("patterns") or ()),
            all_of=tuple(tuple(str(p) for p in group) for group in item.get("all_of") or ()),
            unless_followed_by=frozenset(item.get("unless_followed_by") or ()),
            self_harm=bool(item.get("self_harm", False)),
        )
        for item in raw["signs"]
    ]


def _lemma_text(doc: Doc | Span) -> str:
    return " " + " ".join(token.lemma_.lower() for token in doc) + " "


class SafetyNet:
    """Finds emergency signs in a processed spaCy ``Doc``."""

    def __init__(self, nlp: Language, signs: Sequence[Sign]):
        self._nlp = nlp
        self._signs = {sign.id: sign for sign in signs}
        self._phrase_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._matcher = Matcher(nlp.vocab)
        self._combinations: list[tuple[Sign, list[list[str]]]] = []
        for sign in signs:
            if sign.phrases:
                self._phrase_matcher.add(sign.id, list(nlp.pipe(sign.phrases)))
            if sign.patterns:
                self._matcher.add(sign.id, list(sign.patterns))
            if sign.all_of:
                groups = [[_lemma_text(doc) for doc in nlp.pipe(group)] for group in sign.all_of]
                self._combinations.append((sign, groups))

    @classmethod
    def from_file(cls, nlp: Language, path: Path = SIGNS_FILE) -> "SafetyNet":
        return cls(nlp, load_signs(path))

    def check_text(self, text: str) -> list[Finding]:
        # Lower-cased as Rasa's SpacyNLP does (case_sensitive: false): spaCy's
        # tokenizer splits "cant" but not "CANT".
        return self.check(self._nlp(text.lower()))

    def check(self, doc: Doc) -> list[Finding]:
        return self.examine(doc)[0]

    def examine(self, doc: Doc) -> tuple[list[Finding], list[str]]:
        """Signs found, and signs mentioned only in a negated or general way ("no fever")."""
        findings: dict[str, Finding] = {}
        dismissed: list[str] = []
        matches = self._phrase_matcher(doc) + self._matcher(doc)
        for match_id, start, end in sorted(matches, key=lambda m: m[1]):
            sign = self._signs[doc.vocab.strings[match_id]]
            if sign.id in findings:
                continue
            if not self._counts(sign, doc, start, end):
                dismissed.append(sign.id)
                continue
            findings[sign.id] = Finding(sign.id, sign.label, sign.self_harm, doc[start:end].text)
        message = _lemma_text(doc)
        for sign, groups in self._combinations:
            if sign.id not in findings and all(any(p in message for p in group) for group in groups):
                findings[sign.id] = Finding(sign.id, sign.label, sign.self_harm, doc.text)
        return list(findings.values()), [d for d in dismissed if d not in findings]

    def _counts(self, sign: Sign, doc: Doc, start: int, end: int) -> bool:
        if end < len(doc) and doc[end].lemma_.lower() in sign.unless_followed_by:
            return False
        if sign.self_harm:
            return True
        return not _is_negated(doc, start) and not _is_general_question(doc[start].sent)


def _is_negated(doc: Doc, start: int) -> bool:
    for token in reversed(doc[max(0, start - NEGATION_WINDOW) : start]):
        lemma = token.lemma_.lower()
        if lemma in CLAUSE_BREAKS:
            return False
        if lemma in NEGATION_CUES:
            return True
    return False


def _is_general_question(sentence: Span) -> bool:
    lemmas = [token.lemma_.lower() for token in sentence]
    if not GENERAL_CUES.intersection(lemmas):
        return False
    for i, lemma in enumerate(lemmas):
        if lemma in PERSON_MARKERS:
            return False
        if lemma == "i" and i + 1 < len(lemmas) and lemmas[i + 1] in FIRST_PERSON_STATE_VERBS:
            return False
    return True


def findings_summary(findings: Iterable[Finding], dismissed: Iterable[str] = ()) -> dict:
    """The safety net's verdict as plain data, for the parse result and tickets."""
    findings = list(findings)
    return {
        "emergency": bool(findings),
        "self_harm": any(f.self_harm for f in findings),
        "signs": [f.sign for f in findings],
        "dismissed": sorted(set(dismissed)),
    }


