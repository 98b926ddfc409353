"""Hand-off actions: the safety reply first, a ticket at once, contact details, holding for staff."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionEmergency,
    ActionHandoff,
    ActionHoldForStaff,
    ActionRelayStaffReply,
    ActionStaffResolved,
    ActionSubmitContact,
    ValidateHandoffContactForm,
)
from pump_assistant import services
from pump_assistant.hours import ClinicHours
from pump_assistant.storage.tickets import TicketDraft
from pump_assistant.vocabulary import Channel, DisplayFlag, Intent, TicketReason, Urgency
from tests.actions.conftest import make_tracker


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def emergency_tracker(text="my husband won't wake up and is barely breathing", self_harm=False, channel=Channel.REST,
                      via_pump=False):
    tracker = make_tracker(text, intent=Intent.EMERGENCY, intent_confidence=1.0, channel=channel)
    tracker.latest_message["triage"] = {"level": "emergency", "self_harm": self_harm, "via_pump": via_pump,
                                        "signs": ["overdose"], "symptom_named": True}
    return tracker


def test_emergency_gets_911_first_then_an_urgent_ticket(dispatcher):
    events = ActionEmergency().run(dispatcher, emergency_tracker(), {})
    assert dispatcher.messages[0]["response"] == "utter_emergency"
    services.drain()  # the ticket is written just after the reply
    ticket = services.tickets().get(slots(events)["handoff_ticket_id"])
    assert (ticket["urgency"], ticket["reason"], ticket["status"]) == (Urgency.EMERGENCY, TicketReason.EMERGENCY, "open")
    assert ticket["trigger_message"] == "my husband won't wake up and is barely breathing"
    assert ticket["transcript"][-1]["text"] == ticket["trigger_message"]
    assert ticket["safety_signs"] == ["overdose"]
    assert slots(events)["staff_handling"] is True


def test_the_emergency_ticket_is_written_only_once_the_reply_has_gone_back(dispatcher, monkeypatch):
    """As in the action server: the action runs on its event loop, and rasa-sdk sends the reply before
    the loop gets control back. The ticket's database write starts only then, and is always written."""
    import threading

    store = services.tickets()
    write_started = threading.Event()
    order = []
    real_raise = store.raise_ticket

    def raise_ticket(draft):
        order.append(("ticket write starts", [m.get("response") for m in dispatcher.messages]))
        write_started.set()
        return real_raise(draft)

    monkeypatch.setattr(store, "raise_ticket", raise_ticket)

    async def action_server_turn():
        events = ActionEmergency().run(dispatcher, emergency_tracker(), {})
        # rasa-sdk checks the events and writes the answer, all before the loop runs anything else
        assert not write_started.wait(0.3), "the ticket write started while the reply was still being sent"
        order.append("reply sent")
        await asyncio.sleep(0)  # the loop has control again
        return events

    events = asyncio.run(action_server_turn())
    services.drain()
    assert order == ["reply sent", ("ticket write starts", ["utter_emergency"])]
    ticket = services.tickets().get(slots(events)["handoff_ticket_id"])
    assert (ticket["urgency"], ticket["reason"]) == (Urgency.EMERGENCY, TicketReason.EMERGENCY)


def test_the_action_server_writes_the_911_reply_before_the_ticket_write_starts(monkeypatch):
    """Through rasa-sdk's own web app: the answer's bytes go out before the ticket's write begins.

    after_reply counts on rasa-sdk and Sanic writing the answer without giving the loop back
    first; this checks that they still do (the test above checks after_reply itself)."""
    import asyncio.selector_events as selector_events
    import json
    import urllib.request

    import rasa_sdk
    from rasa_sdk.endpoint import create_app
    from sanic import Sanic

    from pump_assistant.devstack import free_port

    monkeypatch.setattr(Sanic, "test_mode", True)  # a second app named "rasa_sdk" in this process
    order = []
    real_write = selector_events._SelectorSocketTransport.write

    def write(transport, data):
        if bytes(data[:9]) == b"HTTP/1.1 ":
            order.append("reply written")
        return real_write(transport, data)

    monkeypatch.setattr(selector_events._SelectorSocketTransport, "write", write)
    store = services.tickets()
    real_raise = store.raise_ticket
    monkeypatch.setattr(store, "raise_ticket", lambda draft: order.append("ticket write starts") or real_raise(draft))
    port = free_port()
    body = json.dumps({
        "next_action": "action_emergency", "tracker": emergency_tracker().current_state(), "domain": {},
        "version": rasa_sdk.__version__,
    }).encode()

    async def serve_one_call():
        server = await create_app("actions").create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        await server.startup()
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", body, {"Content-Type": "application/json"})
            return json.loads(await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=30).read()))
        finally:
            server.close()
            await server.wait_closed()

    loop = asyncio.DefaultEventLoopPolicy().new_event_loop()  # the selector loop, whose writes are watched
    try:
        answer = loop.run_until_complete(serve_one_call())
    finally:
        loop.close()
    services.drain()
    assert answer["responses"][0]["response"] == "utter_emergency"
    assert order == ["reply written", "ticket write starts"]
    assert services.tickets().get(slots(answer["events"])["handoff_ticket_id"])["urgency"] == Urgency.EMERGENCY


