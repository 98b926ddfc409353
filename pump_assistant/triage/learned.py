"""The learned detectors: emergencies and thoughts of self-harm in words no rule names.

Rules cannot list every way of saying "the nurse could leave the reservoir extra
full this time, I have my own plans for it" or "he's making a gurgling noise and
I can't get an answer out of him". Two linear models, trained with the Rasa model
by the triage component, read what the words and the sentence's meaning add up to:

* **emergency**: a red flag happening now, against ordinary questions and harmless
  mentions of the same words (denied, past, supposed, someone else's, figures of speech);
* **self-harm**: thoughts of self-harm, against everything else, medical emergencies too.

Their training data: the assistant's NLU examples, the red-flag descriptions, the
self-harm examples (``self_harm_examples.yml``) and the messages of the retired
safety sets (``retired_sets.yml``: blind sets whose misses were read, written by
reviewers in patients', caregivers' and nurses' words; never a set still blind).
Features: the message's MiniLM sentence vector and TF-IDF weights of its words and
word pairs. The words carry what the sentence vector blurs ("not for the pain").

Labels of their own, so that the emergency intent's boundary does not move: on
stop 21's tuning sets, self-harm examples given to the emergency intent raised
harmless mentions given a possible-emergency line from 11.8 % to 22.8 %.

Pure numpy at run time; scikit-learn only to fit. The TF-IDF is computed here the
way scikit-learn's ``TfidfVectorizer`` does (a unit test holds the two equal).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

EXAMPLES_FILE = Path(__file__).with_name("self_harm_examples.yml")
RETIRED_SETS_FILE = Path(__file__).with_name("retired_sets.yml")
# scikit-learn's default token pattern: words of two characters or more.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Inverse regularisation strength, chosen on the tuning sets (stop 22): higher trusts
# single words more; 10 and 30 gave the same recall at the chosen cut-offs.
DEFAULT_C = 10.0
# Weight of the word features against the unit sentence vector.
WORD_WEIGHT = 2.0


def _read_yaml(path: Path) -> Any:
    """A data file, with libyaml's parser where PyYAML has it (the retired sets' 14,000
    messages took 4 s of every training with the pure-Python one)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)


def load_examples(path: Path = EXAMPLES_FILE) -> list[str]:
    return [str(text) for text in _read_yaml(path)["examples"]]


@dataclass(frozen=True)
class Labelled:
    text: str
    emergency: bool
    self_harm: bool


def load_retired_sets(path: Path = RETIRED_SETS_FILE) -> list[Labelled]:
    items = _read_yaml(path)["items"]
    return [Labelled(str(i["text"]), bool(i["emergency"]), bool(i["self_harm"])) for i in items]


def terms(text: str) -> list[str]:
    """Words and word pairs, lower-cased, as ``TfidfVectorizer(ngram_range=(1, 2))`` reads them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{first} {second}" for first, second in zip(tokens, tokens[1:], strict=False)]


@dataclass(frozen=True)
class LinearTextModel:
    dense: np.ndarray  # weights of the unit sentence vector
    vocabulary: Mapping[str, int]  # term -> column of idf and sparse
    idf: np.ndarray
    sparse: np.ndarray  # weights of the TF-IDF terms (WORD_WEIGHT folded in)
    bias: float

    def probability(self, text: str, vector: np.ndarray) -> float:
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        score = self.bias + float(self.dense @ (vector / max(float(np.linalg.norm(vector)), 1e-12)))
        columns, values = self.tfidf(text)
        if columns:
            score += float(self.sparse[columns] @ values)
        return 1.0 / (1.0 + math.exp(-score))

    def tfidf(self, text: str) -> tuple[list[int], np.ndarray]:
        """Sublinear term frequency times idf, unit length: the known terms of ``text``."""
        counts = Counter(term for term in terms(text) if term in self.vocabulary)
        if not counts:
            return [], np.zeros(0, np.float32)
        columns = [self.vocabulary[term] for term in counts]
        values = np.array([1.0 + math.log(n) for n in counts.values()], np.float64) * self.idf[columns]
        return columns, values / np.linalg.norm(values)

    # Saved with the Rasa model as plain arrays (no pickle), under a name: "self_harm", "emergency".
    def to_arrays(self, name: str) -> dict[str, np.ndarray]:
        ordered = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            f"{name}_dense": self.dense.astype(np.float32),
            f"{name}_terms": np.array(ordered, dtype=str),
            f"{name}_idf": self.idf.astype(np.float64),
            f"{name}_sparse": self.sparse.astype(np.float64),
            f"{name}_bias": np.array([self.bias]),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], name: str) -> LinearTextModel | None:
        if f"{name}_dense" not in arrays:
            return None
        return cls(
            dense=np.asarray(arrays[f"{name}_dense"], np.float32),
            vocabulary={str(term): i for i, term in enumerate(arrays[f"{name}_terms"])},
            idf=np.asarray(arrays[f"{name}_idf"], np.float64),
            sparse=np.asarray(arrays[f"{name}_sparse"], np.float64),
            bias=float(arrays[f"{name}_bias"][0]),
        )


def fit(
    positives: Sequence[tuple[str, np.ndarray]],
    negatives: Sequence[tuple[str, np.ndarray]],
    c: float = DEFAULT_C,
) -> LinearTextModel:
    """Logistic regression on (text, sentence vector) pairs, classes balanced."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [*positives, *negatives]
    texts = [text for text, _ in rows]
    dense = np.stack([np.asarray(v, np.float32).reshape(-1) for _, v in rows])
    dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    features = hstack([csr_matrix(dense), words.transform(texts) * WORD_WEIGHT]).tocsr()
    labels = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(features, labels)
    weights = model.coef_[0]
    width = dense.shape[1]
    return LinearTextModel(
        dense=weights[:width].astype(np.float32),
        vocabulary={str(term): int(i) for term, i in words.vocabulary_.items()},
        idf=np.asarray(words.idf_, np.float64),
        sparse=weights[width:] * WORD_WEIGHT,
        bias=float(model.intercept_[0]),
    )
