"""What a reopened chat widget reads back: GET /widget/api/conversation/<session_id>/messages."""
from __future__ import annotations

import logging
import uuid

import pytest

from pump_assistant.vocabulary import Channel, DisplayFlag
from tests.web.fake_upstream import fake_upstream
from webservice.rasa_client import RasaClient, RasaUnavailable

SESSION = uuid.uuid4().hex
STAFF_TEXT = "Nurse Ana: Please sit down, I am calling you now."
PATIENT_TEXT = "should I lower my dose, I feel dizzy?"

# A handed-off web conversation as Rasa's tracker holds it (the shapes Rasa 3.6 returns).
EVENTS = [
    {"event": "action", "timestamp": 100.0, "name": "action_session_start"},
    {"event": "session_started", "timestamp": 100.1},
    {"event": "user", "timestamp": 101.0, "text": PATIENT_TEXT, "input_channel": Channel.WEBCHAT,
     "parse_data": {"intent": {"name": "personal_medical"}, "entities": []}},
    {"event": "slot", "timestamp": 101.1, "name": "handoff_reason", "value": "clinical"},
    {"event": "bot", "timestamp": 102.0, "text": "I've passed your question to our staff.",
     "data": {"quick_replies": [{"title": "No, thanks", "payload": "/deny"}]}, "metadata": {"utter_action": "utter_x"}},
    {"event": "user", "timestamp": 103.0, "text": '/choose_topic{"topic": "refills"}', "input_channel": Channel.WEBCHAT},
    {"event": "user", "timestamp": 104.0, "text": "/EXTERNAL_staff_reply", "input_channel": Channel.WEBCHAT},
    {"event": "bot", "timestamp": 104.5, "text": STAFF_TEXT, "metadata": {DisplayFlag.FROM_STAFF: True, DisplayFlag.STAFF_NAME: "Nurse Ana"}},
    {"event": "bot", "timestamp": 105.0, "text": "This could be an emergency. Call 911.", "metadata": {DisplayFlag.URGENT: True}},
    {"event": "action", "timestamp": 105.1, "name": "action_listen"},
    "not an event",
    {"event": "bot", "timestamp": "soon", "text": "no usable time"},
]


@pytest.fixture
def tracker(monkeypatch):
    """A fake Rasa behind RasaClient: the conversations it knows, and the ids it was asked about."""
    conversations = {SESSION: EVENTS}
    asked = []

    async def conversation_events(self, sender_id):
        asked.append(sender_id)
        return conversations.get(sender_id, [{"event": "action", "timestamp": 1.0, "name": "action_listen"}])

    monkeypatch.setattr(RasaClient, "conversation_events", conversation_events)
    return asked


def _url(session_id: str, after: str | None = None) -> str:
    query = "" if after is None else f"?after={after}"
    return f"/widget/api/conversation/{session_id}/messages{query}"


async def test_the_conversation_comes_back_as_display_text_only(app, tracker):
    _, response = await app.asgi_client.get(_url(SESSION))
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    messages = response.json["messages"]
    assert [m["role"] for m in messages] == ["user", "bot", "staff", "bot"]
    assert messages[0]["text"] == PATIENT_TEXT
    staff = messages[2]
    assert staff == {"role": "staff", "text": STAFF_TEXT, DisplayFlag.STAFF_NAME: "Nurse Ana", "timestamp": 104.5}
    assert messages[3][DisplayFlag.URGENT] is True and DisplayFlag.URGENT not in messages[1]
    # No payloads, buttons, intents, slots, actions or metadata.
    body = response.body.decode()
    for internal in ("/choose_topic", "/EXTERNAL", "/deny", "handoff_reason", "personal_medical", "utter_action", "action_listen"):
        assert internal not in body
    assert all(set(m) <= {"role", "text", "timestamp", DisplayFlag.STAFF_NAME, DisplayFlag.URGENT} for m in messages)


async def test_only_what_came_after_the_given_time(app, tracker):
    _, response = await app.asgi_client.get(_url(SESSION, "102.0"))
    assert response.status == 200
    assert [(m["role"], m["text"]) for m in response.json["messages"]] == [
        ("staff", STAFF_TEXT), ("bot", "This could be an emergency. Call 911."),
    ]
    _, response = await app.asgi_client.get(_url(SESSION, "105"))
    assert response.status == 200 and response.json["messages"] == []


async def test_an_unknown_conversation_is_empty(app, tracker):
    _, response = await app.asgi_client.get(_url(uuid.uuid4().hex))
    assert response.status == 200 and response.json == {"messages": []}


