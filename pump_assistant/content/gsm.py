"""GSM 03.38 character set: what an SMS can carry at 7 bits a character.

One character outside it switches the whole text to UCS-2, which cuts a
segment from 160 to 70 characters and silently multiplies the cost.
"""
from __future__ import annotations

import math

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table cost two septets (escape + char).
GSM7_EXTENSION = "^{}\\[~]|€\f"

_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)


def non_gsm7_characters(text: str) -> set[str]:
    return {ch for ch in text if ch not in _BASIC and ch not in _EXTENSION}


def is_gsm7(text: str) -> bool:
    return not non_gsm7_characters(text)


def sms_segments(text: str) -> int:
    """How many SMS segments the text is billed as."""
    if not text:
        return 1
    if is_gsm7(text):
        septets = sum(2 if ch in _EXTENSION else 1 for ch in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
