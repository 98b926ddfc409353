"""Hand-offs to clinic staff: emergencies, clinical questions, requests for a person.

The safety reply always goes out first; the ticket is written after it, and a
database outage only sends the ticket to the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import (
    answer_choice,
    channel_of,
    last_typed_text,
    latest_intent,
    safety_signs,
    transcript,
    triage_of,
)
from pump_assistant import answering, services
from pump_assistant.config import get_settings
from pump_assistant.sms import SMS_CHANNEL
from pump_assistant.storage.tickets import TicketDraft
from pump_assistant.triage import replies
from pump_assistant.triage.levels import NONE
from pump_assistant.vocabulary import AnswerKind, Intent, TicketReason, Urgency

logger = logging.getLogger(__name__)

REASON_BY_INTENT: dict[str, TicketReason] = {
    Intent.CLINICAL_QUESTION: TicketReason.CLINICAL,
    Intent.REQUEST_HUMAN: TicketReason.REQUEST,
}
CONTACT_SLOTS = ("contact_consent", "contact_name", "contact_phone", "contact_time")
PHONE = re.compile(r"^\+?[\d\s().\-]{7,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOT_GIVEN = "not given"
# An SMS patient may answer the phone question with the number they text from
# (utter_ask_contact_phone's sms variant offers "reply SAME").
THIS_NUMBER = re.compile(r"^\W*(the )?same\W*$|\b(this|same) (number|phone|one)\b|\btext me\b", re.I)
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def urgency_for(tracker: Tracker) -> str:
    """The ticket's urgency from the triage decision; a pump problem that cannot wait is at least urgent."""
    triage = triage_of(tracker)
    if triage.urgency == Urgency.ROUTINE and triage.time_critical:
        return Urgency.URGENT
    return triage.urgency


def ticket_draft(tracker: Tracker, reason: str, urgency: str = "") -> TicketDraft:
    return TicketDraft(
        sender_id=tracker.sender_id,
        channel=channel_of(tracker),
        reason=reason,
        trigger_message=last_typed_text(tracker) or tracker.latest_message.get("text") or "",
        transcript=transcript(tracker),
        safety_signs=safety_signs(tracker),
        urgency=urgency or urgency_for(tracker),
    )


def store_ticket(draft: TicketDraft) -> None:
    try:
        ticket_id, stored = services.tickets().raise_ticket(draft)
        logger.info(
            "hand-off ticket %s raised (reason=%s, urgency=%s, stored_now=%s)",
            ticket_id,
            draft.reason,
            draft.urgency,
            stored,
        )
    except Exception:  # the reply has gone; the failure is logged for the on-call check
        logger.exception("could not raise ticket %s", draft.id)


def raise_ticket(tracker: Tracker, reason: str, urgency: str = "") -> str:
    draft = ticket_draft(tracker, reason, urgency)
    ticket_id, stored = services.tickets().raise_ticket(draft)
    logger.info(
        "hand-off ticket %s raised (reason=%s, urgency=%s, stored_now=%s)", ticket_id, reason, draft.urgency, stored
    )
    return ticket_id


def clinic_closed() -> bool:
    return not services.clinic_hours().is_open(dt.datetime.now(dt.UTC))


