"""Tracker fixtures for action tests (in the style of rasa-demo's)."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from pump_assistant import services
from pump_assistant.vocabulary import Channel, Intent


@pytest.fixture(autouse=True)
def isolated_services(tmp_path, monkeypatch):
    """Each test gets its own SQLite file; nothing touches var/."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'test.db'}")
    monkeypatch.setenv("CLINIC_PHONE", "(555) 010-0199")
    monkeypatch.setenv("OUTBOX_DIR", str(tmp_path / "outbox"))
    services.clear()
    yield
    services.clear()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def selector_ranking(*pairs):
    return {
        "faq": {
            "ranking": [
                {"id": i, "confidence": confidence, "intent_response_key": f"faq/{key}"}
                for i, (key, confidence) in enumerate(pairs)
            ]
        }
    }


def make_tracker(
    text="",
    intent=Intent.FAQ,
    intent_confidence=0.95,
    ranking=(),
    entities=(),
    slots=None,
    channel=Channel.REST,
    history=(),
    intent_ranking=None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": intent_confidence},
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": intent_confidence}],
        "entities": list(entities),
        "response_selector": selector_ranking(*ranking) if ranking else {},
    }
    events = [*history, {"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker(
        sender_id="patient-1",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
