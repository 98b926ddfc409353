"""Staff API for hand-off tickets: list, read, claim, reply, resolve."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import json

from pump_assistant.storage.inbox import BadCursor, BadFilter
from pump_assistant.storage.tickets import STATUSES, TicketNotFound
from webservice import inbox_params
from webservice.auth import bearer_token_required
from webservice.handoff_service import HandoffService
from webservice.json_replies import body_of, error, respond, takes_note

bp = Blueprint("handoffs", url_prefix="/api/handoffs")

MAX_LIMIT = inbox_params.MAX_LIMIT


def staff_name(body: dict) -> str | None:
    name = body.get("staff")
    return name.strip()[:120] if isinstance(name, str) and name.strip() else None


@bp.get("")
@bearer_token_required
async def list_handoffs(request):
    """Newest first; filters status, urgency, channel, q (search); pages of up to 200 with next_cursor."""
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        return error(400, "bad_status", f"status must be one of {', '.join(STATUSES)}")
    try:
        wanted = inbox_params.read(request.args, default_status="all", default_limit=50)
        tickets, next_cursor = request.app.ctx.tickets.page(
            wanted.query, limit=wanted.limit, cursor=wanted.cursor, order="newest"
        )
    except BadFilter as exc:
        return error(400, f"bad_{exc.name}", str(exc))
    except BadCursor:
        return error(400, "bad_cursor", "cursor is not one this API gave out; start again without it")
    return json({"handoffs": tickets, "next_cursor": next_cursor})


@bp.get("/<ticket_id:str>")
@bearer_token_required
async def get_handoff(request, ticket_id: str):
    """The ticket, its transcript led by the conversation's earlier turns (``earlier_turns``, ``earlier_turns_loaded``)."""
    try:
        ticket = request.app.ctx.tickets.get(ticket_id)
    except TicketNotFound:
        return error(404, "not_found", "no such hand-off")
    whole = await service(request).whole_transcript(ticket)
    return json({**ticket, **whole.fields(), "opted_out": service(request).opted_out(ticket)})


def service(request) -> HandoffService:
    return request.app.ctx.handoffs


@bp.post("/<ticket_id:str>/claim")
@bearer_token_required
async def claim_handoff(request, ticket_id: str):
    staff = staff_name(body_of(request) or {})
    if not staff:
        return error(400, "bad_request", 'send JSON {"staff": "<your name>"}')
    return respond(await service(request).claim(ticket_id, staff))


@bp.post("/<ticket_id:str>/reply")
@bearer_token_required
async def reply_to_handoff(request, ticket_id: str):
    body = body_of(request) or {}
    staff, text = staff_name(body), body.get("text")
    if not staff or not isinstance(text, str):
        return error(400, "bad_request", 'send JSON {"staff": "<your name>", "text": "<reply>"}')
    return respond(await service(request).reply(ticket_id, staff, text))


@bp.post("/<ticket_id:str>/resolve")
@bearer_token_required
@takes_note
async def resolve_handoff(request, ticket_id: str, *, note: str | None):
    return respond(await service(request).resolve(ticket_id, staff_name(body_of(request) or {}) or "staff", note))