def send_opening_line(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A possible emergency: the reply opens with the 911 line (988 too where self-harm was mentioned)."""
    line = replies.opening_line(triage_of(tracker))
    if line:
        dispatcher.utter_message(text=line, urgent=True)


def send_closing_lines(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After hours, a pump problem that cannot wait gets the on-call line; a named symptom gets the 911 line."""
    triage = triage_of(tracker)
    if triage.time_critical and clinic_closed():
        dispatcher.utter_message(text=replies.after_hours_line(get_settings().clinic_oncall_or_generic), urgent=True)
    line = replies.closing_line(triage)
    if line:
        dispatcher.utter_message(text=line)


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        # The reply first: nothing below may delay or prevent it.
        triage = triage_of(tracker)
        if triage.self_harm and triage.via_pump:
            response = "utter_emergency_self_harm_pump"  # harm through the pump: 911 first, and 988
        elif triage.self_harm:
            response = "utter_emergency_self_harm"
        else:
            response = "utter_emergency"
        dispatcher.utter_message(response=response, urgent=True)
        second_language = replies.language_lines(triage)
        if second_language:  # "convulsión", "no respira": the same lines in Spanish too
            dispatcher.utter_message(text=second_language, urgent=True)
        # An emergency ends the contact questions if they are under way; otherwise there is
        # nothing to end, and no-op events would only cost Rasa time (checking, applying
        # and storing each one) before the reply goes out.
        events: list[dict] = []
        if tracker.active_loop_name:
            events.append(ActiveLoop(None))
        if tracker.active_loop_name or tracker.get_slot("requested_slot") is not None:
            events.append(SlotSet("requested_slot", None))
        try:
            draft = ticket_draft(tracker, TicketReason.EMERGENCY, Urgency.EMERGENCY)
        except Exception:  # never let a fault silence the emergency reply
            logger.exception("could not draft an emergency ticket")
            return events
        # The ticket's id is known now; it is written on a worker thread that starts
        # only once this reply has gone back to Rasa (services.after_reply), so the 911
        # reply never waits for, or shares the interpreter with, the database write.
        services.after_reply(lambda: store_ticket(draft))
        return events + [SlotSet("handoff_ticket_id", draft.id), SlotSet("staff_handling", True)]


class ActionHandoff(Action):
    """A clinical question or a request for a person: say so, raise a ticket, then ask for contact details."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        reason = REASON_BY_INTENT.get(latest_intent(tracker) or "", TicketReason.REQUEST)
        send_opening_line(dispatcher, tracker)
        dispatcher.utter_message(response=f"utter_handoff_{reason}")
        send_closing_lines(dispatcher, tracker)
        ticket_id = raise_ticket(tracker, reason)
        return [
            SlotSet("handoff_ticket_id", ticket_id),
            SlotSet("handoff_time_critical", triage_of(tracker).time_critical),
            *[SlotSet(slot, None) for slot in CONTACT_SLOTS],
        ]


class ValidateHandoffContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_contact_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("contact_consent") is False:
            return ["contact_consent"]  # declined: the ticket stands without contact details
        return domain_slots

    # Each validator also sees the slot being cleared when a hand-off starts
    # (value None): that is not an answer, so it is let through silently.

    def validate_contact_name(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"contact_name": None}
        name = str(value).strip()
        if latest_intent(tracker) == "deny" or not name:
            return {"contact_name": NOT_GIVEN}
        return {"contact_name": name[:120]}

    def validate_contact_phone(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"contact_phone": None}
        contact = str(value).strip()
        if latest_intent(tracker) == "deny":
            return {"contact_phone": NOT_GIVEN}
        if PHONE.match(contact) and len(re.sub(r"\D", "", contact)) >= 7 or EMAIL.match(contact):
            return {"contact_phone": contact}
        if channel_of(tracker) == SMS_CHANNEL and THIS_NUMBER.search(contact) and E164.match(tracker.sender_id or ""):
            return {"contact_phone": tracker.sender_id}  # the SMS sender id is the patient's E.164 number
        dispatcher.utter_message(response="utter_invalid_contact")
        return {"contact_phone": None}

    def validate_contact_time(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        if value is None:
            return {"contact_time": None}
        return {"contact_time": str(value).strip()[:200] or "any time"}


class ActionSubmitContact(Action):
    def name(self) -> str:
        return "action_submit_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        ticket_id = tracker.get_slot("handoff_ticket_id")
        consent = tracker.get_slot("contact_consent")
        if ticket_id:
            try:
                services.tickets().set_contact(
                    ticket_id,
                    name=_given(tracker.get_slot("contact_name")),
                    phone=_given(tracker.get_slot("contact_phone")),
                    preferred_time=_given(tracker.get_slot("contact_time")),
                    consent=bool(consent),
                )
            except Exception:
                logger.exception("could not save contact details on ticket %s", ticket_id)
        hours = services.clinic_hours()
        now = dt.datetime.now(dt.UTC)
        if consent is False:
            dispatcher.utter_message(
                response="utter_contact_declined", clinic_phone=get_settings().clinic_phone_or_generic
            )
        elif hours.is_open(now):
            dispatcher.utter_message(response="utter_contact_saved_open")
        elif tracker.get_slot("handoff_time_critical"):
            # Never "we'll see it when we open" for an alarm or a late refill.
            dispatcher.utter_message(
                text=replies.after_hours_line(get_settings().clinic_oncall_or_generic), urgent=True
            )
        else:
            dispatcher.utter_message(
                response="utter_contact_saved_closed", next_opening=hours.describe_next_opening(now)
            )
        return [SlotSet("staff_handling", True)]


def _given(value: Any | None) -> str | None:
    return None if value in (None, NOT_GIVEN) else str(value)


class ActionHoldForStaff(Action):
    """While staff own the conversation, pass each message to the ticket instead of answering."""

    def name(self) -> str:
        return "action_hold_for_staff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        ticket_id = tracker.get_slot("handoff_ticket_id")
        text = tracker.latest_message.get("text") or ""
        if ticket_id and text:
            try:
                services.tickets().append_turn(
                    ticket_id, {"role": "patient", "text": text, "time": dt.datetime.now(dt.UTC).isoformat()}
                )
            except Exception:  # the message stays in the conversation's own history
                logger.exception("could not add a held message to ticket %s", ticket_id)
        answer = _general_answer(tracker)
        if answer is not None:
            # A general pump question is still answered from the approved pages while
            # staff own the conversation; it is on the ticket too, and staff will reply.
            reply = answering.render_answer(services.registry(), answer, channel_of(tracker))
            dispatcher.utter_message(text=replies.with_lines(reply.text, triage_of(tracker)), **reply.metadata)
            dispatcher.utter_message(response="utter_staff_will_also_reply")
            return []
        dispatcher.utter_message(response="utter_held_for_staff")
        return []


def _general_answer(tracker: Tracker):
    """The approved answer to a clear general question (no red flag), or None: then the message is only held."""
    if (tracker.latest_message.get("intent") or {}).get("name") != Intent.FAQ or triage_of(tracker).level != NONE:
        return None
    registry, choice = answer_choice(tracker)
    return registry.answers[choice.answer_ids[0]] if choice.kind == AnswerKind.ANSWER else None


class ActionRelayStaffReply(Action):
    """A staff member's reply, delivered into the patient's conversation."""

    def name(self) -> str:
        return "action_relay_staff_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        entities = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
        text = str(entities.get("staff_message") or "").strip()
        if text:
            staff = str(entities.get("staff_name") or "Clinic staff")
            dispatcher.utter_message(text=f"{staff}: {text}", from_staff=True, staff_name=staff)
        return []


class ActionStaffResolved(Action):
    def name(self) -> str:
        return "action_staff_resolved"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(response="utter_staff_left")
        return [SlotSet("staff_handling", False), SlotSet("handoff_ticket_id", None)]
