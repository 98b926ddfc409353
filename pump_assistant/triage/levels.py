"""Triage levels, lowest to highest, and the one rule for combining them: the highest wins."""

from __future__ import annotations

from collections.abc import Iterable

from pump_assistant.vocabulary import Urgency

NONE = "none"
POSSIBLE = "possible"
EMERGENCY = "emergency"
ORDER = (NONE, POSSIBLE, EMERGENCY)

# Ticket urgency for each level (the urgencies themselves: pump_assistant.vocabulary.Urgency).
URGENCY_BY_LEVEL = {EMERGENCY: Urgency.EMERGENCY, POSSIBLE: Urgency.URGENT, NONE: Urgency.ROUTINE}


def highest(levels: Iterable[str]) -> str:
    return max(levels, key=ORDER.index, default=NONE)
