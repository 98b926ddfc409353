"""A patient's STOP holds for staff too: replies and the console's "Send SMS" are refused with a clear reason."""
from __future__ import annotations

import uuid

from pump_assistant.sms.state import SmsState
from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import StaffDirectory
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason

PHONE = "+15552220000"
PASSWORD = "correct horse battery"


def sms_ticket(settings, phone=PHONE) -> str:
    text = "my pump site is sore, can someone look — gracias"
    draft = TicketDraft(sender_id=phone, channel=Channel.SMS, reason=TicketReason.CLINICAL, trigger_message=text,
                        transcript=[{"role": "patient", "text": text, "time": None}])
    ticket_id, _ = TicketStore(open_database(settings.database_url), settings.outbox_dir).raise_ticket(draft)
    return ticket_id


async def test_a_staff_reply_to_a_number_that_texted_stop_is_saved_not_sent(app, auth, web_settings):
    ticket_id = sms_ticket(web_settings)
    SmsState(open_database(web_settings.database_url)).opt_out(PHONE)
    _, response = await app.asgi_client.post(
        f"/api/handoffs/{ticket_id}/reply", headers=auth, json={"staff": "Nurse Ana", "text": "We will call you at 3pm."}
    )
    assert response.status == 409
    assert response.json["error"] == "opted_out" and "STOP" in response.json["detail"]
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    last = response.json["transcript"][-1]
    assert (last["text"], last["delivered"], last["not_sent_because"]) == ("We will call you at 3pm.", False, "opted_out")


async def test_a_web_chat_ticket_is_not_affected_by_a_phone_numbers_opt_out(app, auth, web_settings):
    SmsState(open_database(web_settings.database_url)).opt_out(PHONE)
    draft = TicketDraft(sender_id=uuid.uuid4().hex, channel="socketio", reason=TicketReason.CLINICAL, trigger_message="a question")
    ticket_id, _ = TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir).raise_ticket(draft)
    _, response = await app.asgi_client.post(
        f"/api/handoffs/{ticket_id}/reply", headers=auth, json={"staff": "Ana", "text": "hello"}
    )
    assert response.status == 502  # no Rasa in this test: tried, not refused for an opt-out


async def test_the_console_refuses_to_text_a_number_that_texted_stop(app, web_settings):
    StaffDirectory(open_database(web_settings.database_url)).create_account("ana", "Nurse Ana", PASSWORD)
    SmsState(open_database(web_settings.database_url)).opt_out(PHONE)
    _, login = await app.asgi_client.post("/desk/api/login", json={"username": "ana", "password": PASSWORD})
    _, response = await app.asgi_client.post(
        "/desk/api/sms", cookies={"desk_session": login.cookies.get("desk_session")},
        headers={"X-CSRF-Token": login.json["csrf"]}, json={"to": PHONE, "answer_id": "battery"},
    )
    assert response.status == 409
    assert response.json["error"] == "opted_out" and "STOP" in response.json["detail"]


async def test_the_console_queue_shows_the_number_opted_out(app, web_settings):
    StaffDirectory(open_database(web_settings.database_url)).create_account("ana", "Nurse Ana", PASSWORD)
    ticket_id = sms_ticket(web_settings)
    other = sms_ticket(web_settings, phone="+15552220001")
    SmsState(open_database(web_settings.database_url)).opt_out(PHONE)
    _, login = await app.asgi_client.post("/desk/api/login", json={"username": "ana", "password": PASSWORD})
    _, response = await app.asgi_client.get("/desk/api/queue", cookies={"desk_session": login.cookies.get("desk_session")})
    shown = {t["id"]: t["opted_out"] for t in response.json["handoffs"]}
    assert shown == {ticket_id: True, other: False}
