"""What the clinic keeps, and for how long: purging records older than the retention period.

Pure functions over SQLAlchemy sessions and connections; the command line is
:mod:`pump_assistant.retention` (``python -m pump_assistant.retention --days N``).

Purged once older than the cutoff:

* **hand-off tickets resolved** before it, with everything they hold (the
  patient's messages and the transcript, contact details, staff replies). An
  open or claimed ticket is never purged, however old: someone still has to
  act on it;
* **conversation records**: answer feedback, questions the pages did not
  answer (the patient's words), the SMS channel's handled message ids and the
  numbered choices last sent to a number;
* **audit entries**;
* **conversations in Rasa's tracker store** (every event: what the patient
  wrote and what the assistant answered) whose newest event is older than the
  cutoff, except a conversation that still has an open or claimed ticket.

Kept: SMS opt-outs (a STOP must be honoured for as long as the number may be
texted), staff accounts, draft answers awaiting review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pump_assistant.storage.models import (
    AnswerFeedback,
    AuditEntry,
    SmsChoice,
    SmsInbound,
    Ticket,
    UnansweredQuestion,
    utcnow,
)
from pump_assistant.vocabulary import ACTIVE_TICKET_STATUSES, TicketStatus

DEFAULT_RETENTION_DAYS = 365
# Rasa's SQL tracker store keeps every event of every conversation in one table.
TRACKER_EVENTS_TABLE = "events"
_CHUNK = 500

# Conversation records and the audit log: (label, model, the time that ages it).
_RECORDS = (
    ("answer feedback records", AnswerFeedback, AnswerFeedback.created_at),
    ("unanswered questions", UnansweredQuestion, UnansweredQuestion.created_at),
    ("SMS message ids", SmsInbound, SmsInbound.received_at),
    ("SMS numbered choices", SmsChoice, SmsChoice.updated_at),
    ("audit entries", AuditEntry, AuditEntry.created_at),
)
RESOLVED_TICKETS = "resolved tickets (with their messages and transcripts)"
CONVERSATIONS = "conversations in the tracker store"
CONVERSATION_EVENTS = "conversation events"


@dataclass
class PurgeReport:
    """What was purged (or, in a dry run, would be), by kind, in a stable order."""

    cutoff: dt.datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        verb = "would purge" if self.dry_run else "purged"
        width = max((len(str(n)) for n in self.counts.values()), default=1)
        return [f"{verb} {count:>{width}} {label}" for label, count in self.counts.items()]


def cutoff_for(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The moment before which records go: ``days`` before now, naive UTC as the tables store it."""
    if days < 1:
        raise ValueError(f"the retention period must be at least one day, got {days}")
    return (now or utcnow()) - dt.timedelta(days=days)


def _resolved_before(cutoff: dt.datetime):
    # A ticket resolved before resolved_at existed falls back to its last update.
    return sa.and_(
        Ticket.status == TicketStatus.RESOLVED, sa.func.coalesce(Ticket.resolved_at, Ticket.updated_at) < cutoff
    )


def _count(session: Session, model, condition) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(model).where(condition)).scalar_one()


def _delete(session: Session, model, condition) -> int:
    return session.execute(sa.delete(model).where(condition).execution_options(synchronize_session=False)).rowcount


def purge_records(session: Session, cutoff: dt.datetime, *, dry_run: bool = False) -> PurgeReport:
    """Purge (or count, in a dry run) the project database's records older than ``cutoff``.

    Runs in the caller's transaction: nothing is gone until it commits.
    """
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    apply = _count if dry_run else _delete
    report.counts[RESOLVED_TICKETS] = apply(session, Ticket, _resolved_before(cutoff))
    for label, model, column in _RECORDS:
        report.counts[label] = apply(session, model, column < cutoff)
    return report


def active_ticket_senders(session: Session) -> set[str]:
    """Conversations with an open or claimed ticket: staff may still write into them."""
    rows = session.execute(sa.select(Ticket.sender_id).where(Ticket.status.in_(ACTIVE_TICKET_STATUSES)).distinct())
    return {sender for (sender,) in rows}


def purge_conversations(
    connection: sa.engine.Connection,
    cutoff: dt.datetime,
    *,
    keep_senders: Iterable[str] = (),
    dry_run: bool = False,
) -> dict[str, int]:
    """Purge Rasa's tracker-store conversations whose newest event is older than ``cutoff``.

    ``connection`` is on the tracker store's database (Rasa's ``SQLTrackerStore``
    schema: an ``events`` table with ``sender_id`` and an epoch ``timestamp``).
    A conversation in ``keep_senders`` stays whatever its age. Runs in the
    caller's transaction. A database without the table has nothing to purge.
    """
    counts = {CONVERSATIONS: 0, CONVERSATION_EVENTS: 0}
    if not sa.inspect(connection).has_table(TRACKER_EVENTS_TABLE):
        return counts
    events = sa.Table(TRACKER_EVENTS_TABLE, sa.MetaData(), autoload_with=connection)
    cutoff_epoch = cutoff.replace(tzinfo=dt.UTC).timestamp()
    newest = sa.func.max(events.c.timestamp)
    stale = connection.execute(
        sa.select(events.c.sender_id).group_by(events.c.sender_id).having(newest < cutoff_epoch)
    ).scalars()
    keep = set(keep_senders)
    senders = [sender for sender in stale if sender not in keep]
    counts[CONVERSATIONS] = len(senders)
    for start in range(0, len(senders), _CHUNK):
        chunk = senders[start : start + _CHUNK]
        condition = events.c.sender_id.in_(chunk)
        if dry_run:
            counts[CONVERSATION_EVENTS] += connection.execute(
                sa.select(sa.func.count()).select_from(events).where(condition)
            ).scalar_one()
        else:
            counts[CONVERSATION_EVENTS] += connection.execute(sa.delete(events).where(condition)).rowcount
    return counts
