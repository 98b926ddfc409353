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
