"""Working a hand-off: one implementation for the token API and the signed-in console."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pump_assistant.sms import SMS_CHANNEL
from pump_assistant.storage.tickets import MAX_RESOLUTION_NOTE_CHARS, TicketNotFound, TicketStore
from pump_assistant.transcript import turns_from_events, with_earlier_turns
from pump_assistant.vocabulary import Intent, TicketStatus
from webservice.rasa_client import RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)
MAX_REPLY_CHARS = 1600


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict

    @classmethod
    def error(cls, status: int, code: str, detail: str) -> Outcome:
        return cls(status, {"error": code, "detail": detail})


@dataclass(frozen=True)
class WholeTranscript:
    turns: list[dict]
    earlier: int  # turns added from before the ticket's own
    earlier_loaded: bool  # False: Rasa could not be reached, earlier turns may be missing

    def fields(self) -> dict:
        return {"transcript": self.turns, "earlier_turns": self.earlier, "earlier_turns_loaded": self.earlier_loaded}


OPTED_OUT_DETAIL = (
    "This patient texted STOP: no text can be sent to this number. The reply is saved on the ticket; "
    "call the patient instead."
)


class HandoffService:
    def __init__(
        self, tickets: TicketStore, rasa: RasaClient, audit=None, opted_out: Callable[[str], bool] | None = None
    ):
        """``opted_out``: whether an SMS number has texted STOP (staff replies to it are not sent)."""
        self._tickets = tickets
        self._rasa = rasa
        self._audit = audit or (lambda *args, **kwargs: None)
        self._opted_out = opted_out or (lambda phone: False)

    def opted_out(self, ticket: dict) -> bool:
        return ticket.get("channel") == SMS_CHANNEL and self._opted_out(ticket["sender_id"])

    async def whole_transcript(self, ticket: dict) -> WholeTranscript:
        """The ticket's transcript after the conversation's earlier turns.

        A ticket carries the turns the dialogue engine saw when it was raised (the tracker
        store's window, ``history_turns``); a long conversation's earlier turns are read from
        Rasa's conversation store. If Rasa cannot be reached, the ticket's own turns, and
        ``earlier_loaded`` false so the console can say so.
        """
        stored = list(ticket.get("transcript") or [])
        try:
            events = await self._rasa.conversation_events(ticket["sender_id"])
        except RasaUnavailable as exc:
            logger.warning("earlier turns of a hand-off unavailable: %s", exc)  # why, never whose
            return WholeTranscript(stored, 0, False)
        turns, earlier = with_earlier_turns(stored, turns_from_events(events))
        return WholeTranscript(turns, earlier, True)

    async def claim(self, ticket_id: str, staff: str) -> Outcome:
        try:
            won = self._tickets.claim(ticket_id, staff)
        except TicketNotFound:
            return Outcome.error(404, "not_found", "no such hand-off")
        ticket = self._tickets.get(ticket_id)
        if not won:
            return Outcome.error(
                409, "already_claimed", f"claimed by {ticket['claimed_by'] or 'someone else'} ({ticket['status']})"
            )
        self._audit(staff, "claimed", ticket_id)
        await self._tell(ticket, Intent.EXTERNAL_STAFF_JOINED)
        return Outcome(200, ticket)

    async def reply(self, ticket_id: str, staff: str, text: str | None) -> Outcome:
        if not isinstance(text, str) or not text.strip():
            return Outcome.error(400, "bad_request", "a reply needs text")
        if len(text) > MAX_REPLY_CHARS:
            return Outcome.error(413, "too_long", f"a reply is at most {MAX_REPLY_CHARS} characters")
        try:
            ticket = self._tickets.get(ticket_id)
        except TicketNotFound:
            return Outcome.error(404, "not_found", "no such hand-off")
        if ticket["status"] == TicketStatus.RESOLVED:
            return Outcome.error(409, "resolved", "this hand-off is resolved")
        text = text.strip()
        turn: dict[str, Any] = {
            "role": "staff",
            "staff": staff,
            "text": text,
            "time": dt.datetime.now(dt.UTC).isoformat(),
        }
        if self.opted_out(ticket):
            # The patient's STOP holds for staff too: saved, not sent, and staff are told why.
            turn.update(delivered=False, not_sent_because="opted_out")
            self._tickets.append_turn(ticket_id, turn)
            self._audit(staff, "reply_not_sent_opted_out", ticket_id)
            return Outcome.error(409, "opted_out", OPTED_OUT_DETAIL)
        try:
            await self._rasa.trigger_intent(
                ticket["sender_id"], Intent.EXTERNAL_STAFF_REPLY, {"staff_message": text, "staff_name": staff}
            )
            turn["delivered"] = True
        except RasaUnavailable as exc:
            logger.warning("staff reply on %s not delivered: %s", ticket_id, exc)
            turn["delivered"] = False
        # Kept on the ticket either way, so nothing the staff member wrote is lost.
        self._tickets.append_turn(ticket_id, turn)
        self._audit(staff, "replied" if turn["delivered"] else "reply_not_delivered", ticket_id)
        if not turn["delivered"]:
            return Outcome.error(
                502, "not_delivered", "the assistant could not be reached; the reply is saved on the ticket"
            )
        return Outcome(200, self._tickets.get(ticket_id))

    async def resolve(self, ticket_id: str, staff: str, note: str | None = None) -> Outcome:
        """Close the hand-off; ``note`` (what was done) is kept on the ticket and in the audit entry."""
        if note is not None and len(note) > MAX_RESOLUTION_NOTE_CHARS:
            return Outcome.error(
                400, "too_long", f"a resolution note is at most {MAX_RESOLUTION_NOTE_CHARS} characters"
            )
        try:
            done = self._tickets.resolve(ticket_id, staff, note)
        except TicketNotFound:
            return Outcome.error(404, "not_found", "no such hand-off")
        ticket = self._tickets.get(ticket_id)
        if not done:
            return Outcome.error(409, "already_resolved", "this hand-off is already resolved")
        self._audit(staff, "resolved", ticket_id, ticket.get("resolution_note") or None)
        await self._tell(ticket, Intent.EXTERNAL_STAFF_RESOLVED)
        return Outcome(200, ticket)

    async def _tell(self, ticket: dict, intent: str) -> None:
        try:
            await self._rasa.trigger_intent(ticket["sender_id"], intent)
        except RasaUnavailable as exc:
            logger.warning("could not tell conversation of ticket %s (%s): %s", ticket["id"], intent, exc)
