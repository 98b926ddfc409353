"""Staff work a hand-off through the staff API; the patient's conversation follows."""
from __future__ import annotations

import pytest

from pump_assistant.config import load_settings
from webservice.app import create_app

TOKEN = "integration-desk-token"


@pytest.fixture
def web(stack, monkeypatch):
    for key in ("DATABASE_URL", "OUTBOX_DIR", "RASA_TOKEN"):
        monkeypatch.setenv(key, stack.env[key])
    monkeypatch.setenv("RASA_URL", stack.rasa_url)
    monkeypatch.setenv("DESK_API_TOKEN", TOKEN)
    return create_app(load_settings(), name="pump_web_integration")


async def test_claim_reply_resolve_reaches_the_patient(stack, web, registry, tickets):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    sender = stack.new_sender()
    stack.texts(sender, "I'd like to talk to a real person please")
    stack.texts(sender, "no")
    ticket_id = tickets.active_for(sender)["id"]

    _, response = await web.asgi_client.post(f"/api/handoffs/{ticket_id}/claim", headers=auth, json={"staff": "Nurse Ana"})
    assert response.status == 200 and response.json["claimed_by"] == "Nurse Ana"

    _, response = await web.asgi_client.post(
        f"/api/handoffs/{ticket_id}/reply", headers=auth, json={"staff": "Nurse Ana", "text": "Hi, I will call you in ten minutes."}
    )
    assert response.status == 200
    bot_texts = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "bot"]
    assert "Nurse Ana: Hi, I will call you in ten minutes." in bot_texts
    assert "A member of our clinic staff has joined the conversation." in bot_texts

    held = stack.texts(sender, "how long does the battery last?")
    assert "for our staff" in held[0]

    _, response = await web.asgi_client.post(f"/api/handoffs/{ticket_id}/resolve", headers=auth, json={"staff": "Nurse Ana"})
    assert response.status == 200 and response.json["status"] == "resolved"
    answer = stack.texts(sender, "how long does the battery last?")
    assert answer[0].startswith(registry.answers["battery"].text)
