"""Rasa's check of action server answers, with the schema compiled once (pump_assistant.rasa_ext.startup).

A valid answer passes; an invalid one fails with Rasa's own error, as before.
"""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from pump_assistant.rasa_ext.adapters.rasa_private import check_action_answers_with_a_compiled_schema

VALID = {
    "events": [{"event": "slot", "name": "topic", "value": "refills", "timestamp": None}],
    "responses": [{"text": "Refills are every few months (Refills and follow-up page). Ünïcode ✓ " * 20}],
}


@pytest.fixture(scope="module")
def action():
    check_action_answers_with_a_compiled_schema()
    return RemoteAction("action_answer_faq", None)


def test_a_valid_answer_passes(action):
    assert action._validate_action_result(VALID) is True


@pytest.mark.parametrize(
    "answer",
    [
        {"events": "slot topic refills"},
        {"responses": "Refills are every few months"},
        {"events": [{"event": "slot", "name": 42}]},
    ],
)
def test_an_invalid_answer_fails_with_rasas_own_message(action, answer):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(answer)


def test_installing_twice_keeps_rasas_own_check_underneath(action):
    first = RemoteAction._validate_action_result.rasas_check
    check_action_answers_with_a_compiled_schema()
    assert RemoteAction._validate_action_result.rasas_check is first
    assert first.__module__ == "rasa.core.actions.action"


def test_the_rasa_server_entry_point_installs_it(monkeypatch):
    import rasa.__main__

    from pump_assistant import serve

    # Rasa's own check, unwrapped (the fixture above may have installed the compiled one already).
    current = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", getattr(current, "rasas_check", current))
    assert not hasattr(RemoteAction._validate_action_result, "rasas_check")
    started = []
    monkeypatch.setattr(rasa.__main__, "main", lambda: started.append(True))
    monkeypatch.setenv("RASA_TOKEN", "t0ken-from-env")
    serve.main(["rasa", "--port", "5005"])
    assert started and hasattr(RemoteAction._validate_action_result, "rasas_check")


EMERGENCY_ANSWER = {
    "events": [
        {"event": "active_loop", "name": None, "timestamp": None},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
        {"event": "slot", "timestamp": None, "name": "handoff_ticket_id", "value": "t-1"},
        {"event": "slot", "timestamp": None, "name": "staff_handling", "value": True},
    ],
    "responses": [{"text": None, "buttons": [], "template": "utter_emergency", "response": "utter_emergency", "urgent": True}],
}


@pytest.mark.parametrize(
    "answer",
    [
        VALID,
        EMERGENCY_ANSWER,
        {},
        {"events": []},
        {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}}]},
        {"events": [{"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0}]},
        {"events": [{"event": "bot", "text": "hello", "metadata": {"urgent": True}}, {"event": "followup", "name": "x"}]},
        {"events": [{"event": "reset_slots"}, {"event": "restart"}, {"event": "session_started", "timestamp": 1.5}]},
        {"events": [{"event": "entities", "entities": [{"entity": "topic", "value": "refills"}]}]},
        # invalid ones
        [],
        "events",
        {"events": None},
        {"events": "slot topic refills"},
        {"responses": "Refills are every few months"},
        {"responses": ["text"]},
        {"events": [{"event": "slot", "name": 42, "value": 1}]},
        {"events": [{"event": "slot", "name": "topic"}]},
        {"events": [{"name": "topic", "value": "x"}]},
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": 7}]},
        {"events": [{"event": ["slot"]}]},
        {"events": ["slot"]},
        {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "yesterday"}]},
        {"events": [{"event": "bot", "metadata": "urgent"}]},
        {"events": [{"event": "entities"}]},
        {"events": [{"event": "user", "parse_data": {"intent": {"name": 3}}}]},
        {"events": [{"event": "action", "confidence": "high"}]},
        {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "slot"}]},
    ],
)
def test_checking_each_event_by_its_type_agrees_with_rasas_whole_schema(answer):
    """Rasa's schema tries all 23 event types on every event (oneOf); by type, one: the same verdicts."""
    from jsonschema import validators

    from pump_assistant.rasa_ext.adapters.rasa_private import answer_check

    schema = RemoteAction.action_response_format_spec()
    assert answer_check(schema)(answer) == validators.validator_for(schema)(schema).is_valid(answer)


def test_the_emergency_answer_passes_and_each_event_is_checked_by_its_type_only(action, monkeypatch):
    from jsonschema import validators

    from pump_assistant.rasa_ext.adapters.rasa_private import answer_check

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    checked = []
    real = cls.is_valid
    monkeypatch.setattr(cls, "is_valid", lambda self, instance, *a: checked.append(instance) or real(self, instance, *a))
    assert answer_check(schema)(EMERGENCY_ANSWER)
    assert checked == [EMERGENCY_ANSWER, *EMERGENCY_ANSWER["events"]]  # the answer, then each event once
    assert action._validate_action_result(EMERGENCY_ANSWER) is True
