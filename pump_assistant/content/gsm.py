"""GSM 03.38 character set: what an SMS can carry at 7 bits a character.

One character outside it switches the whole text to UCS-2, which cuts a
segment from 160 to 70 characters and silently multiplies the cost.
"""

from __future__ import annotations

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


GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets per segment: alone, in a concatenated text
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units per segment


def septets(text: str) -> int:
    """GSM-7 length: an extension character is sent as escape + character (2 septets)."""
    return sum(2 if ch in _EXTENSION else 1 for ch in text)


def ucs2_units(text: str) -> int:
    """UCS-2/UTF-16 length: a character outside the BMP (an emoji) takes a surrogate pair."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS segments the text is sent and billed as.

    GSM-7 when every character is in GSM 03.38 (basic or extension table),
    else UCS-2. One segment holds 160 septets / 70 units; a concatenated text
    153 / 67 per segment (the rest carries the concatenation header). As
    handsets and Twilio do, an escape sequence or a surrogate pair is never
    split across two segments, so a segment may carry one unit less.
    """
    if not text:
        return 1
    if is_gsm7(text):
        costs, single, multi = [2 if ch in _EXTENSION else 1 for ch in text], GSM7_SINGLE, GSM7_MULTI
    else:
        costs, single, multi = [2 if ord(ch) > 0xFFFF else 1 for ch in text], UCS2_SINGLE, UCS2_MULTI
    if sum(costs) <= single:
        return 1
    count, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            count, used = count + 1, 0
        used += cost
    return count


# The name the rest of the project has used.
sms_segments = segments
