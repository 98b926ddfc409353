"""Triage: is this message an emergency, a possible emergency, or neither?

One decision (:func:`decide`) from three independent detectors: red-flag rules
read in clinical context, the intent classifier, and meaning-similarity to
red-flag descriptions. Pure Python over the project's spaCy pipeline and the
MiniLM encoder; used by the Rasa NLU component
(:mod:`pump_assistant.rasa_ext.triage_component`) and, through its parse
result, by the console's ask box. Imports nothing from Rasa, the action server
or the web service.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from pump_assistant.triage.context import ConText
from pump_assistant.triage.decision import EMERGENCY_INTENT, Triage, decide
from pump_assistant.triage.language import detect_language
from pump_assistant.triage.levels import EMERGENCY, NONE, POSSIBLE, URGENCY_BY_LEVEL
from pump_assistant.triage.meaning import MeaningDetector
from pump_assistant.triage.rules import RuleDetector, RuleResult

__all__ = [
    "EMERGENCY", "POSSIBLE", "NONE", "URGENCY_BY_LEVEL", "EMERGENCY_INTENT",
    "Triage", "Triager", "RuleDetector", "RuleResult", "MeaningDetector", "ConText", "decide",
]


class Triager:
    """The three detectors, compiled once against a spaCy pipeline."""

    def __init__(self, nlp: Language, meaning: MeaningDetector | None = None):
        self.nlp = nlp
        self.context = ConText(nlp)
        self.rules = RuleDetector(nlp, self.context)
        self.meaning = meaning

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
            nearest = self.meaning.nearest(sentence_vector)
            match = self.meaning.accepts(nearest)
        language = detect_language(text if text is not None else doc.text)
        return decide(doc.text, rules, classifier_intent, match, nearest, language)

    def triage_text(self, text: str, classifier_intent=None, sentence_vector=None) -> Triage:
        return self.triage(self.doc(text), classifier_intent, sentence_vector, text)
