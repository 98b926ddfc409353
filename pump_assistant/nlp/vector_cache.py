"""Sentence vectors of fixed texts, kept on disk between trainings.

The triage's learned detectors train on some 9,600 fixed texts (the retired safety
sets, the self-harm examples). MiniLM takes about 11 ms a text on 2 cores, so the
first training encodes them once (about 100 s) and later ones read them back. A
vector is keyed by a hash of the encoder's name and the text: a changed text or a
changed model is encoded afresh; the oldest entries go once there are too many.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)
# About 50 MB of 384-dimensional vectors: several versions of the training data.
MAX_ENTRIES = 30_000


def _key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:32]


def cached_vectors(encoder: Any, texts: Sequence[str], path: str | Path | None) -> dict[str, np.ndarray]:
    """text -> vector for every text, encoding only those not in the cache file at ``path``."""
    model = str(getattr(encoder, "name", type(encoder).__name__))
    wanted = {text: _key(model, text) for text in dict.fromkeys(texts)}
    known: dict[str, np.ndarray] = {}
    cache = Path(path) if path else None
    if cache is not None and cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as data:
                known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError) as error:
            logger.warning("vector cache %s unreadable (%s): encoding afresh", cache, error)
    missing = [text for text, key in wanted.items() if key not in known]
    if missing:
        logger.info("encoding %d texts (%d cached)", len(missing), len(wanted) - len(missing))
        for text, vector in zip(missing, encoder.encode(missing), strict=True):
            known[wanted[text]] = np.asarray(vector, np.float32)
    vectors = {text: known[key] for text, key in wanted.items()}
    if cache is not None and missing:
        # What was asked for now, then what was kept before (most recent first), up to MAX_ENTRIES:
        # another caller's texts (a test's, an older data version) do not push these out.
        keys = list(dict.fromkeys([*wanted.values(), *reversed(list(known))]))[:MAX_ENTRIES]
        keys.reverse()  # oldest first on disk, so the newest are read last and kept first next time
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(partial, keys=np.array(keys), vectors=np.stack([known[k] for k in keys]).astype(np.float32))
        partial.replace(cache)  # whole or not at all: a second training never reads half a file
    return vectors
