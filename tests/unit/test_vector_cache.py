"""Sentence vectors kept between trainings: encoded once, read back, never stale."""
from __future__ import annotations

import numpy as np

from pump_assistant.nlp.vector_cache import cached_vectors


class CountingEncoder:
    def __init__(self, name="minilm:test"):
        self.name = name
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += list(texts)
        return np.array([[len(t), t.count(" "), 1.0] for t in texts], np.float32)


TEXTS = ["my pump is beeping 🔔", "¿cuándo es la recarga?", "x" * 2000]


def test_texts_are_encoded_once_and_read_back(tmp_path):
    cache = tmp_path / "cache" / "vectors.npz"
    first = CountingEncoder()
    vectors = cached_vectors(first, TEXTS, cache)
    assert first.seen == TEXTS and cache.exists()
    again = CountingEncoder()
    assert {t: v.tolist() for t, v in cached_vectors(again, TEXTS, cache).items()} == {
        t: v.tolist() for t, v in vectors.items()
    }
    assert again.seen == []


def test_a_new_text_or_another_model_is_encoded_afresh(tmp_path):
    cache = tmp_path / "vectors.npz"
    cached_vectors(CountingEncoder(), TEXTS, cache)
    more = CountingEncoder()
    cached_vectors(more, [*TEXTS, "a new message"], cache)
    assert more.seen == ["a new message"]
    other_model = CountingEncoder("minilm:other")
    cached_vectors(other_model, TEXTS, cache)
    assert other_model.seen == TEXTS


def test_an_unreadable_cache_is_encoded_afresh_not_a_crash(tmp_path):
    cache = tmp_path / "vectors.npz"
    cache.write_bytes(b"not a numpy file")
    encoder = CountingEncoder()
    assert set(cached_vectors(encoder, TEXTS, cache)) == set(TEXTS)
    assert encoder.seen == TEXTS
    assert cached_vectors(CountingEncoder(), TEXTS, None)["¿cuándo es la recarga?"].tolist() == [22.0, 3.0, 1.0]


def test_another_callers_texts_do_not_push_a_trainings_texts_out(tmp_path, monkeypatch):
    import pump_assistant.nlp.vector_cache as vector_cache

    cache = tmp_path / "vectors.npz"
    cached_vectors(CountingEncoder(), TEXTS, cache)
    cached_vectors(CountingEncoder(), ["a test's own message"], cache)
    again = CountingEncoder()
    cached_vectors(again, TEXTS, cache)
    assert again.seen == []
    # Bounded: past MAX_ENTRIES the oldest go first.
    monkeypatch.setattr(vector_cache, "MAX_ENTRIES", 2)
    cached_vectors(CountingEncoder(), ["newest one", "newest two"], cache)
    later = CountingEncoder()
    cached_vectors(later, ["newest one", *TEXTS], cache)
    assert later.seen == TEXTS
