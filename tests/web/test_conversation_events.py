"""What the staff side keeps from Rasa's conversation events: when each patient last wrote."""
from __future__ import annotations

from pump_assistant.vocabulary import Channel
from webservice.conversation_events import ConversationActivity


def user_event(sender, timestamp, channel=Channel.REST):
    return {"event": "user", "sender_id": sender, "timestamp": timestamp, "text": "hi", "input_channel": channel}


def test_the_latest_patient_message_wins_even_when_events_arrive_out_of_order():
    activity = ConversationActivity()
    assert activity.record(user_event("p1", 200.0, "sms"))
    assert activity.record(user_event("p1", 100.0, "rest"))  # published late by another instance
    assert activity.last_patient_message("p1") == {"at": "1970-01-01T00:03:20Z", "channel": Channel.SMS}


def test_only_patient_messages_count_and_malformed_events_are_ignored():
    activity = ConversationActivity()
    ignored = [
        {"event": "bot", "sender_id": "p1", "timestamp": 5.0},
        {"event": "user", "sender_id": 42, "timestamp": 5.0},
        {"event": "user", "sender_id": "p1", "timestamp": "yesterday"},
        {"event": "user", "sender_id": "p1", "timestamp": True},
        ["not", "an", "event"],
        None,
    ]
    assert [activity.record(event) for event in ignored] == [False] * len(ignored)
    assert activity.last_patient_message("p1") is None


def test_memory_is_bounded_to_the_most_recent_conversations():
    activity = ConversationActivity(limit=2)
    for number, sender in enumerate(["a", "b", "c"]):
        activity.record(user_event(sender, float(number)))
    assert activity.last_patient_message("a") is None
    assert activity.last_patient_message("c") is not None


def test_the_broker_url_comes_from_the_rabbitmq_variables_with_the_password_escaped(monkeypatch):
    from pump_assistant.config import load_settings

    monkeypatch.delenv("RABBITMQ_HOST", raising=False)
    assert load_settings().conversation_events_url == ""  # embedded defaults: no consumer
    monkeypatch.setenv("RABBITMQ_HOST", "mq.internal")
    monkeypatch.setenv("RABBITMQ_USER", "events")
    monkeypatch.setenv("RABBITMQ_PASSWORD", "p@ss/word")
    assert load_settings().conversation_events_url == "amqp://events:p%40ss%2Fword@mq.internal/"
