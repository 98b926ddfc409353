"""Turning assistant replies into text messages.

Replies are kept in the GSM-7 character set (one curly quote would switch the
whole message to UCS-2 and more than double its cost), split into messages of
at most two segments by the real segment count (:func:`segments`), and buttons
become a numbered list.

Where a reply is cut: between lines or between sentences, never after a colon
(a "Source:" line stays whole, a heading such as "Reply with a number:" stays
with what follows), and only when nothing else fits between words. Line breaks
are kept, so a numbered list arrives one choice per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pump_assistant.content.gsm import segments

__all__ = ["MAX_SEGMENTS", "choice_for_reply", "numbered_choices", "segments", "split_for_sms", "to_gsm7"]

MAX_SEGMENTS = 2
_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2022": "-",
}
# A sentence ends at . ! or ? (perhaps closed by a quote or bracket) followed by
# white space. A colon never ends one.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(\s+)(?=\S)")
# "1." / "2)" opening a numbered line, and abbreviations, are not sentence ends.
_LIST_MARKER = re.compile(r"\(?\d{1,3}[.)]")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "approx.", "no.", "fig."})
# A line naming the reply's sources is never cut into sentences.
_SOURCE_LINE = re.compile(r"sources?:", re.I)

Unit = tuple[str, str]  # (what separates it from the previous unit, its text)


def to_gsm7(text: str) -> str:
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text


def split_for_sms(text: str, max_segments: int = MAX_SEGMENTS) -> list[str]:
    """Messages of at most ``max_segments`` segments each, cut between sentences where possible."""
    text = to_gsm7(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []

    def fits(candidate: str) -> bool:
        return segments(candidate) <= max_segments

    messages: list[str] = []
    current = ""
    for group in _groups(_units(text)):
        separator = group[0][0]
        joined = _join(group)
        if current and fits(current + separator + joined):
            current += separator + joined
            continue
        if current:
            messages.append(current)
        if fits(joined):
            current = joined
            continue
        pieces = _cut_between_words(joined, fits)
        messages.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        messages.append(current)
    return [m.strip() for m in messages if m.strip()]


def _units(text: str) -> list[Unit]:
    """The text's sentences, each with the space or line break(s) that came before it."""
    units: list[Unit] = []
    newlines = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            newlines += 1
            continue
        separator = ("\n\n" if newlines > 1 else "\n") if units else ""
        for i, sentence in enumerate(_sentences(line)):
            units.append((separator if i == 0 else " ", sentence))
        newlines = 1
    return units


def _sentences(line: str) -> list[str]:
    if _SOURCE_LINE.match(line):
        return [line]
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        before = line[start : match.start(1)]
        last_word = before.rsplit(None, 1)[-1] if before.split() else ""
        following = line[match.end(1)]
        if (
            (_LIST_MARKER.fullmatch(last_word) and last_word == before.strip())
            or last_word.lower() in _ABBREVIATIONS
            or following.islower()
        ):
            continue
        sentences.append(before.strip())
        start = match.end(1)
    sentences.append(line[start:].strip())
    return [s for s in sentences if s]


def _groups(units: list[Unit]) -> list[list[Unit]]:
    """Units that must travel together: one ending with a colon and the one after it."""
    groups: list[list[Unit]] = []
    glue = False
    for unit in units:
        if glue:
            groups[-1].append(unit)
        else:
            groups.append([unit])
        glue = unit[1].endswith(":")
    return groups


def _join(group: Iterable[Unit]) -> str:
    return "".join(separator + text for separator, text in group).lstrip()


def _cut_between_words(text: str, fits) -> list[str]:
    """A passage longer than a whole message: cut between words (inside a word only if it must)."""
    tokens = re.split(r"(\s+)", text)
    words = [(tokens[i - 1] if i else "", tokens[i]) for i in range(0, len(tokens), 2) if tokens[i]]
    pieces: list[str] = []
    current: list[tuple[str, str]] = []

    def text_of(items: list[tuple[str, str]]) -> str:
        return "".join(space + word for space, word in items).strip()

    for space, word in words:
        if current and fits(text_of(current + [(space, word)])):
            current.append((space, word))
            continue
        # Never end a text on "Source:" (or any colon): the words after it go with it.
        # Carry the longest run of colon-ended words that still fits with the next word.
        keep = len(current)
        while keep > 1 and current[keep - 1][1].endswith(":"):
            keep -= 1
        carried = []
        for start in range(keep, len(current)):
            if fits(text_of(current[start:] + [(space, word)])):
                carried = current[start:]
                current = current[:start]
                break
        if current:
            pieces.append(text_of(current))
        current = carried
        if current:
            current.append((space, word))
            continue
        while not fits(word):
            cut = _longest_fitting_prefix(word, fits)
            pieces.append(word[:cut])
            word = word[cut:]
        current = [("", word)]
    if current:
        pieces.append(text_of(current))
    return [p for p in pieces if p] or [text]


def _longest_fitting_prefix(word: str, fits) -> int:
    low, high = 1, len(word)  # one character always fits
    while low < high:
        middle = (low + high + 1) // 2
        if fits(word[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def numbered_choices(buttons: Sequence[dict]) -> tuple[str, list[dict]]:
    """The buttons as "Reply 1 for ..., 2 for ..." text, and the choices to remember."""
    choices = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]
    lines = [f"{i}. {to_gsm7(choice['title'])}" for i, choice in enumerate(choices, start=1)]
    return "Reply with a number:\n" + "\n".join(lines), choices


def choice_for_reply(text: str, choices: Sequence[dict]) -> str | None:
    """The payload a reply such as "2" (or " 2. ") stands for, if any."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text)
    if not match:
        return None
    index = int(match.group(1)) - 1
    return choices[index]["payload"] if 0 <= index < len(choices) else None