def test_an_emergency_ends_the_contact_questions_only_when_they_are_under_way(dispatcher):
    calm = ActionEmergency().run(dispatcher, emergency_tracker(), {})
    assert [e["event"] for e in calm] == ["slot", "slot"]  # no no-op events for Rasa to check and store
    assert set(slots(calm)) == {"handoff_ticket_id", "staff_handling"}
    tracker = emergency_tracker()
    tracker.active_loop = {"name": "handoff_contact_form"}
    tracker.slots["requested_slot"] = "contact_phone"
    during_form = ActionEmergency().run(CollectingDispatcher(), tracker, {})
    assert {"event": "active_loop", "name": None, "timestamp": None} in during_form
    assert slots(during_form)["requested_slot"] is None and slots(during_form)["staff_handling"] is True
    services.drain()


def test_thoughts_of_self_harm_get_988(dispatcher):
    ActionEmergency().run(dispatcher, emergency_tracker("I want to end my life", self_harm=True), {})
    assert dispatcher.messages[0]["response"] == "utter_emergency_self_harm"


def test_emergency_reply_survives_a_database_outage(dispatcher, tmp_path, monkeypatch):
    blocker = tmp_path / "down"
    blocker.write_text("")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker / 'x.db'}")
    services.clear()
    events = ActionEmergency().run(dispatcher, emergency_tracker(), {})
    assert dispatcher.messages[0]["response"] == "utter_emergency"
    services.drain()
    assert len(services.tickets().pending()) == 1
    assert slots(events)["handoff_ticket_id"]


@pytest.mark.parametrize(
    "intent, reason",
    [(Intent.CLINICAL_QUESTION, TicketReason.CLINICAL), (Intent.REQUEST_HUMAN, TicketReason.REQUEST)],
)
def test_handoff_says_so_and_raises_a_routine_ticket(dispatcher, intent, reason):
    tracker = make_tracker("can I take ibuprofen with my pump meds?", intent=intent)
    events = ActionHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == f"utter_handoff_{reason}"
    ticket = services.tickets().get(slots(events)["handoff_ticket_id"])
    assert (ticket["urgency"], ticket["reason"]) == (Urgency.ROUTINE, reason)


def test_declining_contact_ends_the_form_and_keeps_the_ticket(dispatcher):
    tracker = make_tracker("no", intent="deny", slots={"contact_consent": False})
    required = asyncio.run(
        ValidateHandoffContactForm().required_slots(
            ["contact_consent", "contact_name", "contact_phone", "contact_time"], dispatcher, tracker, {}
        )
    )
    assert required == ["contact_consent"]


@pytest.mark.parametrize("value, expected", [("555-201-3344", "555-201-3344"), ("(815) 555 0199", "(815) 555 0199"),
                                             ("maria@example.com", "maria@example.com"), ("banana", None)])
def test_contact_number_is_checked(dispatcher, value, expected):
    tracker = make_tracker(value, intent=Intent.INFORM_CONTACT)
    result = ValidateHandoffContactForm().validate_contact_phone(value, dispatcher, tracker, {})
    assert result == {"contact_phone": expected}
    if expected is None:
        assert dispatcher.messages[0]["response"] == "utter_invalid_contact"


def test_contact_details_land_on_the_ticket_and_closed_hours_say_when(dispatcher, monkeypatch):
    monkeypatch.setenv("CLINIC_HOURS", "Mon 00:00-00:01")
    monkeypatch.setenv("CLINIC_TIMEZONE", "UTC")
    services.clear()
    ticket_id, _ = services.tickets().raise_ticket(
        TicketDraft(sender_id="patient-1", channel=Channel.REST, reason=TicketReason.CLINICAL, trigger_message="q")
    )
    tracker = make_tracker("mornings", intent=Intent.INFORM_CONTACT, slots={
        "handoff_ticket_id": ticket_id, "contact_consent": True, "contact_name": "Maria Lopez",
        "contact_phone": "555-201-3344", "contact_time": "mornings"})
    events = ActionSubmitContact().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_contact_saved_closed"
    assert message["next_opening"].endswith("at 12:00 AM")
    contact = services.tickets().get(ticket_id)["contact"]
    assert contact == {"name": "Maria Lopez", "phone": "555-201-3344", "preferred_time": "mornings", "consent": True}
    assert slots(events) == {"staff_handling": True}


