"""Scoring the assistant's understanding on labelled questions (Rasa NLU YAML).

Used by the held-out tests and by the benchmark, so both report one number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

FAQ = "faq"


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # "faq/<topic>" or an intent name


def load_examples(path: Path) -> list[Example]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    examples = []
    for block in raw.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(text=line[2:].strip(), label=str(block["intent"])))
    return examples


def load_heldout(directory: Path, kind: str) -> list[Example]:
    """Every held-out file of a kind (``faq*.yml`` or ``safety*.yml``), written by different people."""
    return [e for path in sorted(Path(directory).glob(f"{kind}*.yml")) for e in load_examples(path)]


def predicted_label(parse: Mapping) -> str:
    """The full label a parse result stands for: the FAQ topic when the intent is ``faq``."""
    intent = ((parse.get("intent") or {}).get("name")) or ""
    if intent != FAQ:
        return intent
    selected = ((parse.get("response_selector") or {}).get(FAQ) or {}).get("response") or {}
    key = selected.get("intent_response_key") or ""
    return key if key.startswith(FAQ + "/") else FAQ


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    errors: tuple[tuple[str, str, str], ...]  # (text, expected, predicted)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score(examples: Iterable[Example], predictions: Mapping[str, str]) -> Score:
    examples = list(examples)
    errors = tuple((e.text, e.label, predictions[e.text]) for e in examples if predictions[e.text] != e.label)
    return Score(correct=len(examples) - len(errors), total=len(examples), errors=errors)
