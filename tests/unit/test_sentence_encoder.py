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


# A message and what it keeps once its denials are left out (sentences of my own).
MESSAGE = "No chest pain and no fainting since Tuesday. What happens if the battery runs out while I'm asleep?"
KEPT = "since tuesday. what happens if the battery runs out while i'm asleep?"


def test_texts_packed_in_one_pass_get_the_vectors_each_gets_alone(encoder):
    alone = np.stack([encoder.encode_one(text) for text in (MESSAGE, KEPT, "hi")])
    packed = encoder.encode_packed([MESSAGE, KEPT, "hi"])
    assert packed.shape == alone.shape
    # BLAS may order a product's sums differently for more rows: ~1e-7 at most.
    assert np.allclose(packed, alone, atol=1e-6, rtol=0)
    # One text packed is bit for bit what the padded batch computes for it alone.
    assert np.array_equal(encoder.encode_packed([MESSAGE])[0], encoder._forward([encoder._tokenizer.encode(MESSAGE).ids])[0])


def test_a_message_and_its_kept_text_take_one_forward_pass(encoder, monkeypatch):
    from pump_assistant.nlp.sentence_encoder import MessageEncoder

    passes = []
    forward = encoder._forward_packed
    monkeypatch.setattr(encoder, "_forward_packed", lambda segments: passes.append(len(segments)) or forward(segments))
    messages = MessageEncoder(encoder, cache_size=16)
    vectors = messages.encode_several([MESSAGE, KEPT, MESSAGE.upper()])  # the same text by its cache key
    assert passes == [2]
    assert np.allclose(vectors[0], encoder.encode_one(MESSAGE), atol=1e-6, rtol=0)
    assert np.allclose(vectors[1], encoder.encode_one(KEPT), atol=1e-6, rtol=0)
    assert vectors[2] is vectors[0]
    passes.clear()
    assert messages.encode_one("  since Tuesday.   What happens if the battery runs out while I'm asleep?") is vectors[1]
    again = messages.encode_several([KEPT, MESSAGE])
    assert again[0] is vectors[1] and again[1] is vectors[0]
    assert passes == []  # both cached: no pass at all
