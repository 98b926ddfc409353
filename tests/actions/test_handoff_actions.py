"""Hand-off actions: the safety reply first, a ticket at once, contact details, holding for staff."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

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
