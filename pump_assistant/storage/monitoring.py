"""Figures for monitoring (the web service's GET /metrics), read from the database and the outbox."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from pump_assistant.storage.database import Database
from pump_assistant.storage.models import AuditEntry, Ticket
from pump_assistant.storage.tickets import ACTIVE_STATUSES, URGENCIES
from pump_assistant.vocabulary import TicketReason, TicketStatus, Urgency

# The audit actions HandoffService writes for a staff reply (delivered into the
# conversation through Rasa, or kept on the ticket because Rasa was unreachable).
STAFF_REPLY_ACTIONS = {"replied": "delivered", "reply_not_delivered": "failed"}


@dataclass
class TicketFigures:
    # active status (open, claimed) -> urgency -> number of tickets; every urgency present.
    active: dict[str, dict[str, int]] = field(
        default_factory=lambda: {s: {u: 0 for u in URGENCIES} for s in ACTIVE_STATUSES}
    )
    # created_at (naive UTC) of the oldest emergency ticket nobody has claimed.
    oldest_unclaimed_emergency: dt.datetime | None = None
    # "delivered" / "failed" -> staff replies since the audit log began.
    staff_replies: dict[str, int] = field(default_factory=lambda: {o: 0 for o in STAFF_REPLY_ACTIONS.values()})


def ticket_figures(database: Database) -> TicketFigures:
    figures = TicketFigures()
    with database.session() as session:
        rows = session.execute(
            select(Ticket.status, Ticket.urgency, func.count())
            .where(Ticket.status.in_(ACTIVE_STATUSES))
            .group_by(Ticket.status, Ticket.urgency)
        )
        for status, urgency, count in rows:
            figures.active[status][urgency] = int(count)
        figures.oldest_unclaimed_emergency = session.execute(
            select(func.min(Ticket.created_at)).where(
                Ticket.status == TicketStatus.OPEN, Ticket.urgency == Urgency.EMERGENCY
            )
        ).scalar()
        rows = session.execute(
            select(AuditEntry.action, func.count())
            .where(AuditEntry.action.in_(tuple(STAFF_REPLY_ACTIONS)))
            .group_by(AuditEntry.action)
        )
        for action, count in rows:
            figures.staff_replies[STAFF_REPLY_ACTIONS[action]] = int(count)
    return figures


def outbox_emergencies(paths: Iterable[Path]) -> list[dt.datetime]:
    """created_at (naive UTC) of the emergency tickets waiting in the outbox (nobody can claim those yet)."""
    found = []
    for path in paths:
        try:
            draft = json.loads(path.read_text(encoding="utf-8"))
            if draft.get("urgency") == Urgency.EMERGENCY or draft.get("reason") == TicketReason.EMERGENCY:
                found.append(dt.datetime.fromisoformat(draft["created_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # landed (and removed) meanwhile, or being written
    return found