def test_clinic_hours_open_and_closed():
    hours = ClinicHours.parse("Mon-Fri 08:00-17:00", "America/Chicago")
    monday_10am_chicago = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.timezone.utc)
    saturday = dt.datetime(2026, 11, 21, 16, 0, tzinfo=dt.timezone.utc)
    assert hours.is_open(monday_10am_chicago)
    assert not hours.is_open(saturday)
    assert hours.describe_next_opening(saturday) == "Monday at 8:00 AM"


def test_messages_while_staff_own_the_conversation_go_to_the_ticket(dispatcher):
    ticket_id, _ = services.tickets().raise_ticket(
        TicketDraft(sender_id="patient-1", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me")
    )
    tracker = make_tracker("also, my refill is due friday", slots={"handoff_ticket_id": ticket_id, "staff_handling": True})
    ActionHoldForStaff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_held_for_staff"
    assert services.tickets().get(ticket_id)["transcript"][-1]["text"] == "also, my refill is due friday"


def test_a_clear_general_question_while_staff_own_the_conversation_is_answered_and_kept_on_the_ticket(dispatcher, registry):
    ticket_id, _ = services.tickets().raise_ticket(
        TicketDraft(sender_id="patient-1", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me")
    )
    tracker = make_tracker("how long does the pump battery last?", ranking=[("battery", 0.97), ("refills", 0.02)],
                           slots={"handoff_ticket_id": ticket_id, "staff_handling": True})
    ActionHoldForStaff().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith(registry.answers["battery"].text)
    assert dispatcher.messages[-1]["response"] == "utter_staff_will_also_reply"
    assert services.tickets().get(ticket_id)["transcript"][-1]["text"] == "how long does the pump battery last?"


def test_an_unclear_or_clinical_message_while_staff_own_the_conversation_is_only_held(dispatcher):
    ticket_id, _ = services.tickets().raise_ticket(
        TicketDraft(sender_id="patient-1", channel=Channel.REST, reason=TicketReason.REQUEST, trigger_message="call me")
    )
    unclear = make_tracker("what about the thing", ranking=[("battery", 0.45), ("refills", 0.40)],
                           slots={"handoff_ticket_id": ticket_id, "staff_handling": True})
    ActionHoldForStaff().run(dispatcher, unclear, {})
    clinical = make_tracker("should my dose go up?", intent=Intent.CLINICAL_QUESTION,
                            slots={"handoff_ticket_id": ticket_id, "staff_handling": True})
    ActionHoldForStaff().run(dispatcher, clinical, {})
    assert [m.get("response") for m in dispatcher.messages] == ["utter_held_for_staff", "utter_held_for_staff"]


def test_staff_reply_is_relayed_with_their_name(dispatcher):
    tracker = make_tracker("", intent=Intent.EXTERNAL_STAFF_REPLY, entities=[
        {"entity": "staff_message", "value": "We will call you at 3pm."}, {"entity": "staff_name", "value": "Nurse Ana"}])
    ActionRelayStaffReply().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == "Nurse Ana: We will call you at 3pm."
    assert dispatcher.messages[0][DisplayFlag.FROM_STAFF] is True


def test_resolving_hands_the_conversation_back(dispatcher):
    events = ActionStaffResolved().run(dispatcher, make_tracker("", intent=Intent.EXTERNAL_STAFF_RESOLVED), {})
    assert slots(events) == {"staff_handling": False, "handoff_ticket_id": None}


def test_clearing_the_contact_slots_is_not_validated_as_an_answer(dispatcher):
    tracker = make_tracker("can someone call me", intent=Intent.REQUEST_HUMAN)
    form = ValidateHandoffContactForm()
    assert form.validate_contact_name(None, dispatcher, tracker, {}) == {"contact_name": None}
    assert form.validate_contact_phone(None, dispatcher, tracker, {}) == {"contact_phone": None}
    assert form.validate_contact_time(None, dispatcher, tracker, {}) == {"contact_time": None}
    assert dispatcher.messages == []
