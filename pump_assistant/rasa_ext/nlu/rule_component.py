"""Base of the NLU components that apply the project's hand-written rules.

They train nothing: the rules are read from the repository (YAML next to the
code in :mod:`pump_assistant.nlp`) and compiled against the spaCy pipeline the
model was trained with, once, on the first message.
"""

from __future__ import annotations

from typing import Any, Dict, Generic, Optional, Text, TypeVar

from rasa.engine.graph import GraphComponent
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.utils.spacy_utils import SpacyModel
from spacy.language import Language

from pump_assistant.rasa_ext.nlu.graph_create import CreatedFromGraph

Rules = TypeVar("Rules")


class SpacyRuleComponent(CreatedFromGraph, GraphComponent, IntentClassifier, Generic[Rules]):
    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config
        self._rules: Optional[Rules] = None

    def compile_rules(self, nlp: Language) -> Rules:
        raise NotImplementedError

    def rules(self, model: SpacyModel) -> Rules:
        if self._rules is None:
            self._rules = self.compile_rules(model.model)
        return self._rules
