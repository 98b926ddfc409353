"""The featurizer's second sentence feature: the embedding of what a message does not dismiss."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.nlp.sentence_encoder import shared_encoder
from pump_assistant.rasa_ext.nlu.sentence_featurizer import MiniLMSentenceFeaturizer


def _messages(nlp, *texts: str) -> list[Message]:
    messages = []
    for text in texts:
        message = Message(data={TEXT: text})
        message.set(SPACY_DOCS[TEXT], nlp(text.lower()))
        messages.append(message)
    return messages


def _features(message: Message, origin: str) -> np.ndarray:
    return np.asarray(message.get_dense_features(TEXT, [origin])[1].features).reshape(-1)


@pytest.fixture(scope="module")
def featurizer(tmp_path_factory):
    # Its own vector cache: a test never touches the project's (models/cache/).
    cache = tmp_path_factory.mktemp("cache") / "vectors.npz"
    config = {**MiniLMSentenceFeaturizer.get_default_config(), "alias": "minilm", "vector_cache": str(cache)}
    return MiniLMSentenceFeaturizer(config, "minilm")


def test_a_denied_sign_is_left_out_of_the_kept_embedding(nlp, featurizer):
    [message] = _messages(nlp, "No swollen lips and no wheezing since the scan dye on Monday. When is my next refill?")
    featurizer.process([message], SpacyModel(model=nlp, model_name="en_pump"))
    full, kept = _features(message, "minilm"), _features(message, "minilm_kept")
    assert not np.allclose(full, kept)
    expected = shared_encoder().encode_one(featurizer._context.kept_text(message.get(SPACY_DOCS[TEXT])))
    assert np.allclose(kept, expected, atol=1e-5)
    assert "hives" not in featurizer._context.kept_text(message.get(SPACY_DOCS[TEXT]))


def test_a_message_that_dismisses_nothing_keeps_its_whole_embedding(nlp, featurizer):
    [message] = _messages(nlp, "my husband can’t wake up and his lips look blue — he had a refill at 9")
    featurizer.process([message], SpacyModel(model=nlp, model_name="en_pump"))
    assert np.allclose(_features(message, "minilm"), _features(message, "minilm_kept"))


def test_a_message_that_dismisses_everything_keeps_its_whole_embedding(nlp, featurizer):
    """"no fever, no stiff neck": nothing would be left to read; the word counts carry its "negated_" tags."""
    [message] = _messages(nlp, "no fever, no stiff neck")
    featurizer.process([message], SpacyModel(model=nlp, model_name="en_pump"))
    assert not any(ch.isalpha() for ch in featurizer._context.kept_text(message.get(SPACY_DOCS[TEXT])))
    assert np.allclose(_features(message, "minilm_kept"), _features(message, "minilm"))


def test_training_examples_get_the_same_two_features_as_messages_at_run_time(nlp, featurizer):
    texts = ("no bleeding at the incision, just a question about showering", "Zoë asks: ¿cuándo es la recarga?")
    training = TrainingData(_messages(nlp, *texts))
    featurizer.process_training_data(training, SpacyModel(model=nlp, model_name="en_pump"))
    at_run_time = _messages(nlp, *texts)
    featurizer.process(at_run_time, SpacyModel(model=nlp, model_name="en_pump"))
    for trained, live in zip(training.training_examples, at_run_time):
        for origin in ("minilm", "minilm_kept"):
            assert np.allclose(_features(trained, origin), _features(live, origin), atol=1e-4)


def test_a_button_payload_without_a_spacy_doc_still_gets_both_features(featurizer, nlp):
    message = Message(data={TEXT: '/choose_topic{"topic": "refills"}'})
    featurizer.process([message], SpacyModel(model=nlp, model_name="en_pump"))
    assert np.allclose(_features(message, "minilm"), _features(message, "minilm_kept"))


def test_the_featurizer_and_the_triage_share_one_message_cache(nlp, featurizer):
    """The text a message keeps is encoded once: the triage's meaning detector finds it in the featurizer's cache."""
    from pump_assistant.nlp.sentence_encoder import message_encoder

    [message] = _messages(nlp, "No chest pain, no fainting since Tuesday — ¿puedo viajar en avión con la bomba?")
    featurizer.process([message], SpacyModel(model=nlp, model_name="en_pump"))
    kept = featurizer._context.kept_text(message.get(SPACY_DOCS[TEXT]), frozenset({"negated", "resolved", "historical", "other"}))
    shared = message_encoder()
    assert shared.cache_key(kept) in shared._cache
    assert np.allclose(shared.encode_one(kept), _features(message, "minilm_kept"))


def test_the_featurizer_and_the_triage_run_minilm_once_per_message(nlp, featurizer, monkeypatch):
    """The message, its kept text and the text the triage's meaning detector reads: one encoder call in all."""
    from pump_assistant.nlp.sentence_encoder import message_encoder
    from pump_assistant.triage import Triager
    from pump_assistant.triage.meaning import MeaningDetector

    # Denied signs, and a question in general, which the triage (not the kept feature) leaves out.
    text = "No chest pain and no fainting since Tuesday. What happens if the battery runs out while I'm asleep?"
    [message] = _messages(nlp, text)
    shared = message_encoder()
    shared._cache.clear()
    passes = []
    # One call to the encoder with every text (one packed pass in NumPy, one graph run per text in ONNX Runtime).
    encode_packed = shared.encoder.encode_packed
    monkeypatch.setattr(shared.encoder, "encode_packed", lambda texts: passes.append(len(texts)) or encode_packed(texts))
    read_by_triage = []

    def encode(kept: str) -> np.ndarray:
        read_by_triage.append(kept)
        return shared.encode_one(kept)

    dimension = shared.encoder.dimension
    meaning = MeaningDetector(np.eye(2, dimension, dtype=np.float32), ["a", "b"], ["a", "b"], np.eye(1, dimension, dtype=np.float32))
    triager = Triager(nlp, meaning, encode)
    featurizer.process([message], SpacyModel(model=nlp, model_name="en_pump"))
    triager.triage(message.get(SPACY_DOCS[TEXT]), None, _features(message, "minilm"), text)

    doc = message.get(SPACY_DOCS[TEXT])
    kept = featurizer._context.kept_text(doc, frozenset(featurizer.config["kept_leaves_out"]))
    assert read_by_triage == [triager.context.kept_text(doc)] and read_by_triage[0] not in (kept, doc.text)
    assert passes == [3]  # the message, its kept text, the triage's text: together
    for each in (text, kept, read_by_triage[0]):  # each as if encoded alone
        assert np.allclose(shared.encode_one(each), shared.encoder.encode_one(each), atol=1e-6, rtol=0)
