"""Typo tolerance for red-flag words: "fevr", "stif neck", "hedache", "brething".

A patient typing in a hurry misspells exactly the words the rules look for. A
token that is not an English word the lemmatizer knows, and is one edit (two
for long words) from a red-flag word, takes that word's lemma, so the lemma
matchers find it. Known words are never changed ("stiff" stays "stiff").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

MIN_LENGTH = 4


class SpellingCorrector:
    def __init__(self, nlp: Language, phrases: Iterable[str], known_words: Iterable[str] = ()):
        """``phrases``: what a misspelling may be corrected to; ``known_words``: never corrected, never a target."""
        known: set[str] = set(known_words)
        self._table = None
        try:
            # Keys are stored hashed: membership is asked of the table itself.
            lemmatizer: Any = nlp.get_pipe("lemmatizer")  # spaCy types it as a plain Pipe
            self._table = lemmatizer.lookups.get_table("lemma_lookup")
            known.update(str(v) for v in self._table.values() if isinstance(v, str))
        except (KeyError, ValueError):
            pass
        words: dict[str, str] = {}
        for phrase in phrases:
            for token in nlp(str(phrase).lower()):
                if token.is_alpha and len(token.text) >= MIN_LENGTH:
                    words.setdefault(token.text, token.lemma_.lower())
        self._targets = words
        self._known = known | set(words)
        self._by_length: dict[int, list[str]] = {}
        for word in words:
            self._by_length.setdefault(len(word), []).append(word)
        self._cache: dict[str, str | None] = {}

    def correct(self, doc: Doc) -> None:
        for token in doc:
            text = token.lower_
            if len(text) < MIN_LENGTH or not token.is_alpha or text in self._known:
                continue
            if self._table is not None and text in self._table:
                continue
            lemma = self._lookup(text)
            if lemma is not None:
                token.lemma_ = lemma

    def _lookup(self, text: str) -> str | None:
        if text not in self._cache:
            self._cache[text] = self._nearest(text)
        return self._cache[text]

    def _nearest(self, text: str) -> str | None:
        allowed = 1 if len(text) < 8 else 2
        for length in range(len(text) - allowed, len(text) + allowed + 1):
            for word in self._by_length.get(length, ()):
                # A typo keeps the first letter nearly always; it also keeps false matches down.
                if word[0] == text[0] and _distance(text, word, allowed) <= allowed:
                    return self._targets[word]
        return None


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), stopping early past ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
