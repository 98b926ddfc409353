"""Turning assistant replies into text messages.

Replies are kept in the GSM-7 character set (one curly quote would switch the
whole message to UCS-2 and more than double its cost), split between sentences
into messages of at most two segments, and buttons become a numbered list.
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from pump_assistant.content.gsm import is_gsm7

GSM_TWO_SEGMENTS = 306
UCS2_TWO_SEGMENTS = 134
_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "-",
}
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def to_gsm7(text: str) -> str:
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text


def split_for_sms(text: str, max_chars: int | None = None) -> list[str]:
    """Messages of at most two segments each, cut between sentences where possible."""
    text = to_gsm7(text).strip()
    if not text:
        return []
    limit = max_chars or (GSM_TWO_SEGMENTS if is_gsm7(text) else UCS2_TWO_SEGMENTS)
    pieces: list[str] = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(text))):
        pieces.extend(_split_long(sentence, limit))
    messages: list[str] = []
    for piece in pieces:
        if messages and len(messages[-1]) + 1 + len(piece) <= limit:
            messages[-1] = f"{messages[-1]} {piece}"
        else:
            messages.append(piece)
    return messages


def _split_long(sentence: str, limit: int) -> Iterable[str]:
    """A sentence longer than a whole message can only be cut between words."""
    while len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        yield sentence[:cut].strip()
        sentence = sentence[cut:].strip()
    if sentence:
        yield sentence


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
