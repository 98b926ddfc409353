"""Triage levels, lowest to highest, and the one rule for combining them: the highest wins."""
from __future__ import annotations

from typing import Iterable

NONE = "none"
POSSIBLE = "possible"
EMERGENCY = "emergency"
ORDER = (NONE, POSSIBLE, EMERGENCY)

# Ticket urgency for each level (the urgencies themselves: pump_assistant.storage.tickets.URGENCIES).
URGENCY_BY_LEVEL = {EMERGENCY: "emergency", POSSIBLE: "urgent", NONE: "routine"}


def highest(levels: Iterable[str]) -> str:
    return max(levels, key=ORDER.index, default=NONE)

