"""The meaning detector: a message close in meaning to a red-flag description.

Rules see words; a caregiver's "he's making a gurgling noise and I can't get an
answer out of him" may use none of them. This detector compares the message's
MiniLM sentence vector with a bank of red-flag descriptions written per
category (``red_flag_descriptions.yml``) and with a contrast bank of ordinary
questions (the assistant's non-emergency training examples). A message counts
when its best red-flag similarity is high and clearly above its best ordinary
one. It only ever raises the level to *possible emergency*: it is a net for
what the rules did not anticipate, not a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

DESCRIPTIONS_FILE = Path(__file__).with_name("red_flag_descriptions.yml")
# Chosen on the training data (bench/tune_triage.py --cap 0.005: at most 0.5 % of ordinary
# questions), never on evaluation sets. The margin decides; the threshold only rules out noise.
DEFAULT_THRESHOLD = 0.32
DEFAULT_MARGIN = -0.02
TOP_K = 3


@dataclass(frozen=True)
class MeaningMatch:
    category: str
    similarity: float
    contrast: float
    description: str

    @property
    def margin(self) -> float:
        return self.similarity - self.contrast


def load_descriptions(path: Path = DESCRIPTIONS_FILE) -> list[tuple[str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(category, str(text)) for category, texts in raw["categories"].items() for text in texts]


class MeaningDetector:
    """Holds unit-length vectors: the red-flag bank with its categories, and the contrast bank."""

    def __init__(
        self,
        bank: np.ndarray,
        categories: list[str],
        descriptions: list[str],
        contrast: np.ndarray,
        threshold: float = DEFAULT_THRESHOLD,
        margin: float = DEFAULT_MARGIN,
    ):
        self.bank = _unit(bank)
        self.categories = list(categories)
        self.descriptions = list(descriptions)
        self.contrast = _unit(contrast) if len(contrast) else np.zeros((0, self.bank.shape[1]), np.float32)
        self.threshold = threshold
        self.margin = margin

    def nearest(self, vector: np.ndarray) -> MeaningMatch:
        vector = _unit(vector.reshape(1, -1))[0]
        similarities = self.bank @ vector
        # Mean of the best few in the winning category: steadier than one neighbour.
        best = int(np.argmax(similarities))
        category = self.categories[best]
        in_category = np.sort(similarities[[i for i, c in enumerate(self.categories) if c == category]])[::-1]
        similarity = float(in_category[: min(TOP_K, len(in_category))].mean())
        contrast = np.sort(self.contrast @ vector)[::-1] if len(self.contrast) else np.zeros(1)
        contrast_score = float(contrast[: min(TOP_K, len(contrast))].mean())
        return MeaningMatch(category, similarity, contrast_score, self.descriptions[best])

    def accepts(self, nearest: MeaningMatch) -> MeaningMatch | None:
        if nearest.similarity >= self.threshold and nearest.margin >= self.margin:
            return nearest
        return None


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
