"""Triage levels, lowest to highest, and the one rule for combining them: the highest wins."""
from __future__ import annotations

from typing import Iterable

NONE = "none"
POSSIBLE = "possible"
EMERGENCY = "emergency"
ORDER = (NONE, POSSIBLE, EMERGENCY)

# Ticket urgency for each level (tickets also carry "routine" for hand-offs without a red flag).
URGENCY_BY_LEVEL = {EMERGENCY: "emergency", POSSIBLE: "urgent", NONE: "routine"}
URGENCIES = ("emergency", "urgent", "routine")


def highest(levels: Iterable[str]) -> str:
    return max(levels, key=ORDER.index, default=NONE)


def at_least(level: str, floor: str) -> str:
    return highest((level, floor))
