"""Triage: is this message an emergency, a possible emergency, or neither?

One decision (:func:`decide`) from independent detectors: red-flag rules
read in clinical context, the intent classifier, meaning-similarity to
red-flag descriptions, and two learned models, one for emergencies and one for
thoughts of self-harm said indirectly. Pure Python over the project's spaCy pipeline and the
MiniLM encoder; used by the Rasa NLU component
(:mod:`pump_assistant.rasa_ext.nlu.triage_component`) and, through its parse
result, by the console's ask box. Imports nothing from Rasa, the action server
or the web service.

May import: spaCy, numpy, :mod:`pump_assistant.nlp`, :mod:`pump_assistant.vocabulary`.
Imported by: rasa_ext.nlu, actions and the web service (its ``Triage`` result), tests, bench.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from pump_assistant.triage.context import ConText
from pump_assistant.triage.decision import EMERGENCY_INTENT, Triage, decide
from pump_assistant.triage.language import detect_language
from pump_assistant.triage.learned import LinearTextModel
from pump_assistant.triage.levels import EMERGENCY, NONE, POSSIBLE, URGENCY_BY_LEVEL
from pump_assistant.triage.meaning import MeaningDetector
from pump_assistant.triage.rules import RuleDetector, RuleResult

__all__ = [
    "EMERGENCY",
    "POSSIBLE",
    "NONE",
    "URGENCY_BY_LEVEL",
    "EMERGENCY_INTENT",
    "Triage",
    "Triager",
    "RuleDetector",
    "RuleResult",
    "MeaningDetector",
    "LinearTextModel",
    "ConText",
    "decide",
    "source_fingerprint",
]


def source_fingerprint(directory: Path | None = None) -> str:
    """Changes whenever a module or rule file of the triage changes.

    Trained components that read ConText (the featurizer's kept text, the
    classifier's context tags) or the red-flag descriptions add it to Rasa's
    fingerprint (``fingerprint_addon``): Rasa hashes only a component's own
    class source and config, so without it a rule change reuses stale features.
    """
    from pump_assistant.nlp.build import files_fingerprint

    return files_fingerprint(directory or Path(__file__).parent)


class Triager:
    """The detectors, compiled once against a spaCy pipeline."""

    def __init__(
        self,
        nlp: Language,
        meaning: MeaningDetector | None = None,
        encode: Callable[[str], np.ndarray] | None = None,
        self_harm: LinearTextModel | None = None,
        emergency: LinearTextModel | None = None,
    ):
        """``encode``: the sentence encoder, to compare only what a message does not deny with red flags.

        In Rasa it is the process's cached message encoder: the featurizer encoded this
        text in the message's one forward pass (its ``triage_text``), so it is not run again.
        """
        self.nlp = nlp
        self.encode = encode
        self.context = ConText(nlp)
        self.rules = RuleDetector(nlp, self.context)
        self.meaning = meaning
        self.self_harm = self_harm
        self.emergency = emergency

    def doc(self, text: str) -> Doc:
        # Lower-cased as Rasa's SpacyNLP does (case_sensitive: false).
        return self.nlp(text.lower())

    def triage(
        self,
        doc: Doc,
        classifier_intent: Mapping[str, Any] | None = None,
        sentence_vector: np.ndarray | None = None,
        text: str | None = None,
    ) -> Triage:
        """``text``: the message as typed (the doc is lower-cased), for the language check."""
        rules = self.rules.detect(doc)
        match = nearest = None
        if self.meaning is not None and sentence_vector is not None:
            vector = self._undenied_vector(doc, rules, sentence_vector)
            if vector is not None:
                nearest = self.meaning.nearest(vector)
                match = self.meaning.accepts(nearest)
        typed = text if text is not None else doc.text
        language = detect_language(typed)
        # The whole message, denials included: a thought of self-harm asked as a question is still one.
        self_harm = emergency = None
        if sentence_vector is not None:
            if self.self_harm is not None:
                self_harm = self.self_harm.probability(typed, sentence_vector)
            if self.emergency is not None:
                emergency = self.emergency.probability(typed, sentence_vector)
        return decide(doc.text, rules, classifier_intent, match, nearest, language, self_harm, emergency)

    def _undenied_vector(self, doc: Doc, rules: RuleResult, vector: np.ndarray) -> np.ndarray | None:
        """The meaning of what the message does not deny, date, suppose or ask in general.

        "no headache, no leaking, a question about my dressing" reads close to a
        spinal-fluid leak as a whole; without its denials it is a dressing question.
        None when nothing is left. Self-harm signs are never taken out (a question
        or a condition about it is still a thought of it).
        """
        if self.encode is None or not (rules.dismissed or rules.dismissing_context) or rules.self_harm:
            return vector
        kept = self.context.kept_text(doc)
        if kept == doc.text.strip():
            return vector
        return self.encode(kept) if any(ch.isalpha() for ch in kept) else None

    def triage_text(self, text: str, classifier_intent=None, sentence_vector=None) -> Triage:
        return self.triage(self.doc(text), classifier_intent, sentence_vector, text)
