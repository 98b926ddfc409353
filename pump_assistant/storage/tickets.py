"""Hand-off tickets: raised by the action server, worked by staff through the web service.

A ticket is written the moment a conversation is handed off. If the database
cannot be reached, the ticket goes to a local outbox (one JSON file per ticket,
written atomically) and :meth:`TicketStore.flush_outbox` lands it when the
database is back; the id is assigned up front, so landing is idempotent.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from pump_assistant.storage import inbox
from pump_assistant.storage.database import Database
from pump_assistant.storage.inbox import InboxQuery
from pump_assistant.storage.models import Ticket, new_id, utcnow
from pump_assistant.storage.search import search_text
from pump_assistant.vocabulary import ACTIVE_TICKET_STATUSES, TicketReason, TicketStatus, Urgency

logger = logging.getLogger(__name__)

# Most urgent first: the console and the API sort in this order.
URGENCIES = tuple(Urgency)
REASONS = tuple(TicketReason)


def urgency_rank(urgency: str) -> int:
    return URGENCIES.index(urgency) if urgency in URGENCIES else len(URGENCIES)


STATUSES = tuple(TicketStatus)
ACTIVE_STATUSES = ACTIVE_TICKET_STATUSES
MAX_TRANSCRIPT_TURNS = 200
MAX_RESOLUTION_NOTE_CHARS = 2000


def _refresh_search_text(ticket: Ticket) -> None:
    ticket.search_text = search_text(
        sender_id=ticket.sender_id,
        trigger_message=ticket.trigger_message,
        transcript=ticket.transcript or [],
        contact_name=ticket.contact_name,
        contact_phone=ticket.contact_phone,
        resolution_note=ticket.resolution_note,
    )


@dataclass
class TicketDraft:
    sender_id: str
    channel: str
    reason: str
    trigger_message: str
    transcript: list[dict[str, Any]] = field(default_factory=list)
    safety_signs: list[str] = field(default_factory=list)
    contact: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)
    created_at: str = field(default_factory=lambda: utcnow().isoformat())
    # An Urgency; empty: from the reason. An emergency is never less than Urgency.EMERGENCY.
    urgency: str = ""

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown hand-off reason {self.reason!r}")
        if self.urgency and self.urgency not in URGENCIES:
            raise ValueError(f"unknown urgency {self.urgency!r}")
        floor = Urgency.EMERGENCY if self.reason == TicketReason.EMERGENCY else Urgency.ROUTINE
        self.urgency = min(self.urgency or floor, floor, key=urgency_rank)
        self.transcript = self.transcript[-MAX_TRANSCRIPT_TURNS:]


class TicketNotFound(LookupError):
    pass


class TicketStore:
    def __init__(self, database: Database, outbox_dir: Path):
        self._db = database
        self._outbox = outbox_dir

    # -- raising ---------------------------------------------------------
    def raise_ticket(self, draft: TicketDraft) -> tuple[str, bool]:
        """Store the ticket; returns (id, stored_now). Never raises for a database outage."""
        self.flush_outbox()
        try:
            self._insert(draft)
            return draft.id, True
        except SQLAlchemyError:
            logger.warning("database unavailable; ticket %s kept in the outbox", draft.id)
            self._spool(draft)
            return draft.id, False

    def _insert(self, draft: TicketDraft) -> None:
        with self._db.session() as session:
            if session.get(Ticket, draft.id) is not None:
                return
            ticket = Ticket(
                id=draft.id,
                sender_id=draft.sender_id,
                channel=draft.channel,
                urgency=draft.urgency,
                reason=draft.reason,
                trigger_message=draft.trigger_message,
                transcript=draft.transcript,
                safety_signs=draft.safety_signs,
                status=TicketStatus.OPEN,
                created_at=dt.datetime.fromisoformat(draft.created_at),
                updated_at=dt.datetime.fromisoformat(draft.created_at),
                contact_name=draft.contact.get("name"),
                contact_phone=draft.contact.get("phone"),
                contact_time=draft.contact.get("preferred_time"),
                contact_consent=draft.contact.get("consent"),
            )
            _refresh_search_text(ticket)
            session.add(ticket)

    def _spool(self, draft: TicketDraft) -> None:
        self._outbox.mkdir(parents=True, exist_ok=True)
        final = self._outbox / f"{draft.id}.json"
        partial = final.with_suffix(".tmp")
        partial.write_text(json.dumps(asdict(draft)), encoding="utf-8")
        os.replace(partial, final)

    def pending(self) -> list[Path]:
        return sorted(self._outbox.glob("*.json")) if self._outbox.exists() else []

    def flush_outbox(self) -> int:
        """Land every spooled ticket the database now accepts; returns how many landed."""
        landed = 0
        for path in self.pending():
            try:
                draft = TicketDraft(**json.loads(path.read_text(encoding="utf-8")))
                self._insert(draft)
            except SQLAlchemyError:
                break  # still down; try again later
            path.unlink()
            landed += 1
        return landed

    # -- reading ---------------------------------------------------------
    def list(self, status: str | None = None, limit: int = 50) -> list[dict]:
        query = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
        if status:
            query = query.where(Ticket.status == status)
        with self._db.session() as session:
            return [t.as_dict() for t in session.execute(query).scalars()]

    def page(
        self, query: InboxQuery, *, limit: int = 50, cursor: str | None = None, order: str = "inbox"
    ) -> tuple[builtins.list[dict], str | None]:
        """One page of the inbox and the next page's cursor (None on the last); see storage.inbox."""
        with self._db.session() as session:
            rows, next_cursor = inbox.page(session, query, limit=limit, cursor=cursor, order=order)
            return [t.as_dict() for t in rows], next_cursor

    def counts(self, query: InboxQuery) -> dict:
        with self._db.session() as session:
            return inbox.counts(session, query)

    def get(self, ticket_id: str) -> dict:
        with self._db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            return ticket.as_dict()

    def active_for(self, sender_id: str) -> dict | None:
        query = (
            select(Ticket)
            .where(Ticket.sender_id == sender_id, Ticket.status.in_(ACTIVE_STATUSES))
            .order_by(Ticket.created_at.desc())
            .limit(1)
        )
        with self._db.session() as session:
            ticket = session.execute(query).scalars().first()
            return ticket.as_dict() if ticket else None

    # -- working ---------------------------------------------------------
    def claim(self, ticket_id: str, staff: str) -> bool:
        """Atomic: of several staff claiming at once, exactly one gets True."""
        now = utcnow()
        with self._db.session() as session:
            result = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.OPEN)
                .values(status=TicketStatus.CLAIMED, claimed_by=staff, claimed_at=now, updated_at=now)
            )
            if result.rowcount == 1:
                return True
            if session.get(Ticket, ticket_id) is None:
                raise TicketNotFound(ticket_id)
            return False

    def resolve(self, ticket_id: str, staff: str, note: str | None = None) -> bool:
        """Close the ticket, with what was done (``note``, kept and searchable); False if already resolved."""
        now = utcnow()
        note = (note or "").strip()[:MAX_RESOLUTION_NOTE_CHARS] or None
        with self._db.session() as session:
            result = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.status.in_(ACTIVE_STATUSES))
                .values(
                    status=TicketStatus.RESOLVED,
                    resolved_at=now,
                    updated_at=now,
                    resolved_by=staff,
                    resolution_note=note,
                )
            )
            if result.rowcount == 1:
                _refresh_search_text(session.get(Ticket, ticket_id))
                return True
            if session.get(Ticket, ticket_id) is None:
                raise TicketNotFound(ticket_id)
            return False

    def append_turn(self, ticket_id: str, turn: dict[str, Any]) -> None:
        with self._db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            ticket.transcript = [*(ticket.transcript or []), turn][-MAX_TRANSCRIPT_TURNS:]
            ticket.updated_at = utcnow()
            _refresh_search_text(ticket)

    def set_contact(
        self,
        ticket_id: str,
        *,
        name: str | None,
        phone: str | None,
        preferred_time: str | None,
        consent: bool | None,
    ) -> None:
        """Record how the patient wants to be reached; kept in the outbox if the ticket is there."""
        contact = {"name": name, "phone": phone, "preferred_time": preferred_time, "consent": consent}
        spooled = self._outbox / f"{ticket_id}.json"
        if spooled.exists():
            draft = json.loads(spooled.read_text(encoding="utf-8"))
            draft["contact"] = contact
            self._spool(TicketDraft(**draft))
            self.flush_outbox()
            return
        with self._db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            ticket.contact_name = name
            ticket.contact_phone = phone
            ticket.contact_time = preferred_time
            ticket.contact_consent = consent
            ticket.updated_at = utcnow()
            _refresh_search_text(ticket)
