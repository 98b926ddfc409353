"""What every channel checks about an incoming message before it reaches NLU.

One 100 kB message once held stock Rasa for 40 s and grew it to 14.5 GB, and a
missing sender id lands everybody in one shared "default" conversation. So every
channel admits a message through :func:`admit`, which checks the rate, the
payload, the sender, emptiness and length in one order and either admits the
cleaned text or refuses it with a :class:`Refusal`; the channel only renders a
refusal in its own transport (an HTTP status, a socket event, an SMS).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pump_assistant.ratelimit import TOO_MANY_MESSAGE, RateLimiter

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


def valid_sender_id(value: Any) -> str | None:
    if isinstance(value, str) and SENDER_ID_PATTERN.match(value):
        return value
    return None


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS


# --- admission: one order of checks for every channel ---------------------------


class Refusal(enum.Enum):
    """Why a message was not handed to the assistant, in the order :func:`admit` checks."""

    RATE_LIMITED = "rate_limited"  # too many messages from this address or sender
    MALFORMED = "malformed"  # the transport's payload is not a message
    BAD_SENDER = "bad_sender"  # no usable sender (conversation) id
    EMPTY = "empty"  # nothing left to read once cleaned
    TOO_LONG = "too_long"  # longer than MAX_MESSAGE_CHARS


@dataclass(frozen=True)
class Admitted:
    sender: str
    text: str  # cleaned (clean_text)


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    sender: str | None = None  # once the sender is known to be valid
    retry_after: int = 0  # seconds, for RATE_LIMITED
    problem: Any = None  # for MALFORMED: the channel's own description, or NOT_TEXT

    @property
    def reply(self) -> str:
        """What the patient is told, for refusals a patient can do something about."""
        return REFUSAL_REPLIES.get(self.reason, "")


NOT_TEXT = "the message text is not a string"
REFUSAL_REPLIES = {
    Refusal.RATE_LIMITED: TOO_MANY_MESSAGE,
    Refusal.EMPTY: EMPTY_REPLY,
    Refusal.TOO_LONG: TOO_LONG_REPLY,
}


def admit(
    sender: Any,
    text: Any,
    *,
    per_sender: RateLimiter | None = None,
    address: str | None = None,
    per_address: RateLimiter | None = None,
    malformed: Any = None,
    sender_check: Callable[[Any], str | None] = valid_sender_id,
) -> Admitted | Refused:
    """Admit a message, or refuse it for the first reason in this order, on every channel:

    1. the address is over its rate (``per_address``, before anything is read);
    2. the payload is ``malformed`` (the channel parsed it; whatever it found wrong),
       or the text is not a string (``problem`` :data:`NOT_TEXT`);
    3. the sender fails ``sender_check``;
    4. the sender is over its rate (``per_sender``);
    5. the cleaned text is empty;
    6. it is too long.
    """
    if per_address is not None and address is not None:
        decision = per_address.check(address)
        if not decision.allowed:
            return Refused(Refusal.RATE_LIMITED, retry_after=decision.retry_after)
    if malformed is not None or not isinstance(text, str):
        return Refused(Refusal.MALFORMED, problem=NOT_TEXT if malformed is None else malformed)
    checked = sender_check(sender)
    if checked is None:
        return Refused(Refusal.BAD_SENDER)
    if per_sender is not None:
        decision = per_sender.check(checked)
        if not decision.allowed:
            return Refused(Refusal.RATE_LIMITED, checked, retry_after=decision.retry_after)
    cleaned = clean_text(text)
    if not cleaned:
        return Refused(Refusal.EMPTY, checked)
    if too_long(cleaned):
        return Refused(Refusal.TOO_LONG, checked)
    return Admitted(checked, cleaned)
