"""Rasa NLU component: the triage decision on every message (:mod:`pump_assistant.triage`).

Last in the pipeline, after the classifiers, the FallbackClassifier and the
personal-care router, so it sees the classifier's vote and nothing after it can
undo its decision:

* *emergency*: the intent becomes ``emergency`` at full confidence, so the
  emergency rule answers with 911 (988 for self-harm) first;
* *possible emergency*: the intent stands when it is a question the assistant
  answers or hands off; anything else (a greeting, a "no", a fallback, a
  classifier ``emergency`` the rules saw only denied) becomes a clinical
  hand-off. The actions open the reply with "If this is happening now, call
  911 now" and raise an urgent ticket;
* the decision itself rides in the parse result under ``triage``.

Trained in that it keeps, in the model, the sentence vectors of its red-flag
descriptions and of the assistant's ordinary training questions (the meaning
detector's two banks), and fits the two learned detectors' linear models.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pump_assistant.nlp.vector_cache import cached_vectors
from pump_assistant.rasa_ext.nlu.graph_create import CreatedFromGraph, ReadsTriageRules
from pump_assistant.triage import EMERGENCY, EMERGENCY_INTENT, NONE, POSSIBLE, MeaningDetector, Triager
from pump_assistant.triage.context import ConText
from pump_assistant.triage.decision import SELF_HARM
from pump_assistant.triage.learned import LinearTextModel, load_retired_sets
from pump_assistant.triage.learned import fit as fit_linear
from pump_assistant.triage.learned import load_examples as load_self_harm_examples
from pump_assistant.triage.meaning import DEFAULT_MARGIN, DEFAULT_THRESHOLD, load_descriptions
from pump_assistant.triage.rules import RuleDetector

logger = logging.getLogger(__name__)

TRIAGE_KEY = "triage"
FALLBACK_INTENT = "nlu_fallback"
BANKS_FILE = "meaning_banks.npz"
# Contrast bank size: enough ordinary questions to cover every topic, small enough to stay fast.
MAX_CONTRAST = 3000


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True, model_from="SpacyNLP")
class TriageComponent(CreatedFromGraph, ReadsTriageRules, GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Intents a possible emergency keeps: the question is still answered or handed off.
            "keep_on_possible": [
                "faq",
                "clinical_question",
                "request_human",
                "choose_topic",
                "followup_duration",
                "followup_more",
                "inform_contact",
            ],
            "handoff_intent": "clinical_question",
            "sentence_featurizer": "minilm",
            "meaning_threshold": DEFAULT_THRESHOLD,
            "meaning_margin": DEFAULT_MARGIN,
            # Sentence vectors of the learned detectors' fixed examples, kept between trainings
            # (about 9,600 texts: some 100 s of MiniLM on 2 cores the first time).
            "vector_cache": "models/cache/triage_vectors.npz",
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        banks: Optional[Dict[str, np.ndarray]] = None,
    ) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self._banks = banks
        self._triager: Optional[Triager] = None

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TriageComponent":  # fmt: skip
        banks = None
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / BANKS_FILE, allow_pickle=False) as data:
                    banks = {key: data[key] for key in data.files}
        except (ValueError, FileNotFoundError):
            logger.warning("triage: no meaning banks in the model; the meaning detector is off")
        return cls(config, model_storage, resource, banks)

    # -- training ----------------------------------------------------------
    def train(self, training_data: TrainingData, model: Optional[SpacyModel] = None) -> Resource:
        from pump_assistant.nlp.sentence_encoder import SentenceEncoder

        descriptions = load_descriptions()
        encoder = SentenceEncoder()
        bank = encoder.encode([text for _, text in descriptions])
        ordinary: List[Tuple[str, np.ndarray]] = []
        emergencies: List[Tuple[Message, np.ndarray]] = []
        for message in training_data.intent_examples:
            vector = self._sentence_vector(message)
            if vector is None:
                continue
            if message.get(INTENT) == EMERGENCY_INTENT:
                emergencies.append((message, vector))
            else:
                ordinary.append((message.get(TEXT), vector))
        contrast = [vector for _, vector in ordinary]
        rng = np.random.default_rng(0)
        if len(contrast) > MAX_CONTRAST:
            contrast = [contrast[i] for i in sorted(rng.choice(len(contrast), MAX_CONTRAST, replace=False))]
        self_harm, emergency = self._train_learned(descriptions, bank, ordinary, emergencies, encoder, model)
        with self._storage.write_to(self._resource) as directory:
            np.savez(
                directory / BANKS_FILE,
                bank=bank.astype(np.float32),
                categories=np.array([category for category, _ in descriptions]),
                descriptions=np.array([text for _, text in descriptions]),
                contrast=np.array(contrast, dtype=np.float32).reshape(-1, bank.shape[1]),
                **self_harm.to_arrays(SELF_HARM),
                **emergency.to_arrays(EMERGENCY_INTENT),
            )
        return self._resource

    def _train_learned(
        self,
        descriptions: List[Tuple[str, str]],
        bank: np.ndarray,
        ordinary: List[Tuple[str, np.ndarray]],
        emergencies: List[Tuple[Message, np.ndarray]],
        encoder: Any,
        model: Optional[SpacyModel],
    ) -> Tuple[LinearTextModel, LinearTextModel]:
        """The learned detectors (see :mod:`pump_assistant.triage.learned`): self-harm, then emergency.

        Self-harm is learned against every other message, medical emergencies too.
        Emergency examples the rules do not read as self-harm are left out of the
        self-harm model's classes: some of them say it in words the rules do not read.
        """
        examples = load_self_harm_examples()
        retired = load_retired_sets()
        vectors = cached_vectors(encoder, [*examples, *(r.text for r in retired)], self.config["vector_cache"])
        self_harm_yes = [(text, vectors[text]) for text in examples]
        self_harm_no = list(ordinary)
        emergency_yes = [(message.get(TEXT), vector) for message, vector in emergencies]
        emergency_no = list(ordinary)
        for (category, text), vector in zip(descriptions, bank, strict=True):
            (self_harm_yes if category == SELF_HARM else self_harm_no).append((text, vector))
            emergency_yes.append((text, vector))
        if model is not None:
            rules = RuleDetector(model.model, ConText(model.model))
            for message, vector in emergencies:
                doc = message.get(SPACY_DOCS[TEXT])
                found = rules.detect(doc) if doc is not None else None
                if found is not None and (found.self_harm or found.self_harm_cue):
                    self_harm_yes.append((message.get(TEXT), vector))
        for item in retired:
            pair = (item.text, vectors[item.text])
            (self_harm_yes if item.self_harm else self_harm_no).append(pair)
            (emergency_yes if item.emergency else emergency_no).append(pair)
        # Two independent fits, side by side on the two cores.
        with ThreadPoolExecutor(max_workers=2) as pool:
            self_harm = pool.submit(fit_linear, self_harm_yes, self_harm_no)
            emergency = pool.submit(fit_linear, emergency_yes, emergency_no)
            return self_harm.result(), emergency.result()

    def process_training_data(self, training_data: TrainingData, model: SpacyModel) -> TrainingData:
        return training_data

    # -- inference ---------------------------------------------------------
    def _sentence_vector(self, message: Message) -> Optional[np.ndarray]:
        _, sentence = message.get_dense_features(TEXT, [self.config["sentence_featurizer"]])
        if sentence is None:
            return None
        return np.asarray(sentence.features).reshape(-1)

    def triager(self, model: SpacyModel) -> Triager:
        if self._triager is None:
            meaning = None
            if self._banks is not None and len(self._banks.get("bank", ())):
                meaning = MeaningDetector(
                    self._banks["bank"],
                    [str(c) for c in self._banks["categories"]],
                    [str(d) for d in self._banks["descriptions"]],
                    self._banks["contrast"],
                    threshold=float(self.config["meaning_threshold"]),
                    margin=float(self.config["meaning_margin"]),
                )
            from pump_assistant.nlp.sentence_encoder import message_encoder

            # The featurizer's cache: it encoded the text the meaning detector reads in the
            # message's one forward pass (MiniLMSentenceFeaturizer's triage_text).
            encode = message_encoder().encode_one if meaning is not None else None
            banks = self._banks or {}
            self._triager = Triager(
                model.model,
                meaning,
                encode,
                LinearTextModel.from_arrays(banks, SELF_HARM),
                LinearTextModel.from_arrays(banks, EMERGENCY_INTENT),
            )
        return self._triager

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:  # a button payload "/intent{...}"
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            # The classifier's own choice, before the FallbackClassifier's "not sure".
            voted = next((r for r in ranking if r.get("name") != FALLBACK_INTENT), message.get(INTENT))
            result = self.triager(model).triage(doc, voted, self._sentence_vector(message), message.get(TEXT))
            message.set(TRIAGE_KEY, result.as_dict(), add_to_output=True)
            self._route(message, result.level, ranking)
        return messages

    def _route(self, message: Message, level: str, ranking: List[Dict[str, Any]]) -> None:
        intent = (message.get(INTENT) or {}).get("name")
        if level == EMERGENCY:
            target = EMERGENCY_INTENT
        elif level == POSSIBLE and intent not in self.config["keep_on_possible"]:
            target = self.config["handoff_intent"]
        elif level == NONE and intent == EMERGENCY_INTENT:
            # The decision silenced an unsure classifier (a message that only denies red flags):
            # the message gets what the classifier ranked next, never the 911 reply.
            ranked = [r for r in ranking if r.get("name") not in (EMERGENCY_INTENT, FALLBACK_INTENT)]
            target = ranked[0]["name"] if ranked else self.config["handoff_intent"]
        else:
            return
        if intent == target and target != EMERGENCY_INTENT:
            return
        confidence = 1.0 if level != NONE else next((r["confidence"] for r in ranking if r.get("name") == target), 1.0)
        routed = {"name": target, "confidence": confidence}
        others = [r for r in ranking if r.get("name") != target]
        message.set(INTENT, routed, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [routed, *others], add_to_output=True)
