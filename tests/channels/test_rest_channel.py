"""The hardened REST channel in a sanic app of its own.

Rasa's message handling is replaced by a small stand-in assistant, so these
tests pin down what the channel itself does with what arrives: validation,
length cap, rate limits, and the safe reply when the assistant stays silent.
The real stack is exercised in tests/integration.
"""
from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st
from sanic import Sanic

from pump_assistant import services
from pump_assistant.config import get_settings
from pump_assistant.inbound import MAX_MESSAGE_CHARS
from pump_assistant.rasa_ext.channels.rest import PatientRestInput
from pump_assistant.vocabulary import Channel

_names = itertools.count()
URL = "/webhooks/rest/webhook"


@pytest.fixture
def app(channel_env, assistant):
    app = Sanic(f"rest_channel_test_{next(_names)}")
    app.blueprint(PatientRestInput().blueprint(assistant), url_prefix="/webhooks/rest")
    return app


def post(app, body, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    _, resp = app.test_client.post(URL, data=data, headers={"Content-Type": content_type})
    return resp


def test_a_question_reaches_the_assistant_and_its_reply_comes_back(app, assistant):
    resp = post(app, {"sender": "web-1234abcd", "message": "how is the pump refilled?"})
    assert resp.status == 200
    assert resp.json == [{"recipient_id": "web-1234abcd", "text": "echo: how is the pump refilled?"}]
    assert assistant.received[0].input_channel == Channel.REST


def test_an_emergency_reply_keeps_its_urgent_flag_for_the_widget(app, assistant):
    assert post(app, {"sender": "web-1", "message": "urgent"}).json == [
        {"recipient_id": "web-1", "text": "Call 911 now.", "urgent": True}
    ]
    assert "urgent" not in post(app, {"sender": "web-1", "message": "hello"}).json[0]


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b"", "application/json", 400),
        (b"{not json", "application/json", 400),
        ([{"sender": "a", "message": "hi"}], "application/json", 400),
        ("null", "application/json", 400),
        ({"message": "hi"}, "application/json", 400),
        ({"sender": "", "message": "hi"}, "application/json", 400),
        ({"sender": "../../etc/passwd", "message": "hi"}, "application/json", 400),
        ({"sender": "x" * 65, "message": "hi"}, "application/json", 400),
        ({"sender": 42, "message": "hi"}, "application/json", 400),
        ({"sender": "web-1"}, "application/json", 400),
        ({"sender": "web-1", "message": ["hi"]}, "application/json", 400),
        ({"sender": "web-1", "message": "hi", "metadata": "x"}, "application/json", 400),
        ("sender=web-1&message=hi", "application/x-www-form-urlencoded", 415),
        ({"sender": "web-1", "message": "hi"}, "text/plain", 415),
    ],
)
def test_malformed_requests_get_a_clear_4xx(app, assistant, body, content_type, status):
    resp = post(app, body, content_type)
    assert resp.status == status
    assert resp.json["error"]
    assert assistant.received == []


def test_an_empty_or_blank_message_gets_a_prompt_without_reaching_nlu(app, assistant):
    for text in ("", "   ", "\n\t", "\x00\x07"):
        resp = post(app, {"sender": "web-1", "message": text})
        assert resp.status == 200
        assert "type your question" in resp.json[0]["text"]
    assert assistant.received == []


def test_a_100_kb_message_is_refused_with_a_reply_before_nlu(app, assistant):
    resp = post(app, {"sender": "web-1", "message": "pump " * 20_000})
    assert resp.status == 200
    assert "too long" in resp.json[0]["text"]
    assert str(MAX_MESSAGE_CHARS) in resp.json[0]["text"]
    assert assistant.received == []


def test_a_huge_body_is_refused_with_413(app, assistant):
    resp = post(app, {"sender": "web-1", "message": "x" * 400_000})
    assert resp.status == 413
    assert assistant.received == []


def test_control_characters_are_removed_and_other_text_kept(app, assistant):
    text = "is the pump\x00 safe?\u202e 😀 هل المضخة آمنة <script>alert(1)</script>"
    resp = post(app, {"sender": "web-1", "message": text})
    assert resp.status == 200
    received = assistant.received[0].text
    assert "\x00" not in received and "\u202e" not in received
    assert "😀" in received and "هل المضخة آمنة" in received and "<script>" in received


def test_the_caller_cannot_pretend_to_be_another_channel(app, assistant):
    post(app, {"sender": "web-1", "message": "hi", "input_channel": Channel.SMS})
    assert assistant.received[0].input_channel == Channel.REST


def test_too_many_messages_from_one_conversation_get_429_with_retry_after(app, assistant):
    statuses = [post(app, {"sender": "web-flood", "message": f"question {i}"}).status for i in range(8)]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses[5:]
    resp = post(app, {"sender": "web-flood", "message": "again"})
    assert resp.status == 429
    assert int(resp.headers["retry-after"]) >= 1
    assert "wait" in resp.json["error"]
    # another conversation is not affected
    assert post(app, {"sender": "web-other", "message": "hi"}).status == 200


def test_too_many_requests_from_one_address_get_429(channel_env, assistant, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_IP", "3")
    get_settings.cache_clear()
    app = Sanic(f"rest_channel_test_{next(_names)}")
    app.blueprint(PatientRestInput().blueprint(assistant), url_prefix="/webhooks/rest")
    statuses = [post(app, {"sender": f"web-{i}x", "message": "hi"}).status for i in range(5)]
    assert statuses[:3] == [200] * 3
    assert statuses[3:] == [429, 429]


@pytest.mark.parametrize("text", ["silence", "crash"])
def test_a_turn_without_a_reply_gets_the_safe_message(app, assistant, text):
    resp = post(app, {"sender": "web-quiet", "message": text})
    assert resp.status == 200
    [reply] = resp.json
    assert "911" in reply["text"] and "988" in reply["text"]
    assert "(555) 010-0199" in reply["text"]


def test_an_unanswered_message_is_kept_for_staff_when_the_intent_is_unknown(app, assistant):
    post(app, {"sender": "web-kept", "message": "silence"})
    tickets = services.tickets().list()
    assert [(t["sender_id"], t["trigger_message"], t["reason"]) for t in tickets] == [("web-kept", "silence", "request")]


@hyp_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
            lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
            max_leaves=10,
        ).map(lambda value: json.dumps(value).encode()),
        st.fixed_dictionaries(
            {"sender": st.text(max_size=70), "message": st.text(max_size=300)},
            optional={"metadata": st.none() | st.text(max_size=5) | st.dictionaries(st.text(max_size=5), st.integers())},
        ).map(lambda value: json.dumps(value).encode()),
    ),
    content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]),
)
def test_fuzz_no_input_makes_the_channel_fail(app, body, content_type):
    resp = post(app, body, content_type)
    assert resp.status in (200, 400, 413, 415, 429), (resp.status, body)
    if resp.status == 200:
        assert isinstance(resp.json, list) and resp.json and all(m.get("text") for m in resp.json)
    else:
        assert resp.json["error"]
