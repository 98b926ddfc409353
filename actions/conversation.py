"""Reading the parts of a tracker the actions need."""
from __future__ import annotations

from typing import Optional, Text

from rasa_sdk import Tracker


def channel_of(tracker: Tracker) -> Text:
    return tracker.get_latest_input_channel() or "unknown"


def last_typed_text(tracker: Tracker) -> Optional[Text]:
    """The newest thing the user typed (button payloads such as "/not_covered" are not typed)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if text and not text.startswith("/"):
                return text
    return None
