"""Rasa NLU component: a message about someone's own care goes to staff.

Runs after the classifiers and the FallbackClassifier, before the emergency
safety net. When the classifier took a message for a general pump question, an
uncovered topic, or could not place it, and the rule-based cues
(:mod:`pump_assistant.nlp.personal_care`) say it is about one person's own care,
the intent becomes ``clinical_question``: answering "is it safe to take my
sleeping pill with the pump" from the pages would be medical advice. Intents
the classifier chose for other reasons (emergency, a request for a person,
small talk) stand.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from pump_assistant.nlp.personal_care import PersonalCareCues
from pump_assistant.rasa_ext.nlu.intent_topic_classifier import PERSONAL_READING_KEY
from pump_assistant.rasa_ext.nlu.rule_component import SpacyRuleComponent

CUES_KEY = "personal_care"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP")
class PersonalCareRouter(SpacyRuleComponent[PersonalCareCues]):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "clinical_question",
            "may_replace": ["faq", "nlu_fallback", "not_covered", "out_of_scope"],
            # The classifier's hand-off that gives way to the pump answer for a question asked in general.
            "general_answer": "faq",
            # ... only where the classifier gave that answer some weight (or the question both names
            # pumps in general and asks in general): at 0.01 and below it was
            # sure the question is one person's own ("a pulling sensation in my back, is that normal
            # 3 months out?"); on the retired sets that kept 3 personal questions with staff and
            # sent 2 of 14 general ones there.
            "general_answer_floor": 0.01,
            # The classifier's second reading (``personal_reading``: one's own care against a general
            # question, IntentTopicClassifier) below which its hand-off gives way to the pump answer
            # when no personal-care cue holds. Chosen with a model fitted without clinical set N and
            # FAQ set M and read on them (stop 27): from 0.2 it kept 99.6 % of their personal
            # questions and called 6.3 % of their general ones personal (0.3: 99.1 %, 4.3 %).
            "personal_reading_floor": 0.2,
        }

    def compile_rules(self, nlp: Language) -> PersonalCareCues:
        return PersonalCareCues.from_file(nlp)

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:  # a button payload "/intent{...}"
                continue
            predicted = (message.get(INTENT) or {}).get("name")
            rules = self.rules(model)
            if predicted == self.config["intent"]:
                self._answer_if_asked_in_general(message, doc, rules)
                if (message.get(INTENT) or {}).get("name") == self.config["intent"]:
                    self._answer_if_read_as_general(message, doc, rules)
                continue
            if predicted not in self.config["may_replace"]:
                continue
            if predicted == self.config["general_answer"] and rules.asked_explicitly_in_general(doc):
                continue
            cues = rules.find(doc, predicted)
            if not cues:
                continue
            message.set(CUES_KEY, cues, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != self.config["intent"]]
            routed = {"name": self.config["intent"], "confidence": 1.0}
            message.set(INTENT, routed, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [routed, *ranking], add_to_output=True)
        return messages

    def _answer_if_read_as_general(self, message: Message, doc: Any, rules: PersonalCareCues) -> None:
        """The classifier handed the question to staff, but its second reading finds it general
        ("will a higher dose mean more frequent refills?") and no personal-care cue holds: the pump
        answer. The triage, which runs after this, still raises anything that sounds like an emergency."""
        reading = message.get(PERSONAL_READING_KEY)
        if reading is None or reading >= self.config["personal_reading_floor"]:
            return
        if rules.find(doc, self.config["general_answer"]):
            return
        self._give_the_general_answer(message, self._general_answer_confidence(message))

    def _general_answer_confidence(self, message: Message) -> float:
        answer = self.config["general_answer"]
        ranking = message.get(INTENT_RANKING_KEY) or []
        return next((r.get("confidence") or 0.0 for r in ranking if r.get("name") == answer), 0.0)

    def _give_the_general_answer(self, message: Message, confidence: float) -> None:
        """The pump answer first, with the classifier's own confidence in it; the rest of the ranking kept."""
        answer = self.config["general_answer"]
        ranking = message.get(INTENT_RANKING_KEY) or []
        routed = {"name": answer, "confidence": confidence}
        message.set(INTENT, routed, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [routed, *[r for r in ranking if r.get("name") != answer]], add_to_output=True)

    def _answer_if_asked_in_general(self, message: Message, doc: Any, rules: PersonalCareCues) -> None:
        """The classifier heard "my doctor", "my mom"; the question is general and names no one's own care.

        Still for staff when a cue holds ("my dose ... usually"), and the triage, which runs
        after this, still raises anything that sounds like an emergency.
        """
        answer = self.config["general_answer"]
        if not rules.asked_in_general(doc):
            return
        if rules.find(rules.question_scope(doc), answer):
            return
        confidence = self._general_answer_confidence(message)
        if confidence <= self.config["general_answer_floor"] and not rules.asked_of_pumps_in_general(doc):
            # (a claim about "a pump" checked, "is that right?", is general however sure the classifier is)
            return
        self._give_the_general_answer(message, confidence)
