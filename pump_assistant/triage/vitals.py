"""Numbers read as numbers: temperature, breathing rate, oxygen, blood pressure, pulse, hours without urine.

"temp 103", "102.4", "39.6C", "RR 6", "sats 84%", "BP 78/40", "HR 38" and
"haven't peed in 14 hours" are red flags no phrase list can hold. Each reading
gives a triage level by the usual adult thresholds; a normal reading gives none
(and "fever of 98.6" is not a fever).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pump_assistant.triage.levels import EMERGENCY, POSSIBLE


@dataclass(frozen=True)
class Reading:
    kind: str  # temperature_f, breathing_rate, oxygen, systolic, pulse, hours_without_urine, gcs
    value: float
    text: str
    level: str | None  # EMERGENCY, POSSIBLE or None when normal
    category: str
    fever: bool = False
    start: int = 0
    end: int = 0

    @property
    def normal(self) -> bool:
        """Within the usual adult range: a pulse of 125 is no red flag by itself, but it is not normal either."""
        if self.level is not None or self.fever:
            return False
        low, high = NORMAL_RANGE.get(self.kind, (float("-inf"), float("inf")))
        return low <= self.value <= high


# Usual adult ranges; readings outside them, though no red flag alone, are not "normal vital signs".
NORMAL_RANGE = {"pulse": (50, 100), "breathing_rate": (10, 22), "oxygen": (94, 100), "systolic": (90, 160)}


NUMBER = r"(\d{1,3}(?:\.\d{1,2})?)"
_TEMP_WORDS = (
    r"(?:temp(?:erature)?|fever(?:\s+of)?|febrile|t(?:max)?|running|spiking|spiked|reading|thermometer\s+says|at)"
)
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "temperature",
        re.compile(
            rf"\b{_TEMP_WORDS}\s*(?:is|was|of|at|to|=|:|-)?\s*(?:about|around|over|above)?\s*{NUMBER}\s*(°|º|deg(?:rees?)?|f\b|c\b)?",
            re.I,
        ),
    ),
    ("temperature", re.compile(rf"\b{NUMBER}\s*(°\s*[fc]?|º\s*[fc]?|deg(?:rees?)?\s*[fc]?|f\b|c\b)", re.I)),
    ("temperature_bare", re.compile(r"(?<![\d/.])(9[5-9]\.\d|10[0-9]\.\d|3[5-9]\.\d|4[0-2]\.\d)(?![\d/%])")),
    (
        "breathing_rate",
        re.compile(
            rf"\b(?:rr|resp(?:iratory)?\s*rate|resps?|respirations?|breathing\s+rate|br)\s*(?:is|of|at|=|:|-|~)?\s*(?:about|around|only)?\s*{NUMBER}",
            re.I,
        ),
    ),
    (
        "breathing_rate",
        re.compile(
            rf"{NUMBER}\s*(?:breaths?|bpm\s+breathing|respirations?)\s*(?:a|per|/|each|every)?\s*(?:min(?:ute)?)?", re.I
        ),
    ),
    (
        "breathing_rate",
        re.compile(
            r"\bbreath\w*\b[^\n.?!]{0,40}?\b(\d{1,2})(?:\s*(?:or|-|to)\s*\d{1,2})?\s*(?:times?|breaths?)?\s*(?:in\s+a\s+(?:whole\s+|full\s+)?|a\s+|per\s+|/\s*|each\s+|every\s+)min",
            re.I,
        ),
    ),
    ("breathing_interval", re.compile(r"\bbreath\w*\b[^\n.?!]{0,40}?\bonce\s+every\s+(\d{1,2})\s*(?:sec|s\b)", re.I)),
    (
        "breathing_rate",
        re.compile(
            rf"\bbreath(?:ing|es|s)?\s+(?:only\s+|about\s+|like\s+|maybe\s+)?{NUMBER}\s*(?:times?\s*)?(?:a|per|/|in\s+a)\s*min",
            re.I,
        ),
    ),
    (
        "oxygen",
        re.compile(
            rf"\b(?:spo2|sp02|o2\s*sats?|o2|sats?|saturations?|oxygen(?:\s+level)?|pulse\s*ox|pox)\s*(?:is|of|at|=|:|-|~)?\s*(?:about|around|only|down\s+to)?\s*{NUMBER}\s*%?",
            re.I,
        ),
    ),
    (
        "blood_pressure",
        re.compile(
            r"\b(?:bp|blood\s+pressure|b/p|pressure)?\s*(?:is|of|at|=|:|-|~)?\s*(?:about|around|only|down\s+to)?\s*(\d{2,3})\s*(?:/|over)\s*(\d{2,3}|palp|something|\?+)\b",
            re.I,
        ),
    ),
    # The top number alone, or a range of them: "systolic 78", "her systolic has been in the 70s".
    (
        "systolic",
        re.compile(
            r"\b(?:systolic|sbp|top\s+number)\b[^\d\n.?!]{0,25}?\b(?:in\s+the\s+|the\s+|low\s+|high\s+)?(?:(1?\d)0'?s|(\d{2,3}))\b(?!\s*(?:/|over|%))",
            re.I,
        ),
    ),
    (
        "pulse",
        re.compile(
            r"\b(?:hr|heart\s*rate|pulse|heartbeat|heart)\b[^\d\n.?!]{0,30}?(\d{2,3})\b(?!\s*(?:/|over|%|years?|yrs?|mg|min))",
            re.I,
        ),
    ),
    ("pulse", re.compile(rf"{NUMBER}\s*(?:bpm|beats?\s*(?:a|per|/)\s*min)", re.I)),
    (
        "hours_without_urine",
        re.compile(
            r"(\d{1,2})\s*(?:\+\s*)?(?:hours?|hrs?|h)\s+since\s+(?:i|he|she|they|we|pt|patient)?\s*(?:last\s+)?(?:peed|urinated|voided|passed\s+urine|went\s+pee|had\s+a\s+wee)",
            re.I,
        ),
    ),
    (
        "hours_without_urine",
        re.compile(
            r"\b(?:(?:not|n't|nt|no|haven'?t|hasn'?t|havent|hasnt|can'?t|cant|unable\s+to|couldn'?t)\s+(?:peed|pee|urinated|urinate|voided|void|passed\s+urine|pass\s+urine|gone\s+pee|go\s+pee)|no\s+urine(?:\s+output)?|nothing\s+in\s+(?:the|his|her)\s+(?:bag|catheter))\D{0,25}?(\d{1,2})\s*(?:\+\s*)?(?:hours?|hrs?|h)\b",
            re.I,
        ),
    ),
    ("gcs", re.compile(r"\bgcs\s*(?:is|of|=|:|-)?\s*(\d{1,2})\b", re.I)),
]


def _temperature(value: float, unit: str | None, explicit: bool) -> tuple[float, str] | None:
    """The reading in °F, or None when the number is not a body temperature."""
    unit = (unit or "").lower().strip("°º ").replace("degrees", "").replace("degree", "").replace("deg", "").strip()
    if unit == "c" or (not unit and 34 <= value <= 43):
        return (value * 9 / 5 + 32, "C") if 34 <= value <= 43 else None
    if 93 <= value <= 110:
        return value, "F"
    return None


def read_vitals(text: str) -> list[Reading]:
    readings: list[Reading] = []
    seen_spans: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in seen_spans):
                continue
            reading = _read(kind, match)
            if reading is not None:
                reading = Reading(**{**reading.__dict__, "start": match.start(), "end": match.end()})
                readings.append(reading)
                seen_spans.append(match.span())
    return readings


def _read(kind: str, match: re.Match) -> Reading | None:
    text = match.group(0).strip()
    if kind in ("temperature", "temperature_bare"):
        value = float(match.group(1))
        unit = match.group(2) if kind == "temperature" and match.lastindex and match.lastindex >= 2 else None
        converted = _temperature(value, unit, kind == "temperature")
        if converted is None:
            return None
        fahrenheit, _ = converted
        if fahrenheit >= 104:
            level = EMERGENCY
        elif fahrenheit >= 102:
            level = POSSIBLE
        else:
            level = None
        return Reading(
            "temperature_f", round(fahrenheit, 1), text, level, "infection_meningitis", fever=fahrenheit >= 100.4
        )
    if kind in ("breathing_rate", "breathing_interval"):
        value = float(match.group(1))
        if kind == "breathing_interval":
            value = 60 / value if value else 0
        if not 1 <= value <= 80:
            return None
        level = EMERGENCY if value <= 8 or value >= 35 else POSSIBLE if value <= 10 or value >= 28 else None
        return Reading("breathing_rate", value, text, level, "overdose")
    if kind == "oxygen":
        value = float(match.group(1))
        if not 50 <= value <= 100:
            return None
        level = EMERGENCY if value < 90 else POSSIBLE if value < 93 else None
        return Reading("oxygen", value, text, level, "overdose")
    if kind == "blood_pressure":
        systolic = float(match.group(1))
        diastolic = match.group(2)
        if not 40 <= systolic <= 260:
            return None
        if not diastolic.isdigit():
            level = EMERGENCY if systolic < 90 else POSSIBLE
        elif not (20 <= float(diastolic) < systolic):
            return None
        else:
            level = (
                EMERGENCY
                if systolic < 80 or systolic >= 200
                else POSSIBLE
                if systolic < 90 or systolic >= 180
                else None
            )
        return Reading("systolic", systolic, text, level, "low_bp_slow_heart")
    if kind == "systolic":
        # "the 70s": somewhere from 70 to 79
        value = float(match.group(1)) * 10 + 5 if match.group(1) else float(match.group(2))
        if not 40 <= value <= 260:
            return None
        level = EMERGENCY if value < 80 or value >= 200 else POSSIBLE if value < 90 or value >= 180 else None
        return Reading("systolic", value, text, level, "low_bp_slow_heart")
    if kind == "pulse":
        value = float(match.group(1))
        if not 15 <= value <= 250:
            return None
        level = EMERGENCY if value < 40 or value >= 150 else POSSIBLE if value < 50 or value >= 130 else None
        return Reading("pulse", value, text, level, "low_bp_slow_heart")
    if kind == "hours_without_urine":
        value = float(match.group(1))
        level = EMERGENCY if value >= 8 else POSSIBLE if value >= 6 else None
        return Reading("hours_without_urine", value, text, level, "cord_compression")
    if kind == "gcs":
        value = float(match.group(1))
        if not 3 <= value <= 15:
            return None
        level = EMERGENCY if value <= 12 else POSSIBLE if value <= 14 else None
        return Reading("gcs", value, text, level, "altered_mental_status")
    return None
