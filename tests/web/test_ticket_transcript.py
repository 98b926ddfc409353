"""A ticket raised late in a long conversation: the console shows the turns before the ticket's own.

The ticket carries the turns the dialogue engine saw when it was raised (the tracker store's
window, ``history_turns``); the earlier ones come from Rasa's conversation store.
"""
from __future__ import annotations

import uuid

import pytest

from pump_assistant.storage.database import open_database
from pump_assistant.storage.staff import StaffDirectory
from pump_assistant.storage.tickets import TicketDraft, TicketStore
from pump_assistant.vocabulary import Channel, TicketReason
from webservice.rasa_client import RasaClient, RasaUnavailable

SENDER = uuid.uuid4().hex
FIRST = "Hola — my mother (María José) had her pump put in last spring; how often is it refilled?"
LONG = "Also, to give you the whole picture: " + "she walks every morning and gardens in the afternoon, " * 20
PASSWORD = "correct horse battery"
TRIGGER = "her incision looks a little pink today, should someone look at it?"

# The whole conversation, as Rasa's HTTP API returns it (every session, every turn).
EVENTS = [
    {"event": "action", "timestamp": 100.0, "name": "action_session_start"},
    {"event": "session_started", "timestamp": 100.1},
    {"event": "user", "timestamp": 101.0, "text": FIRST},
    {"event": "bot", "timestamp": 101.5, "text": "Refills are usually every one to six months. Source: Refills"},
    {"event": "user", "timestamp": 102.0, "text": '/choose_topic{"topic": "battery"}'},
    {"event": "bot", "timestamp": 102.5, "text": "The battery lasts several years."},
    {"event": "user", "timestamp": 103.0, "text": LONG},
    {"event": "bot", "timestamp": 103.5, "text": "Thanks for telling me."},
    # the turns the ticket itself carries
    {"event": "user", "timestamp": 110.0, "text": TRIGGER},
    {"event": "bot", "timestamp": 110.5, "text": "That needs one of our clinicians."},
]
TICKET_TURNS = [
    {"role": "patient", "text": TRIGGER, "time": 110.0},
    {"role": "assistant", "text": "That needs one of our clinicians.", "time": 110.5},
]


def _ticket(settings) -> str:
    draft = TicketDraft(sender_id=SENDER, channel=Channel.WEBCHAT, reason=TicketReason.CLINICAL,
                        trigger_message=TRIGGER, transcript=TICKET_TURNS)
    ticket_id, _ = TicketStore(open_database(settings.database_url), settings.outbox_dir).raise_ticket(draft)
    return ticket_id


@pytest.fixture
def rasa(monkeypatch):
    asked: list[str] = []

    async def conversation_events(self, sender_id):
        asked.append(sender_id)
        return EVENTS if sender_id == SENDER else []

    monkeypatch.setattr(RasaClient, "conversation_events", conversation_events)
    return asked


async def _console_detail(app, web_settings, ticket_id):
    StaffDirectory(open_database(web_settings.database_url)).create_account("ana", "Nurse Ana", PASSWORD)
    _, login = await app.asgi_client.post("/desk/api/login", json={"username": "ana", "password": PASSWORD})
    cookies = {"desk_session": login.cookies.get("desk_session")}
    _, response = await app.asgi_client.get(f"/desk/api/handoffs/{ticket_id}", cookies=cookies)
    return response


async def test_the_console_shows_the_turns_before_the_ticket_first_as_people_read_them(app, web_settings, rasa):
    ticket_id = _ticket(web_settings)
    response = await _console_detail(app, web_settings, ticket_id)
    assert response.status == 200
    body = response.json
    assert rasa == [SENDER]
    texts = [turn["text"] for turn in body["transcript"]]
    assert texts[0] == FIRST and texts[-2:] == [TRIGGER, "That needs one of our clinicians."]
    assert "Chose a topic: " in texts[2] and body["transcript"][2]["button"] is True
    assert LONG in texts
    assert body["earlier_turns"] == 6 and body["earlier_turns_loaded"] is True
    # Nothing was written to the ticket: the earlier turns are read each time it is opened.
    assert TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir).get(ticket_id)["transcript"] == TICKET_TURNS


async def test_the_staff_api_gives_the_same_turns_as_rasa_recorded_them(app, auth, web_settings, rasa):
    ticket_id = _ticket(web_settings)
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    assert response.status == 200
    turns = response.json["transcript"]
    assert [t["text"] for t in turns][:3] == [FIRST, "Refills are usually every one to six months. Source: Refills",
                                             '/choose_topic{"topic": "battery"}']
    assert turns[-2:] == TICKET_TURNS and response.json["earlier_turns"] == 6


async def test_without_rasa_the_ticket_shows_its_own_turns_and_says_earlier_ones_are_missing(app, auth, web_settings, monkeypatch):
    async def down(self, sender_id):
        raise RasaUnavailable("ClientConnectorError")

    monkeypatch.setattr(RasaClient, "conversation_events", down)
    ticket_id = _ticket(web_settings)
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    assert response.status == 200
    assert [t["text"] for t in response.json["transcript"]] == [TRIGGER, "That needs one of our clinicians."]
    assert response.json["earlier_turns"] == 0 and response.json["earlier_turns_loaded"] is False


async def test_a_ticket_whose_turns_carry_no_times_is_shown_as_it_is(app, auth, web_settings, rasa):
    draft = TicketDraft(sender_id=SENDER, channel=Channel.WEBCHAT, reason=TicketReason.CLINICAL,
                        trigger_message=TRIGGER, transcript=[{"role": "patient", "text": TRIGGER, "time": None}])
    ticket_id, _ = TicketStore(open_database(web_settings.database_url), web_settings.outbox_dir).raise_ticket(draft)
    _, response = await app.asgi_client.get(f"/api/handoffs/{ticket_id}", headers=auth)
    assert [t["text"] for t in response.json["transcript"]] == [TRIGGER]
    assert response.json["earlier_turns"] == 0
