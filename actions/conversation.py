"""Reading the parts of a tracker the actions need."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from pump_assistant import answering, services
from pump_assistant.config import get_settings
from pump_assistant.content.registry import Registry
from pump_assistant.transcript import turns_from_events
from pump_assistant.triage.decision import Triage


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def last_typed_text(tracker: Tracker) -> str | None:
    """The newest thing the user typed (button payloads such as "/not_covered" are not typed)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if text and not text.startswith("/"):
                return text
    return None


def transcript(tracker: Tracker, limit: int = 50) -> list[dict[str, Any]]:
    """The conversation so far, as staff will read it: who said what, when."""
    return turns_from_events(tracker.events)[-limit:]


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def triage_of(tracker: Tracker) -> Triage:
    """The triage decision NLU made on the latest message (level, self-harm, signs, lines to add)."""
    return Triage.from_dict(tracker.latest_message.get("triage"))


def safety_signs(tracker: Tracker) -> list[str]:
    return list(triage_of(tracker).signs)


def self_harm(tracker: Tracker) -> bool:
    return triage_of(tracker).self_harm


def answer_choice(tracker: Tracker) -> tuple[Registry, answering.Choice]:
    """The registry, and answering's choice for the latest message at the configured confidence and margin."""
    settings = get_settings()
    registry = services.registry()
    choice = answering.choose_answer(
        tracker.latest_message,
        registry,
        answer_confidence=settings.answer_confidence,
        ambiguity_margin=settings.ambiguity_margin,
    )
    return registry, choice
