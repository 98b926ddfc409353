"""NLU messages as Rasa's pipeline hands them to the project's rule components."""
from __future__ import annotations


def parsed_message(nlp, text: str, intent: str, ranking: list):
    """A message the classifiers have read: intent and ranking set, spaCy doc attached."""
    from rasa.nlu.constants import SPACY_DOCS
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text, "intent": {"name": intent, "confidence": ranking[0]["confidence"]},
                            "intent_ranking": ranking})
    message.set(SPACY_DOCS["text"], nlp(text.lower()))
    return message


def component_with_model(component_class, nlp):
    """A rule component with its default configuration, and the spaCy model it runs on."""
    from rasa.nlu.utils.spacy_utils import SpacyModel

    return component_class(component_class.get_default_config()), SpacyModel(model=nlp, model_name="test")
