"""The held-out files stay held out."""
from __future__ import annotations

from pathlib import Path

from pump_assistant.evaluation import load_examples

ROOT = Path(__file__).resolve().parents[2]


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def test_no_heldout_question_is_in_the_training_data():
    training = {_normal(e.text) for path in (ROOT / "data" / "nlu").glob("*.yml") for e in load_examples(path)}
    heldout = [e.text for path in (ROOT / "tests" / "heldout").glob("*.yml") for e in load_examples(path)]
    assert len(heldout) >= 150
    assert [t for t in heldout if _normal(t) in training] == []


def test_every_faq_topic_has_training_examples(registry):
    labels = {e.label for path in (ROOT / "data" / "nlu").glob("*.yml") for e in load_examples(path)}
    assert {f"faq/{answer_id}" for answer_id in registry.answers} <= labels
