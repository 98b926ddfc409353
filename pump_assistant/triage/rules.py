"""The rule detector: red-flag signs and vital signs, each read in its clinical context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from pump_assistant.triage.context import AFFIRMED, DISMISSED, DISMISSING, HYPOTHETICAL, UNCERTAIN, UNSURE, ConText
from pump_assistant.triage.levels import EMERGENCY, NONE, POSSIBLE, highest
from pump_assistant.triage.spelling import SpellingCorrector
from pump_assistant.triage.vitals import read_vitals

RED_FLAGS_FILE = Path(__file__).with_name("red_flags.yml")
INABILITY_AUXILIARIES = ["can", "could", "will", "would", "do", "be"]
HYPOTHETICAL_ONLY = frozenset({HYPOTHETICAL, UNCERTAIN})
INABILITY_ADVERBS = ["even", "really", "barely", "hardly", "just", "seem", "still", "properly", "quite"]
# A negation a token pattern's gap took in ("chest is not tight" for chest ... tight) is the message's,
# not the sign's: the mention starts after it, so the negation reads it as denied.
NEGATIONS = frozenset({"not", "n't", "nt", "never", "no", "without", "nothing", "none"})


# Words looked past to the one a sign's ``unless_followed_by`` names: "see a reason", "see the point".
ARTICLES = frozenset({"a", "an", "the", "any", "much"})


@dataclass(frozen=True)
class Sign:
    id: str
    category: str
    level: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[list, ...] = ()
    unable_to: tuple[str, ...] = ()
    all_of: tuple[tuple, ...] = ()
    unless_followed_by: frozenset[str] = frozenset()
    self_harm: bool = False


@dataclass(frozen=True)
class Finding:
    sign: str
    category: str
    level: str  # the sign's level when affirmed
    state: str  # AFFIRMED, DISMISSED or UNSURE (context.py)
    text: str
    self_harm: bool = False
    context: frozenset[str] = frozenset()

    @property
    def effective_level(self) -> str:
        if self.state == AFFIRMED:
            return self.level
        if self.state == UNSURE:
            return POSSIBLE
        return NONE


@dataclass
class RuleResult:
    findings: list[Finding] = field(default_factory=list)
    time_critical: bool = False
    symptom_named: bool = False
    # Modifier categories anywhere in the message (negated, historical, hypothetical, ...).
    context: frozenset[str] = frozenset()
    # Words that, once something raised the message, say the harm may be wanted ("on purpose", "I'm done").
    self_harm_cue: bool = False
    # Vital signs were given and every one is in the normal range ("BP 124/78, HR 72, RR 16").
    normal_vitals: bool = False

    @property
    def dismissing_context(self) -> bool:
        """The message denies, dates, supposes or generalises something, and no red flag stands."""
        return (bool(self.context & DISMISSING) or self.normal_vitals) and self.level == NONE

    @property
    def level(self) -> str:
        return highest(f.effective_level for f in self.findings)

    @property
    def dismissed(self) -> list[str]:
        counted = {f.sign for f in self.findings if f.state != DISMISSED}
        return sorted({f.sign for f in self.findings if f.state == DISMISSED} - counted)

    @property
    def self_harm(self) -> bool:
        return any(f.self_harm and f.state != DISMISSED for f in self.findings)


def _words(values, where: str) -> tuple[str, ...]:
    """A word list as strings. YAML reads a bare on, off, yes or no as a boolean, which could never match."""
    for value in values or ():
        if isinstance(value, bool):
            raise ValueError(f'{where}: {value!r} is a YAML boolean; quote the word ("on", "no")')
    return tuple(str(v) for v in values or ())


def load_red_flags(path: Path = RED_FLAGS_FILE) -> tuple[list[Sign], dict]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in raw["signs"]:
        for key in ("phrases", "unable_to", "unless_followed_by"):
            _words(item.get(key), f"{path.name}: sign {item['id']}, {key}")
    for key in ("time_critical", "self_harm_cues"):
        for part in ("phrases", "unless_followed_by"):
            _words((raw.get(key) or {}).get(part), f"{path.name}: {key}, {part}")
    _words(raw.get("not_part_of"), f"{path.name}: not_part_of")
    _words(raw.get("symptoms"), f"{path.name}: symptoms")
    signs = [
        Sign(
            id=item["id"],
            category=item["category"],
            level=item.get("level", EMERGENCY),
            phrases=tuple(str(p) for p in item.get("phrases") or ()),
            patterns=tuple(item.get("patterns") or ()),
            unable_to=tuple(str(p) for p in item.get("unable_to") or ()),
            # A part is a phrase, or a Matcher token pattern (a list) for word order that varies.
            all_of=tuple(
                tuple(p if isinstance(p, list) else str(p) for p in group) for group in item.get("all_of") or ()
            ),
            unless_followed_by=frozenset(str(w).lower() for w in item.get("unless_followed_by") or ()),
            self_harm=bool(item.get("self_harm", False)),
        )
        for item in raw["signs"]
    ]
    return signs, raw


class RuleDetector:
    def __init__(self, nlp: Language, context: ConText, path: Path = RED_FLAGS_FILE):
        signs, raw = load_red_flags(path)
        self._nlp = nlp
        self._context = context
        self._signs = {sign.id: sign for sign in signs}
        self._phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._patterns = Matcher(nlp.vocab)
        self._groups = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._group_patterns = Matcher(nlp.vocab)
        self._negations_named: dict[str, frozenset[str] | set[str]] = {}
        lemmas = _Lemmas(nlp)
        for sign in signs:
            if sign.phrases:
                self._phrases.add(sign.id, list(nlp.pipe(sign.phrases)))
            patterns = [lemmas.pattern(p) for p in sign.patterns]
            patterns += [p for verb in sign.unable_to for p in self._inability(verb)]
            # One key per pattern ("<sign>@<n>"): which negations a mention's own pattern names.
            for k, pattern in enumerate(patterns):
                self._patterns.add(f"{sign.id}@{k}", [pattern])
                self._negations_named[f"{sign.id}@{k}"] = _named_words([pattern]) & NEGATIONS
            for index, group in enumerate(sign.all_of):
                phrases = [str(item) for item in group if not isinstance(item, list)]
                patterns = [lemmas.pattern(item) for item in group if isinstance(item, list)]
                if phrases:
                    self._groups.add(f"{sign.id}#{index}", list(nlp.pipe(phrases)))
                for k, pattern in enumerate(patterns):
                    self._group_patterns.add(f"{sign.id}#{index}@{k}", [pattern])
                    self._negations_named[f"{sign.id}#{index}@{k}"] = _named_words([pattern]) & NEGATIONS
        critical = raw.get("time_critical") or {}
        self._critical = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._critical.add("time_critical", list(nlp.pipe([str(p) for p in critical.get("phrases") or ()])))
        self._critical_unless = frozenset(str(w) for w in critical.get("unless_followed_by") or ())
        self._not_part_of = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._not_part_of.add("ordinary", list(nlp.pipe([str(p) for p in raw.get("not_part_of") or ()])))
        cues = raw.get("self_harm_cues") or {}
        self._cues = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._cues.add("cue", list(nlp.pipe([str(p) for p in cues.get("phrases") or ()])))
        self._cue_patterns = Matcher(nlp.vocab)
        if cues.get("patterns"):
            self._cue_patterns.add("cue", [lemmas.pattern(p) for p in cues["patterns"]])
        self._symptoms = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._symptoms.add("symptom", list(nlp.pipe([str(p) for p in raw.get("symptoms") or ()])))
        vocabulary = [
            p
            for sign in signs
            for p in (*sign.phrases, *sign.unable_to, *(w for g in sign.all_of for w in g if isinstance(w, str)))
        ]
        vocabulary += [str(p) for p in raw.get("symptoms") or ()]
        # Words a token pattern names are real words too: never "corrected" into a phrase's
        # word ("permanently" into "permanent"), which would hide them from their pattern.
        patterns = [p for sign in signs for p in (*sign.patterns, *(w for g in sign.all_of for w in g))]
        patterns += list(cues.get("patterns") or ())
        self._spelling = SpellingCorrector(nlp, vocabulary, _pattern_words(patterns))

    def _inability(self, verb: str) -> list[list[dict]]:
        """ "can't breathe", "cannot breathe", "unable to breathe", "not able to breathe", "won't wake up"."""
        words = [{"LEMMA": token.lemma_.lower()} for token in self._nlp(verb.lower())]
        adverb = {"LEMMA": {"IN": INABILITY_ADVERBS}, "OP": "*"}
        return [
            [{"LEMMA": {"IN": INABILITY_AUXILIARIES}}, {"LEMMA": "not"}, adverb, *words],
            [{"LEMMA": "unable"}, {"LEMMA": "to"}, adverb, *words],
            # "to" may be dropped in a second language: "I am not able feel my legs"
            [{"LEMMA": "not"}, {"LEMMA": "able"}, {"LEMMA": "to", "OP": "?"}, adverb, *words],
            # "haven't been able to pee", "hasn't been able to wake"
            [{"LEMMA": "not"}, {"LEMMA": "be"}, {"LEMMA": "able"}, {"LEMMA": "to", "OP": "?"}, adverb, *words],
        ]

    def _after_gap_negation(self, doc: Doc, key: str, start: int, end: int) -> int:
        """Where a pattern's mention starts once a negation its gaps took in is left out.

        Phrases name every word, so only patterns have gaps; a negation the pattern
        names itself ("legs won't work", "can't breathe") is the sign's own.
        """
        named = self._negations_named.get(key)
        if named is None:
            return start
        for i in range(end - 2, start, -1):
            if doc[i].lower_ in NEGATIONS and not {doc[i].lower_, doc[i].lemma_.lower()} & named:
                return i + 1
        return start

    def detect(self, doc: Doc) -> RuleResult:
        self._spelling.correct(doc)
        ordinary = [(s, e) for _, s, e in self._not_part_of(doc)]

        def inside_ordinary(start: int, end: int) -> bool:
            return any(s <= start and end <= e for s, e in ordinary)

        mentions: list[tuple[Sign, int, int]] = []
        for match_id, start, end in self._phrases(doc) + self._patterns(doc):
            if inside_ordinary(start, end):
                continue
            key = doc.vocab.strings[match_id]
            start = self._after_gap_negation(doc, key, start, end)
            sign = self._signs[key.split("@")[0]]
            if _made_ordinary(doc, end, sign):
                continue
            mentions.append((sign, start, end))
        group_mentions: list[tuple[Sign, int, int, int]] = []
        for match_id, start, end in self._groups(doc) + self._group_patterns(doc):
            if inside_ordinary(start, end):
                continue
            key = doc.vocab.strings[match_id]
            start = self._after_gap_negation(doc, key, start, end)
            sign_id, index = key.split("@")[0].split("#")
            sign = self._signs[sign_id]
            # In a combination, the words that cancel a mention follow its first group's words
            # ("picked a date" + "for"): the other groups are the circumstances around it.
            if int(index) == 0 and _made_ordinary(doc, end, sign):
                continue
            group_mentions.append((sign, int(index), start, end))
        readings = [(r, _token_span(doc, r.start, r.end)) for r in read_vitals(doc.text)]

        spans = (
            [(s, e) for _, s, e in mentions] + [(s, e) for *_, s, e in group_mentions] + [span for _, span in readings]
        )
        assessments = self._context.assess_all(doc, spans)
        sign_states = assessments[: len(mentions)]
        group_states = assessments[len(mentions) : len(mentions) + len(group_mentions)]
        reading_states = assessments[len(mentions) + len(group_mentions) :]

        findings: list[Finding] = []
        for (sign, start, end), assessment in zip(mentions, sign_states, strict=False):
            state = assessment.state
            # Thoughts of self-harm put as a question or a condition ("if the pain doesn't stop
            # I'll kill myself", "would that be enough to end it?") are still thoughts of self-harm.
            if sign.self_harm and state == DISMISSED and assessment.categories <= HYPOTHETICAL_ONLY:
                state = UNSURE
            findings.append(
                Finding(
                    sign.id,
                    sign.category,
                    sign.level,
                    state,
                    doc[start:end].text,
                    sign.self_harm,
                    assessment.categories,
                )
            )
        # A fever given as a number counts as the fever of a combination ("102.4 and a stiff neck").
        fever_states = [a.state for (reading, _), a in zip(readings, reading_states, strict=False) if reading.fever]
        findings += self._combinations(doc, group_mentions, group_states, fever_states)
        for (reading, _span), assessment in zip(readings, reading_states, strict=False):
            if reading.level is None:
                continue
            findings.append(
                Finding(
                    f"vital:{reading.kind}",
                    reading.category,
                    reading.level,
                    assessment.state,
                    reading.text,
                    False,
                    assessment.categories,
                )
            )
        return RuleResult(
            findings=_best_per_sign(findings),
            time_critical=self._time_critical(doc),
            symptom_named=bool(self._symptoms(doc)) or bool(findings),
            context=self._context.message_context(doc),
            self_harm_cue=self._self_harm_cue(doc),
            normal_vitals=bool(readings) and all(reading.normal for reading, _ in readings),
        )

    def _self_harm_cue(self, doc: Doc) -> bool:
        spans = [(s, e) for _, s, e in self._cues(doc) + self._cue_patterns(doc)]
        return any(a.state != DISMISSED for a in self._context.assess_all(doc, spans))

    def _combinations(self, doc: Doc, group_mentions, group_states, fever_states: list[str]) -> list[Finding]:
        by_sign: dict[str, dict[int, list[str]]] = {}
        spans_by_sign: dict[str, dict[int, list[tuple[int, int, str]]]] = {}
        texts: dict[str, list[str]] = {}
        for (sign, index, start, end), assessment in zip(group_mentions, group_states, strict=False):
            state = assessment.state
            # As for single signs: self-harm asked as a question or a condition is still a thought of it.
            if sign.self_harm and state == DISMISSED and assessment.categories <= HYPOTHETICAL_ONLY:
                state = UNSURE
            by_sign.setdefault(sign.id, {}).setdefault(index, []).append(state)
            spans_by_sign.setdefault(sign.id, {}).setdefault(index, []).append((start, end, state))
            texts.setdefault(sign.id, []).append(doc[start:end].text)
        for sign in self._signs.values():
            if sign.all_of and fever_states and any("fever" in group for group in sign.all_of):
                index = next(i for i, group in enumerate(sign.all_of) if "fever" in group)
                by_sign.setdefault(sign.id, {}).setdefault(index, []).extend(fever_states)
                spans_by_sign.setdefault(sign.id, {}).setdefault(index, []).extend(
                    (-1 - k, -1 - k, state) for k, state in enumerate(fever_states)
                )
        findings = []
        for sign_id, groups in by_sign.items():
            sign = self._signs[sign_id]
            if len(groups) < len(sign.all_of):
                continue
            # Each part of the combination takes its most present reading; the
            # combination is only as present as its least present part. The
            # parts must be different words ("blood thinners" is not blood + thinners).
            part_states = _disjoint_parts(spans_by_sign.get(sign_id, {}), groups, len(sign.all_of))
            if part_states is None:
                continue
            state = DISMISSED if DISMISSED in part_states else UNSURE if UNSURE in part_states else AFFIRMED
            findings.append(
                Finding(sign.id, sign.category, sign.level, state, " + ".join(texts.get(sign_id, [])), sign.self_harm)
            )
        return findings

    def _time_critical(self, doc: Doc) -> bool:
        for _, start, end in self._critical(doc):
            if end < len(doc) and doc[end].lower_ in self._critical_unless:
                continue
            if self._context.assess(doc, start, end).state != DISMISSED:
                return True
        return False


class _Lemmas:
    """A pattern's LEMMA values as the pipeline lemmatizes them.

    A rule file names words as people write them ("going", "as", "regarding");
    the lookup lemmatizer turns the message's "going" into "go", so a LEMMA
    value "going" could never match. Each value is kept and its lemma added.
    """

    def __init__(self, nlp: Language):
        self._nlp = nlp
        self._cache: dict[str, str] = {}

    def lemma(self, word: str) -> str:
        if word not in self._cache:
            doc = self._nlp(word.lower())
            self._cache[word] = doc[0].lemma_.lower() if len(doc) == 1 else word
        return self._cache[word]

    def pattern(self, pattern: list[dict]) -> list[dict]:
        return [self._token(token) for token in pattern]

    def _token(self, token: dict) -> dict:
        value = token.get("LEMMA")
        if value is None:
            return token
        if isinstance(value, str):
            words = [value]
        elif isinstance(value, dict) and "IN" in value:
            words = [str(w) for w in value["IN"]]
        else:
            return token
        lemmatized = sorted({*words, *(self.lemma(w) for w in words)})
        return {**token, "LEMMA": {"IN": lemmatized}}


def _disjoint_parts(spans: dict[int, list[tuple[int, int, str]]], groups: dict, needed: int) -> list[str] | None:
    """One mention per part, no two sharing a word, most present first; None when impossible."""
    rank = {AFFIRMED: 0, UNSURE: 1, DISMISSED: 2}
    chosen: list[tuple[int, int]] = []
    states = []
    for index in range(needed):
        options = sorted(spans.get(index, []), key=lambda m: rank[m[2]])
        pick = next((m for m in options if all(m[1] <= a or b <= m[0] for a, b in chosen)), None)
        if pick is None:
            return None
        chosen.append((pick[0], pick[1]))
        states.append(pick[2])
    return states


def _named_words(patterns: Iterable) -> set[str]:
    """Every string a list of Matcher token patterns names, lower-cased ("n't" too)."""
    words: set[str] = set()
    for pattern in patterns:
        for token in pattern if isinstance(pattern, list) else ():
            for value in token.values() if isinstance(token, dict) else ():
                named = value.get("IN", ()) if isinstance(value, dict) else [value]
                words.update(str(w).lower() for w in named if isinstance(w, str))
    return words


def _pattern_words(patterns: Iterable) -> set[str]:
    """The words a list of Matcher token patterns names (``LEMMA``/``LOWER`` values and ``IN`` lists)."""
    return {word for word in _named_words(patterns) if word.isalpha()}


def _made_ordinary(doc: Doc, end: int, sign: Sign) -> bool:
    """The word right after a mention (as typed or its lemma), or after its article ("see a reason"),
    is one of the sign's ``unless_followed_by``."""
    if end >= len(doc):
        return False
    if {doc[end].lower_, doc[end].lemma_.lower()} & sign.unless_followed_by:
        return True
    after = end + 1
    return (
        doc[end].lower_ in ARTICLES
        and after < len(doc)
        and bool({doc[after].lower_, doc[after].lemma_.lower()} & sign.unless_followed_by)
    )


def _best_per_sign(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per sign: its most present mention."""
    rank = {AFFIRMED: 0, UNSURE: 1, DISMISSED: 2}
    best: dict[str, Finding] = {}
    for finding in findings:
        current = best.get(finding.sign)
        if current is None or rank[finding.state] < rank[current.state]:
            best[finding.sign] = finding
    return list(best.values())


def _token_span(doc: Doc, start_char: int, end_char: int) -> tuple[int, int]:
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None:
        return (0, 0)
    return (span.start, span.end)
