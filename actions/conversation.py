"""Reading the parts of a tracker the actions need."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

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


def transcript(tracker: Tracker, limit: int = 50) -> List[Dict[Text, Any]]:
    """The conversation so far, as staff will read it: who said what, when."""
    turns = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        turns.append(
            {
                "role": "patient" if kind == "user" else "assistant",
                "text": event["text"],
                "time": event.get("timestamp"),
            }
        )
    return turns[-limit:]


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def safety_signs(tracker: Tracker) -> List[Text]:
    return list((tracker.latest_message.get("safety") or {}).get("signs") or [])


def self_harm(tracker: Tracker) -> bool:
    return bool((tracker.latest_message.get("safety") or {}).get("self_harm"))
