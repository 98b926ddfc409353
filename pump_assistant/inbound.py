"""What every channel checks about an incoming message before it reaches NLU.

One 100 kB message once held stock Rasa for 40 s and grew it to 14.5 GB, and a
missing sender id lands everybody in one shared "default" conversation. So each
channel cleans the text, caps its length and accepts only well-formed sender ids.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Optional

MAX_MESSAGE_CHARS = 2000
# Sender ids travel in URLs (/conversations/<id>/tracker) and log lines:
# letters, digits and a few separators; phone numbers keep their leading "+".
SENDER_ID_PATTERN = re.compile(r"^[A-Za-z0-9+][A-Za-z0-9_.:@+-]{0,63}$")
# C0/C1 control characters except tab and newline, and the Unicode
# "format" characters that could hide text (zero-width, bidi overrides).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

TOO_LONG_REPLY = (
    f"Your message is too long for me to read. Please ask one question at a time, "
    f"in fewer than {MAX_MESSAGE_CHARS} characters."
)
EMPTY_REPLY = "I didn't get any text. Please type your question about the pump."


def clean_text(text: str) -> str:
    """NFC-normalised text without control characters, trimmed."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()


def valid_sender_id(value: Any) -> Optional[str]:
    if isinstance(value, str) and SENDER_ID_PATTERN.match(value):
        return value
    return None


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS
