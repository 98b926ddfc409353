"""A conversation as people read it: a pressed button shows its title, never its raw payload.

Rasa records a pressed button as the payload it sent, e.g. ``/choose_topic{"topic":"refills"}``
or ``/affirm``. Staff see the button's title ("How often the pump is refilled", "Yes") or, for a
payload no button here sends, a plain description ("Chose an option: request human").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pump_assistant.vocabulary import Intent

# The titles of the buttons in domain.yml and pump_assistant.answering, by intent.
BUTTON_TITLES = {
    "affirm": "Yes",
    "deny": "No, thanks",
    Intent.REQUEST_HUMAN: "Have someone contact me",
    Intent.FEEDBACK_HELPFUL: "Yes, it helped",
    Intent.FEEDBACK_NOT_HELPFUL: "No (the answer did not help)",
    Intent.NOT_COVERED: "Something else",
    "restart": "Start over",
}
PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?\s*$", re.S)


def _registry_title(answer_id: str) -> str | None:
    try:
        from pump_assistant import services

        answer = services.registry().get(answer_id)
    except Exception:  # no registry here (a migration, a tool): fall back to the topic's words
        return None
    return answer.title if answer else None


def readable_text(text: str, title_for: Callable[[str], str | None] = _registry_title) -> str:
    """The words a patient's turn shows staff: the text typed, or what a pressed button said."""
    match = PAYLOAD.match(text or "")
    if not match:
        return text
    intent = match["intent"]
    entities: Mapping[str, Any] = {}
    if match["entities"]:
        try:
            parsed = json.loads(match["entities"])
            entities = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            entities = {}
    if intent == "choose_topic":
        topic = str(entities.get("topic") or "")
        title = title_for(topic) if topic else None
        return f"Chose a topic: {title or topic.replace('_', ' ') or 'unnamed'}"
    if intent in BUTTON_TITLES:
        return BUTTON_TITLES[intent]
    return "Chose an option: " + intent.replace("_", " ")


def readable_transcript(
    turns: Iterable[Mapping[str, Any]], title_for: Callable[[str], str | None] = _registry_title
) -> list[dict]:
    """Each turn with ``text`` as people read it; a button press also keeps ``button: true``."""
    shown = []
    for turn in turns or []:
        turn = dict(turn)
        text = turn.get("text")
        if turn.get("role") == "patient" and isinstance(text, str):
            readable = readable_text(text, title_for)
            if readable != text:
                turn["text"], turn["button"] = readable, True
        shown.append(turn)
    return shown


def turns_from_events(events: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Rasa's events (an action's tracker, or the HTTP API's) as turns: who said what, when."""
    turns = []
    for event in events or []:
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
    return turns


def with_earlier_turns(stored: list[dict], conversation: list[dict]) -> tuple[list[dict], int]:
    """A ticket's transcript with the conversation's turns from before it, and how many were added.

    The ticket carries the turns the dialogue engine saw when it was raised (its window,
    ``history_turns``); the conversation store keeps every turn. Turns older than the ticket's
    first are put before it; the ticket's own turns (and staff replies) stay as they are.
    """
    times: list[float] = [float(t["time"]) for t in stored if isinstance(t.get("time"), (int, float))]
    if not times:
        return stored, 0
    first = min(times)
    earlier = [t for t in conversation if isinstance(t.get("time"), (int, float)) and t["time"] < first - 1e-6]
    return earlier + stored, len(earlier)
