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

    # During the hand-off a general pump question is still answered, with a line that staff will reply too;
    # a personal one is only held for staff.
    during = stack.texts(sender, "how long does the battery last?")
    assert during[0].startswith(registry.answers["battery"].text)
    assert "staff member will also reply" in during[-1]
    held = stack.texts(sender, "should my dose be turned up?")
    assert "for our staff" in held[0]

    _, response = await web.asgi_client.post(f"/api/handoffs/{ticket_id}/resolve", headers=auth, json={"staff": "Nurse Ana"})
    assert response.status == 200 and response.json["status"] == "resolved"
    answer = stack.texts(sender, "how long does the battery last?")
    assert answer[0].startswith(registry.answers["battery"].text)


async def test_an_sms_patient_gets_the_staff_reply_as_a_text_and_the_assistant_back_after_resolve(
    stack, web, registry, tickets
):
    from tests.integration.test_sms import new_number, post_sms, text_message

    auth = {"Authorization": f"Bearer {TOKEN}"}
    number = new_number()  # E.164, "+1555…": the sender id Rasa keeps, "+" and all
    assert post_sms(stack, text_message(number, "I'd like to talk to a real person please"))[0] == 200
    first = len(stack.twilio.wait_for(number, 1))
    assert post_sms(stack, text_message(number, "no"))[0] == 200
    stack.twilio.wait_for(number, first + 1)
    ticket = tickets.active_for(number)
    assert ticket is not None, "the hand-off must open a ticket under the phone number itself"

    _, response = await web.asgi_client.post(f"/api/handoffs/{ticket['id']}/claim", headers=auth, json={"staff": "Nurse Ana"})
    assert response.status == 200
    before = len(stack.twilio.to(number))
    _, response = await web.asgi_client.post(
        f"/api/handoffs/{ticket['id']}/reply", headers=auth,
        json={"staff": "Nurse Ana", "text": "Hi José, I will call you at 3 pm — Ana"},
    )
    assert response.status == 200
    texts = stack.twilio.wait_for(number, before + 1)
    assert any("I will call you at 3 pm" in t for t in texts[before:]), texts[before:]

    _, response = await web.asgi_client.post(f"/api/handoffs/{ticket['id']}/resolve", headers=auth, json={"staff": "Nurse Ana"})
    assert response.status == 200 and response.json["status"] == "resolved"
    before = len(stack.twilio.to(number))
    assert post_sms(stack, text_message(number, "how long does the battery last?"))[0] == 200
    texts = stack.twilio.wait_for(number, before + 1)
    assert texts[before].startswith(registry.answers["battery"].sms), texts[before:]


async def test_staff_read_a_long_conversation_from_its_first_turn_though_the_ticket_holds_its_last(stack, web, tickets):
    # The dialogue engine sees the last few turns (history_turns), and so does the ticket it raises;
    # the staff API puts the conversation's earlier turns, from Rasa's store, before them.
    auth = {"Authorization": f"Bearer {TOKEN}"}
    sender = stack.new_sender()
    questions = ["what is the trial?", "how long does the battery last?", "¿cada cuánto se rellena la bomba?",
                 "how often is the pump refilled?", "what is the trial?", "how long does the battery last?",
                 "how often is the pump refilled?"]
    for question in questions:
        stack.texts(sender, question)
    stack.texts(sender, "my incision is a bit red, should someone look at it?")
    ticket = tickets.get(tickets.active_for(sender)["id"])
    assert ticket["transcript"][0]["text"] != questions[0]  # the ticket alone starts later
    _, response = await web.asgi_client.get(f"/api/handoffs/{ticket['id']}", headers=auth)
    assert response.status == 200 and response.json["earlier_turns_loaded"] is True
    patient = [t["text"] for t in response.json["transcript"] if t["role"] == "patient"]
    assert patient[: len(questions)] == questions
    assert patient[len(questions)] == "my incision is a bit red, should someone look at it?"
    assert response.json["earlier_turns"] > 0
