"""Reading the inbox's query string (the console's queue and the token API share it).

Unknown values are refused with a 400 naming the parameter, never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from pump_assistant.storage.inbox import BadFilter, InboxQuery

MAX_LIMIT = 200
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no", "")


@dataclass(frozen=True)
class InboxRequest:
    query: InboxQuery
    limit: int
    cursor: str | None


def read(args, *, default_status: str, default_limit: int, claimed_by: str | None = None) -> InboxRequest:
    """Raises BadFilter (name, detail) for a value the inbox does not know."""
    raw_limit = args.get("limit", str(default_limit))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise BadFilter("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    mine = (args.get("mine") or "").strip().lower()
    if mine not in TRUE + FALSE:
        raise BadFilter("mine", "mine must be 1 (claimed by me) or 0")
    if mine in TRUE and claimed_by is None:
        raise BadFilter("mine", "mine needs a signed-in staff member")
    search = " ".join((args.get("q") or "").split()) or None
    cursor = args.get("cursor") or None
    query = InboxQuery(
        status=args.get("status") or default_status,
        urgency=args.get("urgency") or None,
        channel=args.get("channel") or None,
        search=search,
        claimed_by=claimed_by if mine in TRUE else None,
    )
    return InboxRequest(query, int(raw_limit), cursor)
