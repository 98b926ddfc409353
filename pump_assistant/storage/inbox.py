"""The front desk's inbox over hand-off tickets: filters, counts, and pages with an opaque cursor.

Two orders, both total (ties broken by id), so a cursor never skips or repeats a ticket:

- ``inbox``: emergency, urgent, routine; newest first within each (the console);
- ``newest``: newest first (the token API, as it always listed).

A cursor is the last ticket's sort key, base64url-encoded JSON with the order's name; a
cursor that does not decode, or was made for another order, raises :class:`BadCursor`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from pump_assistant.storage.models import Ticket
from pump_assistant.storage.search import like_pattern, search_terms
from pump_assistant.vocabulary import ACTIVE_TICKET_STATUSES, Channel, TicketStatus, Urgency

URGENCIES = tuple(Urgency)
STATUSES = tuple(TicketStatus)
# Status filter values: one status, every active one (open or claimed), or all.
STATUS_FILTERS = (*STATUSES, "active", "all")
# The channels tickets come from (each input channel's name; "unknown" when none was recorded).
CHANNELS = tuple(Channel)
ORDERS = ("inbox", "newest")
MAX_SEARCH_CHARS = 200

_URGENCY_RANK = case(
    *((Ticket.urgency == urgency, rank) for rank, urgency in enumerate(URGENCIES)), else_=len(URGENCIES)
)


class BadCursor(ValueError):
    """The cursor was not made by this inbox (or for this order)."""


class BadFilter(ValueError):
    def __init__(self, name: str, detail: str):
        super().__init__(detail)
        self.name = name


@dataclass(frozen=True)
class InboxQuery:
    status: str = "active"
    urgency: str | None = None
    channel: str | None = None
    search: str | None = None
    claimed_by: str | None = None  # "mine": claimed by this staff member

    def __post_init__(self) -> None:
        if self.status not in STATUS_FILTERS:
            raise BadFilter("status", f"status must be one of {', '.join(STATUS_FILTERS)}")
        if self.urgency is not None and self.urgency not in URGENCIES:
            raise BadFilter("urgency", f"urgency must be one of {', '.join(URGENCIES)}")
        if self.channel is not None and self.channel not in CHANNELS:
            raise BadFilter("channel", f"channel must be one of {', '.join(CHANNELS)}")
        if self.search is not None and len(self.search) > MAX_SEARCH_CHARS:
            raise BadFilter("q", f"search for at most {MAX_SEARCH_CHARS} characters")

    def conditions(self, without: str = "") -> list:
        """The WHERE conditions; ``without`` leaves one facet out (counts per value of that facet)."""
        where = []
        if without != "status":
            if self.status == "active":
                where.append(Ticket.status.in_(ACTIVE_TICKET_STATUSES))
            elif self.status != "all":
                where.append(Ticket.status == self.status)
        if self.urgency and without != "urgency":
            where.append(Ticket.urgency == self.urgency)
        if self.channel and without != "channel":
            where.append(Ticket.channel == self.channel)
        if self.claimed_by is not None:
            where.append(Ticket.claimed_by == self.claimed_by)
        terms = search_terms(self.search or "")
        if terms:
            where.append(Ticket.search_text.like(like_pattern(terms), escape="\\"))
        return where


def _key(order: str, ticket: Ticket) -> list:
    created = ticket.created_at.isoformat()
    if order == "inbox":
        return [URGENCIES.index(ticket.urgency) if ticket.urgency in URGENCIES else len(URGENCIES), created, ticket.id]
    return [created, ticket.id]


def encode_cursor(order: str, key: list) -> str:
    raw = json.dumps({"o": order, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(order: str, cursor: str) -> tuple[int | None, dt.datetime, str]:
    """(urgency rank or None, created_at, id) of the ticket a page ended on."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("o") != order:
            raise BadCursor(cursor)
        key = data["k"]
        if order == "inbox":
            rank, created, ticket_id = key
            if not isinstance(rank, int) or isinstance(rank, bool) or not 0 <= rank <= len(URGENCIES):
                raise BadCursor(cursor)
        else:
            rank, (created, ticket_id) = None, key
        if not isinstance(ticket_id, str) or not isinstance(created, str):
            raise BadCursor(cursor)
        return rank, dt.datetime.fromisoformat(created), ticket_id
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        if isinstance(exc, BadCursor):
            raise
        raise BadCursor(cursor) from exc


def _after(order: str, cursor: str):
    rank, created, ticket_id = decode_cursor(order, cursor)
    later = or_(Ticket.created_at < created, and_(Ticket.created_at == created, Ticket.id < ticket_id))
    if order == "inbox":
        return or_(_URGENCY_RANK > rank, and_(_URGENCY_RANK == rank, later))
    return later


def page(
    session, query: InboxQuery, *, limit: int, cursor: str | None = None, order: str = "inbox"
) -> tuple[list[Ticket], str | None]:
    """Up to ``limit`` tickets after ``cursor``, and the cursor of the next page (None on the last)."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    statement = select(Ticket).where(*query.conditions())
    if cursor:
        statement = statement.where(_after(order, cursor))
    sort = [Ticket.created_at.desc(), Ticket.id.desc()]
    if order == "inbox":
        sort.insert(0, _URGENCY_RANK)
    rows = list(session.execute(statement.order_by(*sort).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(order, _key(order, rows[-1])) if more and rows else None)


def counts(session, query: InboxQuery) -> dict:
    """How many tickets per status and per urgency (and channel), each facet under the other filters."""
    result: dict[str, Any] = {}
    for facet, column, values in (
        ("status", Ticket.status, STATUSES),
        ("urgency", Ticket.urgency, URGENCIES),
        ("channel", Ticket.channel, CHANNELS),
    ):
        rows = session.execute(
            select(column, func.count()).where(*query.conditions(without=facet)).group_by(column)
        ).all()
        found = {value: 0 for value in values}
        found.update({value: int(count) for value, count in rows})
        result[facet] = found
    result["total"] = int(session.execute(select(func.count()).where(*query.conditions())).scalar_one())
    # Unclaimed emergencies, whatever the filters: what the page title's badge counts.
    result["open_emergencies"] = int(
        session.execute(
            select(func.count()).where(Ticket.status == TicketStatus.OPEN, Ticket.urgency == Urgency.EMERGENCY)
        ).scalar_one()
    )
    return result
