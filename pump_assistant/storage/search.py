"""What a ticket's search box matches: its words (case-folded) and its phone numbers as digits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pump_assistant.transcript import readable_text

PHONE_LIKE = re.compile(r"^[\d\s().+-]{4,}$")
NON_DIGITS = re.compile(r"\D")


def _digits(value: str | None) -> str:
    return NON_DIGITS.sub("", value or "")


def search_text(
    *,
    sender_id: str,
    trigger_message: str,
    transcript: Iterable[dict[str, Any]],
    contact_name: str | None,
    contact_phone: str | None,
    resolution_note: str | None = None,
) -> str:
    """One case-folded line per searchable part: the summary, the transcript as people read it, phones."""
    parts = [sender_id, trigger_message or "", contact_name or "", contact_phone or "", resolution_note or ""]
    for turn in transcript or []:
        text = turn.get("text") if isinstance(turn, dict) else None
        if isinstance(text, str):
            parts.append(readable_text(text) if turn.get("role") == "patient" else text)
    # Phone numbers also as bare digits, so "555-222-0123" and "+15552220123" find the same ticket.
    parts += [d for d in (_digits(sender_id), _digits(contact_phone)) if len(d) >= 4]
    return "\n".join(p for p in parts if p).casefold()


def search_terms(query: str) -> str:
    """What to look for in search_text: digits alone for a phone number, the case-folded words otherwise."""
    query = " ".join(query.split())
    if PHONE_LIKE.match(query) and len(_digits(query)) >= 4:
        return _digits(query)
    return query.casefold()


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape character '\\') that matches term anywhere, taking %, _ and \\ literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