@pytest.mark.parametrize("session_id", [
    "abc", "A" * 32, "+15552220000", "%2B15552220000", "it-0123456789ab", "g" * 32, "a" * 31, "a" * 33,
    "..%2F..%2Fetc", "a" * 500,
])
async def test_a_bad_session_id_is_refused_without_asking_rasa(app, tracker, session_id):
    _, response = await app.asgi_client.get(_url(session_id))
    assert response.status in (400, 404)  # 404: a path sanic itself does not route
    assert response.status != 500
    assert tracker == []


@pytest.mark.parametrize("after", ["soon", "nan", "inf", "-1", "1e300", "0x10"])
async def test_a_bad_time_is_refused(app, tracker, after):
    _, response = await app.asgi_client.get(_url(SESSION, after))
    assert response.status == 400
    assert tracker == []


async def test_rasa_down_or_answering_nonsense_is_a_503_not_a_500(web_settings, monkeypatch):
    from pump_assistant.config import load_settings
    from webservice.app import create_app

    with fake_upstream() as upstream:  # answers 404 to a tracker request
        monkeypatch.setenv("RASA_URL", upstream.url)
        app = create_app(load_settings(), name=f"pump_web_history_{uuid.uuid4().hex[:8]}")
        _, response = await app.asgi_client.get(_url(SESSION))
        assert response.status == 503 and response.json["error"] == "unavailable"
        assert any(path.startswith(f"/conversations/{SESSION}/tracker") for _, path in upstream.requests)


async def test_requests_are_rate_limited_per_conversation(web_settings, tracker, monkeypatch):
    from pump_assistant.config import load_settings
    from webservice.app import create_app

    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "3")
    app = create_app(load_settings(), name=f"pump_web_history_{uuid.uuid4().hex[:8]}")
    limit = 3
    statuses = [(await app.asgi_client.get(_url(SESSION)))[1].status for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429
    _, response = await app.asgi_client.get(_url(SESSION))
    assert response.status == 429 and int(response.headers["retry-after"]) >= 1
    # Another conversation is not held up by this one.
    _, response = await app.asgi_client.get(_url(uuid.uuid4().hex))
    assert response.status == 200


async def test_an_allowed_clinic_page_may_read_it_cross_origin_another_may_not(app, tracker):
    allowed = app.ctx.settings.allowed_origins[0]
    _, response = await app.asgi_client.get(_url(SESSION), headers={"Origin": allowed})
    assert response.headers["access-control-allow-origin"] == allowed
    _, response = await app.asgi_client.get(_url(SESSION), headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_no_message_text_or_session_id_reaches_the_logs(app, tracker, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    await app.asgi_client.get(_url(SESSION))

    async def down(self, sender_id):
        raise RasaUnavailable("Rasa answered 500")

    monkeypatch.setattr(RasaClient, "conversation_events", down)
    _, response = await app.asgi_client.get(_url(SESSION))
    assert response.status == 503
    # (The test client's own request log, not the service's, is left out: the service runs with no access log.)
    logged = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
    assert "conversation history unavailable" in logged
    for secret in (PATIENT_TEXT, STAFF_TEXT, "Please sit down", SESSION):
        assert secret not in logged


async def test_staff_notices_carry_their_flag_from_the_response_that_made_them(app, monkeypatch):
    """The widget tells "staff joined" and "staff left" from the flag, never from the words."""
    events = [
        {"event": "bot", "timestamp": 110.0, "text": "Staff joined (any words).", "metadata": {"utter_action": "utter_staff_joined"}},
        {"event": "bot", "timestamp": 111.0, "text": "Staff left (any words).", "metadata": {"utter_action": "utter_staff_left"}},
        {"event": "bot", "timestamp": 112.0, "text": "A member of our clinic staff has joined", "metadata": {}},
    ]

    async def conversation_events(self, sender_id):
        return events

    monkeypatch.setattr(RasaClient, "conversation_events", conversation_events)
    _, response = await app.asgi_client.get(_url(SESSION))
    joined, left, plain = response.json["messages"]
    assert joined[DisplayFlag.STAFF_JOINED] is True and DisplayFlag.STAFF_LEFT not in joined
    assert left[DisplayFlag.STAFF_LEFT] is True and DisplayFlag.STAFF_JOINED not in left
    assert DisplayFlag.STAFF_JOINED not in plain and DisplayFlag.STAFF_LEFT not in plain
