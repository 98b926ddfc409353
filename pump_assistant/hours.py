"""Clinic opening hours, from configuration (e.g. ``Mon-Fri 08:00-17:00``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPEC = re.compile(r"^\s*(\w{3})(?:\s*-\s*(\w{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class ClinicHours:
    """Opening hours: for each weekday (0 = Monday) the times the phones are staffed."""

    windows: dict[int, tuple[dt.time, dt.time]]
    timezone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str) -> ClinicHours:
        windows: dict[int, tuple[dt.time, dt.time]] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            match = _SPEC.match(part)
            if not match:
                raise ValueError(f"clinic hours {part!r}: expected e.g. 'Mon-Fri 08:00-17:00'")
            first, last, h1, m1, h2, m2 = match.groups()
            try:
                start, end = DAYS.index(first.lower()), DAYS.index((last or first).lower())
            except ValueError as exc:
                raise ValueError(f"clinic hours {part!r}: unknown day") from exc
            opens, closes = dt.time(int(h1), int(m1)), dt.time(int(h2), int(m2))
            for day in range(start, end + 1):
                windows[day] = (opens, closes)
        return cls(windows=windows, timezone=ZoneInfo(timezone))

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.timezone)
        window = self.windows.get(local.weekday())
        return window is not None and window[0] <= local.time() < window[1]

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        local = now.astimezone(self.timezone)
        for offset in range(0, 8):
            day = local.date() + dt.timedelta(days=offset)
            window = self.windows.get(day.weekday())
            if not window:
                continue
            opening = dt.datetime.combine(day, window[0], tzinfo=self.timezone)
            if opening > local:
                return opening
        return None

    def describe_next_opening(self, now: dt.datetime) -> str:
        opening = self.next_opening(now)
        if opening is None:
            return "when the clinic next opens"
        local = now.astimezone(self.timezone)
        hour = opening.strftime("%I:%M %p").lstrip("0")
        if opening.date() == local.date():
            return f"today at {hour}"
        if opening.date() == local.date() + dt.timedelta(days=1):
            return f"tomorrow at {hour}"
        return f"{opening.strftime('%A')} at {hour}"
