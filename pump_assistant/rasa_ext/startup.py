"""What the Rasa server process sets up before Rasa starts (called by :mod:`pump_assistant.serve`).

Only changes that keep Rasa's behaviour and make it cheaper: each one lives in
an adapter of :mod:`.adapters` and is listed there.
"""

from __future__ import annotations

from pump_assistant.rasa_ext.adapters.rasa_private import check_action_answers_with_a_compiled_schema


def prepare_rasa_server() -> None:
    # Every answer from the action server is checked against Rasa's JSON schema;
    # built once rather than per answer, the check costs a few hundred microseconds.
    check_action_answers_with_a_compiled_schema()
