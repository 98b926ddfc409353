"""The sentence encoder's ONNX graph gives the NumPy encoder's vectors, and a wrong or missing graph falls back to NumPy."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from pump_assistant.nlp.onnx_minilm import export, load_forward, recorded_name
from pump_assistant.nlp.sentence_encoder import SentenceEncoder

TEXTS = [
    "how often does the pump need a refill?",
    "mi esposo no despierta y respira muy despacio, tiene la bomba de morfina",
    "pt s/p IT pump refill 2h ago, RR 6, pinpoint pupils, SpO2 84% — responds only to sternal rub 😟",
    "I've had the pump for six years and " + "the battery question keeps coming back to me, " * 20,
]


@pytest.fixture(scope="module")
def numpy_encoder():
    return SentenceEncoder(onnx_path=None)


@pytest.fixture(scope="module")
def graph(numpy_encoder, tmp_path_factory):
    return export(numpy_encoder, tmp_path_factory.mktemp("minilm") / "minilm.onnx")


def test_the_graph_gives_the_numpy_encoders_vectors_for_every_kind_of_message(numpy_encoder, graph):
    onnx_encoder = SentenceEncoder(onnx_path=graph)
    assert onnx_encoder._onnx_forward is not None
    assert recorded_name(graph) == numpy_encoder.name
    by_numpy = numpy_encoder.encode_packed(TEXTS)
    by_onnx = onnx_encoder.encode_packed(TEXTS)
    assert by_onnx.shape == by_numpy.shape == (len(TEXTS), numpy_encoder.dimension)
    assert np.abs(by_onnx - by_numpy).max() < 1e-5
    assert np.allclose(np.linalg.norm(by_onnx, axis=1), 1.0, atol=1e-5)
    assert by_onnx.dtype == np.float32


def test_a_graph_built_from_other_weights_is_refused_and_numpy_answers(numpy_encoder, graph, caplog):
    with caplog.at_level(logging.WARNING):
        assert load_forward(graph, "minilm:other-weights:123:128") is None
    assert "other weights" in caplog.text
    stale = SentenceEncoder(onnx_path=graph)
    stale.name = "minilm:other-weights:123:128"
    assert stale._onnx_forward is None
    assert np.abs(stale.encode_packed(TEXTS[:1]) - numpy_encoder.encode_packed(TEXTS[:1])).max() == 0.0


def test_a_missing_or_damaged_graph_falls_back_to_numpy(numpy_encoder, tmp_path, caplog):
    assert load_forward(tmp_path / "absent.onnx", numpy_encoder.name) is None
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(b"\x08\x07not a graph at all")
    with caplog.at_level(logging.WARNING):
        assert load_forward(damaged, numpy_encoder.name) is None
    assert "not used" in caplog.text
