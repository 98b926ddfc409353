"""One light classifier for intents and FAQ topics, in place of DIET and the ResponseSelector.

Trained on flat labels: each intent, and each FAQ topic as ``faq/<topic>``.
The features are the MiniLM sentence embeddings the featurizer before it adds
(dense: the whole message's, and that of what the message does not deny, date,
suppose or say of someone else, one block each) and its own count vectors (sparse: words, and character n-grams for
typos), each block scaled to unit length so neither swamps the other. The
count vectors are computed here, for all examples in one vectorised pass:
Rasa's CountVectorsFeaturizer builds token-level features message by message,
which cost 25 s of every training for features this classifier does not use. A linear support-vector classifier (scikit-learn's
LinearSVC, one against the rest) is fitted once, in about two seconds (a
multinomial logistic regression took 50 s on this machine for the same
accuracy); its scores become confidences through a softmax whose temperature is
fitted on a 20 % split of the training data. What is persisted is the weights as
NumPy arrays, and prediction is one sparse and one dense matrix product and a
softmax, no scikit-learn at run time.

At inference it sets what Rasa's DIETClassifier and ResponseSelector set
together, so nothing downstream changes:

* ``intent``: the best intent, with the FAQ topics added up into ``faq``;
* ``intent_ranking``: intents by confidence (topics added up the same way);
* ``response_selector``: ``{"all_retrieval_intents": ["faq"], "faq": {"response":
  {...}, "ranking": [{"intent_response_key": "faq/<topic>", "confidence": ...}]}}``,
  the topic confidences being the topic's share of the FAQ probability, as the
  ResponseSelector's are a softmax over topics alone.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Text, Type, cast

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    SPACY_DOCS,
)
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.rasa_ext.nlu.graph_create import CreatedFromGraph, ReadsTriageRules
from pump_assistant.triage.learned import LinearTextModel
from pump_assistant.triage.learned import fit as fit_linear

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "weights.npz"
PERSONAL_ARRAYS = "personal"
# The second reading's probability that the message is about one's own care (0-1), in the parse.
PERSONAL_READING_KEY = "personal_reading"
META_FILE = "meta.json"


def _unit_rows(matrix: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
    """Each row scaled to unit length (an empty row stays empty), on the CSR arrays themselves:
    building a diagonal matrix and multiplying cost about a millisecond a message."""
    matrix = matrix.tocsr(copy=True)
    lengths = np.diff(matrix.indptr)
    if matrix.nnz:
        squares = np.add.reduceat(matrix.data.astype(np.float64) ** 2, matrix.indptr[:-1][lengths > 0])
        norms = np.ones(matrix.shape[0])
        norms[lengths > 0] = np.sqrt(squares)
        matrix.data = (matrix.data / np.repeat(np.maximum(norms, 1e-12), lengths)).astype(matrix.dtype)
    return matrix


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


# model_from: Rasa hands the spaCy pipeline (SpacyNLP's model) to train and process, for the context tags.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True, model_from="SpacyNLP")
class IntentTopicClassifier(CreatedFromGraph, ReadsTriageRules, IntentClassifier, GraphComponent):
    _context: Optional[Any]  # pump_assistant.triage.context.ConText, built on first use

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    def _word_texts(self, messages: List[Message], model: Optional[SpacyModel]) -> List[Text]:
        """The texts the word counts are taken from: each message's text and its context-tagged words."""
        texts = [m.get(TEXT) or "" for m in messages]
        if not self.config["context_tags"] or model is None:
            return texts
        if self._context is None:
            from pump_assistant.triage.context import ConText

            self._context = ConText(model.model)
        tagged = []
        for text, message in zip(texts, messages, strict=False):
            doc = message.get(SPACY_DOCS[TEXT])
            tagged.append(text if doc is None else " ".join([text, *self._context.dismissed_words(doc)]))
        return tagged

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # The retrieval intent whose sub-intents are ranked as topics.
            "retrieval_intent": "faq",
            # Inverse regularisation strength of the linear SVC.
            "C": 1.0,
            "max_iter": 2000,
            # Softmax temperature on the SVC's scores; None: fitted on a split of the training data.
            "temperature": None,
            # Weight of the dense block (sentence embedding) against the sparse
            # blocks (each count-vector featurizer's), after each is scaled to unit length.
            "dense_weight": 1.0,
            "sparse_weight": 1.0,
            "class_weight": None,
            # Character n-grams (within word boundaries) for typos and word forms.
            "char_ngram_range": [1, 4],
            "random_seed": 1,
            "ranking_length": 10,
            # Words in a denying, past, supposed, general or someone-else scope also count
            # as tagged words of their own ("negated_fever"), read by the triage's ConText.
            "context_tags": True,
            # The dense sentence features to read, by featurizer origin (None: all of them,
            # one block each). ``minilm_kept``: the embedding of what the message does not
            # deny, date, suppose or say of someone else.
            "sentence_features": None,
            # A second reading, one's own care or a general question: a linear model over the same
            # sentence embedding and the message's words, fitted on the examples of this intent
            # against the retrieval intent's (set as ``personal_reading``, read by the router).
            "personal_intent": "clinical_question",
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        labels: Optional[List[Text]] = None,
        sparse_weights: Optional[scipy.sparse.csr_matrix] = None,
        dense_weights: Optional[np.ndarray] = None,
        bias: Optional[np.ndarray] = None,
        vocabularies: Optional[Dict[Text, Dict[Text, int]]] = None,
        responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None,
        retrieval_intents: Optional[List[Text]] = None,
        dense_origins: Optional[List[Text]] = None,
        dense_dims: Optional[List[int]] = None,
        personal: Optional[LinearTextModel] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._execution_context = execution_context
        self.labels = labels or []
        self._sparse_weights = sparse_weights  # (features, labels), CSR
        self._dense_weights = dense_weights  # (embedding, labels)
        self._bias = bias
        self._vectorizers = self._make_vectorizers(vocabularies) if vocabularies else {}
        self.responses = responses or {}
        self.retrieval_intents = retrieval_intents or []
        self.dense_origins = dense_origins or []
        self.dense_dims = dense_dims or []
        self._context = None  # the triage's ConText, built on first use from the spaCy pipeline
        self.personal = personal
        self._set_label_groups()

    # --- features ---------------------------------------------------------------

    def _make_vectorizers(self, vocabularies: Optional[Dict[Text, Dict[Text, int]]] = None) -> Dict[Text, Any]:
        from sklearn.feature_extraction.text import CountVectorizer

        low, high = self.config["char_ngram_range"]
        vectorizers = {
            "words": CountVectorizer(lowercase=True, vocabulary=(vocabularies or {}).get("words")),
            "chars": CountVectorizer(
                lowercase=True,
                analyzer="char_wb",
                ngram_range=(low, high),
                vocabulary=(vocabularies or {}).get("chars"),
            ),
        }
        return vectorizers

    def _sparse_blocks(
        self, texts: List[Text], word_texts: List[Text], fit: bool = False
    ) -> List[scipy.sparse.csr_matrix]:
        """One block per vectorizer, rows scaled to unit length: character n-grams of the text, words of the tagged text.

        ``fit``: learn each vectorizer's vocabulary in the same pass (training).
        """
        blocks = []
        for name, vectorizer in sorted(self._vectorizers.items()):
            source = word_texts if name == "words" else texts
            counts = vectorizer.fit_transform(source) if fit else vectorizer.transform(source)
            blocks.append(_unit_rows(counts.astype(np.float32).tocsr()) * self.config["sparse_weight"])
        return blocks

    def _sentence_origins(self, message: Message) -> List[Text]:
        """The featurizers that gave this message a dense sentence feature (e.g. ``minilm``, ``minilm_kept``)."""
        return sorted(
            origin
            for origin in {
                f.origin
                for f in message.features
                if f.is_dense() and f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT
            }
            if self.config["sentence_features"] is None or origin in self.config["sentence_features"]
        )

    def _dense_block(self, messages: List[Message], origins: List[Text], dims: List[int]) -> np.ndarray:
        """One block per sentence featurizer, each row scaled to unit length (a zero row stays zero)."""
        blocks = []
        for origin, dim in zip(origins, dims, strict=False):
            rows = []
            for message in messages:
                sentence = message.get_dense_features(TEXT, [origin])[1]
                rows.append(
                    np.zeros(dim, np.float32) if sentence is None else np.asarray(sentence.features).reshape(-1)
                )
            dense = np.vstack(rows).astype(np.float32)
            dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)
            blocks.append(dense)
        return np.hstack(blocks) * self.config["dense_weight"]

    # --- training -----------------------------------------------------------------

    def _label(self, message: Message) -> Text:
        intent = message.get(INTENT)
        if intent in self.retrieval_intents and message.get(INTENT_RESPONSE_KEY):
            return message.get(INTENT_RESPONSE_KEY)
        return intent

    def _svc(self):
        from sklearn.svm import LinearSVC

        return LinearSVC(
            C=self.config["C"],
            max_iter=self.config["max_iter"],
            class_weight=self.config["class_weight"],
            random_state=self.config["random_seed"],
        )

    def _fit_temperature(self, x: scipy.sparse.csr_matrix, y: List[Text]) -> float:
        """The softmax temperature that makes the SVC's scores the most likely confidences on held-back examples."""
        rng = np.random.default_rng(self.config["random_seed"])
        held = rng.random(len(y)) < 0.2
        train_rows, test_rows = np.flatnonzero(~held), np.flatnonzero(held)
        model = self._svc().fit(x[train_rows], [y[i] for i in train_rows])
        column = {label: i for i, label in enumerate(model.classes_)}
        known = [i for i in test_rows if y[i] in column]
        scores = model.decision_function(x[known])
        truth = np.array([column[y[i]] for i in known])
        best, best_loss = 1.0, np.inf
        for temperature in (1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32):
            p = _softmax(scores * temperature)
            loss = -np.mean(np.log(np.maximum(p[np.arange(len(truth)), truth], 1e-12)))
            if loss < best_loss:
                best, best_loss = float(temperature), loss
        return best

    def train(self, training_data: TrainingData, model: Optional[SpacyModel] = None) -> Resource:
        self.retrieval_intents = sorted(training_data.retrieval_intents)
        self.responses = training_data.responses
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples: %s not trained.", self.__class__.__name__)
            return self._resource
        texts = [e.get(TEXT) for e in examples]
        word_texts = self._word_texts(examples, model)
        self._vectorizers = self._make_vectorizers()
        self.dense_origins = self._sentence_origins(examples[0])
        self.dense_dims = [
            int(np.asarray(examples[0].get_dense_features(TEXT, [origin])[1].features).size)
            for origin in self.dense_origins
        ]
        dense_dim = sum(self.dense_dims)
        sparse = self._sparse_blocks(texts, word_texts, fit=True)
        blocks = sparse + (
            [scipy.sparse.csr_matrix(self._dense_block(examples, self.dense_origins, self.dense_dims))]
            if dense_dim
            else []
        )
        x = scipy.sparse.hstack(blocks, format="csr")
        y = [self._label(e) for e in examples]
        # The final fit and the temperature's fit on a split are independent, and liblinear
        # runs without the GIL: side by side they take the time of one (2 cores).
        # The second reading (one's own care or general) is fitted beside them.
        with ThreadPoolExecutor(max_workers=3) as pool:
            fitted = pool.submit(self._svc().fit, x, y)
            personal = pool.submit(self._fit_personal, examples, y) if dense_dim else None
            temperature = self.config["temperature"] or self._fit_temperature(x, y)
            model = fitted.result()
            self.personal = personal.result() if personal is not None else None
        self.labels = [str(label) for label in model.classes_]
        # The temperature is folded into the weights: prediction is a plain softmax.
        coef = (model.coef_ * temperature).astype(np.float32).T  # (features, labels)
        sparse_width = sum(block.shape[1] for block in sparse)
        self._sparse_weights = scipy.sparse.csr_matrix(coef[:sparse_width])
        self._dense_weights = coef[sparse_width:] if dense_dim else np.zeros((0, len(self.labels)), np.float32)
        self._bias = (model.intercept_ * temperature).astype(np.float32)
        logger.debug("%s: %d labels, softmax temperature %s", self.__class__.__name__, len(self.labels), temperature)
        self._set_label_groups()
        self.persist()
        return self._resource

    def _fit_personal(self, examples: List[Message], labels: List[Text]) -> Optional[LinearTextModel]:
        """One's own care against a general question, on this intent's and the topics' examples."""
        personal, topic = self.config["personal_intent"], self.config["retrieval_intent"] + "/"
        vectors = self._dense_block(examples, self.dense_origins, self.dense_dims)
        yes = [(e.get(TEXT), v) for e, v, label in zip(examples, vectors, labels, strict=True) if label == personal]
        no = [
            (e.get(TEXT), v) for e, v, label in zip(examples, vectors, labels, strict=True) if label.startswith(topic)
        ]
        if len(yes) < 2 or len(no) < 2:
            return None
        return fit_linear(yes, no)

    # --- inference ----------------------------------------------------------------

    def _set_label_groups(self) -> None:
        retrieval = self.config["retrieval_intent"]
        self._topic_columns = [i for i, label in enumerate(self.labels) if label.startswith(retrieval + "/")]
        self._other_columns = [i for i, label in enumerate(self.labels) if not label.startswith(retrieval + "/")]

    def predict_proba(
        self, messages: List[Message], model: Optional[SpacyModel] = None, dense: Optional[np.ndarray] = None
    ) -> np.ndarray:
        """``dense``: the messages' dense block, when the caller has built it already."""
        scores = np.tile(cast(np.ndarray, self._bias), (len(messages), 1))  # set by train() or load()
        if self._vectorizers:
            texts = [m.get(TEXT) or "" for m in messages]
            blocks = self._sparse_blocks(texts, self._word_texts(messages, model))
            product = scipy.sparse.hstack(blocks, format="csr") @ self._sparse_weights
            scores += product.toarray() if scipy.sparse.issparse(product) else np.asarray(product)
        if self._dense_weights is not None and self._dense_weights.shape[0]:
            if dense is None:
                dense = self._dense_block(messages, self.dense_origins, self.dense_dims)
            scores += dense @ self._dense_weights
        return _softmax(scores)

    def process(self, messages: List[Message], model: Optional[SpacyModel] = None) -> List[Message]:
        if not self.labels or not messages:
            return messages
        # One dense block for both readings (the intents and, below, one's own care or general).
        dense = self._dense_block(messages, self.dense_origins, self.dense_dims) if self.dense_origins else None
        probabilities = self.predict_proba(messages, model, dense)
        retrieval = self.config["retrieval_intent"]
        for message, p in zip(messages, probabilities, strict=False):
            ranking: List[Dict[Text, Any]] = [
                {INTENT_NAME_KEY: self.labels[i], PREDICTED_CONFIDENCE_KEY: float(p[i])} for i in self._other_columns
            ]
            topic_total = float(p[self._topic_columns].sum()) if self._topic_columns else 0.0
            if self._topic_columns:
                ranking.append({INTENT_NAME_KEY: retrieval, PREDICTED_CONFIDENCE_KEY: topic_total})
            ranking.sort(key=lambda item: item[PREDICTED_CONFIDENCE_KEY], reverse=True)
            message.set(INTENT, ranking[0], add_to_output=True)
            length = self.config["ranking_length"]
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
            if self._topic_columns:
                self._set_topics(message, p, topic_total)
        if self.personal is not None and dense is not None:
            for message, vector in zip(messages, dense, strict=True):
                reading = self.personal.probability(message.get(TEXT) or "", vector)
                message.set(PERSONAL_READING_KEY, round(float(reading), 4), add_to_output=True)
        return messages

    def _set_topics(self, message: Message, p: np.ndarray, topic_total: float) -> None:
        retrieval = self.config["retrieval_intent"]
        topics: List[Dict[Text, Any]] = sorted(
            (
                {INTENT_RESPONSE_KEY: self.labels[i], PREDICTED_CONFIDENCE_KEY: float(p[i]) / max(topic_total, 1e-12)}
                for i in self._topic_columns
            ),
            key=lambda item: item[PREDICTED_CONFIDENCE_KEY],
            reverse=True,
        )
        for index, item in enumerate(topics):
            item["id"] = index  # the ResponseSelector's ranking carries an id per label
        best = topics[0][INTENT_RESPONSE_KEY]
        utter_action = f"utter_{best}"
        length = self.config["ranking_length"]
        prediction = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter_action) or [{TEXT: best}],
                PREDICTED_CONFIDENCE_KEY: topics[0][PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: best,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
            },
            RESPONSE_SELECTOR_RANKING_KEY: topics[:length] if length > 0 else topics,
        }
        properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents or [retrieval]
        properties[retrieval] = prediction
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)

    # --- persistence --------------------------------------------------------------

    def persist(self) -> None:
        # Rasa persists a trained component: train() has set the weights.
        sparse = cast(scipy.sparse.csr_matrix, self._sparse_weights)
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / WEIGHTS_FILE,
                sparse_data=sparse.data,
                sparse_indices=sparse.indices,
                sparse_indptr=sparse.indptr,
                sparse_shape=np.array(sparse.shape),
                dense=cast(np.ndarray, self._dense_weights),
                bias=cast(np.ndarray, self._bias),
                **(self.personal.to_arrays(PERSONAL_ARRAYS) if self.personal is not None else {}),
            )
            (directory / META_FILE).write_text(
                json.dumps(
                    {
                        "labels": self.labels,
                        "vocabularies": {
                            name: {term: int(index) for term, index in vectorizer.vocabulary_.items()}
                            for name, vectorizer in self._vectorizers.items()
                        },
                        "responses": self.responses,
                        "retrieval_intents": self.retrieval_intents,
                        "dense_origins": self.dense_origins,
                        "dense_dims": self.dense_dims,
                    }
                ),
                encoding="utf-8",
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "IntentTopicClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as arrays:
                    sparse = scipy.sparse.csr_matrix(
                        (arrays["sparse_data"], arrays["sparse_indices"], arrays["sparse_indptr"]),
                        shape=tuple(arrays["sparse_shape"]),
                    )
                    dense, bias = arrays["dense"], arrays["bias"]
                    personal = LinearTextModel.from_arrays(arrays, PERSONAL_ARRAYS)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s in %s; it will predict nothing.", cls.__name__, resource.name)
            return cls.create(config, model_storage, resource, execution_context)
        return cls(
            config,
            model_storage,
            resource,
            execution_context,
            labels=meta["labels"],
            sparse_weights=sparse,
            dense_weights=dense,
            bias=bias,
            vocabularies=meta["vocabularies"],
            responses=meta["responses"],
            retrieval_intents=meta["retrieval_intents"],
            dense_origins=meta["dense_origins"],
            dense_dims=meta["dense_dims"],
            personal=personal,
        )
