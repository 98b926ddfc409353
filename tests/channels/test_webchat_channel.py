"""The widget's socket.io channel: what it does with each ``user_uttered`` event.

The socket.io server's handlers are called directly and its ``emit`` records
what the widget would receive; the browser tests in tests/integration drive
the same channel over a real socket.
"""
from __future__ import annotations

import asyncio

import pytest

from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.rasa_ext.channels.webchat import BOT_EVENT, WebChatInput
from pump_assistant.vocabulary import Channel, DisplayFlag

SESSION = "0123456789abcdef"


class Widget:
    """The channel with its socket.io ``emit`` recorded."""

    def __init__(self, assistant):
        self.channel = WebChatInput()
        self.blueprint = self.channel.blueprint(assistant)
        self.emitted: list[tuple[str, object, str]] = []

        async def emit(event, data=None, room=None, **_):
            self.emitted.append((event, data, room))

        self.channel.sio.emit = emit

    def send(self, data) -> None:
        handler = self.channel.sio.handlers["/"]["user_uttered"]
        asyncio.run(handler("socket-1", data))

    def bot_texts(self) -> list[str]:
        return [data["text"] for event, data, _ in self.emitted if event == BOT_EVENT]


@pytest.fixture
def widget(channel_env, assistant):
    return Widget(assistant)


def test_a_question_reaches_the_assistant_and_the_reply_goes_to_the_session_room(widget, assistant):
    widget.send({"session_id": SESSION, "message": "how is the pump refilled?"})
    assert [m.text for m in assistant.received] == ["how is the pump refilled?"]
    assert assistant.received[0].input_channel == Channel.WEBCHAT
    assert widget.emitted == [(BOT_EVENT, {"text": "echo: how is the pump refilled?"}, SESSION)]


def test_an_emergency_reply_keeps_its_urgent_flag_for_the_widget(widget):
    widget.send({"session_id": SESSION, "message": "urgent"})
    widget.send({"session_id": SESSION, "message": "hello"})
    assert [data for _, data, _ in widget.emitted] == [
        {"text": "Call 911 now.", "urgent": True},
        {"text": "echo: hello"},
    ]


@pytest.mark.parametrize(
    "data",
    [None, "hello", ["hello"], {"message": "hi"}, {"session_id": "short", "message": "hi"},
     {"session_id": "../../etc/passwd00", "message": "hi"}, {"session_id": SESSION, "message": 42}],
)
def test_malformed_events_get_an_error_to_the_socket_and_never_reach_the_assistant(widget, assistant, data):
    widget.send(data)
    assert assistant.received == []
    assert [(event, room) for event, _, room in widget.emitted] == [("error_message", "socket-1")]


def test_blank_and_overlong_messages_get_a_reply_without_reaching_nlu(widget, assistant):
    widget.send({"session_id": SESSION, "message": " \x00\t "})
    widget.send({"session_id": SESSION, "message": "pump " * 20_000})
    assert assistant.received == []
    blank, long = widget.bot_texts()
    assert "type your question" in blank
    assert "too long" in long


def test_control_characters_are_removed_before_nlu(widget, assistant):
    widget.send({"session_id": SESSION, "message": "is it\u202e safe\x07 😀"})
    assert assistant.received[0].text == "is it  safe  😀"


def test_a_flood_from_one_session_is_slowed_down(widget, assistant):
    for _ in range(8):
        widget.send({"session_id": SESSION, "message": "hi"})
    assert len(assistant.received) == 5  # RATE_LIMIT_PER_SENDER in channel_env
    assert "wait" in widget.bot_texts()[-1]


@pytest.mark.parametrize("text", ["silence", "crash"])
def test_a_turn_without_a_reply_gets_the_safe_message_and_is_kept_for_staff(widget, text):
    widget.send({"session_id": SESSION, "message": text})
    [reply] = widget.bot_texts()
    assert "911" in reply and "988" in reply and "(555) 010-0199" in reply
    tickets = services.tickets().list()
    assert [(t["sender_id"], t["channel"], t["trigger_message"]) for t in tickets] == [(SESSION, "webchat", text)]


def test_only_configured_origins_may_connect(channel_env, assistant, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://clinic.example")
    get_settings.cache_clear()
    channel = WebChatInput()
    channel.blueprint(assistant)
    assert channel.sio.eio.cors_allowed_origins == ["https://clinic.example"]


def test_a_staff_notice_is_flagged_by_the_response_that_made_it(widget):
    """The widget shows "staff joined" as a notice by this flag, not by matching its English words."""
    from pump_assistant.rasa_ext.channels.webchat import WebChatOutput

    output = WebChatOutput(widget.channel.sio, BOT_EVENT)
    asyncio.run(output.send_response(SESSION, {"text": "Someone joined.", "utter_action": "utter_staff_joined"}))
    asyncio.run(output.send_response(SESSION, {"text": "Someone left.", "utter_action": "utter_staff_left"}))
    asyncio.run(output.send_response(SESSION, {"text": "Hello.", "utter_action": "utter_greet"}))
    assert [data for _, data, _ in widget.emitted] == [
        {"text": "Someone joined.", DisplayFlag.STAFF_JOINED: True},
        {"text": "Someone left.", DisplayFlag.STAFF_LEFT: True},
        {"text": "Hello."},
    ]
