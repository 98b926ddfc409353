"""Staff events reach the patient's own conversation, whatever their sender id looks like."""
from __future__ import annotations

import uuid

import pytest
from sanic import Sanic
from sanic.response import json

from pump_assistant.inbound import valid_sender_id
from pump_assistant.vocabulary import Intent
from webservice.rasa_client import RasaClient, RasaUnavailable

SENDER_IDS = ["+15552220000", "whatsapp:+447700900123", str(uuid.uuid4()), uuid.uuid4().hex, "caller@clinic.example"]


@pytest.fixture
def fake_rasa():
    """Rasa's own route shape for trigger_intent: the id is a raw path parameter, never decoded."""
    app = Sanic(f"fake_rasa_{uuid.uuid4().hex[:8]}")
    received = []

    @app.post("/conversations/<conversation_id:path>/trigger_intent")
    async def trigger(request, conversation_id):
        received.append((conversation_id, request.json["name"]))
        return json({"messages": [{"recipient_id": conversation_id, "text": "ok"}]})

    return app, received


@pytest.mark.parametrize("sender_id", SENDER_IDS)
def test_a_staff_reply_reaches_the_conversation_rasa_keeps_for_that_sender(fake_rasa, sender_id):
    assert valid_sender_id(sender_id) == sender_id  # the channels accept it
    app, received = fake_rasa

    @app.listener("after_server_start")
    async def send(app, loop):
        client = RasaClient(f"http://127.0.0.1:{app.config.PORT}", token="")
        await client.start()
        try:
            await client.trigger_intent(sender_id, Intent.EXTERNAL_STAFF_REPLY, {"staff_message": "Hi Ana — call us back ✓"})
        finally:
            await client.close()
        app.stop()

    app.config.PORT = _free_port()
    app.run(host="127.0.0.1", port=app.config.PORT, access_log=False)
    assert received == [(sender_id, Intent.EXTERNAL_STAFF_REPLY)]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_conversation_rasa_is_too_slow_to_read_is_reported_unavailable_not_waited_for():
    """A ticket being opened waits for the earlier turns only ``history_timeout_s``."""
    app = Sanic(f"slow_rasa_{uuid.uuid4().hex[:8]}")
    outcome = {}

    @app.get("/conversations/<conversation_id:path>/tracker")
    async def tracker(request, conversation_id):
        import asyncio

        await asyncio.sleep(5)  # longer than the history timeout, shorter than the client's 10 s
        return json({"events": [{"event": "user", "text": "Hola, ¿cuándo es mi recarga?"}]})

    @app.listener("after_server_start")
    async def read(app, loop):
        client = RasaClient(f"http://127.0.0.1:{app.config.PORT}", token="", history_timeout_s=0.3)
        await client.start()
        try:
            await client.conversation_events("+15552220000")
            outcome["result"] = "events"
        except RasaUnavailable:
            outcome["result"] = "unavailable"
        finally:
            await client.close()
        app.stop()

    app.config.PORT = _free_port()
    app.run(host="127.0.0.1", port=app.config.PORT, access_log=False)
    assert outcome == {"result": "unavailable"}
