"""The NumPy MiniLM encoder reproduces the reference PyTorch embeddings."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pump_assistant.nlp.sentence_encoder import SentenceEncoder

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json").read_text())


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder()


@pytest.mark.parametrize("sentence", sorted(REFERENCE))
def test_matches_pytorch_reference(encoder, sentence):
    ours = encoder.encode_one(sentence)
    assert np.allclose(ours, np.array(REFERENCE[sentence]), atol=1e-4)


def test_paraphrases_are_closer_than_unrelated_text(encoder):
    refill, top_up, weather = encoder.encode(
        ["how often is the pump refilled", "how frequently do I need to top up the pump", "what's the weather today"]
    )
    assert refill @ top_up > 0.5 > refill @ weather
