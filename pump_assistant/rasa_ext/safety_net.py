"""Rasa NLU component that runs the emergency safety net on every message.

Placed last in the pipeline, after the classifiers and the FallbackClassifier:
whatever they predicted, a message with an emergency sign leaves NLU with the
``emergency`` intent at full confidence, so the emergency rule always fires.

The one thing it takes away from the classifier: when the classifier says
``emergency`` only because the words of a sign appear, and the net saw every
such sign negated or asked about in general ("no fever, just asking about my
refill"), the next intent in the ranking stands instead. Any sign the net
cannot explain away keeps the emergency.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from pump_assistant.nlp.safety import SafetyNet, findings_summary
from pump_assistant.rasa_ext.rule_component import SpacyRuleComponent

EMERGENCY_INTENT = "emergency"
SAFETY_KEY = "safety"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class EmergencySafetyNet(SpacyRuleComponent[SafetyNet]):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": EMERGENCY_INTENT}

    def compile_rules(self, nlp: Language) -> SafetyNet:
        return SafetyNet.from_file(nlp)

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:  # e.g. a button payload "/intent{...}"
                continue
            verdict = findings_summary(*self.rules(model).examine(doc))
            message.set(SAFETY_KEY, verdict, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != self.config["intent"]]
            if verdict["emergency"]:
                override = {"name": self.config["intent"], "confidence": 1.0}
                message.set(INTENT, override, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [override, *ranking], add_to_output=True)
            elif verdict["dismissed"] and (message.get(INTENT) or {}).get("name") == self.config["intent"] and ranking:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
