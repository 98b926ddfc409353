"""The intent-and-topic classifier sets what DIET and the ResponseSelector set, and survives a save and load."""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.answering import ranked_topics
from pump_assistant.evaluation import predicted_label
from pump_assistant.rasa_ext.nlu.intent_topic_classifier import IntentTopicClassifier
from pump_assistant.vocabulary import Intent

EXAMPLES = {
    "faq/refills": ["how often is the pump refilled", "when do i get a refill", "refill schedule for the pump",
                    "how frequently do they top up the pump"],
    "faq/battery": ["how long does the battery last", "when does the pump battery run out", "battery life of the pump",
                    "does the battery need replacing"],
    "greet": ["hello", "hi there", "good morning", "hey"],
    Intent.CLINICAL_QUESTION: ["should my dose be raised", "can i take ibuprofen with my pump", "my wound is red",
                          "is my dose too high"],
}


def _message(text: str, label: str | None = None) -> Message:
    data = {TEXT: text}
    if label:
        intent, _, topic = label.partition("/")
        data["intent"] = intent
        if topic:
            data["intent_response_key"] = label
    message = Message(data=data)
    # A stand-in for the MiniLM feature: deterministic per text, unit length.
    vector = np.random.default_rng(zlib.crc32(text.split()[0].encode())).normal(size=(1, 16)).astype(np.float32)
    message.add_features(Features(vector / np.linalg.norm(vector), FEATURE_TYPE_SENTENCE, TEXT, "minilm"))
    return message


@pytest.fixture
def trained(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("classifier")
    context = ExecutionContext(GraphSchema({}), node_name="classifier")
    config = {**IntentTopicClassifier.get_default_config(), "temperature": 10.0}
    training = TrainingData(
        [_message(text, label) for label, texts in EXAMPLES.items() for text in texts],
        responses={"utter_faq/refills": [{"text": "Refills ..."}], "utter_faq/battery": [{"text": "Battery ..."}]},
    )
    classifier = IntentTopicClassifier.create(config, storage, resource, context)
    classifier.train(training)
    loaded = IntentTopicClassifier.load(config, storage, resource, context)
    return classifier, loaded


def test_topics_are_added_up_into_the_faq_intent(trained):
    _, classifier = trained
    message = _message("how often is the pump refilled")
    classifier.process([message])
    parse = message.as_dict(only_output_properties=True)
    names = [item["name"] for item in parse["intent_ranking"]]
    assert parse["intent"]["name"] == "faq" and names[0] == "faq"
    assert not any("/" in name for name in names), "topics belong in the response selector, not the intent ranking"
    assert sum(item["confidence"] for item in parse["intent_ranking"]) == pytest.approx(1.0, abs=1e-5)
    selector = parse["response_selector"]
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/refills"
    assert response["utter_action"] == "utter_faq/refills"
    assert response["responses"] == [{"text": "Refills ..."}]
    ranking = selector["faq"]["ranking"]
    assert [item["intent_response_key"] for item in ranking] == ["faq/refills", "faq/battery"]
    assert sum(item["confidence"] for item in ranking) == pytest.approx(1.0, abs=1e-5)
    # What the rest of the project reads from it.
    assert predicted_label(parse) == "faq/refills"


def test_other_intents_stand_as_they_are(trained):
    _, classifier = trained
    message = _message("hello")
    classifier.process([message])
    assert message.get("intent")["name"] == "greet"


def test_a_loaded_classifier_predicts_as_the_trained_one(trained):
    original, loaded = trained
    texts = ["how often is the pump refilled", "when does the pump battery run out", "hi there", "my wound is red"]
    first, second = [_message(t) for t in texts], [_message(t) for t in texts]
    original.process(first)
    loaded.process(second)
    for a, b in zip(first, second):
        assert a.get("intent")["name"] == b.get("intent")["name"]
        assert a.get("intent")["confidence"] == pytest.approx(b.get("intent")["confidence"], abs=1e-6)


def test_the_answer_chooser_reads_its_topic_ranking(trained, registry):
    _, classifier = trained
    message = _message("how often is the pump refilled")
    classifier.process([message])
    topics = ranked_topics(message.as_dict(only_output_properties=True), registry)
    assert [topic for topic, _ in topics] == ["refills", "battery"]


def test_each_sentence_featurizer_is_a_block_of_its_own_and_survives_save_and_load(tmp_path):
    """The whole message's embedding and the kept text's are read as two blocks, in the same order after loading."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("classifier")
    context = ExecutionContext(GraphSchema({}), node_name="classifier")
    config = {**IntentTopicClassifier.get_default_config(), "temperature": 10.0}

    def with_kept(message: Message, kept_text: str | None) -> Message:
        full = message.get_dense_features(TEXT, ["minilm"])[1].features
        kept = full if kept_text is None else _message(kept_text).get_dense_features(TEXT, ["minilm"])[1].features
        message.add_features(Features(kept, FEATURE_TYPE_SENTENCE, TEXT, "minilm_kept"))
        return message

    training = TrainingData([with_kept(_message(text, label), None) for label, texts in EXAMPLES.items() for text in texts])
    classifier = IntentTopicClassifier.create(config, storage, resource, context)
    classifier.train(training)
    assert classifier.dense_origins == ["minilm", "minilm_kept"] and classifier.dense_dims == [16, 16]
    loaded = IntentTopicClassifier.load(config, storage, resource, context)
    assert loaded.dense_origins == ["minilm", "minilm_kept"]
    message = with_kept(_message("how long does the battery last"), None)
    loaded.process([message])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/battery"


def test_its_second_reading_tells_ones_own_care_from_a_general_question_and_survives_save_and_load(trained):
    original, loaded = trained
    own, general = _message("is my dose too high"), _message("how long does the battery last")
    loaded.process([own, general])
    assert own.get("personal_reading") > 0.5 > general.get("personal_reading")
    again = _message("is my dose too high")
    original.process([again])
    assert again.get("personal_reading") == pytest.approx(own.get("personal_reading"), abs=1e-4)
